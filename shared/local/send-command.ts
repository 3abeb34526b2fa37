import { createHmac, randomBytes, sign } from 'node:crypto';
import twilio from 'twilio';
import { type SnsMessage, snsStringToSign } from '../channels/ses/sns.js';
import { twilioSignedUrl } from '../channels/twilio/signature.js';
import { type Config, loadConfig } from '../config/config.js';
import { devClock } from './dev-clock.js';
import { devSecrets, withDevSecrets } from './dev-secrets.js';
import { localSnsKey, localTrustedCertFile } from './local-sns-key.js';
import { runningRuntime } from './runtime-lock.js';

export const sendUsage = `usage: npm run send -- <whatsapp|sms|email> --from <sender> --body <text> [--subject <text>]
  whatsapp  --from 16505551234 (digits)      signed with META_APP_SECRET, as Meta signs
  sms       --from +14155550100              signed with TWILIO_AUTH_TOKEN, as Twilio signs
  email     --from "Tom <tom@example.org>"   an SES receipt over SNS, signed with DATA_DIR's own key
  Posts one customer message to the npm start on DATA_DIR, at PORT, with the development secrets (or
  those set here). Each run is a new message; watch it arrive in the console.`;

type Channel = 'whatsapp' | 'sms' | 'email';
interface Message {
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

/** A signed request to the runtime's webhook. */
interface Post {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const id = () => randomBytes(16).toString('hex');

function whatsappPost(message: Message, config: Config, now: Date): Post {
  const from = message.from.replace(/^\+/, '');
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'local',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: '15550000000',
                phone_number_id: config.WHATSAPP_PHONE_NUMBER_ID ?? '100000000000000',
              },
              contacts: [{ profile: { name: from }, wa_id: from }],
              messages: [
                {
                  from,
                  id: `wamid.local-${id()}`,
                  timestamp: String(Math.floor(now.getTime() / 1000)),
                  type: 'text',
                  text: { body: message.body },
                },
              ],
            },
          },
        ],
      },
    ],
  });
  const signature = createHmac('sha256', config.META_APP_SECRET ?? '')
    .update(body)
    .digest('hex');
  const headers = { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` };
  return { path: '/webhooks/whatsapp', headers, body };
}

function smsPost(message: Message, config: Config, url: string): Post {
  const params = {
    MessageSid: `SM${id()}`,
    AccountSid: config.TWILIO_ACCOUNT_SID ?? `AC${'0'.repeat(32)}`,
    From: message.from,
    To: config.TWILIO_FROM_NUMBER ?? '+15005550006',
    Body: message.body,
    NumMedia: '0',
  };
  const signedUrl = twilioSignedUrl(`${url}/webhooks/twilio/sms`, config.PUBLIC_BASE_URL);
  const signature = twilio.getExpectedTwilioSignature(config.TWILIO_AUTH_TOKEN ?? '', signedUrl, params);
  const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature };
  return { path: '/webhooks/twilio/sms', headers, body: new URLSearchParams(params).toString() };
}

/** An SES `Received` notification (SNS action, the mail inline) in an SNS message signed with DATA_DIR's key. */
function emailPost(message: Message, config: Config, now: Date): Post {
  const at = now.toISOString();
  const to = config.SES_FROM_ADDRESS ?? 'support@shop.example';
  const sesId = id();
  const subject = message.subject ?? 'A question';
  const mime = [
    `From: ${message.from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${sesId}@local.test>`,
    `Date: ${now.toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    message.body,
    '',
  ].join('\r\n');
  const source = (/<([^>]+)>/.exec(message.from)?.[1] ?? message.from).toLowerCase();
  const topicArn = config.SNS_TOPIC_ARNS?.[0] ?? 'arn:aws:sns:us-east-1:000000000000:threadline-local';
  const region = topicArn.split(':')[3];
  const pass = { status: 'PASS' };
  const notification = {
    notificationType: 'Received',
    receipt: {
      timestamp: at,
      recipients: [to],
      ...{ spamVerdict: pass, virusVerdict: pass, spfVerdict: pass, dkimVerdict: pass, dmarcVerdict: pass },
      action: { type: 'SNS', topicArn, encoding: 'BASE64' },
    },
    mail: {
      timestamp: at,
      source,
      messageId: sesId,
      destination: [to],
      headersTruncated: false,
      headers: [],
      commonHeaders: { from: [message.from], to: [to], subject },
    },
    content: Buffer.from(mime).toString('base64'),
  };
  const sns = {
    Type: 'Notification',
    MessageId: `local-${sesId}`,
    TopicArn: topicArn,
    Message: JSON.stringify(notification),
    Timestamp: at,
    SignatureVersion: '2',
    Signature: '',
    SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService-local.pem`,
    UnsubscribeURL: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe`,
  } as SnsMessage;
  const key = localSnsKey(config.DATA_DIR).privateKeyPem;
  sns.Signature = sign('RSA-SHA256', Buffer.from(snsStringToSign(sns), 'utf8'), key).toString('base64');
  const headers = { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' };
  return { path: '/webhooks/ses', headers, body: JSON.stringify(sns) };
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
  const now = new Date(devClock(dataDir).now());
  const post =
    message.channel === 'whatsapp'
      ? whatsappPost(message, config, now)
      : message.channel === 'sms'
        ? smsPost(message, config, url)
        : emailPost(message, config, now);
  const answer = await fetch(`${url}${post.path}`, {
    method: 'POST',
    headers: post.headers,
    body: post.body,
  }).catch((error: unknown) => error as Error);
  if (answer instanceof Error) {
    io.err(
      `cannot reach npm start at ${url} (${answer.cause instanceof Error ? answer.cause.message : answer.message})`,
    );
    return 1;
  }
  const text = (await answer.text()).slice(0, 300);
  if (!answer.ok) {
    io.err(`${post.path} answered ${answer.status}: ${text}`);
    return 1;
  }
  io.out(
    `${post.path} answered ${answer.status}: a ${message.channel} message from ${message.from} is on its way`,
  );
  return 0;
}
