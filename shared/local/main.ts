import { ConfigError, loadConfig, parseAgentTokens } from '../config/config.js';
import { devSecrets } from './dev-secrets.js';
import { startLocalRuntime } from './runtime.js';

async function main(): Promise<void> {
  const dataDir = loadConfig().DATA_DIR;
  const config = loadConfig({ ...devSecrets(dataDir), ...process.env });
  const runtime = await startLocalRuntime({ config, routing: true, events: true, live: true });
  const [agentToken] = parseAgentTokens(config.AGENT_TOKENS).keys();
  process.stdout.write(
    [
      '',
      `Threadline is running at ${runtime.url} (data in ${dataDir}/)`,
      '',
      'Webhook URLs (expose them with a tunnel and paste them into each provider):',
      `  WhatsApp Cloud API   GET, POST ${runtime.url}/webhooks/whatsapp`,
      `  Messenger/Instagram  GET, POST ${runtime.url}/webhooks/meta`,
      `  Twilio SMS/MMS       POST ${runtime.url}/webhooks/twilio/sms   (status callbacks: /webhooks/twilio/status)`,
      `  Twilio voice         POST ${runtime.url}/webhooks/twilio/voice (call status: /webhooks/twilio/voice/status)`,
      '  Twilio signs the public URL: set PUBLIC_BASE_URL to your tunnel URL.',
      `  Amazon SES (SNS)     POST ${runtime.url}/webhooks/ses`,
      '',
      `Agent console: ${runtime.url}/console   (sign in with the agent token below)`,
      '',
      'Agent API:',
      `  ${runtime.url}/api/customers?q=...   Authorization: Bearer ${agentToken}`,
      `  ${runtime.url}/api/docs   (the OpenAPI document: /api/openapi.json)`,
      `  ${runtime.url}/api/outbox (replies "sent" without provider credentials)`,
      '',
      'Web chat:',
      `  ${runtime.url}/webchat/demo   (the widget: <script src="${runtime.url}/webchat/widget.js" async></script>)`,
      '',
      'Development secrets in use (set them in the environment to override):',
      `  META_APP_SECRET=${config.META_APP_SECRET}`,
      `  META_VERIFY_TOKEN=${config.META_VERIFY_TOKEN}`,
      `  TWILIO_AUTH_TOKEN=${config.TWILIO_AUTH_TOKEN}`,
      `  AGENT_TOKENS=${config.AGENT_TOKENS}`,
      `  WEBCHAT_IDENTITY_SECRET=${config.WEBCHAT_IDENTITY_SECRET}`,
      '',
    ].join('\n'),
  );
  const shutdown = async (): Promise<void> => {
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
});
