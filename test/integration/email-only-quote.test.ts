import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { receiveSes } from '../support/ses-mail.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = agentToken('only-quote-token');
// The question email/quote-and-photo.eml quotes.
const QUESTION = 'Where is my order? It has not arrived yet.';
const PHOTO_MAIL = new URL('../fixtures/email/quote-and-photo.eml', import.meta.url);

describe('an email with nothing new but the history it quotes', () => {
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-quote:${TOKEN}:admin` },
    routing: true,
    queue: { visibilityTimeoutMs: 1000 },
  });

  const call = agentCaller(() => runtime.url, TOKEN);
  const api = <T>(path: string) => call<T>('GET', path);

  /** Delivers `mime` as SES receives mail from `who@ex.test`; answers that customer's timeline. */
  const receive = async (who: string, mime: string) => {
    const notification = sesReceived({
      sesId: `ses-${who}`,
      at: new Date(Date.now() - 1000).toISOString(),
      from: `${who} <${who}@ex.test>`,
      messageId: `<${who}@ex.test>`,
      text: '',
    }) as { content: string };
    notification.content = Buffer.from(mime).toString('base64');
    await receiveSes(runtime, notification, { snsId: `sns-${who}`, at: new Date().toISOString() });
    const [customer] = (await api<{ items: Customer[] }>(`/api/customers?q=${who}%40ex.test`)).items;
    return (await api<{ items: TimelineItem[] }>(`/api/customers/${customer?.id}/timeline`)).items;
  };
  /** A plain-text mail of `lines` from `who@ex.test`. */
  const plain = (who: string, lines: string[]) =>
    [
      `From: ${who} <${who}@ex.test>`,
      'To: support@shop.example',
      'Subject: Re: Your order 1234',
      `Message-ID: <${who}@ex.test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      ...lines,
      '',
    ].join('\r\n');
  const quote = [
    'On Thu, Dec 10, 2026 at 10:00 AM Shop Support <support@shop.example> wrote:',
    '',
    `> ${QUESTION}`,
  ];
  const aiReplies = (items: TimelineItem[]) =>
    items.filter((i) => i.type === 'message' && i.direction === 'outbound').map((i) => i.text ?? '');

  const note = (items: TimelineItem[], who: string) =>
    items.find((i) => i.id === `note:handoff:email:ses-${who}`)?.text ?? '';

  it('is answered by the AI when the question is the new text (the control)', async () => {
    const items = await receive('asked', plain('asked', [QUESTION]));
    expect(aiReplies(items).join('\n')).toContain('tracking number');
  });

  it('leaves a photo sent under the quote to a person: the old question is not answered again', async () => {
    const items = await receive('quinn', readFileSync(PHOTO_MAIL, 'utf8'));
    const mail = items.find((i) => i.id === 'email:ses-quinn');
    expect(mail?.text).toBeUndefined();
    expect(mail).toMatchObject({
      contentType: 'image',
      attachments: [{ kind: 'image', filename: 'label.jpg' }],
    });
    expect(mail?.data?.fullText).toContain(QUESTION);
    expect(aiReplies(items).join('\n')).not.toContain('tracking number');
    expect(note(items, 'quinn')).toContain('Asked by email: (image, no text)');
  });

  // Our mail sent back with nothing added: nothing for the AI to answer; a person reads the mail whole.
  it('leaves our own mail sent back with nothing added to a person, and says so in the note', async () => {
    const items = await receive('bare', plain('bare', quote));
    const mail = items.find((i) => i.id === 'email:ses-bare');
    expect(mail?.text).toBeUndefined();
    expect(mail?.data?.fullText).toContain(QUESTION);
    expect(aiReplies(items).join('\n')).not.toContain('tracking number');
    expect(note(items, 'bare')).toContain('Asked by email: (nothing new: only the mail it quotes)');
    const inbox = await api<{ items: { customer: { id: string }; preview?: string }[] }>(
      '/api/conversations?status=open&limit=50',
    );
    const previews = inbox.items.map((c) => c.preview ?? '');
    expect(previews).not.toEqual(expect.arrayContaining([expect.stringContaining(QUESTION)]));
  });
});
