import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';

export interface WebhookRoute {
  readonly path: string;
  readonly methods: readonly HttpMethod[];
  /** Name of the stack output that carries the route's full URL, for pasting into the provider's console. */
  readonly output?: string;
}

/**
 * A webhook function: it verifies, normalises and enqueues, nothing else, so it gets one queue to send to
 * (and the provider secret, if it checks signatures with it) and never the table.
 */
export interface WebhookFunction {
  /** Construct id. */
  readonly id: string;
  /** The folder under `functions/`. */
  readonly name: string;
  readonly routes: readonly WebhookRoute[];
  /**
   * The queue it sends to: envelopes go to the inbound queue; SES notifications go to the mail queue,
   * where ses-mail fetches and parses the mail they name.
   * @default 'inbound'
   */
  readonly enqueuesTo?: 'inbound' | 'mail';
  /** @default true */
  readonly readsProviderSecret?: boolean;
  /**
   * Checks signatures over PUBLIC_BASE_URL (Twilio signs the URL it called), so it gets the
   * `publicBaseUrl` setting when one is given; without it, the request URL is the API's own.
   */
  readonly signsPublicUrl?: boolean;
  /** Files of the project copied beside its bundle (the shipped routing policy, for a function that reads it). */
  readonly assets?: readonly string[];
}

/** One entry per provider; a new webhook is one more entry. */
export const webhooks: readonly WebhookFunction[] = [
  {
    id: 'WhatsApp',
    name: 'whatsapp',
    routes: [
      {
        path: '/webhooks/whatsapp',
        methods: [HttpMethod.GET, HttpMethod.POST],
        output: 'WhatsAppWebhookUrl',
      },
    ],
  },
  {
    id: 'Meta',
    name: 'meta',
    routes: [
      { path: '/webhooks/meta', methods: [HttpMethod.GET, HttpMethod.POST], output: 'MetaWebhookUrl' },
    ],
  },
  {
    id: 'TwilioSms',
    name: 'twilio-sms',
    signsPublicUrl: true,
    routes: [
      { path: '/webhooks/twilio/sms', methods: [HttpMethod.POST], output: 'TwilioSmsWebhookUrl' },
      { path: '/webhooks/twilio/status', methods: [HttpMethod.POST], output: 'TwilioStatusCallbackUrl' },
    ],
  },
  {
    id: 'TwilioVoice',
    name: 'twilio-voice',
    signsPublicUrl: true,
    // Its answer to a call reads the business hours of the call's queue (the closed greeting).
    assets: ['shared/domain/routing/default-policy.json'],
    routes: [
      { path: '/webhooks/twilio/voice', methods: [HttpMethod.POST], output: 'TwilioVoiceWebhookUrl' },
      { path: '/webhooks/twilio/voice/recording', methods: [HttpMethod.POST] },
      { path: '/webhooks/twilio/voice/transcription', methods: [HttpMethod.POST] },
      {
        path: '/webhooks/twilio/voice/status',
        methods: [HttpMethod.POST],
        output: 'TwilioVoiceStatusCallbackUrl',
      },
      { path: '/webhooks/twilio/voice/after-record', methods: [HttpMethod.POST] },
    ],
  },
  {
    id: 'Ses',
    name: 'ses',
    // Mostly invoked by SNS. It only verifies each SNS message (SNS's signing certificate is fetched at
    // most once per cold start) and enqueues the SES notification: fetching and parsing the mail is
    // ses-mail's, so it runs with every webhook's timeout and memory.
    enqueuesTo: 'mail',
    // SNS signatures are checked against SNS's certificate, not a shared secret.
    readsProviderSecret: false,
    routes: [{ path: '/webhooks/ses', methods: [HttpMethod.POST], output: 'SesWebhookUrl' }],
  },
];
