import { describe, expect, it } from 'vitest';
import { keyedItemId, sentText } from '../../../../functions/agent-api/console/keyed-id.js';
import { noteIdFor } from '../../../../shared/domain/idempotency.js';
import { replyIdFor, replyItemId } from '../../../../shared/domain/replies.js';

describe('the console finds a send whose answer was lost by the id its key made', () => {
  it.each([
    ['cv_1', 'ana', '5f0c3d2e-0000-4000-8000-000000000001'],
    ['cv_ünïcode', 'agent.with+plus', 'k/ey==?'],
  ])('the same id as the API for a reply and a note (%s, %s)', async (conversationId, agentId, key) => {
    expect(await keyedItemId('reply', conversationId, agentId, key)).toBe(
      replyItemId(replyIdFor(conversationId, agentId, key)),
    );
    expect(await keyedItemId('note', conversationId, agentId, key)).toBe(
      `note:${noteIdFor(conversationId, agentId, key)}`,
    );
  });

  it('takes the text a reply or a note carried', () => {
    expect(sentText({ mode: 'reply', content: JSON.stringify({ text: 'LOST-EDIT', channel: 'sms' }) })).toBe(
      'LOST-EDIT',
    );
    expect(sentText({ mode: 'reply', content: JSON.stringify({ template: { name: 't' } }) })).toBe('');
    expect(sentText({ mode: 'note', content: 'a note' })).toBe('a note');
  });
});
