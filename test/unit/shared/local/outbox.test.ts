import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '#shared/domain/outbound.js';
import { LocalOutbox, OUTBOX_KEPT_ON_START } from '#shared/local/outbox.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function outboxFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
  dirs.push(dir);
  return join(dir, 'outbox.jsonl');
}

const message = (id: string) =>
  ({
    id,
    channel: 'sms',
    to: '+16505550100',
    conversationId: 'cv_1',
    text: `reply ${id}`,
  }) as unknown as OutboundMessage;

describe('LocalOutbox', () => {
  it('reads back what outbox.jsonl holds on start, so GET /api/outbox survives a restart', async () => {
    const file = outboxFile();
    const first = new LocalOutbox({ file });
    await first.sender().send(message('r1'));
    await first.sender().send(message('r2'));
    const again = new LocalOutbox({ file });
    expect(again.entries().map((e) => e.message.id)).toEqual(['r1', 'r2']);
    expect(again.entries()).toEqual(first.entries());
  });

  it('keeps the newest entries only, and skips a torn or foreign line', () => {
    const file = outboxFile();
    writeFileSync(file, '');
    const total = OUTBOX_KEPT_ON_START + 5;
    for (let i = 0; i < total; i++) {
      const entry = {
        providerMessageId: `SM${i}`,
        sentAt: '2026-12-05T00:00:00.000Z',
        message: message(`r${i}`),
      };
      appendFileSync(file, `${JSON.stringify(entry)}\n`);
    }
    appendFileSync(file, '["not an entry"]\n{"providerMessageId":"SMtorn","sentAt":');
    const entries = new LocalOutbox({ file }).entries();
    expect(entries).toHaveLength(OUTBOX_KEPT_ON_START);
    expect(entries.at(-1)?.message.id).toBe(`r${total - 1}`);
    expect(entries[0]?.message.id).toBe('r5');
  });

  it('starts empty without a file', () => {
    expect(new LocalOutbox({ file: outboxFile() }).entries()).toEqual([]);
  });
});
