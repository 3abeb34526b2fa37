import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import { devSecrets } from '#shared/local/dev-secrets.js';
import { startBanner } from '#shared/local/start-banner.js';

const banner = (env: Record<string, string> = {}) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-start-banner-'));
  const secrets = devSecrets(dataDir);
  const config = loadConfig({ ...secrets, ...env });
  return { secrets, text: startBanner({ url: 'http://127.0.0.1:4640', dataDir, config }) };
};

describe('startBanner', () => {
  it('prints every development secret it generated, the survey-link signing secret among them', () => {
    const { secrets, text } = banner();
    expect(Object.keys(secrets)).toContain('CSAT_SIGNING_SECRET');
    for (const [name, value] of Object.entries(secrets)) expect(text).toContain(`  ${name}=${value}\n`);
  });

  it('prints the value in use when the environment overrides a generated one', () => {
    const own = 'e'.repeat(40);
    const { secrets, text } = banner({ CSAT_SIGNING_SECRET: own });
    expect(text).toContain(`  CSAT_SIGNING_SECRET=${own}\n`);
    expect(text).not.toContain(secrets.CSAT_SIGNING_SECRET);
  });

  it('says which channels reply to the local outbox and which to real providers', () => {
    const { text } = banner();
    expect(text).toContain(
      '  local outbox (http://127.0.0.1:4640/api/outbox): email, SMS, WhatsApp, Messenger, Instagram\n',
    );
    expect(text).not.toContain('real providers');
    const ses = banner({ SES_FROM_ADDRESS: 'support@shop.example' }).text;
    expect(ses).toContain(
      '  local outbox (http://127.0.0.1:4640/api/outbox): SMS, WhatsApp, Messenger, Instagram\n',
    );
    expect(ses).toContain(
      "  real providers (they reach real people): email through Amazon SES, from support@shop.example, with this machine's AWS credentials and region\n",
    );
  });

  it('prints the agent token to sign in with', () => {
    const { secrets, text } = banner();
    expect(text).toContain(`Authorization: Bearer ${secrets.AGENT_TOKENS.split(':')[1]}`);
  });

  it('says there is no agent token rather than printing undefined', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-start-banner-'));
    const text = startBanner({ url: 'http://127.0.0.1:4640', dataDir, config: loadConfig({}) });
    expect(text).not.toContain('undefined');
    expect(text).toContain('no agent can sign in: AGENT_TOKENS has no entry');
  });

  it('lists the webhook URLs under PUBLIC_BASE_URL when it is set, the console and API under the local URL', () => {
    const { text } = banner({ PUBLIC_BASE_URL: 'https://tunnel.example.com/' });
    const webhookLines = text.split('\n').filter((line) => line.includes('/webhooks/'));
    expect(webhookLines).toHaveLength(5);
    for (const line of webhookLines) expect(line).toContain('https://tunnel.example.com/webhooks/');
    expect(text).not.toContain('http://127.0.0.1:4640/webhooks/');
    expect(text).not.toContain('set PUBLIC_BASE_URL to your tunnel URL');
    expect(text).toContain('http://127.0.0.1:4640/console');
  });

  it("asks for Twilio's retry overrides on its URLs (by default Twilio retries no 503)", () => {
    expect(banner().text).toContain(
      '  Twilio: end each URL with #rc=3&rp=all, so Twilio retries a 503 or a 429',
    );
  });

  it('lists the local webhook URLs and asks for PUBLIC_BASE_URL when it is unset', () => {
    const { text } = banner();
    expect(text).toContain('POST http://127.0.0.1:4640/webhooks/twilio/sms');
    expect(text).toContain('set PUBLIC_BASE_URL to your tunnel URL');
  });
});

describe('startBanner: what answers customers', () => {
  it('prints the routing policy and knowledge base in use under the address', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-start-banner-'));
    const setup = 'routing policy: /shop/policy.json (3 queues) · knowledge base: /shop/kb (4 articles)';
    const text = startBanner({ url: 'http://127.0.0.1:4640', dataDir, config: loadConfig({}), setup });
    expect(text).toContain(`(data in ${dataDir}/)\n${setup}\n`);
  });
});
