import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onError } from '#shared/http/on-error.js';
import { createWebhook } from '#shared/http/webhook.js';
import { logger } from '#shared/log.js';

/**
 * The `unhandled error` line as the logger writes it (no logger mocked away): the error's name and
 * message, under keys Powertools leaves alone (`message` is its own: the line's text).
 */
describe('the unhandled error line', () => {
  let lines: string[];
  const level = logger.getLevelName();
  beforeEach(() => {
    lines = [];
    logger.setLogLevel('INFO');
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    vi.spyOn(console, 'error').mockImplementation((...args) => void lines.push(args.join(' ')));
    vi.spyOn(console, 'warn').mockImplementation((...args) => void lines.push(args.join(' ')));
    vi.spyOn(console, 'info').mockImplementation((...args) => void lines.push(args.join(' ')));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    logger.setLogLevel(level);
  });
  const emitted = () =>
    lines
      .flatMap((line) => line.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it("keeps the agent API's error message, scrubbed, with no reserved-key warning", async () => {
    const app = new Hono();
    app.get('/api/things/:id', () => {
      throw new TypeError('Cannot read properties of undefined (reading at) for +14155550100');
    });
    app.onError(onError);
    expect((await app.request('/api/things/1')).status).toBe(500);
    expect(emitted()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'unhandled error',
        route: '/api/things/:id',
        method: 'GET',
        error: 'TypeError',
        errorMessage: 'Cannot read properties of undefined (reading at) for [number]',
      }),
    ]);
  });

  it("keeps a webhook's error message, with no reserved-key warning", async () => {
    const webhook = createWebhook(
      [
        {
          method: 'POST',
          path: '/hook',
          handle() {
            throw new RangeError('Invalid time value');
          },
        },
      ],
      16,
    );
    const request = { method: 'POST', path: '/hook', url: 'https://x/hook', header: () => undefined };
    expect((await webhook.handle({ ...request, body: new Uint8Array() })).status).toBe(500);
    expect(emitted()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'unhandled error',
        route: '/hook',
        error: 'RangeError',
        errorMessage: 'Invalid time value',
      }),
    ]);
  });
});
