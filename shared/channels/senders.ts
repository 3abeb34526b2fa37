import { SESClient } from '@aws-sdk/client-ses';
import type { Config } from '../config/config.js';
import type { Channel } from '../domain/envelope.js';
import type { ChannelSender, OutboundMessage, SendResult } from '../domain/outbound.js';
import { MetaMessagingSender } from './meta/send.js';
import { SesSender } from './ses/send.js';
import { TwilioSender } from './twilio/send.js';
import { WhatsAppSender } from './whatsapp/send.js';

/**
 * The provider adapters whose credentials are configured, by channel. SMS (and answers to callers) go
 * through Twilio; WhatsApp through the Cloud API or through Twilio (TWILIO_WHATSAPP_FROM, which needs
 * no TWILIO_FROM_NUMBER), and with both set through the one the customer wrote on (WhatsAppRoute);
 * Messenger and Instagram through the Send API; email through SES.
 */
export function configuredSenders(
  config: Config,
  clients: { ses?: SESClient } = {},
): Partial<Record<Channel, ChannelSender>> {
  const senders: Partial<Record<Channel, ChannelSender>> = {};
  const sms = config.TWILIO_FROM_NUMBER;
  const whatsapp = config.TWILIO_WHATSAPP_FROM;
  const twilio =
    config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && (sms || whatsapp)
      ? new TwilioSender({
          accountSid: config.TWILIO_ACCOUNT_SID,
          authToken: config.TWILIO_AUTH_TOKEN,
          from: { sms, whatsapp },
          ...(config.PUBLIC_BASE_URL
            ? { statusCallback: new URL('/webhooks/twilio/status', config.PUBLIC_BASE_URL).toString() }
            : {}),
        })
      : undefined;
  if (twilio && sms) {
    senders.sms = twilio;
    senders.voice = twilio;
  }
  const cloud =
    config.WHATSAPP_ACCESS_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID
      ? new WhatsAppSender({
          phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID,
          accessToken: config.WHATSAPP_ACCESS_TOKEN,
          graphUrl: config.META_GRAPH_URL,
        })
      : undefined;
  const twilioWhatsapp = twilio && whatsapp ? twilio : undefined;
  if (cloud && twilioWhatsapp) senders.whatsapp = new WhatsAppRoute(cloud, twilioWhatsapp);
  else if (cloud ?? twilioWhatsapp) senders.whatsapp = cloud ?? twilioWhatsapp;
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

/**
 * WhatsApp with both providers set: a reply goes through the one the customer wrote on (the message's
 * `whatsappProvider`, from their profile), so it comes from the number they wrote to; the Cloud API
 * otherwise. Before, the Cloud API's sender replaced Twilio's, and a customer who wrote to the Twilio
 * number was answered from a number they never wrote to.
 */
export class WhatsAppRoute implements ChannelSender {
  constructor(
    readonly cloud: ChannelSender,
    readonly twilio: ChannelSender,
  ) {}

  send(message: OutboundMessage): Promise<SendResult> {
    return (message.whatsappProvider === 'twilio' ? this.twilio : this.cloud).send(message);
  }
}
