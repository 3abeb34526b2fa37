import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { ConfigError } from '../config/config.js';
import { PRIVATE_FILE, privateFolder } from './private-files.js';

const token = (bytes: number) => randomBytes(bytes).toString('hex');

const DevSecretsSchema = z.object({
  META_APP_SECRET: z.string(),
  META_VERIFY_TOKEN: z.string(),
  // Older dev-secrets files predate Twilio; one is generated for them, and saved.
  TWILIO_AUTH_TOKEN: z.string().default(() => token(16)),
  AGENT_TOKENS: z.string(),
  // Signs email survey links; generated for older files too, and saved.
  CSAT_SIGNING_SECRET: z.string().default(() => token(32)),
  // The web chat's identity-token secret, so the demo and a developer's site can sign visitors.
  WEBCHAT_IDENTITY_SECRET: z.string().default(() => token(32)),
});

/** The development secrets `npm start` uses unless the environment sets them. */
export type DevSecrets = z.infer<typeof DevSecretsSchema>;

/** The names of the development secrets, in the order `npm start` prints them. */
export const devSecretNames = DevSecretsSchema.keyof().options;

/**
 * Development defaults for a fresh machine: secrets generated once and kept in `dataDir`, so signed
 * test requests and the agent token stay valid across restarts. A file that lacks a newer secret gets
 * it generated and written back, so it too stays the same from one start to the next.
 */
export function devSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, 'dev-secrets.json');
  const stored = existsSync(file) ? readStored(file) : undefined;
  const parsed = DevSecretsSchema.safeParse(
    stored ?? {
      META_APP_SECRET: token(16),
      META_VERIFY_TOKEN: token(8),
      // The one developer is an admin: export, erase, merge and the audit log work locally.
      AGENT_TOKENS: `dev-agent:${token(16)}:admin`,
      CSAT_SIGNING_SECRET: token(32),
    },
  );
  if (!parsed.success) {
    const keys = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ');
    throw new ConfigError(
      `${file}: ${keys} must be text; fix the file, or delete it to generate new secrets`,
    );
  }
  const secrets = parsed.data;
  const complete =
    typeof stored === 'object' && stored !== null && Object.keys(secrets).every((k) => k in stored);
  if (!complete) {
    privateFolder(dataDir);
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: PRIVATE_FILE });
  }
  return secrets;
}

/** The file's JSON, or a ConfigError naming the file: a bare SyntaxError said neither which file nor what to do. */
function readStored(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const why = error instanceof SyntaxError ? 'not valid JSON' : 'cannot be read';
    throw new ConfigError(`${file}: ${why}; fix the file, or delete it to generate new development secrets`);
  }
}

/**
 * The environment `npm start` runs with: the development secrets, then the environment's own values
 * over them. An empty variable is unset, as the config loader reads every setting, so the development
 * secret stays (an empty `AGENT_TOKENS=` left nobody able to sign in); so is an `AGENT_TOKENS` with no
 * entry in it (`,` or spaces).
 */
export function withDevSecrets(
  secrets: DevSecrets,
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const set = Object.entries(env).filter(([name, value]) => {
    if (value === undefined || value === '') return false;
    return name !== 'AGENT_TOKENS' || value.split(',').some((entry) => entry.trim() !== '');
  });
  return { ...secrets, ...Object.fromEntries(set) };
}
