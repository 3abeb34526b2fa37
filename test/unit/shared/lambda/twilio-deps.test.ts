import { afterEach, describe, expect, it, vi } from 'vitest';
import { twilioDeps } from '#shared/lambda/webhook-handler.js';

/**
 * The Twilio functions on AWS take the previous Auth Token beside the current one while it is rotated
 * (the local runtime's webhooks are checked end to end in test/integration/secret-rotation.test.ts).
 */
describe('twilioDeps', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('gives the webhooks TWILIO_PREVIOUS_AUTH_TOKEN beside TWILIO_AUTH_TOKEN', async () => {
    vi.stubEnv('INBOUND_QUEUE_URL', 'https://sqs.us-east-1.amazonaws.com/123456789012/inbound');
    vi.stubEnv('TWILIO_AUTH_TOKEN', 'twilio-deps-new-token');
    vi.stubEnv('TWILIO_PREVIOUS_AUTH_TOKEN', 'twilio-deps-old-token');
    const { deps } = await twilioDeps();
    expect(deps.authToken).toBe('twilio-deps-new-token');
    expect(deps.previousAuthToken).toBe('twilio-deps-old-token');
  });

  it('refuses to start with a previous token that has a line break after it', async () => {
    vi.stubEnv('INBOUND_QUEUE_URL', 'https://sqs.us-east-1.amazonaws.com/123456789012/inbound');
    vi.stubEnv('TWILIO_AUTH_TOKEN', 'twilio-deps-new-token');
    vi.stubEnv('TWILIO_PREVIOUS_AUTH_TOKEN', 'twilio-deps-old-token\n');
    await expect(twilioDeps()).rejects.toThrow(/TWILIO_PREVIOUS_AUTH_TOKEN: has a space or line break/);
  });
});
