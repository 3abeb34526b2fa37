import type { Envelope } from '#shared/domain/envelope.js';
import { envelope } from './envelopes.js';

const phone = { kind: 'phone', value: '+14155550100' } as const;
const email = { kind: 'email', value: 'dana@example.com' } as const;
const instagram = { kind: 'instagram', value: '17841400000000000:9912345' } as const;
const base = { receivedAt: '2025-06-10T12:00:00.000Z', rawRef: 'test#/' };

/** One person's week: WhatsApp, SMS from the same number, email, a voicemail, an Instagram DM. */
export const journey: Envelope[] = [
  envelope({
    ...base,
    id: 'whatsapp:msg:wamid.1',
    provider: 'whatsapp',
    channel: 'whatsapp',
    kind: 'message',
    direction: 'inbound',
    providerMessageId: 'wamid.1',
    occurredAt: '2025-06-10T09:00:00.000Z',
    customer: phone,
    profileName: 'Dana',
    contentType: 'text',
    text: 'My parcel is late',
  }),
  envelope({
    ...base,
    id: 'twilio:msg:SM1',
    provider: 'twilio',
    channel: 'sms',
    kind: 'message',
    direction: 'inbound',
    providerMessageId: 'SM1',
    occurredAt: '2025-06-10T10:00:00.000Z',
    customer: phone,
    contentType: 'text',
    text: 'Any news?',
  }),
  envelope({
    ...base,
    id: 'ses:msg:ses-1',
    provider: 'ses',
    channel: 'email',
    kind: 'message',
    direction: 'inbound',
    providerMessageId: 'ses-1',
    occurredAt: '2025-06-10T11:00:00.000Z',
    customer: email,
    profileName: 'Dana Scully',
    contentType: 'text',
    text: 'Writing by email now. Call me on (415) 555-0100.',
    data: { messageId: '<m1@example.com>' },
  }),
  envelope({
    ...base,
    id: 'twilio:call:CA1:voicemail',
    provider: 'twilio',
    channel: 'voice',
    kind: 'call',
    callId: 'CA1',
    event: 'voicemail',
    direction: 'inbound',
    occurredAt: '2025-06-10T12:00:00.000Z',
    customer: phone,
    durationSeconds: 31,
  }),
  envelope({
    ...base,
    id: 'instagram:msg:mid.1',
    provider: 'meta',
    channel: 'instagram',
    kind: 'message',
    direction: 'inbound',
    providerMessageId: 'mid.1',
    occurredAt: '2025-06-10T13:00:00.000Z',
    customer: instagram,
    contentType: 'text',
    text: 'Hi, it is dana@example.com again',
  }),
];
