import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { markAutomated } from '#shared/channels/meta/automation.js';
import { normaliseMetaMessaging } from '#shared/channels/meta/normalise.js';
import { loadConfig } from '#shared/config/config.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { isBusinessAnswer } from '#shared/domain/waiting.js';

/** The envelopes of a fixture of `test/fixtures/meta/`, as the webhook queues them. */
function envelopesOf(name: string): Envelope[] {
  const body: unknown = JSON.parse(
    readFileSync(new URL(`../../../../fixtures/meta/${name}.json`, import.meta.url), 'utf8'),
  );
  const { envelopes } = normaliseMetaMessaging(body, {
    receivedAt: '2026-12-07T00:00:00.000Z',
    bodySha256: name,
  });
  return envelopes as Envelope[];
}

const AUTOMATION = ['1517776481860111'];

describe('markAutomated: the echoes of an automation answering in the Page’s name', () => {
  it('marks an instant reply’s echo, which then answers nothing', () => {
    const [echo] = markAutomated(envelopesOf('messenger_echo_instant_reply'), AUTOMATION);
    expect(echo).toMatchObject({
      direction: 'outbound',
      data: { appId: '1517776481860111', automated: true },
    });
    expect(isBusinessAnswer(echo as Envelope)).toBe(false);
  });

  it('leaves a person’s Page inbox echo, and the customer’s own messages, as they were', () => {
    const person = envelopesOf('messenger_echo_page_inbox');
    expect(markAutomated(person, AUTOMATION)).toEqual(person);
    expect(isBusinessAnswer(person[0] as Envelope)).toBe(true);
    const customer = envelopesOf('messenger_text_quick_reply');
    expect(markAutomated(customer, AUTOMATION)).toEqual(customer);
  });

  it('marks nothing when no automation is named (the default)', () => {
    const echoes = envelopesOf('messenger_echo_instant_reply');
    expect(markAutomated(echoes, loadConfig({}).META_AUTOMATION_APP_IDS)).toBe(echoes);
  });
});

describe('META_AUTOMATION_APP_IDS', () => {
  it('takes numeric app ids, comma-separated', () => {
    expect(
      loadConfig({ META_AUTOMATION_APP_IDS: ' 1517776481860111, 42 ,' }).META_AUTOMATION_APP_IDS,
    ).toEqual(['1517776481860111', '42']);
  });

  it.each([
    ['263902037430900', /META_AUTOMATION_APP_IDS\b.*Page inbox, where people at the business reply/],
    ['instant-reply', /META_AUTOMATION_APP_IDS\b.*numeric app ids/],
  ])('refuses %j', (value, why) => {
    expect(() => loadConfig({ META_AUTOMATION_APP_IDS: value })).toThrow(why);
  });
});
