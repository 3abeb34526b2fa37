import { type Channel, ChannelSchema } from './envelope.js';
import { FILE_NAME_UNSAFE } from './file-name.js';
import type { TimelineItem } from './timeline.js';

/**
 * The largest file the agent API answers: 4 MiB. A Lambda's answer is at most 6 MB, and a file goes
 * in it base64-encoded (4/3 of its size, 5.6 MB at 4 MiB), with its headers.
 */
export const MEDIA_MAX_BYTES = 4 * 1024 * 1024;

/** How long fetching one file from its provider may take, all hops: the agent API's Lambda runs 15 s. */
export const MEDIA_TIMEOUT_MS = 10_000;

/**
 * Where the provider keeps a timeline item's file, as the item names it: a WhatsApp Cloud API media id,
 * a Twilio address (MMS media, a call's recording), or a Meta CDN address (Messenger, Instagram).
 */
export type MediaSource =
  | { provider: 'whatsapp'; mediaId: string }
  | { provider: 'twilio'; url: string; recording: boolean }
  | { provider: 'meta'; url: string };

/** A file as the provider answered it: its bytes and the type it said. */
export interface MediaFile {
  body: Uint8Array;
  contentType: string;
}

/** Fetches a file from its provider with Threadline's own credentials, at most `maxBytes` of it. */
export interface MediaFetcher {
  fetch(source: MediaSource, maxBytes: number): Promise<MediaFile>;
}

/**
 * An email's files, read from the mail as it was received (its raw MIME) each time one is opened: the
 * file `index` of the item's `attachments`, at most `maxBytes` of it.
 */
export interface MailFiles {
  attachment(
    request: { customerId: string; itemId: string; at?: string | undefined; item: TimelineItem },
    index: number,
    maxBytes: number,
  ): Promise<MediaFile>;
}

/** Which of an item's files: its attachment at an index, or a call's recording. */
export type MediaChoice = { attachment: number } | 'recording';

/**
 * Where the file chosen of an item is kept, or undefined when the item has none that a provider holds
 * for Threadline: an email's (see MailFiles) or a web chat's file, an index past the list, a call with no recording.
 */
export function mediaSourceOf(item: TimelineItem, choice: MediaChoice): MediaSource | undefined {
  if (choice === 'recording') {
    const url = item.data?.recordingUrl;
    return item.channel === 'voice' && typeof url === 'string' && url
      ? { provider: 'twilio', url, recording: true }
      : undefined;
  }
  const file = item.attachments?.[choice.attachment];
  if (!file) return undefined;
  switch (item.channel) {
    case 'whatsapp':
      // A Cloud API message names its file by id; one through Twilio by its Twilio address.
      if (file.mediaId) return { provider: 'whatsapp', mediaId: file.mediaId };
      return file.url ? { provider: 'twilio', url: file.url, recording: false } : undefined;
    case 'sms':
      return file.url ? { provider: 'twilio', url: file.url, recording: false } : undefined;
    case 'messenger':
    case 'instagram':
      return file.url ? { provider: 'meta', url: file.url } : undefined;
    default:
      return undefined;
  }
}

/** Types a browser shows as media and never runs: served as the provider said. No SVG (it runs scripts). */
const SAFE_MEDIA =
  /^(?:image\/(?:jpeg|png|gif|webp|avif|bmp|heic|heif)|audio\/(?:mpeg|mp3|mp4|aac|ogg|opus|wav|wave|x-wav|vnd\.wave|webm|amr|3gpp|x-m4a)|video\/(?:mp4|3gpp|webm|ogg|quicktime))$/;

/**
 * How a file is answered: the provider's type when it is a media type a browser only shows (parameters
 * such as `codecs` kept), inline; anything else as `application/octet-stream`, to download.
 */
export function servedType(providerType: string): { contentType: string; inline: boolean } {
  const type = providerType.slice(0, 200).trim().toLowerCase();
  const essence = type.split(';')[0]?.trim() ?? '';
  if (SAFE_MEDIA.test(essence) && /^[\w./+\-;= "]*$/.test(type)) return { contentType: type, inline: true };
  return { contentType: 'application/octet-stream', inline: false };
}

/** A `Content-Disposition` value naming the file, its name reduced to what a header safely holds. */
export function dispositionOf(inline: boolean, filename: string | undefined): string {
  const kind = inline ? 'inline' : 'attachment';
  const name = (filename ?? '')
    .slice(0, 200)
    .replace(FILE_NAME_UNSAFE, (run) => '_'.repeat(run.length))
    .trim();
  if (!name) return kind;
  const ascii = name.replace(/[^\u0020-\u007e]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * The provider reference a timeline item's id names (see `onceReference`): a message's id is
 * `<channel>:<provider message id>`, a call's event keeps its own id (`twilio:call:<CallSid>:<event>`)
 * under the voice channel. Undefined for ids of items no provider sent (notes, our own events).
 */
export function referenceOfItemId(itemId: string): { channel: Channel; id: string } | undefined {
  if (itemId.startsWith('twilio:call:')) return { channel: 'voice', id: itemId };
  const colon = itemId.indexOf(':');
  const channel = ChannelSchema.safeParse(itemId.slice(0, colon));
  const id = itemId.slice(colon + 1);
  return colon > 0 && channel.success && id ? { channel: channel.data, id } : undefined;
}
