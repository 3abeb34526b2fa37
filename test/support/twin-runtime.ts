import type { TimelineItem } from '#shared/domain/timeline.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import type { DynamoGate } from './dynamo-gate.js';
import { GatheringQueue } from './gathering-queue.js';
import type { ManualTimers } from './manual-timers.js';
import { startTestRuntime } from './runtime.js';

/**
 * A routing runtime for twin deliveries: its DynamoDB calls behind `gate`, its time `time`, and the
 * webhook's two deliveries of one message queued in one batch, applied in parallel.
 */
export function startTwinRuntime(
  time: ManualTimers,
  gate: DynamoGate,
  token: string,
  env: Record<string, string> = {},
): Promise<LocalRuntime> {
  return startTestRuntime({
    env: { AGENT_TOKENS: `agent-twin:${token}`, ...env },
    routing: true,
    manualTime: time,
    dynamoClient: (client) => gate.attach(client),
    wrapInboundQueue: (queue) => new GatheringQueue(queue, 2),
  });
}

/** The timeline of the customer of a phone number, through the agent API. */
export async function timelineOfPhone(
  runtime: LocalRuntime,
  phone: string,
  token: string,
): Promise<TimelineItem[]> {
  const id = await runtime.store.customers.findCustomerId(
    { kind: 'phone', value: `+${phone}` },
    { consistent: true },
  );
  const res = await fetch(`${runtime.url}/api/customers/${id}/timeline?limit=50`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return ((await res.json()) as { items: TimelineItem[] }).items;
}
