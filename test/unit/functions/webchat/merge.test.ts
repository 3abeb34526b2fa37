import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../../functions/webchat/widget/api.js';
import { merge } from '../../../../functions/webchat/widget/merge.js';

const reply = (status: string | undefined, text = 'We open at nine.'): ChatMessage => ({
  id: 'reply:1',
  at: '2026-12-04T10:00:00.000Z',
  author: 'agent',
  text,
  ...(status ? { status } : {}),
});

describe('the widget puts a message seen again in place', () => {
  it('keeps a read status when an older history read says delivered', () => {
    const shown = merge([], reply('read'));
    const after = merge(shown, reply('delivered', 'We open at 9.'));
    expect(after).toEqual([{ ...reply('read', 'We open at 9.'), pending: false }]);
  });

  it('moves a status forward, and keeps it when a frame carries none', () => {
    const sent = merge([], reply('sent'));
    const read = merge(sent, reply('read'));
    expect(read[0]?.status).toBe('read');
    expect(merge(read, reply(undefined))[0]?.status).toBe('read');
  });

  it('puts a new message in time order', () => {
    const later = { ...reply('sent'), id: 'reply:2', at: '2026-12-04T10:01:00.000Z' };
    expect(merge([later], reply('sent')).map((m) => m.id)).toEqual(['reply:1', 'reply:2']);
  });
});
