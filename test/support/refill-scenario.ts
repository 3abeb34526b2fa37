import { expect } from 'vitest';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { consoleLeaseInput } from '#shared/store/params/agents.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import type { ClockRuntime } from './clock-runtime.js';
import { inspectionClient } from './table-snapshot.js';

/** The open conversation of the customer who wrote from `phone` (their search by number). */
export async function openConversationByPhone(clock: ClockRuntime, phone: string): Promise<string> {
  const found = await clock.api<{ items: Customer[] }>('GET', `/api/customers?q=%2B${phone}`);
  return found.items[0]?.openConversationId as string;
}

/**
 * The auto-resolve refill's start: Ana, at the console (what a live socket's connect writes) for longer
 * than the test's time, online in `general` with room for one, holds the conversation of the customer
 * at `phone` and has answered it, so its silence runs. Answers that conversation's id.
 */
export async function anaFullWithSilentConversation(clock: ClockRuntime, phone: string): Promise<string> {
  const doc = documentClient(inspectionClient(clock.runtime.dynamoEndpoint));
  const lease = { kind: 'seen' as const, agentId: 'agent-ana', connectionId: 'console-ana' };
  await doc.update(consoleLeaseInput('threadline', { ...lease, untilMs: clock.manual.now() + 86_400_000 }));
  await clock.whatsapp({ from: phone, id: `wamid.refill-${phone}`, text: 'Where is my order?' });
  const first = await openConversationByPhone(clock, phone);
  const me = { queues: ['general'], languages: ['en'], capacity: 1, presence: 'online' };
  await clock.api('PUT', '/api/agents/me', me);
  await clock.api('POST', `/api/conversations/${first}/assign`, { agentId: 'me', queue: 'general' });
  const reply = await clock.call('POST', `/api/conversations/${first}/replies`, { text: 'It left today' });
  expect(reply.status).toBe(202);
  await clock.idle();
  return first;
}

/** A customer writes from `phone` and their conversation is put in `general`, nobody's. Answers its id. */
export async function waitingInGeneral(clock: ClockRuntime, phone: string, text: string): Promise<string> {
  await clock.whatsapp({ from: phone, id: `wamid.waiting-${phone}`, text });
  const id = await openConversationByPhone(clock, phone);
  await clock.api('POST', `/api/conversations/${id}/assign`, { queue: 'general' });
  return id;
}

/** Ana's silent conversation `first` stands resolved, still hers, and she holds `taken`, open, in its place. */
export async function expectAnaTookInItsPlace(
  clock: ClockRuntime,
  first: string,
  taken: string,
): Promise<void> {
  expect(await clock.api<Conversation>('GET', `/api/conversations/${first}`)).toMatchObject({
    status: 'resolved',
    assignee: 'agent-ana',
  });
  expect(await clock.api<Conversation>('GET', `/api/conversations/${taken}`)).toMatchObject({
    status: 'open',
    assignee: 'agent-ana',
  });
}
