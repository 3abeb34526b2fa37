import type { CountryCode } from 'libphonenumber-js';
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { parseIdentitySecrets } from '../domain/webchat/identity-secrets.js';
import { nonEmptyString, optionalNonEmptyString, optionalString } from '../validation/primitives.js';
import { parseAgentTokens } from './agent-tokens.js';
import { maxBodyBytes } from './body-bytes.js';
import { ConfigError } from './config-error.js';
import {
  accessToken,
  accountSidProblem,
  csatSigningSecrets,
  secretText,
  sesFromProblem,
} from './credential-settings.js';
import { DEFAULT_EMAIL_FALLBACK_CHARSET, fallbackCharsetProblem } from './email-settings.js';
import { PHONE_REGIONS } from './phone-regions.js';
import { providerOrigin } from './provider-origin.js';
import { publicBaseUrlProblem } from './public-base-url.js';
import { refinedBy } from './refined-by.js';
import { phoneNumberIdProblem, twilioNumberProblem, twilioWhatsappProblem } from './sender-settings.js';
import {
  businessNameProblem,
  fallbackDelayProblem,
  notAnOrigin,
  originEntries,
  sessionTtlProblem,
} from './webchat-settings.js';

export { parseAgentTokens } from './agent-tokens.js';
export { ConfigError } from './config-error.js';

// zod/mini loads no messages of its own; a bad setting must say what is wrong with it.
z.config(en());

/** What Twilio voice callers hear before the beep when VOICE_GREETING is unset. */
export const DEFAULT_VOICE_GREETING =
  'Thank you for calling. Please leave a message after the tone, and we will get back to you.';

/**
 * What a caller hears instead of VOICE_GREETING when the call comes outside the business hours of its
 * queue, when VOICE_CLOSED_GREETING is unset: the call then goes straight to the voicemail beep.
 */
export const DEFAULT_VOICE_CLOSED_GREETING =
  'Thank you for calling. We are closed now. Please leave a message after the tone, and we will get back to you when we open.';

/** What a caller whose number is withheld hears when VOICE_WITHHELD_MESSAGE is unset (no voicemail is taken). */
export const DEFAULT_VOICE_WITHHELD_MESSAGE =
  'Thank you for calling. We cannot take a message from a withheld number. Please call again with your number shown, or write to us.';

/** What a caller hears once their voicemail is recorded, when VOICE_FAREWELL is unset. */
export const DEFAULT_VOICE_FAREWELL = 'Thank you. We have your message. Goodbye.';

/**
 * Every setting Threadline reads, in one schema over `process.env`. Parsed once at cold start; a bad
 * value fails fast with the variable's name. Functions take only the part they need.
 */
/**
 * The longest WEBHOOK_TIMEOUT_MS: the webhooks function (30 s, stacks/stateful-stack.ts
 * webhookConsumer) then keeps 10 s for the reads and writes around a batch's posts, which run at once.
 */
export const WEBHOOK_TIMEOUT_MAX_MS = 20_000;

/**
 * The longest BEDROCK_TIMEOUT_MS: the resolver (30 s, stacks/stateful-stack.ts inboundConsumer) then
 * keeps 10 s for the reads and writes around the call and the AI's reply's send.
 */
export const BEDROCK_TIMEOUT_MAX_MS = 20_000;

/** BEDROCK_TIMEOUT_MS when unset: Converse answers in a few seconds, a hung call never. */
export const DEFAULT_BEDROCK_TIMEOUT_MS = 15_000;

/** The app id of Meta's Page inbox (Business Suite): its echoes are typed by people at the business. */
export const PAGE_INBOX_APP_ID = '263902037430900';

/** A comma-separated setting's entries (trimmed, `fold`ed, blanks left out), each checked by `entry`. */
function commaList<T extends z.core.$ZodType<unknown, string>>(entry: T, fold = (s: string) => s) {
  const split = z.transform((v: string) =>
    v
      .split(',')
      .map((s) => fold(s.trim()))
      .filter((s) => s.length > 0),
  );
  return z.pipe(z.pipe(z.string(), split), z.array(entry));
}

