import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { agentToken } from './agent-token.js';

/** The token of `ann`, the agent of the live functions' environment. */
export const ANN_TOKEN = agentToken('ann-token');

/**
 * The socket functions' surroundings in a unit test: both WebSocket management APIs (agents' `/live`,
 * visitors' `/visitors`) on one local server that answers every post 410 (the socket is gone), so the
 * forgetting paths run, and the settings the functions read. Registers its own beforeAll/afterAll (the
 * environment is put back after); `posted` lists each request as `<method> <path>`, `bodies` the bodies
 * of those that had one (the frames posted), in the order they came.
 */
export function goneSockets(): { posted: string[]; bodies: string[] } {
  const saved = { ...process.env };
  const posted: string[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    posted.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (chunks.length) bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(410).end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    Object.assign(process.env, {
      TABLE_NAME: 'threadline',
      AGENT_TOKENS: `ann:${ANN_TOKEN}`,
      LIVE_CALLBACK_URL: `${base}/live`,
      WEBCHAT_LIVE_ENDPOINT: `${base}/visitors`,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { posted, bodies };
}
