import { createServer } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalUpgrades } from '#shared/local/upgrades.js';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function upgrade(upgrades: LocalUpgrades, path: string): Promise<string> {
  const server = createServer();
  servers.push(server);
  upgrades.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
    });
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('LocalUpgrades', () => {
  it('hands an upgrade to the route of its path, query aside', async () => {
    const upgrades = new LocalUpgrades();
    const seen: string[] = [];
    upgrades.add('/api/live', (request, socket) => {
      seen.push(request.url ?? '');
      socket.end('HTTP/1.1 418 Teapot\r\nContent-Length: 0\r\n\r\n');
    });
    expect(await upgrade(upgrades, '/api/live?token=t')).toContain('418');
    expect(seen).toEqual(['/api/live?token=t']);
  });

  it('answers 404 to any other path and refuses a second route for one path', async () => {
    const upgrades = new LocalUpgrades();
    upgrades.add('/api/live', () => {});
    expect(() => upgrades.add('/api/live', () => {})).toThrow(/exists already/);
    expect(await upgrade(upgrades, '/elsewhere')).toContain('404 Not Found');
  });
});
