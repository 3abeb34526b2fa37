import type { Construct } from 'constructs';
import { type Config, ConfigSchema } from '#shared/config/config.js';

/** One setting the operator chooses: its stack context key, and the functions (folders) that read it. */
interface OperatorSetting {
  readonly context: string;
  readonly readers: readonly string[];
}

/**
 * The settings an operator chooses for the deployed functions, each given as stack context (`-c
 * emailFormSenders=forms@shop.example`, or `context` in cdk.json), checked at synth by the schema the
 * functions parse at start, and set on exactly the functions that read it: a setting the stack does
 * not pass is silently its default on AWS. test/stacks/settings.test.ts holds `readers` to what each
 * function's code reads.
 */
export const operatorSettings = {
  DEFAULT_REGION: { context: 'defaultRegion', readers: ['agent-api', 'resolver'] },
  REOPEN_WINDOW_HOURS: { context: 'reopenWindowHours', readers: ['resolver', 'timers'] },
  EMAIL_FORM_SENDERS: { context: 'emailFormSenders', readers: ['ses-mail'] },
  EMAIL_FALLBACK_CHARSET: { context: 'emailFallbackCharset', readers: ['ses-mail'] },
  META_PAGE_ID: { context: 'metaPageId', readers: ['meta', 'agent-api'] },
  META_INSTAGRAM_ACCOUNT_ID: { context: 'metaInstagramAccountId', readers: ['meta', 'agent-api'] },
  META_AUTOMATION_APP_IDS: { context: 'metaAutomationAppIds', readers: ['meta'] },
  SES_MESSAGE_ID_DOMAIN: { context: 'sesMessageIdDomain', readers: ['sender', 'resolver'] },
  VOICE_GREETING: { context: 'voiceGreeting', readers: ['twilio-voice'] },
  VOICE_CLOSED_GREETING: { context: 'voiceClosedGreeting', readers: ['twilio-voice'] },
  VOICE_WITHHELD_MESSAGE: { context: 'voiceWithheldMessage', readers: ['twilio-voice'] },
  VOICE_FAREWELL: { context: 'voiceFarewell', readers: ['twilio-voice'] },
  VOICE_SAY_LANGUAGE: { context: 'voiceSayLanguage', readers: ['twilio-voice'] },
  VOICE_SAY_VOICE: { context: 'voiceSayVoice', readers: ['twilio-voice'] },
  VOICE_TRANSCRIBE: { context: 'voiceTranscribe', readers: ['twilio-voice'] },
  MAX_BODY_BYTES: {
    context: 'maxBodyBytes',
    readers: ['whatsapp', 'meta', 'twilio-sms', 'twilio-voice', 'ses'],
  },
  EXPORT_INLINE_BYTES: { context: 'exportInlineBytes', readers: ['agent-api'] },
  BEDROCK_MODEL_ID: { context: 'bedrockModelId', readers: ['resolver'] },
  BEDROCK_TIMEOUT_MS: { context: 'bedrockTimeoutMs', readers: ['resolver'] },
  WEBHOOK_TIMEOUT_MS: { context: 'webhookTimeoutMs', readers: ['webhooks'] },
  WEBCHAT_ALLOWED_ORIGINS: {
    context: 'webchatAllowedOrigins',
    readers: ['webchat', 'agent-api', 'resolver', 'timers'],
  },
  WEBCHAT_EMAIL_FALLBACK_DELAY: {
    context: 'webchatEmailFallbackDelay',
    readers: ['agent-api', 'resolver', 'timers', 'webchat'],
  },
  WEBCHAT_BUSINESS_NAME: { context: 'webchatBusinessName', readers: ['agent-api', 'resolver', 'timers'] },
  WEBCHAT_SESSION_TTL: { context: 'webchatSessionTtl', readers: ['webchat', 'webchat-live'] },
} as const satisfies Partial<Record<keyof Config, OperatorSetting>>;

export type OperatorSettingName = keyof typeof operatorSettings;

/**
 * A setting's value from context as the environment carries it (a list in cdk.json joined with
 * commas), or undefined when unset; a value the functions would refuse at start fails synth instead,
 * naming the context key.
 */
export function operatorSetting(scope: Construct, name: OperatorSettingName): string | undefined {
  const { context } = operatorSettings[name];
  const raw: unknown = scope.node.tryGetContext(context);
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = Array.isArray(raw) ? raw.map(String).join(',') : String(raw);
  const parsed = ConfigSchema.shape[name].safeParse(value);
  if (!parsed.success) {
    throw new Error(`${context}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return value;
}

/** The operator settings given in context that the function running `source` reads, as its environment. */
export function operatorEnvironment(scope: Construct, source: string): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of Object.keys(operatorSettings) as OperatorSettingName[]) {
    const readers: readonly string[] = operatorSettings[name].readers;
    if (!readers.includes(source)) continue;
    const value = operatorSetting(scope, name);
    if (value !== undefined) environment[name] = value;
  }
  return environment;
}
