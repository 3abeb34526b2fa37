import { describe, expect, it } from 'vitest';
import { Keys, nameSearchKey, replyTimelineKey, suggestionKey } from '#shared/store/keys.js';

const phone = { kind: 'phone', value: '+16505551234' } as const;

describe('key builders', () => {
  it.each([
    ['identity', Keys.identity(phone), { pk: 'IDENTITY#phone#+16505551234', sk: 'IDENTITY' }],
    ['customer', Keys.customer('cu_1'), { pk: 'CUSTOMER#cu_1', sk: 'PROFILE' }],
    [
      'timeline item',
      Keys.timelineItem('cu_1', '2025-06-08T20:59:43.000Z', 'whatsapp:wamid.A'),
      { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#2025-06-08T20:59:43.000Z#whatsapp:wamid.A' },
    ],
    ['conversation', Keys.conversation('cv_1'), { pk: 'CONVERSATION#cv_1', sk: 'CONVERSATION' }],
    [
      'message ref',
      Keys.messageRef('whatsapp', 'wamid.A'),
      { pk: 'MESSAGE#whatsapp#wamid.A', sk: 'MESSAGE' },
    ],
  ])('builds the %s key', (_name, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('folds case, accents and spaces for name search', () => {
    expect(nameSearchKey('  Jörg   MÜLLER ')).toBe('jorg muller');
  });

  it.each([
    ['reply', Keys.reply('rp_1'), { pk: 'REPLY#rp_1', sk: 'REPLY' }],
    [
      'provider event',
      Keys.providerEvent('meta', '2025-06-08T20:59:43.000Z', 'ev_1'),
      { pk: 'PROVIDER_EVENT#meta', sk: '2025-06-08T20:59:43.000Z#ev_1' },
    ],
    ['metrics', Keys.metrics(), { pk: 'METRICS', sk: 'OVERALL' }],
    [
      'reply timeline item',
      replyTimelineKey({ id: 'rp_1', customerId: 'cu_1', at: '2025-06-08T21:00:00.000Z' }),
      { pk: 'CUSTOMER#cu_1', sk: 'TIMELINE#2025-06-08T21:00:00.000Z#reply:rp_1' },
    ],
    ['suggestion', suggestionKey('cu_1', 'cu_2'), { pk: 'CUSTOMER#cu_1', sk: 'SUGGESTION#cu_2' }],
    [
      'mention',
      Keys.mention('phone#+16505551234', 'cu_1'),
      { pk: 'MENTION#phone#+16505551234', sk: 'CUSTOMER#cu_1' },
    ],
  ])('builds the %s key', (_name, actual, expected) => {
    expect(actual).toEqual(expected);
  });
});
