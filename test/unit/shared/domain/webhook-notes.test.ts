import { describe, expect, it } from 'vitest';
import { carriesWords } from '#shared/domain/webhooks.js';

describe('carriesWords: which deliveries an erasure strips at once', () => {
  const data = (extra: Record<string, unknown>) => ({ data: { customerId: 'cu_1', ...extra } });

  it("notes a message's text, a survey's comment and any message id (a WhatsApp id holds the number)", () => {
    expect(carriesWords(data({ messageId: 'whatsapp:wamid.x', text: 'hi' }))).toBe(true);
    expect(carriesWords(data({ comment: 'slow' }))).toBe(true);
    // A message without words (deleted, an attachment only) or its status still names the message.
    expect(carriesWords(data({ messageId: 'whatsapp:wamid.HBgMNDQ3NzAwOTAwOTMx', status: 'read' }))).toBe(
      true,
    );
  });

  it('leaves events of ids and times alone', () => {
    expect(carriesWords(data({ conversationId: 'cv_1', resolvedAt: '2026-12-05T00:00:00.000Z' }))).toBe(
      false,
    );
  });
});
