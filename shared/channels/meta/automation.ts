import type { Envelope } from '#shared/domain/envelope.js';

/**
 * Marks the echoes an automation sent in our Page's or account's name (`data.automated`): a message of
 * the business whose `app_id` (kept as `data.appId`) is one of `appIds` (META_AUTOMATION_APP_IDS), such as
 * Meta Business Suite's instant reply or away message. Meta's echoes say which app sent them, not whether
 * a person did: the Page inbox (263902037430900) carries people's replies, so its echoes stay unmarked.
 * A marked echo is kept on the timeline and answers nothing (`isBusinessAnswer`). Pure: the same body
 * and setting always mark the same envelopes, so a redelivery is marked as the first delivery was.
 */
export function markAutomated(envelopes: Envelope[], appIds: readonly string[] | undefined): Envelope[] {
  if (!appIds?.length) return envelopes;
  return envelopes.map((envelope) => {
    if (envelope.kind !== 'message' || envelope.direction !== 'outbound') return envelope;
    const appId = envelope.data?.appId;
    if (typeof appId !== 'string' || !appIds.includes(appId)) return envelope;
    return { ...envelope, data: { ...envelope.data, automated: true } };
  });
}
