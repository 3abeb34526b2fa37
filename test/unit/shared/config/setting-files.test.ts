import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snsHttpDeps } from '#shared/channels/ses/webhook.js';
import { ConfigError } from '#shared/config/config.js';
import { loadQueueRules } from '#shared/config/queue-hours-file.js';
import { loadRoutingPolicy } from '#shared/config/routing-policy-file.js';
import { createResponder } from '#shared/responder/create-responder.js';
import { shippedPolicyFileWith } from '../../../support/policy-file.js';

/** The error `read` throws, which must be a ConfigError. */
function errorOf(read: () => unknown): ConfigError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('read nothing wrong');
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('files named by a setting: an error names the setting and the file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'threadline-setting-files-'));
  const badPolicy = shippedPolicyFileWith((policy) => {
    delete policy.defaultQueue;
  });
  const notJson = join(folder, 'not-json.json');
  writeFileSync(notJson, '{ not json');

  describe.each([
    ['loadRoutingPolicy', loadRoutingPolicy],
    ['loadQueueRules', loadQueueRules],
  ])('ROUTING_POLICY_FILE, read by %s', (_name, load) => {
    it('a file that does not exist', () => {
      expect(errorOf(() => load('/nonexistent/policy.json')).message).toBe(
        'ROUTING_POLICY_FILE: cannot read /nonexistent/policy.json: no such file',
      );
    });

    it('a folder', () => {
      expect(errorOf(() => load(folder)).message).toBe(
        `ROUTING_POLICY_FILE: cannot read ${folder}: it is a folder, not a file`,
      );
    });

    it('a policy with an error, or not JSON', () => {
      expect(errorOf(() => load(badPolicy)).message).toMatch(
        new RegExp(`^ROUTING_POLICY_FILE: ${escaped(badPolicy)}: invalid routing policy: .*defaultQueue`),
      );
      expect(errorOf(() => load(notJson)).message).toMatch(
        new RegExp(`^ROUTING_POLICY_FILE: ${escaped(notJson)}: .*not valid JSON`),
      );
    });
  });

  it('SNS_TRUSTED_CERT_FILE that does not exist', () => {
    expect(errorOf(() => snsHttpDeps('/nonexistent/cert.pem')).message).toBe(
      'SNS_TRUSTED_CERT_FILE: cannot read /nonexistent/cert.pem: no such file',
    );
  });

  it.each([
    ['does not exist', '/nonexistent/articles', 'no such folder'],
    ['is a file', notJson, 'not a folder'],
  ])('KNOWLEDGE_BASE_DIR that %s', (_name, folder, why) => {
    const start = () => createResponder({ KNOWLEDGE_BASE_DIR: folder, BEDROCK_TIMEOUT_MS: 15_000 });
    expect(errorOf(start).message).toBe(
      `KNOWLEDGE_BASE_DIR: cannot read the knowledge base folder ${folder}: ${why}`,
    );
  });
});
