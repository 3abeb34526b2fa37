import { describe, expect, it } from 'vitest';
import {
  inboxPartitions,
  inboxShardPartition,
  Keys,
  namePartitions,
  nameSearchKey,
  nameShardPartition,
  replyTimelineKey,
  SHARDS,
  shardOf,
  suggestionKey,
} from '#shared/store/keys.js';

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

describe('shardOf', () => {
  it('always puts an id in the same shard, within range', () => {
    expect(shardOf('cv_1', 128)).toBe(40);
    expect(shardOf('cv_1', 96)).toBe(72);
    expect(shardOf('cv_1', 128)).toBe(shardOf('cv_1', 128));
    expect(shardOf('', 7)).toBeLessThan(7);
  });

  it('spreads ids evenly: every shard within 10% of its share of 256,000 ids', () => {
    const counts = new Array<number>(SHARDS.inbox).fill(0);
    for (let i = 0; i < 256_000; i += 1) {
      const shard = shardOf(`cv_${i.toString(36)}x${i}`, SHARDS.inbox);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    const share = 256_000 / SHARDS.inbox;
    expect(Math.min(...counts)).toBeGreaterThan(share * 0.9);
    expect(Math.max(...counts)).toBeLessThan(share * 1.1);
  });

  it('names every shard partition and the legacy one last', () => {
    expect(inboxShardPartition('open', 'cv_1')).toBe('INBOX#open#40');
    expect(inboxPartitions('open')).toHaveLength(SHARDS.inbox + 1);
    expect(inboxPartitions('open').at(-1)).toBe('INBOX#open');
    expect(nameShardPartition('cv_1')).toBe('CUSTOMER_NAME#40');
    expect(namePartitions().at(-1)).toBe('CUSTOMER_NAME');
    expect(Keys.metricsDay(3, '2025-06-09')).toEqual({ pk: 'METRICS#3', sk: 'DAY#2025-06-09' });
  });
});
