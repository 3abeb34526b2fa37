import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE, privateFolder } from './private-files.js';

/**
 * The key `npm run send -- email` signs SNS messages with, and the public half `npm start` checks them
 * against: generated once per DATA_DIR (as the development secrets are), so no key anyone else holds is
 * trusted. Never used on AWS: the layer rules keep `shared/local` out of every Lambda.
 */
export function localSnsKey(dataDir: string): { privateKeyPem: string; publicKeyFile: string } {
  const privateFile = join(dataDir, 'sns-signing-key.pem');
  const publicKeyFile = join(dataDir, 'sns-signing-public.pem');
  if (!existsSync(privateFile) || !existsSync(publicKeyFile)) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    privateFolder(dataDir);
    const mode = PRIVATE_FILE; // as everything else under DATA_DIR
    writeFileSync(privateFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode });
    writeFileSync(publicKeyFile, pair.publicKey.export({ type: 'spki', format: 'pem' }), { mode });
  }
  return { privateKeyPem: readFileSync(privateFile, 'utf8'), publicKeyFile };
}

/**
 * The SNS_TRUSTED_CERT_FILE `npm start` runs with: the one set, else (with no PUBLIC_BASE_URL, so no
 * tunnel brings real SNS deliveries, whose certificates must be fetched) DATA_DIR's own public key.
 */
export function localTrustedCertFile(
  dataDir: string,
  config: { SNS_TRUSTED_CERT_FILE?: string | undefined; PUBLIC_BASE_URL?: string | undefined },
): string | undefined {
  if (config.SNS_TRUSTED_CERT_FILE || config.PUBLIC_BASE_URL) return config.SNS_TRUSTED_CERT_FILE;
  return localSnsKey(dataDir).publicKeyFile;
}
