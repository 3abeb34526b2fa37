import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config/config.js';
import { devSecrets } from '#shared/local/dev-secrets.js';
import { startBanner } from '#shared/local/start-banner.js';
import { agentToken } from '../../../support/agent-token.js';

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

describe('startBanner: the widget, the clock and upgrades', () => {
  const dataDir = '.data';
  const lines = (text: string, word: string) => text.split('\n').filter((line) => line.includes(word));

  it('says beside the widget snippet that no site may embed it until WEBCHAT_ALLOWED_ORIGINS names it', () => {
    // Before, nothing said why the widget failed on the business's own site.
    const text = startBanner({ url: 'http://127.0.0.1:3000', dataDir, config: loadConfig({}) });
    const webChat = text.slice(text.indexOf('Web chat:'), text.indexOf('Clock'));
    expect(webChat).toContain('WEBCHAT_ALLOWED_ORIGINS is unset');
    expect(webChat).toMatch(/WEBCHAT_ALLOWED_ORIGINS=https:\/\/\S+/);
  });

  it('names the origins allowed to embed the widget when WEBCHAT_ALLOWED_ORIGINS is set', () => {
    const config = loadConfig({ WEBCHAT_ALLOWED_ORIGINS: 'https://shop.example, http://localhost:8080' });
    const text = startBanner({ url: 'http://127.0.0.1:3000', dataDir, config });
    expect(text).toContain('WEBCHAT_ALLOWED_ORIGINS): https://shop.example, http://localhost:8080');
    expect(text).not.toContain('WEBCHAT_ALLOWED_ORIGINS is unset');
  });

  it('prints the clock command as is on the default port and folder', () => {
    const text = startBanner({ url: 'http://127.0.0.1:3000', dataDir, config: loadConfig({}) });
    expect(lines(text, 'npm run clock -- advance 2h')[0]).toMatch(/^ {2}npm run clock -- advance 2h/);
  });

  it('prints the clock command with the PORT and DATA_DIR in use when they are not the defaults', () => {
    // Before, `npm run clock -- advance 2h` as printed could not find this npm start.
    const config = loadConfig({ PORT: '4304', DATA_DIR: '/tmp/shop-data' });
    const text = startBanner({ url: 'http://127.0.0.1:4304', dataDir: '/tmp/shop-data', config });
    expect(lines(text, 'npm run clock -- advance 2h')[0]).toMatch(
      /^ {2}PORT=4304 DATA_DIR=\/tmp\/shop-data npm run clock -- advance 2h/,
    );
  });

  it('prints the version running, and the upgrade commands still to run', () => {
    const text = startBanner({
      url: 'http://127.0.0.1:3000',
      dataDir,
      config: loadConfig({}),
      version: 'commit 1a2b3c4d (2026-12-06)',
      pendingBackfills: ['index-customers', 'index-name-words'],
    });
    expect(text).toContain('Version: commit 1a2b3c4d (2026-12-06)');
    expect(text).toContain('  npm run index-customers -- --local\n  npm run index-name-words -- --local\n');
    expect(text).toContain('README, Upgrading');
  });

  it('says nothing of upgrades when none is pending', () => {
    const text = startBanner({ url: 'http://127.0.0.1:3000', dataDir, config: loadConfig({}) });
    expect(text).not.toContain('-- --local');
  });

  it('prints the routing policy’s warnings, and no heading without them', () => {
    const config = loadConfig({});
    const warned = startBanner({
      url: 'http://127.0.0.1:3000',
      dataDir: '.threadline',
      config,
      policyWarnings: ['sla.calendars.london.holidays: 2025-12-25 is listed twice'],
    });
    expect(warned).toContain(
      'Routing policy warnings (the start goes on; README, "Warnings at the start"):\n  sla.calendars.london.holidays: 2025-12-25 is listed twice',
    );
    expect(startBanner({ url: 'http://127.0.0.1:3000', dataDir: '.threadline', config })).not.toContain(
      'Routing policy warnings',
    );
  });

  it('prints the clock command with AGENT_TOKENS when npm start has its own, never the tokens', () => {
    // Before, the command printed read the development secret's tokens and answered a bare 401.
    const config = loadConfig({ AGENT_TOKENS: `agent-ana:${agentToken('ana-secret-token')}:admin` });
    const base = { url: 'http://127.0.0.1:3000', dataDir: config.DATA_DIR, config };
    const own = startBanner({ ...base, ownAgentTokens: true }).split('\n');
    const line = own.find((l) => l.includes('npm run clock -- advance 2h')) ?? '';
    expect(line).toMatch(/^ {2}AGENT_TOKENS="\$AGENT_TOKENS" npm run clock -- advance 2h/);
    expect(own).toContain(
      '  Pass the same AGENT_TOKENS as this npm start (with an :admin entry): the clock moves for admins only.',
    );
    expect(line).not.toContain('ana-secret-token');
    const shared = startBanner(base);
    expect(shared).not.toContain('AGENT_TOKENS="$AGENT_TOKENS"');
  });
});
