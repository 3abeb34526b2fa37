import { Hono } from 'hono';
import { createAgentApp } from '#shared/api/app.js';
import { createCsatPage } from '#shared/api/csat-page.js';
import type { AgentAppDeps } from '#shared/api/deps.js';
import type { MailQueue } from '#shared/channels/ses/mail.js';
import { snsHttpDeps } from '#shared/channels/ses/webhook.js';
import {
  createMetaApp,
  createSesApp,
  createTwilioSmsApp,
  createTwilioVoiceApp,
  createWhatsAppApp,
} from '#shared/local/webhook-apps.js';
import type { Config } from '../config/config.js';
import { loadRoutingPolicy } from '../config/routing-policy-file.js';
import { voiceAnswers } from '../config/voice-settings.js';

/** The configuration with the secrets the webhooks check signatures with. */
export type ServedConfig = Config &
  Record<'META_APP_SECRET' | 'META_VERIFY_TOKEN' | 'TWILIO_AUTH_TOKEN', string>;

import type { Clock, EnvelopeQueue } from '../domain/ports.js';
import { notFound, onError } from '../http/on-error.js';

/** What the local HTTP server serves: the webhooks' queues and the agent API's dependencies. */
export interface LocalHttpInput {
  config: ServedConfig;
  clock: Clock;
  envelopes: EnvelopeQueue;
  mail: MailQueue;
  agent: AgentAppDeps;
  /** The web chat's public routes and widget. */
  webchat?: Hono | undefined;
}

/** Every webhook, the agent API and `/health` as one Hono app, at the paths they have on AWS. */
export function localHttpApp(input: LocalHttpInput): Hono {
  const { config, clock, envelopes } = input;
  const root = new Hono();
  root.onError(onError);
  root.notFound(notFound);
  root.get('/health', (c) => c.json({ ok: true }));
  const meta = {
    queue: envelopes,
    clock,
    appSecret: config.META_APP_SECRET,
    verifyToken: config.META_VERIFY_TOKEN,
    maxBodyBytes: config.MAX_BODY_BYTES,
    ownAccounts: {
      whatsapp: config.WHATSAPP_PHONE_NUMBER_ID,
      messenger: config.META_PAGE_ID,
      instagram: config.META_INSTAGRAM_ACCOUNT_ID,
    },
  };
  root.route('/', createWhatsAppApp(meta));
  root.route('/', createMetaApp({ ...meta, automationAppIds: config.META_AUTOMATION_APP_IDS }));
  // SES: the webhook verifies and queues notifications; ses-mail parses the mail into envelopes.
  root.route(
    '/',
    createSesApp({
      mail: input.mail,
      clock,
      maxBodyBytes: config.MAX_BODY_BYTES,
      ...snsHttpDeps(config.SNS_TRUSTED_CERT_FILE),
      topicArns: config.SNS_TOPIC_ARNS,
    }),
  );
  const twilio = {
    queue: envelopes,
    clock,
    authToken: config.TWILIO_AUTH_TOKEN,
    previousAuthToken: config.TWILIO_PREVIOUS_AUTH_TOKEN,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    maxBodyBytes: config.MAX_BODY_BYTES,
  };
  root.route('/', createTwilioSmsApp(twilio));
  root.route(
    '/',
    createTwilioVoiceApp({
      ...twilio,
      ...voiceAnswers(config),
      // Read once at start, as the resolver's: a call's answer reads the hours from memory.
      policy: loadRoutingPolicy(config.ROUTING_POLICY_FILE),
    }),
  );
  if (input.webchat) root.route('/', input.webchat);
  root.route('/', createAgentApp(input.agent));
  const csat = input.agent.conversationClock?.csat;
  if (csat && config.CSAT_SIGNING_SECRET) {
    const policy = input.agent.conversationClock?.policy;
    root.route(
      '/',
      createCsatPage({
        store: csat.store,
        clock,
        secrets: config.CSAT_SIGNING_SECRET,
        words: () => policy?.csat?.words,
      }),
    );
  }
  return root;
}

/**
 * The app's answers, each 413 with `Connection: close`: the body it refused was not read, so the
 * connection cannot carry the client's next request (a kept-alive one would fail).
 */
export function closingAfter413(app: Hono): Hono['fetch'] {
  return async (request, ...rest) => {
    const response = await app.fetch(request, ...rest);
    if (response.status === 413) response.headers.set('connection', 'close');
    return response;
  };
}
