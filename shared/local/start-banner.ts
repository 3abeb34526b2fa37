import { TWILIO_RETRY_OVERRIDES } from '../channels/twilio/overrides.js';
import type { Config } from '../config/config.js';
import { loadConfig, parseAgentTokens } from '../config/config.js';
import { devSecretNames } from './dev-secrets.js';
import { replyRouteLines } from './senders.js';

/**
 * What `npm start` prints once the runtime listens: the URLs, where replies go (the local outbox or
 * a real provider, replyRouteLines), the agent token and every development
 * secret with the value in use (the environment's, where it sets one), so none is left to be dug out
 * of `dev-secrets.json`.
 */
export function startBanner(input: {
  url: string;
  dataDir: string;
  config: Config;
  aheadMs?: number;
  /** What answers customers (`setupLine`): the routing policy and knowledge base in use. */
  setup?: string;
  /** Which version runs (`runningVersion`): the git commit and its date. */
  version?: string | undefined;
  /** The upgrade commands this data still needs (`pendingBackfills`), by their npm script names. */
  pendingBackfills?: readonly string[];
  /** What in the routing policy is likely a mistake (`routingPolicyWarnings`). */
  policyWarnings?: readonly string[];
  /** Whether AGENT_TOKENS is the environment's own, not the development secret's: `npm run clock` needs it too. */
  ownAgentTokens?: boolean;
}): string {
  const {
    url,
    dataDir,
    config,
    aheadMs = 0,
    setup,
    version,
    pendingBackfills = [],
    policyWarnings = [],
    ownAgentTokens = false,
  } = input;
  const [agentToken] = parseAgentTokens(config.AGENT_TOKENS).keys();
  // The origin providers call (Twilio signs it): the tunnel's, once PUBLIC_BASE_URL names it.
  const hooks = config.PUBLIC_BASE_URL ? new URL(config.PUBLIC_BASE_URL).origin : url;
  return [
    '',
    `Threadline is running at ${url} (data in ${dataDir}/)`,
    ...(setup ? [setup] : []),
    ...(version ? [`Version: ${version}`] : []),
    ...upgradeLines(pendingBackfills),
    ...warningLines(policyWarnings),
    '',
    config.PUBLIC_BASE_URL
      ? 'Webhook URLs (under PUBLIC_BASE_URL: paste them into each provider):'
      : 'Webhook URLs (expose them with a tunnel and paste them into each provider):',
    `  WhatsApp Cloud API   GET, POST ${hooks}/webhooks/whatsapp`,
    `  Messenger/Instagram  GET, POST ${hooks}/webhooks/meta`,
    `  Twilio SMS/MMS       POST ${hooks}/webhooks/twilio/sms   (status callbacks: /webhooks/twilio/status)`,
    `  Twilio voice         POST ${hooks}/webhooks/twilio/voice (call status: /webhooks/twilio/voice/status)`,
    `  Twilio: end each URL with ${TWILIO_RETRY_OVERRIDES}, so Twilio retries a 503 or a 429`,
    ...(config.PUBLIC_BASE_URL
      ? []
      : ['  Twilio signs the public URL: set PUBLIC_BASE_URL to your tunnel URL.']),
    `  Amazon SES (SNS)     POST ${hooks}/webhooks/ses`,
    '',
    `Agent console: ${url}/console   (sign in with the agent token below)`,
    '',
    'Agent API:',
    agentToken === undefined
      ? '  (no agent can sign in: AGENT_TOKENS has no entry)'
      : `  ${url}/api/customers?q=...   Authorization: Bearer ${agentToken}`,
    `  ${url}/api/docs   (the OpenAPI document: /api/openapi.json)`,
    `  ${url}/api/outbox (replies "sent" without provider credentials)`,
    '',
    "Replies (a provider's settings in the environment send its channel for real):",
    ...replyRouteLines(config, url),
    '',
    'Web chat:',
    `  ${url}/webchat/demo   (the widget: <script src="${url}/webchat/widget.js" async></script>)`,
    ...embedLines(config.WEBCHAT_ALLOWED_ORIGINS),
    '',
    ...clockLines({ url, dataDir, aheadMs, ownAgentTokens }),
    '',
    'Development secrets in use (set them in the environment to override):',
    ...devSecretNames.map((name) => `  ${name}=${config[name] ?? '(unset)'}`),
    '',
  ].join('\n');
}

