import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clockCommand } from '#shared/local/clock-command.js';
import { agentToken } from '../../../support/agent-token.js';

const ADMIN = agentToken('clock-command-admin');
const DAY = 86_400_000;

/**
 * `npm run clock -- advance` against a stand-in for npm start's clock routes: one that dies in the
 * middle of a move (the socket closed, as a kill -9 closes it), and one that finishes a move `--to`.
 */
describe('npm run clock -- advance, when npm start stops in the middle', () => {
  let dataDir: string;
  let server: Server;
  let port: number;
  /** The stand-in's clock, and the moves it was asked for. */
  let now: number;
  let moves: string[];
  let dieOnMove: boolean;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-clock-command-'));
    // npm start on this DATA_DIR is this process, as far as the command can tell.
    writeFileSync(join(dataDir, 'runtime.pid'), String(process.pid));
    now = Date.parse('2026-12-06T10:00:00.000Z');
    moves = [];
    dieOnMove = false;
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.headers.authorization !== `Bearer ${ADMIN}`) return res.writeHead(401).end('{}');
        if (req.method === 'POST') {
          const { by } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { by: string };
          moves.push(by);
          if (dieOnMove) {
            now += 9 * 60_000 + 52_000; // the steps made before it died
            return req.socket.destroy();
          }
          now += Number(/^PT(\d+)S$/.exec(by)?.[1] ?? Number.NaN) * 1000;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ now: new Date(now).toISOString(), aheadMs: 0 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const npmRunClock = async (...argv: string[]) => runClock(argv, `dev-lead:${ADMIN}:admin`);
  /** The command with `tokens` as its AGENT_TOKENS (undefined: unset, the development secret's). */
  const runClock = async (argv: string[], tokens: string | undefined) => {
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    const env = { DATA_DIR: dataDir, PORT: String(port), ...(tokens ? { AGENT_TOKENS: tokens } : {}) };
    const code = await clockCommand(argv, env, io);
    return { code, text: lines.join('\n') };
  };

  it('says where a move that died was going, and how to finish it without going past', async () => {
    dieOnMove = true;
    const died = await npmRunClock('advance', '6d');
    expect(died.code).toBe(1);
    expect(died.text).toContain('cannot reach npm start');
    const goal = '2026-12-12T10:00:00.000Z';
    expect(died.text).toContain(`finish it with: npm run clock -- advance --to ${goal}`);

    dieOnMove = false;
    const finished = await npmRunClock('advance', '--to', goal);
    expect(finished.code).toBe(0);
    // 6 days less the 9m52s made before it died: to the time asked for, not past it.
    expect(moves.at(-1)).toBe(`PT${(6 * DAY - (9 * 60_000 + 52_000)) / 1000}S`);
    expect(new Date(now).toISOString()).toBe(goal);

    const again = await npmRunClock('advance', '--to', goal);
    expect(again.text).toContain('nothing to move');
    expect(moves).toHaveLength(2);
  });

  it('refuses a --to that is not a time', async () => {
    for (const argv of [
      ['advance', '--to'],
      ['advance', '--to', 'tomorrow'],
      ['advance', '6d', 'x'],
    ]) {
      expect((await npmRunClock(...argv)).code, argv.join(' ')).toBe(2);
    }
    expect(moves).toEqual([]);
  });

  /**
   * npm start runs with the user's own AGENT_TOKENS; the command, without them, signed in with the
   * development secret's and said `401: refused`. It names AGENT_TOKENS and the entry it used.
   */
  it('names AGENT_TOKENS and the admin it signed in as when npm start refuses it', async () => {
    const unset = await runClock(['advance', '2h'], undefined);
    expect(unset.code).toBe(1);
    expect(unset.text).toContain(
      '401: refused. npm run clock signed in as dev-agent, the first admin entry of the AGENT_TOKENS of the development secrets',
    );
    expect(unset.text).toContain('Pass the AGENT_TOKENS this npm start runs with');

    const other = await runClock([], `agent-ana:${agentToken('not-the-token')}:admin`);
    expect(other.text).toContain(
      'signed in as agent-ana, the first admin entry of the AGENT_TOKENS of the environment',
    );
    expect(other.text).not.toContain('not-the-token');
    expect(moves).toEqual([]);
  });
});