export const ConfigSchema = z.object({
  TABLE_NAME: z._default(nonEmptyString, 'threadline'),
  INBOUND_QUEUE_URL: optionalNonEmptyString,
  OUTBOUND_QUEUE_URL: optionalNonEmptyString,
  /** The SES notifications the SES webhook verified, waiting for ses-mail to fetch and parse the mail. */
  MAIL_QUEUE_URL: optionalNonEmptyString,
  /**
   * The consumers' dead-letter queues: a record that failed permanently goes there at once, with the
   * reason in its attributes. When unset, SQS moves it there after its receives.
   */
  INBOUND_DEAD_LETTER_QUEUE_URL: optionalNonEmptyString,
  OUTBOUND_DEAD_LETTER_QUEUE_URL: optionalNonEmptyString,
  MAIL_DEAD_LETTER_QUEUE_URL: optionalNonEmptyString,
  /** Durable timers (#15): the queue they fire onto, and the EventBridge Scheduler group and role that put them there. */
  TIMERS_QUEUE_URL: optionalNonEmptyString,
  TIMERS_QUEUE_ARN: optionalNonEmptyString,
  TIMERS_DEAD_LETTER_ARN: optionalNonEmptyString,
  TIMERS_SCHEDULER_ROLE_ARN: optionalNonEmptyString,
  TIMERS_SCHEDULE_GROUP: optionalNonEmptyString,
  /** Largest customer export answered in the response; a larger one is written aside (5 MiB). */
  EXPORT_INLINE_BYTES: z._default(z.coerce.number().check(z.int(), z.gte(1)), 5 * 1024 * 1024),
  /** On AWS: the private bucket exports too large for one response go to, fetched by a presigned URL. */
  EXPORTS_BUCKET: optionalNonEmptyString,
  /** On AWS: the private bucket agents' reply files go to (`POST /api/uploads`), fetched through `/files/...`. */
  UPLOADS_BUCKET: optionalNonEmptyString,
  /** How many times the outbound queue delivers a reply before the sender gives it up as failed. */
  OUTBOUND_MAX_ATTEMPTS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 5),
  /** On AWS: the Secrets Manager secret (JSON) holding the provider credentials below. */
  PROVIDER_SECRET_ARN: optionalNonEmptyString,
  /**
   * On AWS: the Secrets Manager secret (JSON) holding the keys Threadline signs with for visitors and
   * customers (CSAT_SIGNING_SECRET, WEBCHAT_IDENTITY_SECRET), apart from the provider credentials so
   * the public functions that read them cannot read those.
   */
  SIGNING_SECRET_ARN: optionalNonEmptyString,
  /** Region for phone numbers written without a country code. */
  DEFAULT_REGION: z._default(
    // Typed for libphonenumber-js here, once, rather than cast wherever it is used.
    z.string().check(
      z.regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as US or GB'),
      // A code of the right shape libphonenumber-js has no numbering plan for (UK for GB) would make
      // every national number match nobody.
      z.superRefine((code, ctx) => {
        if (/^[A-Z]{2}$/.test(code) && !PHONE_REGIONS.has(code)) {
          ctx.addIssue({
            code: 'custom',
            message: `${code} is not a region libphonenumber-js knows (an ISO 3166-1 alpha-2 code such as US or GB)`,
            input: code,
          });
        }
      }),
    ) as z.ZodMiniType<CountryCode, string>,
    'US',
  ),
  /** The origin providers sign against (Twilio), no path (`publicBaseUrlProblem`); unset, the request's own URL. */
  PUBLIC_BASE_URL: z.optional(
    z.url().check(
      z.superRefine((value, ctx) => {
        const problem = publicBaseUrlProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
      }),
    ),
  ),
  TWILIO_AUTH_TOKEN: z.optional(secretText),
  /** While the Auth Token is rotated: the old primary token, which still signs Twilio's requests until the new one is promoted. */
  TWILIO_PREVIOUS_AUTH_TOKEN: z.optional(secretText),
  /** Where timeline files are fetched from (unset: Twilio's and Meta's own API); a local fake's origin in tests. */
  TWILIO_API_URL: z.optional(providerOrigin),
  META_GRAPH_URL: z.optional(providerOrigin),
  TWILIO_ACCOUNT_SID: z.optional(z.string().check(refinedBy(accountSidProblem))),
  /**
   * The Twilio number (one, E.164) SMS replies go from when the customer's latest SMS named none of ours
   * (each reply goes from the number the customer last texted); WhatsApp uses TWILIO_WHATSAPP_FROM.
   */
  TWILIO_FROM_NUMBER: z.optional(z.string().check(refinedBy(twilioNumberProblem))),
  /** The Twilio WhatsApp sender (one, E.164, `whatsapp:` before it or not) WhatsApp replies through Twilio go from. */
  TWILIO_WHATSAPP_FROM: z.optional(z.string().check(refinedBy(twilioWhatsappProblem))),
  META_APP_SECRET: z.optional(secretText),
  META_VERIFY_TOKEN: z.optional(secretText),
  WHATSAPP_ACCESS_TOKEN: z.optional(accessToken),
  /** Our WhatsApp Cloud API phone number id (one): messages to any other number are dropped. */
  WHATSAPP_PHONE_NUMBER_ID: z.optional(z.string().check(refinedBy(phoneNumberIdProblem))),
  META_PAGE_ACCESS_TOKEN: z.optional(accessToken),
  /** Our Facebook Page's id: Messenger events for another Page are dropped; unset accepts any. */
  META_PAGE_ID: z.optional(z.string().check(z.regex(/^\d{1,32}$/, 'a numeric Page id'))),
  /** Our Instagram professional account's id: Instagram events for another account are dropped; unset accepts any. */
  META_INSTAGRAM_ACCOUNT_ID: z.optional(z.string().check(z.regex(/^\d{1,32}$/, 'a numeric account id'))),
  /**
   * The app ids (comma-separated) of the automations that answer in our Page's or account's name (Meta
   * Business Suite's instant reply, away message, greeting, or another bot): their echoes are kept marked
   * `automated` and answer nothing (see markAutomated). Unset: none, every echo is a person's.
   */
  META_AUTOMATION_APP_IDS: z._default(
    commaList(
      z.string().check(
        z.regex(/^\d{1,32}$/, 'numeric app ids, comma-separated'),
        z.refine(
          (id) => id !== PAGE_INBOX_APP_ID,
          `${PAGE_INBOX_APP_ID} is the Page inbox, where people at the business reply: not an automation`,
        ),
      ),
    ),
    [],
  ),
  SES_FROM_ADDRESS: z.optional(z.string().check(refinedBy(sesFromProblem))),
  /**
   * Signs the links of email satisfaction surveys (`GET /csat/{token}`): random secrets of 32+ characters,
   * comma-separated, the first signing and every one verifying (the earlier ones while links they signed live).
   */
  CSAT_SIGNING_SECRET: z.optional(csatSigningSecrets),
  /** The SES configuration set replies are sent with (set by the stack), so bounces come back. */
  SES_CONFIGURATION_SET: optionalNonEmptyString,
  /**
   * The domain of the Message-ID SES gives sent mail, when it is not `<region>.amazonses.com`
   * (`email.amazonses.com` in us-east-1): replies are threaded under that Message-ID.
   */
  SES_MESSAGE_ID_DOMAIN: optionalNonEmptyString,
  SNS_TRUSTED_CERT_FILE: optionalNonEmptyString,
  /**
   * The senders the business names as forms or mailers (`forms@shop.example`, or `@mailer.example` for
   * a whole domain), comma-separated: their mail whose From SES's DMARC check passed is the Reply-To
   * address's, not theirs (see receivedEnvelope).
   */
  EMAIL_FORM_SENDERS: z._default(
    commaList(
      z
        .string()
        .check(
          z.maxLength(254),
          z.regex(/^[^\s@]*@[^\s@.]+(?:\.[^\s@.]+)+$/, 'addresses or @domains, comma-separated'),
        ),
      (s) => s.toLowerCase(),
    ),
    [],
  ),
  /**
   * The charset of mail text that is not UTF-8 and names none it is in (see email-settings.ts):
   * windows-1252 unset; a WHATWG label, checked here.
   */
  EMAIL_FALLBACK_CHARSET: z._default(
    z.string().check(refinedBy(fallbackCharsetProblem)),
    DEFAULT_EMAIL_FALLBACK_CHARSET,
  ),
  /** The routing policy (JSON, see shared/domain/routing/README.md); the shipped default when unset. */
  ROUTING_POLICY_FILE: optionalNonEmptyString,
  /** SNS topics the SES webhook accepts (comma-separated ARNs); unset accepts any (local only). */
  SNS_TOPIC_ARNS: z.optional(
    commaList(
      z
        .string()
        .check(
          z.regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, 'SNS topic ARNs, comma-separated'),
        ),
    ).check(z.minLength(1)),
  ),
  /** Said to Twilio voice callers before the beep. */
  VOICE_GREETING: z._default(
    z.string().check(z.trim(), z.minLength(1), z.maxLength(4000)),
    DEFAULT_VOICE_GREETING,
  ),
  /** Said instead of VOICE_GREETING, before the beep, to a caller outside their queue's business hours. */
  VOICE_CLOSED_GREETING: z._default(
    z.string().check(z.trim(), z.minLength(1), z.maxLength(4000)),
    DEFAULT_VOICE_CLOSED_GREETING,
  ),
  /** Said to a caller whose number is withheld, before hanging up: no voicemail can reach anyone without it. */
  VOICE_WITHHELD_MESSAGE: z._default(
    z.string().check(z.trim(), z.minLength(1), z.maxLength(4000)),
    DEFAULT_VOICE_WITHHELD_MESSAGE,
  ),
  /** Said to a caller once their voicemail is recorded, before Twilio hangs up. */
  VOICE_FAREWELL: z._default(
    z.string().check(z.trim(), z.minLength(1), z.maxLength(4000)),
    DEFAULT_VOICE_FAREWELL,
  ),
  /** The `language` of every `<Say>` (`es-MX`, `fr-FR`): the greetings' language; Twilio's default (en-US) when unset. */
  VOICE_SAY_LANGUAGE: z.optional(
    z
      .string()
      .check(z.trim(), z.regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){1,2}$/, 'a language tag such as es-MX')),
  ),
  /** The `voice` of every `<Say>` (`Polly.Lupe`, `Google.es-US-Standard-A`, `woman`); Twilio's default when unset. */
  VOICE_SAY_VOICE: z.optional(
    z.string().check(z.trim(), z.regex(/^[A-Za-z0-9._-]{1,64}$/, "a Twilio voice's name such as Polly.Lupe")),
  ),
  /**
   * Whether voicemails are transcribed by Twilio (paid, American English only): `true` or `false`; unset,
   * only when VOICE_SAY_LANGUAGE is unset or `en-US`.
   */
  VOICE_TRANSCRIBE: z.optional(z.enum(['true', 'false'])),
  /** The knowledge base (a folder of Markdown articles) of the local responder; the shipped sample when unset. */
  KNOWLEDGE_BASE_DIR: optionalNonEmptyString,
  /** On AWS: answer with this Amazon Bedrock model (Converse API) instead of the knowledge-base responder. */
  BEDROCK_MODEL_ID: optionalNonEmptyString,
  /**
   * How long a Bedrock call may take, in milliseconds, before the conversation goes to a person: at
   * most BEDROCK_TIMEOUT_MAX_MS, so a hung call cannot outlast the resolver and fail its whole batch.
   */
  BEDROCK_TIMEOUT_MS: z._default(
    z.coerce.number().check(z.int(), z.gte(1_000), z.lte(BEDROCK_TIMEOUT_MAX_MS)),
    DEFAULT_BEDROCK_TIMEOUT_MS,
  ),
  /** How long after a conversation is resolved the customer's next message reopens it. */
  REOPEN_WINDOW_HOURS: z._default(z.coerce.number().check(z.positive(), z.lte(24 * 365)), 72),
  /** On AWS: the Cognito user pool whose access tokens the agent API accepts (set by the stack). */
  COGNITO_USER_POOL_ID: optionalNonEmptyString,
  COGNITO_CLIENT_ID: optionalNonEmptyString,
  /** The live WebSocket URL the console connects to when it is not `/api/live` on the same host (AWS). */
  CONSOLE_LIVE_URL: optionalNonEmptyString,
  /** The user-pool group an agent must belong to. */
  AGENT_GROUP: z._default(nonEmptyString, 'agents'),
  /** The user-pool group whose members (also in AGENT_GROUP) are admins: export, erase, merge, audit. */
  ADMIN_GROUP: z._default(nonEmptyString, 'admins'),
  /** Local agent credentials: `agentId:token` entries, comma-separated; `agentId:token:admin` for an admin. */
  AGENT_TOKENS: optionalString,
  /** The queue of webhook deliveries to integrators (one message per subscription and event). */
  WEBHOOK_QUEUE_URL: optionalNonEmptyString,
  /** On AWS: the live WebSocket stage's `https://` URL, whose management API the live functions post to. */
  LIVE_CALLBACK_URL: optionalNonEmptyString,
  /** Let webhooks go to `http://127.0.0.1` (testing); the local runtime allows it unless `false`, AWS never by default. */
  WEBHOOK_ALLOW_LOOPBACK_HTTP: z.optional(z.enum(['true', 'false'])),
  /**
   * How long a webhook endpoint has to answer, in milliseconds: at most WEBHOOK_TIMEOUT_MAX_MS, so a
   * slow endpoint cannot outlast the webhooks function and fail its whole batch.
   */
  WEBHOOK_TIMEOUT_MS: z._default(
    z.coerce.number().check(z.int(), z.gte(100), z.lte(WEBHOOK_TIMEOUT_MAX_MS)),
    10_000,
  ),
  /** Web chat: the origins (scheme://host[:port], comma-separated) whose pages may call /webchat/* (CORS). */
  WEBCHAT_ALLOWED_ORIGINS: z._default(
    z.pipe(
      z.string().check(
        z.superRefine((v, ctx) => {
          const seen = new Set<string>();
          for (const entry of originEntries(v)) {
            // Listed twice is a slip (a copy, a trailing slash): said, as the banner would print it twice.
            const problem = seen.has(entry)
              ? `"${entry}" is listed twice: name each origin once`
              : notAnOrigin(entry);
            seen.add(entry);
            if (problem) ctx.addIssue({ code: 'custom', message: problem, input: entry });
          }
        }),
      ),
      z.transform(originEntries),
    ),
    [],
  ),
  /**
   * Web chat: the HS256 secret sites sign their signed-in users' identity tokens with, or one per site
   * with its own user database (`https://brand-b.example=<secret>`, see parseIdentitySecrets); unset,
   * every visitor is anonymous.
   */
  WEBCHAT_IDENTITY_SECRET: z.optional(
    z.string().check(
      z.superRefine((v, ctx) => {
        for (const message of parseIdentitySecrets(v).problems) ctx.addIssue({ code: 'custom', message });
      }),
    ),
  ),
  /** Web chat: how long a reply a verified visitor has not read waits before it also goes by email (ISO 8601), or `off`: never by email. */
  WEBCHAT_EMAIL_FALLBACK_DELAY: z._default(z.string().check(refinedBy(fallbackDelayProblem)), 'PT15M'),
  /** Web chat: the business's name in the fallback email's subject and text ("Your chat with <name>"); unset, "us". */
  WEBCHAT_BUSINESS_NAME: z.optional(z.string().check(refinedBy(businessNameProblem))),
  /** On AWS: the visitors' WebSocket API's management endpoint (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`). */
  WEBCHAT_LIVE_ENDPOINT: optionalNonEmptyString,
  /** On AWS: the visitors' WebSocket URL the widget connects to (`wss://…`); locally `/webchat/live` of the same origin. */
  WEBCHAT_LIVE_URL: optionalNonEmptyString,
  /** Web chat: how long a visitor's session lives after its last use (ISO 8601, PT15M to P30D). */
  WEBCHAT_SESSION_TTL: z._default(z.string().check(refinedBy(sessionTtlProblem)), 'P30D'),
  /** Local runtime only. */
  PORT: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(65535)), 3000),
  DATA_DIR: z._default(nonEmptyString, '.data'),
  /** Largest webhook body accepted, in bytes (WhatsApp documents payloads of up to 3 MB); MIN_BODY_BYTES at least. */
  MAX_BODY_BYTES: maxBodyBytes,
});
export type Config = z.infer<typeof ConfigSchema>;

/** Parses the environment once; throws ConfigError naming each variable that is wrong. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ConfigSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  // Checked here too, so a bad entry stops the start rather than locking its agent out.
  parseAgentTokens(result.data.AGENT_TOKENS);
  return result.data;
}

/** The settings a function cannot run without; fails fast naming every one that is missing. */
export function requireSettings<K extends keyof Config>(
  config: Config,
  names: readonly K[],
): Config & { [P in K]-?: NonNullable<Config[P]> } {
  const missing = names.filter((name) => config[name] === undefined);
  if (missing.length > 0) throw new ConfigError(`missing configuration: ${missing.join(', ')}`);
  return config as Config & { [P in K]-?: NonNullable<Config[P]> };
}

/** Whether webhooks may go to `http://127.0.0.1`: the setting, else `fallback` (true locally, false on AWS). */
export function allowLoopbackWebhooks(config: Config, fallback: boolean): boolean {
  const setting = config.WEBHOOK_ALLOW_LOOPBACK_HTTP;
  return setting === undefined ? fallback : setting === 'true';
}
