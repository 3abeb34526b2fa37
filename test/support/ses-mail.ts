import { expect } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { deliver, sesReceived, signedSes, snsNotification } from './webhooks.js';

/**
 * Delivers an SES notification (`sesReceived`, a bounce...) to the runtime's SES webhook in a signed
 * SNS message, as SNS does; the webhook must take it (200, its body shown if not), then the runtime
 * handles it before this returns. A redelivery by SES is another call with another `snsId`.
 */
export async function receiveSes(
  runtime: Pick<LocalRuntime, 'url' | 'idle'>,
  notification: unknown,
  sns: { snsId: string; at: string },
): Promise<void> {
  const res = await deliver(signedSes(runtime.url, snsNotification(notification, sns)));
  expect(res.status, res.body).toBe(200);
  await runtime.idle();
}

/**
 * A customer's plain email received at `at` (receiveSes of `sesReceived`), its Message-ID and SNS id
 * made from `sesId`.
 */
export function receiveMail(
  runtime: Pick<LocalRuntime, 'url' | 'idle'>,
  mail: { sesId: string; at: string; from: string; subject: string; text: string },
): Promise<void> {
  const notification = sesReceived({ ...mail, messageId: `<${mail.sesId}@mail.example>` });
  return receiveSes(runtime, notification, { snsId: `sns-${mail.sesId}`, at: mail.at });
}

/**
 * Makes an SES `Received` notification (`sesReceived`) one whose SPF, DKIM and DMARC checks all failed,
 * as forged mail's do; with `dmarcPolicy: 'none'` its domain publishes no enforcement, so SES delivers
 * it (a policy that quarantines or rejects would have SES act on it first).
 */
export function failVerdicts(notification: unknown, dmarcPolicy?: 'none'): void {
  const receipt = (notification as { receipt: Record<string, unknown> }).receipt;
  for (const verdict of ['spfVerdict', 'dkimVerdict', 'dmarcVerdict']) receipt[verdict] = { status: 'FAIL' };
  if (dmarcPolicy) receipt.dmarcPolicy = dmarcPolicy;
}
