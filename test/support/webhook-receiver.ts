import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { madeInBeforeAll } from './made-in-before-all.js';

/** One request the receiver got. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered: a status, or `hang` for no answer at all. */
  answer: number | 'hang';
}

/**
 * An integrator's endpoint on 127.0.0.1: keeps every request and answers each as `plan` says (by
 * default 200); `hang` never answers, until the receiver is closed. `abandoned` counts the hanging
 * requests whose sender gave up on them.
 */
export async function startReceiver(
  plan: (request: { headers: IncomingHttpHeaders; body: string; seen: number }) => number | 'hang' = () =>
    200,
): Promise<{ url: string; received: Received[]; abandoned(): number; close(): Promise<void> }> {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  let abandoned = 0;
  let closing = false;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      const seen = received.filter((r) => r.headers['webhook-id'] === id).length;
      const answer = plan({ headers: req.headers, body, seen });
      received.push({ headers: req.headers, body, answer });
      if (answer === 'hang') {
        hanging.push(res);
        // The sender gave up waiting (its timeout), not the receiver closing.
        res.on('close', () => {
          if (!closing) abandoned += 1;
        });
      } else res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    abandoned: () => abandoned,
    close: async () => {
      closing = true;
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An integrator's endpoint `startReceiver` started. */
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * A receiver (`startReceiver` with `plan`) started in the describe block's `beforeAll` and closed in its
 * `afterAll`; what it answers stands for it, as `useTestRuntime`'s runtime does. Called before
 * `useConsole` (or `useTestRuntime`), it starts before the runtime that delivers to it and closes after.
 */
export function useReceiver(plan?: Parameters<typeof startReceiver>[0]): Receiver {
  let started: Receiver | undefined;
  beforeAll(async () => {
    started = await startReceiver(plan);
  });
  afterAll(async () => {
    await started?.close();
  });
  return madeInBeforeAll('the receiver', () => started);
}
