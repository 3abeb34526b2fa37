import type { Channel, StatusEnvelope } from './envelope.js';
import type { Customer } from './timeline.js';

const TEMPLATE_ONLY = 'WhatsApp only allows an approved template now (send "template": {"name", "language"})';

/**
 * Why WhatsApp takes only a template now, or undefined when free text may go: 24 hours have passed
 * since the customer last wrote there (`expired`), or WhatsApp failed a reply written at `windowClosedAt`
 * as outside the window (131047) and the customer has not written since, whatever our clock says.
 */
export function whatsAppWindowClosed(
  context: { lastInboundAt?: string | undefined; windowClosedAt?: string | undefined },
  expired: boolean,
): string | undefined {
  const { lastInboundAt, windowClosedAt } = context;
  if (expired) {
    const when = lastInboundAt
      ? `the customer last wrote on WhatsApp at ${lastInboundAt}, more than 24 hours ago`
      : 'the customer has never written on WhatsApp';
    return `${when}: ${TEMPLATE_ONLY}`;
  }
  if (windowClosedAt === undefined || (lastInboundAt !== undefined && lastInboundAt > windowClosedAt))
    return undefined;
  return `WhatsApp failed a reply written at ${windowClosedAt} as outside the customer's 24-hour window (131047), and they have not written since: ${TEMPLATE_ONLY}`;
}

/** WhatsApp only: the latest reply its provider failed as outside the window (131047), across the profiles. */
export function windowClosedOn(profiles: readonly Customer[], channel: Channel): string | undefined {
  if (channel !== 'whatsapp') return undefined;
  return profiles
    .map((p) => p.whatsappWindowClosedAt)
    .filter((at): at is string => at !== undefined)
    .sort()
    .at(-1);
}

/** WhatsApp's 131047 on a `failed` status: the reply went out after the customer's 24 hours were over. */
const REENGAGEMENT_REQUIRED = '131047';

/** Whether a `failed` status says so (a WhatsApp reply failed with 131047). */
export function closesWhatsAppWindow(envelope: Pick<StatusEnvelope, 'channel' | 'errors'>): boolean {
  return (
    envelope.channel === 'whatsapp' && (envelope.errors ?? []).some((e) => e.code === REENGAGEMENT_REQUIRED)
  );
}
