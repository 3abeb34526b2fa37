import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SESSION_SOCKETS_MAX } from '#shared/domain/webchat/session-sockets.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { Keys } from '#shared/store/keys.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { webchatConnections } from '#shared/store/webchat-connections.js';
import { startTestRuntime } from '../support/runtime.js';
import { inspectionClient } from '../support/table-snapshot.js';
import { visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';

const SITE = 'http://shop.example';

/** A visitor's socket with what it heard and how it closed. */
interface Opened {
  socket: WebSocket;
  frames: Array<{ type: string }>;
  closed: Promise<{ code: number; reason: string }>;
}

/**
 * A session may hold SESSION_SOCKETS_MAX live sockets (a visitor's tabs); a newer one closes the
 * oldest, telling it why, so a script opening thousands holds ten and an agent's message fans out to ten.
 * QA: nothing capped them; every open socket got every frame.
 */
describe('local runtime: the live sockets of one web-chat session', () => {
  let runtime: LocalRuntime;
  let visitor: ReturnType<typeof visitorClient>;
  const opened: WebSocket[] = [];
  beforeAll(async () => {
    const env = { WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET, WEBCHAT_ALLOWED_ORIGINS: SITE };
    runtime = await startTestRuntime({ webchatLive: true, env });
    visitor = visitorClient(runtime.url, SITE);
  });
  afterAll(async () => {
    for (const socket of opened) socket.terminate();
    await runtime?.close();
  });

  const start = async () =>
    ((await (await visitor.session({})).json()) as { sessionToken: string }).sessionToken;
  const open = async (token: string): Promise<Opened> => {
    const socket = new WebSocket(`${runtime.url.replace('http', 'ws')}/webchat/live?session=${token}`);
    opened.push(socket);
    const frames: Array<{ type: string }> = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data))));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    await expect.poll(() => frames.some((frame) => frame.type === 'ready')).toBe(true);
    return { socket, frames, closed };
  };

  it('closes the oldest socket of a session when it opens one more than ten, telling it why', async () => {
    const token = await start();
    const other = await open(await start());
    const sockets: Opened[] = [];
    for (let n = 0; n < SESSION_SOCKETS_MAX; n++) sockets.push(await open(token));
    const newest = await open(token);
    const oldest = sockets[0] as Opened;
    expect(await oldest.closed).toEqual({ code: 4029, reason: 'replaced by a newer socket of this session' });
    expect(oldest.frames.map((frame) => frame.type)).toEqual(['ready', 'replaced']);
    const newer = await open(token);
    expect((await (sockets[1] as Opened).closed).code).toBe(4029);
    const open_ = [...sockets.slice(2), newest, newer, other].map((s) => s.socket.readyState);
    expect(open_).toEqual(Array(SESSION_SOCKETS_MAX + 1).fill(WebSocket.OPEN));
  }, 30_000);

  /**
   * The AWS path keeps the list in the table (`WEBCHAT_SOCKETS#<session hash>`, one item per session):
   * run against dynalite here, so its update expressions are DynamoDB's; the Lambda's unit test mocks it.
   */
  it("keeps a session's sockets in one item on AWS: the newest ten, the closed one taken out", async () => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    let clock = Date.parse('2026-12-05T10:00:00.000Z');
    const db = { doc: documentClient(client), table: 'threadline' };
    const tick = () => {
      clock += 1000;
      return new Date(clock);
    };
    const connections = webchatConnections(db, tick);
    const over: string[][] = [];
    for (let n = 0; n < 12; n++) over.push(await connections.connect(`conn-${n}`, [], [], 'hash-a'));
    expect(over.slice(0, 10).flat()).toEqual([]);
    expect(over.slice(10)).toEqual([['conn-0'], ['conn-1']]);
    await connections.disconnect('conn-5');
    const item = await db.doc.get({ TableName: 'threadline', Key: Keys.webchatSessionSockets('hash-a') });
    const held = [...((item.Item?.sockets as Set<string>) ?? [])].map((slot) => slot.split(' ')[1]);
    expect(held.sort()).toEqual([
      'conn-10',
      'conn-11',
      'conn-2',
      'conn-3',
      'conn-4',
      'conn-6',
      'conn-7',
      'conn-8',
      'conn-9',
    ]);
    expect(item.Item?.ttl).toEqual(expect.any(Number));
    client.destroy();
  }, 30_000);
});
