import { describe, expect, it } from 'vitest';
import { normaliseTwilioMessage } from '#shared/channels/twilio/normalise.js';
import { toTimelineItem } from '#shared/domain/resolution.js';

const CTX = { receivedAt: '2026-12-06T10:00:00.000Z', bodySha256: 'a'.repeat(64) };
const sms = (to: string, from = '+14155550101') => ({
  MessageSid: 'SMbiz00000000000000000000000000001',
  AccountSid: 'AC00000000000000000000000000000000',
  From: from,
  To: to,
  Body: 'Where is my parcel',
  NumMedia: '0',
});
const itemOf = (params: Record<string, string>) => {
  const [envelope] = normaliseTwilioMessage(params, CTX);
  if (!envelope) throw new Error('no envelope');
  return toTimelineItem(envelope, 'cu_1', 'cv_1');
};

describe('the business number an SMS was sent to', () => {
  it('is kept on the inbound SMS item as its `to`', () => {
    expect(itemOf(sms('+15017122999')).to).toEqual({ kind: 'phone', value: '+15017122999' });
  });

  it('is kept for our short code, and for our Twilio WhatsApp number', () => {
    // Before, neither was: agents could not see which of our numbers the customer wrote to.
    expect(itemOf(sms('12345')).to).toEqual({ kind: 'phone', value: '12345' });
    expect(itemOf(sms('whatsapp:+15017122999', 'whatsapp:+14155550101')).to).toEqual({
      kind: 'phone',
      value: '+15017122999',
    });
  });

  it('is not kept when it is no number of ours Twilio would give (an alphanumeric id)', () => {
    expect(itemOf(sms('SHOP')).to).toBeUndefined();
  });
});
