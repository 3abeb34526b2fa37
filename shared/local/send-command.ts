import { randomBytes } from 'node:crypto';
import type { SnsMessage } from '../channels/ses/sns.js';
import { type Config, loadConfig } from '../config/config.js';
import { devClock } from './dev-clock.js';
import { devSecrets, withDevSecrets } from './dev-secrets.js';
import { localSnsKey, localTrustedCertFile } from './local-sns-key.js';
import {
  type SignedRequest,
  sesReceived,
  signedMeta,
  signedSes,
  signedTwilio,
  snsNotification,
  twilioSms,
  whatsappText,
} from './provider-payloads.js';
import { runningRuntime } from './runtime-lock.js';

export const sendUsage = `usage: npm run send -- <whatsapp|sms|email> --from <sender> --body <text> [--subject <text>]
  whatsapp  --from 16505551234 (digits)      signed with META_APP_SECRET, as Meta signs
  sms       --from +14155550100              signed with TWILIO_AUTH_TOKEN, as Twilio signs
  email     --from "Tom <tom@example.org>"   an SES receipt over SNS, signed with DATA_DIR's own key
  Posts one customer message to the npm start on DATA_DIR, at PORT, with the development secrets (or
  those set here). Each run is a new message; watch it arrive in the console.`;

type Channel = 'whatsapp' | 'sms' | 'email';
/** A customer message `npm run send` posts. */
export interface Message {
  channel: Channel;
  from: string;
  body: string;
  subject?: string | undefined;
}

/** The arguments as a message; undefined when they are not one. */
function messageOf(argv: readonly string[]): Message | undefined {
  const [channel, ...rest] = argv;
  if (channel !== 'whatsapp' && channel !== 'sms' && channel !== 'email') return undefined;
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const [name, value] = [rest[i], rest[i + 1]];
    if (!name || !['--from', '--body', '--subject'].includes(name) || value === undefined) return undefined;
    flags.set(name, value);
  }
  const from = flags.get('--from');
  const body = flags.get('--body');
  if (!from || !body) return undefined;
  return { channel, from, body, subject: flags.get('--subject') };
}

const id = () => randomBytes(16).toString('hex');

/** The request that carries `message` to the runtime at `url`, signed as its provider signs it. */
export function sendRequest(message: Message, config: Config, now: Date, url: string): SignedRequest {
  const text = message.body;
  if (message.channel === 'whatsapp') {
    const from = message.from.replace(/^\+/, '');
    const phoneNumberId = config.WHATSAPP_PHONE_NUMBER_ID ?? '100000000000000';
    const number = { account: 'local', displayPhoneNumber: '15550000000', phoneNumberId };
    const messages = [{ id: `wamid.local-${id()}`, at: now.toISOString(), text }];
    const payload = whatsappText(number, { from, name: from, messages });
    return signedMeta(url, '/webhooks/whatsapp', payload, config.META_APP_SECRET ?? '');
  }
  if (message.channel === 'sms') {
    const params = twilioSms({
      sid: `SM${id()}`,
      from: message.from,
      text,
      account: config.TWILIO_ACCOUNT_SID,
      to: config.TWILIO_FROM_NUMBER,
    });
    const authToken = config.TWILIO_AUTH_TOKEN ?? '';
    return signedTwilio(`${url}/webhooks/twilio/sms`, params, authToken, config.PUBLIC_BASE_URL);
  }
  return signedSes(url, emailMessage(message, config, now));
}

/** An SES `Received` notification (SNS action, the mail inline) in an SNS message signed with DATA_DIR's key. */
function emailMessage(message: Message, config: Config, now: Date): SnsMessage {
  const at = now.toISOString();
  const sesId = id();
  const topicArn = config.SNS_TOPIC_ARNS?.[0] ?? 'arn:aws:sns:us-east-1:000000000000:threadline-local';
  const notification = sesReceived({
    sesId,
    at,
    from: message.from,
    messageId: `<${sesId}@local.test>`,
    recipient: config.SES_FROM_ADDRESS ?? 'support@shop.example',
    topicArn,
    subject: message.subject ?? 'A question',
    text: message.body,
  });
  const privateKeyPem = localSnsKey(config.DATA_DIR).privateKeyPem;
  return snsNotification(notification, {
    snsId: `local-${sesId}`,
    at,
    topicArn,
    privateKeyPem,
    certName: 'local',
  });
}

/**
 * `npm run send -- <whatsapp|sms|email> --from … --body …`: signs one customer message as the provider
 * would and posts it to the running `npm start`, which checks it as it checks the provider's. Email is
 * signed with DATA_DIR's own key, which npm start trusts unless SNS_TRUSTED_CERT_FILE or
 * PUBLIC_BASE_URL is set. Answers the exit code; writes its lines to `out` and `err`.
 */
export async function sendCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<number> {
  if (argv.includes('--help')) {
    io.out(sendUsage);
    return 0;
  }
  const message = messageOf(argv);
  if (!message) {
    io.err(sendUsage);
    return 2;
  }
  const dataDir = loadConfig(env).DATA_DIR;
  if (runningRuntime(dataDir) === undefined) {
    io.err(`no npm start is running on DATA_DIR ${dataDir}`);
    return 1;
  }
  const config = loadConfig(withDevSecrets(devSecrets(dataDir), env));
  if (
    message.channel === 'email' &&
    localTrustedCertFile(dataDir, config) !== localSnsKey(dataDir).publicKeyFile
  ) {
    io.err(
      'npm start checks SNS signatures against SNS_TRUSTED_CERT_FILE or fetched certificates (PUBLIC_BASE_URL is set), ' +
        `not DATA_DIR's own key: unset both for npm start to take npm run send -- email`,
    );
    return 1;
  }
  const url = `http://127.0.0.1:${config.PORT}`;
  const request = sendRequest(message, config, new Date(devClock(dataDir).now()), url);
  const path = new URL(request.url).pathname;
  const answer = await fetch(request.url, request.init).catch((error: unknown) => error as Error);
  if (answer instanceof Error) {
    io.err(
      `cannot reach npm start at ${url} (${answer.cause instanceof Error ? answer.cause.message : answer.message})`,
    );
    return 1;
  }
  const text = (await answer.text()).slice(0, 300);
  if (!answer.ok) {
    io.err(`${path} answered ${answer.status}: ${text}`);
    return 1;
  }
  io.out(
    `${path} answered ${answer.status}: a ${message.channel} message from ${message.from} is on its way`,
  );
  return 0;
}