/** Which pages may embed the widget: the browser blocks it on any other site, the demo page aside. */
function embedLines(origins: readonly string[]): string[] {
  if (origins.length > 0)
    return [`  Sites that may embed it (WEBCHAT_ALLOWED_ORIGINS): ${origins.join(', ')}`];
  return [
    '  WEBCHAT_ALLOWED_ORIGINS is unset: no site but the demo page may embed the widget (the browser blocks',
    "  its calls elsewhere). Set your site's origins: WEBCHAT_ALLOWED_ORIGINS=https://shop.example,http://localhost:8080",
  ];
}

/**
 * How to move this npm start's clock: `npm run clock` with the `PORT=… DATA_DIR=…` of this npm start
 * when they differ from the defaults, so it finds it, and with AGENT_TOKENS when this npm start has its
 * own (the command signs in as its first admin; without them it read the development secret's and
 * answered a bare 401). The tokens are not printed: `"$AGENT_TOKENS"` passes those of the shell.
 */
function clockLines(input: {
  url: string;
  dataDir: string;
  aheadMs: number;
  ownAgentTokens: boolean;
}): string[] {
  const { url, dataDir, aheadMs, ownAgentTokens } = input;
  const defaults = loadConfig({});
  const port = new URL(url).port;
  const env = [
    ...(port !== String(defaults.PORT) ? [`PORT=${port}`] : []),
    ...(dataDir !== defaults.DATA_DIR ? [`DATA_DIR=${dataDir}`] : []),
    ...(ownAgentTokens ? ['AGENT_TOKENS="$AGENT_TOKENS"'] : []),
  ];
  const prefix = env.map((part) => `${part} `).join('');
  return [
    'Clock (rehearse SLA targets, auto-resolve, surveys and snoozes without waiting):',
    `  ${prefix}npm run clock -- advance 2h   (moves time forward and fires what falls due; npm run clock shows it)`,
    ...(ownAgentTokens
      ? [
          '  Pass the same AGENT_TOKENS as this npm start (with an :admin entry): the clock moves for admins only.',
        ]
      : []),
    ...(aheadMs > 0
      ? [`  The clock runs ${aheadText(aheadMs)} ahead of this machine's (kept in ${dataDir}/clock.json).`]
      : []),
  ];
}

/** What in the routing policy is likely a mistake: printed, and the start goes on. */
function warningLines(warnings: readonly string[]): string[] {
  if (warnings.length === 0) return [];
  return [
    '',
    'Routing policy warnings (the start goes on; README, "Warnings at the start"):',
    ...warnings.map((warning) => `  ${warning}`),
  ];
}

/** The warning that an upgrade's commands have not run on this data yet (README, Upgrading). */
function upgradeLines(pending: readonly string[]): string[] {
  if (pending.length === 0) return [];
  return [
    '',
    'Upgrade not finished: data an earlier version made is missed by the customer list, the name search,',
    'the audit filters or erasures until these have run (stop npm start first; each is safe to run again;',
    'README, Upgrading):',
    ...pending.map((name) => `  npm run ${name} -- --local`),
  ];
}

/** `2h 5m`, `3d 1h`, `40s`: how far the clock runs ahead, to the second. */
export function aheadText(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const parts = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor(seconds / 3600) % 24, 'h'],
    [Math.floor(seconds / 60) % 60, 'm'],
    [seconds % 60, 's'],
  ] as const;
  return (
    parts
      .filter(([n]) => n > 0)
      .map(([n, unit]) => `${n}${unit}`)
      .join(' ') || '0s'
  );
}
