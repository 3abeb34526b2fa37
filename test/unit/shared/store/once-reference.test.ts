import { describe, expect, it } from 'vitest';
import { onceReference } from '#shared/domain/resolution.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { timelineAtOf } from '#shared/domain/timeline.js';
import { Keys } from '#shared/store/keys.js';

const base = { customerId: 'cu_1', at: '2025-06-10T10:00:00.000Z' };

describe('the reference a provider item is written once under', () => {
  it('is the message reference for a message, the event id for an event, none without a provider', () => {
    const message = { ...base, id: 'sms:SM1', type: 'message', channel: 'sms', providerMessageId: 'SM1' };
    const call = {
      ...base,
      id: 'twilio:call:CA1:voicemail',
      type: 'event',
      channel: 'voice',
      providerMessageId: 'CA1',
    };
    const note = { ...base, id: 'note:1', type: 'note' };
    expect(onceReference(message as TimelineItem)).toEqual({ channel: 'sms', id: 'SM1' });
    expect(onceReference(call as TimelineItem)).toEqual({
      channel: 'voice',
      id: 'twilio:call:CA1:voicemail',
    });
    expect(onceReference(note as TimelineItem)).toBeUndefined();
  });

  it('reads the time back out of a timeline sort key, and nothing out of another', () => {
    const { sk } = Keys.timelineItem('cu_1', base.at, 'sms:SM1');
    expect(timelineAtOf(sk, 'sms:SM1')).toBe(base.at);
    expect(timelineAtOf(sk, 'sms:SM2')).toBeUndefined();
    expect(timelineAtOf('RAW#x', 'sms:SM1')).toBeUndefined();
  });
});
