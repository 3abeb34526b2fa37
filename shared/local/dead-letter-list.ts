import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type StoredMessage, StoredMessageSchema } from './queue-message.js';

/** A body's fields that name what it is about without saying anything the customer wrote. */
const NAMING = /^(?:id|kind|type|channel|provider|source)$|Id$/;

/** What a dead-lettered message's line shows: its ids and kinds (short strings), never its text. */
function namesOf(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return '(not JSON)';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return '';
  return Object.entries(parsed)
    .filter(([key, value]) => NAMING.test(key) && typeof value === 'string' && value.length <= 100)
    .map(([key, value]) => `${key}=${value as string}`)
    .join(' ');
}

/** Where a dead letter came from and why, as its attributes say (ids and codes, never text). */
function whyOf({ deadLetterSourceArn, attributes = {} }: StoredMessage): string {
  const from = deadLetterSourceArn?.split(':').at(-1);
  const { failureError, failureCode, sourceMessageId, receiveCount } = attributes;
  const why = Object.entries({ failureError, failureCode, sourceMessageId, receiveCount })
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${value}`);
  return [from ? `  from ${from}` : '', why.length ? `  ${why.join(' ')}` : ''].join('');
}

/**
 * The messages a local dead-letter queue holds, read from its folder and left there: safe while npm
 * start runs (a file it writes or removes meanwhile is read whole or not at all: it writes a temporary
 * file and renames it). Oldest first; a file that is not a message is counted apart.
 */
export function readDeadLetters(dir: string): { messages: StoredMessage[]; unreadable: number } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { messages: [], unreadable: 0 };
    throw error;
  }
  const messages: StoredMessage[] = [];
  let unreadable = 0;
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    let text: string;
    try {
      text = readFileSync(join(dir, name), 'utf8');
    } catch (error) {
      // Redriven or deleted since the folder was read.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    try {
      messages.push(StoredMessageSchema.parse(JSON.parse(text)));
    } catch {
      unreadable += 1;
    }
  }
  messages.sort((a, b) => a.sentTimestamp - b.sentTimestamp);
  return { messages, unreadable };
}

/** The lines `npm run redrive -- <queue> --local --list` writes: a count, then one line a message. */
export function deadLetterLines(queueName: string, dir: string): string[] {
  const { messages, unreadable } = readDeadLetters(dir);
  const lines = [
    `${queueName}: ${messages.length} message(s)${unreadable ? `, ${unreadable} unreadable file(s)` : ''} in ${dir}`,
  ];
  for (const message of messages) {
    const { messageId, body, sentTimestamp } = message;
    const names = namesOf(body);
    const bytes = Buffer.byteLength(body, 'utf8');
    lines.push(
      `${messageId}  sent ${new Date(sentTimestamp).toISOString()}  ${bytes} bytes${names ? `  ${names}` : ''}${whyOf(message)}`,
    );
  }
  return lines;
}
