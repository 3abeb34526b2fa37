import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import { DEFAULT_ROUTING_POLICY_URL } from '#shared/domain/routing/default-policy.js';
import { SAMPLE_KNOWLEDGE_BASE } from '#shared/responder/knowledge-base-articles.js';
import { setupLine } from '#shared/responder/setup-line.js';

describe('setupLine', () => {
  it('names the shipped policy and sample articles, with what they hold', () => {
    expect(setupLine(loadConfig({}))).toBe(
      `routing policy: ${fileURLToPath(DEFAULT_ROUTING_POLICY_URL)} (shipped; 4 queues) · knowledge base: ${SAMPLE_KNOWLEDGE_BASE} (sample; 8 articles, synonyms, calibration) · AI: knowledge-base responder`,
    );
  });

  it("names the operator's own policy file and articles folder, and Bedrock when it answers", () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-setup-line-'));
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ defaultQueue: 'a', queues: [{ name: 'a' }, { name: 'b' }] }));
    const kb = join(dir, 'kb');
    mkdirSync(kb);
    writeFileSync(join(kb, 'one.md'), '# One\n\nThe first article.\n');
    const config = loadConfig({
      ROUTING_POLICY_FILE: policy,
      KNOWLEDGE_BASE_DIR: kb,
      BEDROCK_MODEL_ID: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    });
    expect(setupLine(config)).toBe(
      `routing policy: ${policy} (2 queues) · knowledge base: ${kb} (1 article, no synonyms, no calibration) · AI: Bedrock anthropic.claude-3-5-haiku-20241022-v1:0`,
    );
  });
});
