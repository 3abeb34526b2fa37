import { expect } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import type { ClockRuntime } from './clock-runtime.js';
import { SECRETS } from './runtime.js';
import { deliver, signedTwilio, twilioSms } from './webhooks.js';

/**
 * The steps a test on manual time takes beside `ClockRuntime`'s: the runtime's time, a customer's text
 * message (answering its time), a customer found by search, a conversation read.
 */
export function clockSteps(clock: ClockRuntime) {
  const iso = () => new Date(clock.manual.now()).toISOString();
  return {
    iso,
    async sms(from: string, sid: string, text: string): Promise<string> {
      const at = iso();
      const params = twilioSms({ sid, from, text });
      const url = `${clock.runtime.url}/webhooks/twilio/sms`;
      expect((await deliver(signedTwilio(url, params, SECRETS.twilio))).status).toBeLessThan(300);
      await clock.idle();
      return at;
    },
    async find(q: string): Promise<Customer> {
      const found = await clock.api<{ items: Customer[] }>(
        'GET',
        `/api/customers?q=${encodeURIComponent(q)}`,
      );
      return found.items[0] as Customer;
    },
    conversation: (id: string) => clock.api<Conversation>('GET', `/api/conversations/${id}`),
  };
}
