import type { TimelineItem } from './api.js';

type Attachment = NonNullable<TimelineItem['attachments']>[number];
const KINDS: ReadonlySet<string> = new Set(['image', 'audio', 'video', 'document', 'file']);

const shortText = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : undefined;

/** The last part of an address's path, decoded, as a file's name when the agent gave it none. */
export function nameFromUrl(url: string): string | undefined {
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop();
    if (!last) return undefined;
    try {
      return decodeURIComponent(last).slice(0, 255);
    } catch {
      return last.slice(0, 255);
    }
  } catch {
    return undefined;
  }
}

/**
 * The files of a message: the customer's are the item's `attachments`; a reply of ours keeps the ones
 * the agent sent under `data.attachments` (the outbound message's own, a link the provider fetched).
 * Each reply file gets a name: the one given, else the last part of its address.
 */
export function filesOf(item: TimelineItem): Attachment[] {
  if (item.attachments?.length) return item.attachments;
  if (item.direction !== 'outbound') return [];
  const sent = item.data?.attachments;
  if (!Array.isArray(sent)) return [];
  return sent.slice(0, 10).flatMap((raw): Attachment[] => {
    if (!raw || typeof raw !== 'object') return [];
    const file = raw as Record<string, unknown>;
    const url = shortText(file.url, 2048);
    if (!url) return [];
    const kind = typeof file.kind === 'string' && KINDS.has(file.kind) ? file.kind : 'file';
    const filename = shortText(file.filename, 255) ?? nameFromUrl(url);
    const mimeType = shortText(file.mimeType, 255);
    return [
      {
        kind: kind as Attachment['kind'],
        url,
        ...(filename ? { filename } : {}),
        ...(mimeType ? { mimeType } : {}),
      },
    ];
  });
}
