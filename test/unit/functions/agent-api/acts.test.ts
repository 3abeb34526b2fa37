import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '#shared/domain/timeline.js';
import {
  customerActs,
  editedMark,
  quoteOf,
  teamActText,
} from '../../../../functions/agent-api/console/acts.js';

const message = (id: string, at: string, text?: string): TimelineItem => ({
  id: `whatsapp:${id}`,
  type: 'message',
  channel: 'whatsapp',
  direction: 'inbound',
  customerId: 'cu_1',
  providerMessageId: id,
  at,
  ...(text !== undefined ? { text } : {}),
});
const act = (event: string, target: string, at: string, extra: Partial<TimelineItem> = {}): TimelineItem => ({
  id: `act:${event}:${at}`,
  type: 'event',
  channel: 'whatsapp',
  customerId: 'cu_1',
  event,
  targetMessageId: target,
  at,
  ...extra,
});

describe('customerActs', () => {
  const hello = message('wamid.1', '2026-12-05T10:00:00.000Z', 'Hello there');

  it('knows which calls left a voicemail, an empty one too (it is the missed call shown)', () => {
    const voicemail = (call: string, seconds: number): TimelineItem => ({
      id: `twilio:call:${call}:voicemail`,
      type: 'event',
      event: 'call_voicemail',
      channel: 'voice',
      direction: 'inbound',
      customerId: 'cu_1',
      providerMessageId: call,
      at: '2026-12-05T10:00:00.000Z',
      data: { durationSeconds: seconds },
    });
    const acts = customerActs([voicemail('CA1', 14), voicemail('CA2', 1)]);
    expect([acts.voicemailLeft('CA1'), acts.voicemailLeft('CA2'), acts.voicemailLeft('CA3')]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('keeps the latest reaction by time, whatever order the acts were read in', () => {
    const removed = act('reaction_removed', 'wamid.1', '2026-12-05T10:02:00.000Z');
    const heart = act('reaction', 'wamid.1', '2026-12-05T10:01:00.000Z', { emoji: '❤️' });
    const thumbs = act('reaction', 'wamid.1', '2026-12-05T10:03:00.000Z', { emoji: '👍' });
    expect(customerActs([hello, thumbs, removed, heart]).on(hello)?.reaction?.emoji).toBe('👍');
    expect(customerActs([hello, heart, removed]).on(hello)?.reaction).toBeUndefined();
  });

  it('reads a message the store redacted as deleted, its deletion on a page not read yet', () => {
    const redacted: TimelineItem = { ...message('wamid.9', '2026-12-05T10:00:00.000Z'), deleted: true };
    expect(customerActs([redacted]).on(redacted)?.deleted).toBe(true);
    expect(customerActs([hello]).on(hello)?.deleted).toBeUndefined();
  });

  it('shows the newest edit, and never quotes a deleted message', () => {
    const edits = [
      act('edit', 'wamid.1', '2026-12-05T10:05:00.000Z', { text: 'second' }),
      act('edit', 'wamid.1', '2026-12-05T10:04:00.000Z', { text: 'first' }),
    ];
    const acts = customerActs([hello, ...edits]);
    expect(acts.on(hello)?.edited?.text).toBe('second');
    expect(quoteOf(hello, acts)).toBe('“second”');
    const deleted = customerActs([act('delete', 'wamid.1', '2026-12-05T10:06:00.000Z'), hello]);
    expect(deleted.on(hello)?.deleted).toBe(true);
    expect(quoteOf(hello, deleted)).toBeUndefined();
  });

  it('applies an act to the message of its channel only', () => {
    const other = { ...act('delete', 'wamid.1', '2026-12-05T10:06:00.000Z'), channel: 'instagram' as const };
    expect(customerActs([hello, other]).on(hello)).toBeUndefined();
  });

  it('quotes a few words of a long message', () => {
    const long = message('wamid.2', '2026-12-05T10:00:00.000Z', `${'word '.repeat(40)}`);
    expect(quoteOf(long, customerActs([long]), 10)).toBe('“word word …”');
  });
});

describe('editedMark', () => {
  const EDITED = '2026-12-05T10:05:00.000Z';
  const asked = message('wamid.9', '2026-12-05T10:00:00.000Z', 'My address is 3 Oak St');

  it('shows the text before the newest edit', () => {
    expect(editedMark(asked, { edited: { text: '5 Oak St', at: EDITED } })).toEqual({
      at: EDITED,
      before: 'My address is 3 Oak St',
    });
    expect(editedMark(asked, undefined)).toBeUndefined();
  });

  it('knows no text before for a message stored with an edit that came before it, unless edited later', () => {
    const took = { ...asked, text: '5 Oak St', editedAt: EDITED };
    expect(editedMark(took, { edited: { text: '5 Oak St', at: EDITED } })).toEqual({ at: EDITED });
    expect(editedMark(took, undefined)).toEqual({ at: EDITED });
    const later = '2026-12-05T10:09:00.000Z';
    expect(editedMark(took, { edited: { text: '7 Oak St', at: later } })).toEqual({
      at: later,
      before: '5 Oak St',
    });
  });
});

// QA: a colleague's reaction from the Instagram app read "Unsupported message (reaction)", and a message
// they unsent stayed "Sent" beside "Unsupported message (delete)".
describe("a colleague's acts from the business's own app", () => {
  const ig = (id: string, at: string, fields: Partial<TimelineItem>): TimelineItem => ({
    id: `instagram:${id}`,
    type: 'message',
    channel: 'instagram',
    customerId: 'cu_1',
    providerMessageId: id,
    at,
    ...fields,
  });
  const asked = ig('ig_q', '2026-12-05T10:00:00.000Z', { direction: 'inbound', text: 'Beige trousers?' });
  const wrong = ig('ig_w', '2026-12-05T10:01:00.000Z', { direction: 'outbound', text: '19.99 now' });
  /** As the Meta normaliser keeps them (`businessAct`): outbound `unsupported`, the act in `data`. */
  const business = (key: string, at: string, kind: string, detail: Record<string, unknown>) =>
    ig(key, at, {
      direction: 'outbound',
      contentType: 'unsupported',
      data: { unsupportedType: kind, [kind]: detail },
    });
  const reacted = business('reaction:ig_q:1', '2026-12-05T10:00:30.000Z', 'reaction', {
    mid: 'ig_q',
    action: 'react',
    reaction: 'like',
    emoji: '👍',
  });
  const unsent = business('delete:ig_w', '2026-12-05T10:02:00.000Z', 'delete', { targetMessageId: 'ig_w' });

  it("puts the colleague's reaction on the customer's message and the unsend on ours, in words", () => {
    const acts = customerActs([asked, reacted, wrong, unsent]);
    expect(acts.on(asked)).toMatchObject({ teamReaction: { emoji: '👍' } });
    expect(acts.on(asked)?.reaction).toBeUndefined();
    expect(acts.on(wrong)).toMatchObject({ unsent: true });
    expect(acts.on(wrong)?.deleted).toBeUndefined();
    expect(teamActText({ kind: 'reaction', targetMessageId: 'ig_q', emoji: '👍' }, 'instagram', acts)).toBe(
      'Your team reacted 👍 to “Beige trousers?” (from the app)',
    );
    expect(teamActText({ kind: 'unsend', targetMessageId: 'ig_w' }, 'instagram', acts)).toMatch(
      /^Your team unsent their message of /,
    );
    // Removed later: no reaction stands.
    const removed = business('reaction:ig_q:2', '2026-12-05T10:03:00.000Z', 'reaction', {
      mid: 'ig_q',
      action: 'unreact',
    });
    expect(customerActs([asked, removed, reacted]).on(asked)?.teamReaction).toBeUndefined();
  });
});
