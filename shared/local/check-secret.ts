import { readFileSync } from 'node:fs';
import { checkSecretFile } from '../config/secrets.js';

/**
 * `npm run check-secret -- [--signing] <file>`: checks a secret file before it is put into Secrets
 * Manager (the provider secret, or with `--signing` the signing secret), so a value the functions
 * would refuse is caught on the operator's machine, not at a cold start. Prints one line per problem
 * (the key, never the value); exits 1 when there is an error.
 */
const usage = `usage: npm run check-secret -- [--signing] <secret.json>
  --signing  the file is the signing secret (threadline/signing), not the provider secret
  --help     this text`;

function main(argv: readonly string[]): number {
  if (argv.includes('--help')) {
    console.log(usage);
    return 0;
  }
  const signing = argv.includes('--signing');
  const files = argv.filter((arg) => arg !== '--signing');
  const file = files[0];
  if (!file || files.length > 1) {
    console.error(usage);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    console.error(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return 2;
  }
  const { errors, warnings } = checkSecretFile(text, signing ? 'signing' : 'provider');
  for (const line of errors) console.error(`${file}: error: ${line}`);
  for (const line of warnings) console.error(`${file}: warning: ${line}`);
  if (errors.length === 0)
    console.log(`${file}: ok${warnings.length ? ` (${warnings.length} warning(s))` : ''}`);
  return errors.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
