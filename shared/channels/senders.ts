import { SESClient } from '@aws-sdk/client-ses';
import type { Config } from '../config/config.js';
import type { Channel } from '../domain/envelope.js';
import type { ChannelSender } from '../domain/outbound.js';
import { MetaMessagingSender } from './meta/send.js';
import { SesSender } from './ses/send.js';
import { TwilioSender } from './twilio/send.js';
import { WhatsAppSender } from './whatsapp/send.js';

/**
 * The provider adapters whose credentials are configured, by channel. SMS (and answers to callers) go
 * through Twilio; WhatsApp through the Cloud API, or through Twilio when only a Twilio WhatsApp sender
 * is set; Messenger and Instagram through the Send API; email through SES.
 */
export function configuredSenders(
  config: Config,
  clients: { ses?: SESClient } = {},
): Partial<Record<Channel, ChannelSender>> {
  const senders: Partial<Record<Channel, ChannelSender>> = {};
  if (config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_FROM_NUMBER) {
    const twilio = new TwilioSender({
      accountSid: config.TWILIO_ACCOUNT_SID,
      authToken: config.TWILIO_AUTH_TOKEN,
      from: { sms: config.TWILIO_FROM_NUMBER, whatsapp: config.TWILIO_WHATSAPP_FROM },
      ...(config.PUBLIC_BASE_URL
        ? { statusCallback: new URL('/webhooks/twilio/status', config.PUBLIC_BASE_URL).toString() }
        : {}),
    });
    senders.sms = twilio;
    senders.voice = twilio;
    if (config.TWILIO_WHATSAPP_FROM) senders.whatsapp = twilio;
  }
  if (config.WHATSAPP_ACCESS_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID) {
    senders.whatsapp = new WhatsAppSender({
      phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID,
      accessToken: config.WHATSAPP_ACCESS_TOKEN,
      graphUrl: config.META_GRAPH_URL,
    });
  }
  if (config.META_PAGE_ACCESS_TOKEN) {
    const meta = new MetaMessagingSender({
      pageAccessToken: config.META_PAGE_ACCESS_TOKEN,
      graphUrl: config.META_GRAPH_URL,
    });
    senders.messenger = meta;
    senders.instagram = meta;
  }
  if (config.SES_FROM_ADDRESS) {
    senders.email = new SesSender({
      client: clients.ses ?? new SESClient({}),
      from: config.SES_FROM_ADDRESS,
      configurationSet: config.SES_CONFIGURATION_SET,
      messageIdDomain: config.SES_MESSAGE_ID_DOMAIN,
    });
  }
  return senders;
}
