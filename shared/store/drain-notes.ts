import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { type DynamoDb, queryItems } from './dynamo-client.js';

type Item = Record<string, unknown>;

/**
 * An erasure's way through the notes kept under a customer (of live-log packs, deliveries, thread
 * links, live connections): reads a page, handles each note, then deletes it by `remove` (the
 * erasure's delete, counted and paused when its share is spent). A deleted note is not read again,
 * so every page is the first one, and a resumed call starts from the first note left.
 */
export async function drainNotes(
  db: DynamoDb,
  page: QueryCommandInput,
  handle: (note: Item) => Promise<void>,
  remove: (key: { pk: string; sk: string }) => Promise<unknown>,
): Promise<void> {
  for (;;) {
    const out = await queryItems(db, page);
    const notes = out.Items ?? [];
    for (const note of notes) {
      await handle(note);
      await remove({ pk: String(note.pk), sk: String(note.sk) });
    }
    if (notes.length === 0 || !out.LastEvaluatedKey) return;
  }
}
