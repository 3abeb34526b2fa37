import { describe, expect, it } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';
import { receiveSes } from '../support/ses-mail.js';
import { useTestRuntime } from '../support/test-runtime.js';
import { sesReceived } from '../support/webhooks.js';

const TOKEN = 'only-quote-token';
const QUESTION = 'Where is my order? It has not arrived yet.';

describe('an email with nothing new but the history it quotes', () => {
  const runtime = useTestRuntime({
    env: { AGENT_TOKENS: `agent-quote:${TOKEN}:admin` },
    routing: true,
    queue: { visibilityTimeoutMs: 1000 },
  });

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${runtime.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return (await res.json()) as T;
  };

  /** A mail from `who`, its MIME body `body` (after the headers sesReceived writes, Content-Type replaced). */
  const email = async (who: string, contentType: string, body: string[]) => {
    const notification = sesReceived({
      sesId: `ses-${who}`,
      at: new Date(Date.now() - 1000).toISOString(),
      from: `${who} <${who}@ex.test>`,
      messageId: `<${who}@ex.test>`,
      subject: 'Re: Your order 1234',
      text: '',
    }) as { content: string };
    const headers = Buffer.from(notification.content, 'base64')
      .toString('utf8')
      .split('\r\n\r\n')[0]
      ?.replace('Content-Type: text/plain; charset=UTF-8', contentType);
    notification.content = Buffer.from(`${headers}\r\n\r\n${body.join('\r\n')}\r\n`).toString('base64');
    await receiveSes(runtime, notification, { snsId: `sns-${who}`, at: new Date().toISOString() });
    const [customer] = (await api<{ items: Customer[] }>(`/api/customers?q=${who}%40ex.test`)).items;
    return (await api<{ items: TimelineItem[] }>(`/api/customers/${customer?.id}/timeline`)).items;
  };
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
    const items = await email('asked', 'Content-Type: text/plain; charset=UTF-8', [QUESTION]);
    expect(aiReplies(items).join('\n')).toContain('tracking number');
  });

  it('leaves a photo sent under the quote to a person: the old question is not answered again', async () => {
    const items = await email('photo', 'Content-Type: multipart/mixed; boundary="M"', [
      '--M',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      ...quote,
      '',
      '--M',
      'Content-Type: image/jpeg; name="label.jpg"',
      'Content-Disposition: attachment; filename="label.jpg"',
      'Content-Transfer-Encoding: base64',
      '',
      '/9j/4AAQSkZJRgABAQ==',
      '--M--',
    ]);
    const mail = items.find((i) => i.id === 'email:ses-photo');
    expect(mail?.text).toBeUndefined();
    expect(mail).toMatchObject({
      contentType: 'image',
      attachments: [{ kind: 'image', filename: 'label.jpg' }],
    });
    expect(mail?.data?.fullText).toContain(QUESTION);
    expect(aiReplies(items).join('\n')).not.toContain('tracking number');
    expect(note(items, 'photo')).toContain('Asked by email: (image, no text)');
  });

  // Our mail sent back with nothing added: nothing for the AI to answer; a person reads the mail whole.
  it('leaves our own mail sent back with nothing added to a person, and says so in the note', async () => {
    const items = await email('bare', 'Content-Type: text/plain; charset=UTF-8', quote);
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
