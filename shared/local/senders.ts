import type { ProfileNameLookup } from '../app/look-up-name.js';
import { metaProfileName } from '../channels/meta/profile.js';
import { MetaMessagingSender } from '../channels/meta/send.js';
import { configuredSenders, WhatsAppRoute } from '../channels/senders.js';
import { SesSender } from '../channels/ses/send.js';
import { TwilioSender } from '../channels/twilio/send.js';
import { WhatsAppSender } from '../channels/whatsapp/send.js';
import type { Config } from '../config/config.js';
import type { Channel } from '../domain/envelope.js';
import type { ChannelSender } from '../domain/outbound.js';
import type { LocalOutbox } from './outbox.js';

/**
 * The local runtime's senders: the real provider adapter where its credentials are configured, the
 * local outbox everywhere else, so a developer with no accounts can still reply on every channel.
 */
export function localSenders(config: Config, outbox: LocalOutbox): Partial<Record<Channel, ChannelSender>> {
  const sender = outbox.sender();
  return {
    whatsapp: sender,
    sms: sender,
    voice: sender,
    messenger: sender,
    instagram: sender,
    email: sender,
    ...configuredSenders(config),
  };
}

/** The channels replies go out on, as the banner names them (a caller is answered by SMS). */
const REPLY_CHANNELS: ReadonlyArray<[Exclude<Channel, 'voice' | 'webchat'>, string]> = [
  ['email', 'email'],
  ['sms', 'SMS'],
  ['whatsapp', 'WhatsApp'],
  ['messenger', 'Messenger'],
  ['instagram', 'Instagram'],
];

/** The provider a configured sender sends through, as the banner says it. */
function providerOf(sender: ChannelSender, config: Config): string {
  if (sender instanceof SesSender)
    return `Amazon SES, from ${config.SES_FROM_ADDRESS}, with this machine's AWS credentials and region`;
  if (sender instanceof WhatsAppRoute)
    return 'the WhatsApp Cloud API, or Twilio for a customer whose latest WhatsApp message came through Twilio';
  if (sender instanceof TwilioSender) return 'Twilio';
  const at = config.META_GRAPH_URL ? ` at ${config.META_GRAPH_URL}` : '';
  if (sender instanceof WhatsAppSender) return `the WhatsApp Cloud API${at}`;
  if (sender instanceof MetaMessagingSender) return `Meta's Send API${at}`;
  return 'its provider';
}

/**
 * What `npm start` says of where replies go (localSenders): the channels whose replies stay in the
 * local outbox, and those a provider's settings send for real (SES_FROM_ADDRESS alone sends email
 * through SES), so a developer who set one knows their replies now leave the machine.
 */
export function replyRouteLines(config: Config, url: string): string[] {
  const real = configuredSenders(config);
  const local = REPLY_CHANNELS.filter(([channel]) => !real[channel]).map(([, name]) => name);
  const sent = REPLY_CHANNELS.flatMap(([channel, name]) => {
    const sender = real[channel];
    return sender ? [`${name} through ${providerOf(sender, config)}`] : [];
  });
  return [
    ...(local.length ? [`  local outbox (${url}/api/outbox): ${local.join(', ')}`] : []),
    ...(sent.length ? [`  real providers (they reach real people): ${sent.join('; ')}`] : []),
  ];
}

/** The local resolver's lookup of a Messenger or Instagram name: with the Page token configured, Graph (or META_GRAPH_URL's fake). */
export function localProfileLookup(config: Config): ProfileNameLookup | undefined {
  const pageAccessToken = config.META_PAGE_ACCESS_TOKEN;
  if (!pageAccessToken) return undefined;
  return (identity) => metaProfileName(identity, { pageAccessToken, graphUrl: config.META_GRAPH_URL });
}
