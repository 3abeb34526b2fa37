import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeJournal, type StoredChange } from '#shared/local/change-journal.js';

const key = { pk: { S: 'CUSTOMER#cu_1' }, sk: { S: 'PROFILE' } };
const secret = { ...key, name: { S: 'Journal Secret' } };

describe('ChangeJournal.compactOnceTaken', () => {
  let dir: string;
  let journal: ChangeJournal;
  const file = () => readFileSync(join(dir, 'journal.jsonl'), 'utf8');
  /** A write deleting the item: announced with its image before, completed with one change. */
  const deleteItem = async (): Promise<StoredChange> => {
    const n = await journal.announce([key], [secret]);
    const change = {
      pos: journal.nextPosition(),
      id: 'r',
      at: new Date().toISOString(),
      key,
      before: secret,
    };
    journal.complete(n, [change]);
    await journal.flush();
    return change;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'threadline-journal-'));
    journal = new ChangeJournal(dir);
    journal.register('live');
    journal.register('webhooks');
  });
  afterEach(async () => {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rewrites the file without the images once every consumer has taken the changes', async () => {
    const change = await deleteItem();
    journal.compactOnceTaken();
    journal.ack('live', change.pos);
    await journal.flush();
    // One consumer still needs it: kept.
    expect(file()).toContain('Journal Secret');
    journal.ack('webhooks', change.pos);
    await journal.flush();
    expect(file()).not.toContain('Journal Secret');
    // The positions survive the rewrite: a restart delivers nothing again.
    await journal.close();
    journal = new ChangeJournal(dir);
    expect(journal.register('live')).toEqual([]);
  });

  it('keeps taken lines until the next rewrite when nobody asked (every 1,000 lines)', async () => {
    const change = await deleteItem();
    journal.ack('live', change.pos);
    journal.ack('webhooks', change.pos);
    await journal.flush();
    expect(file()).toContain('Journal Secret');
  });

  it('rewrites at once when the consumers have already taken everything', async () => {
    const change = await deleteItem();
    journal.ack('live', change.pos);
    journal.ack('webhooks', change.pos);
    journal.compactOnceTaken();
    await journal.flush();
    expect(file()).not.toContain('Journal Secret');
  });
});
