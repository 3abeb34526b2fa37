import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Api, TimelineItem } from './api.js';

/**
 * The signed-in agent's API client, for the files of the timeline: the console fetches each with the
 * agent's bearer token (a link cannot send one) and shows it from a `blob:` URL of its own.
 */
export const MediaApi = createContext<Api | undefined>(undefined);

type Attachment = NonNullable<TimelineItem['attachments']>[number];

/**
 * Whether the agent API serves this attachment from its provider: a WhatsApp Cloud API media id
 * (which answers only with the business's token), a Twilio file (MMS, WhatsApp through Twilio), or an
 * email's file (read from the mail as received). Messenger's and Instagram's files keep their CDN link,
 * which opens for whoever holds it.
 */
export function servedByApi(item: TimelineItem, file: Attachment): boolean {
  if (item.channel === 'email') return true;
  if (item.channel === 'whatsapp') return Boolean(file.mediaId || file.url);
  return item.channel === 'sms' && Boolean(file.url);
}

/** The agent API's address of an item's file: an attachment by its index, or a call's recording. */
export function mediaPath(item: TimelineItem, file: number | 'recording'): string {
  const base = `/api/customers/${encodeURIComponent(item.customerId)}/timeline/${encodeURIComponent(item.id)}`;
  const which = file === 'recording' ? 'recording' : `attachments/${file}`;
  return `${base}/${which}?at=${encodeURIComponent(item.at)}`;
}

type Loaded =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'ready'; url: string; type: string };

/** A file fetched on demand into a `blob:` URL, revoked when the view goes or fetches another. */
function useFile(api: Api | undefined) {
  const [file, setFile] = useState<Loaded>({ state: 'idle' });
  useEffect(
    () => () => {
      if (file.state === 'ready') URL.revokeObjectURL(file.url);
    },
    [file],
  );
  const load = async (path: string) => {
    if (!api) return;
    setFile({ state: 'loading' });
    try {
      const blob = await api.blob(path);
      setFile({ state: 'ready', url: URL.createObjectURL(blob), type: blob.type });
    } catch (error) {
      setFile({ state: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  };
  return { file, load };
}

/** What the button that opens a file says: by its kind, and its name when it is downloaded. */
function openLabel(file: Attachment): string {
  if (file.kind === 'image' || file.kind === 'sticker') return 'Show the image';
  if (file.kind === 'audio') return 'Play the audio';
  if (file.kind === 'video') return 'Play the video';
  return `Download ${file.filename ?? `the ${file.kind}`}`;
}

/** The file once fetched: shown (an image), played (audio, video), or handed over as a download. */
function Shown(props: { loaded: Loaded; name: string }) {
  const { loaded } = props;
  if (loaded.state === 'loading') return <p class="muted">Fetching the file…</p>;
  if (loaded.state === 'failed') return <p class="error">The file could not be opened: {loaded.message}</p>;
  if (loaded.state !== 'ready') return null;
  if (loaded.type.startsWith('image/')) return <img class="media" src={loaded.url} alt={props.name} />;
  if (loaded.type.startsWith('audio/'))
    // biome-ignore lint/a11y/useMediaCaption: a customer's file comes with no captions; a voicemail's transcription is shown above it
    return <audio class="media" controls src={loaded.url} aria-label={props.name} />;
  if (loaded.type.startsWith('video/'))
    // biome-ignore lint/a11y/useMediaCaption: a customer's file comes with no captions
    return <video class="media" controls src={loaded.url} aria-label={props.name} />;
  return (
    <a href={loaded.url} download={props.name}>
      Save {props.name}
    </a>
  );
}

function MediaFile(props: { item: TimelineItem; index: number; file: Attachment; api: Api }) {
  const { file, load } = useFile(props.api);
  const name = props.file.filename ?? `${props.file.kind} ${props.index + 1}`;
  return (
    <div class="media-file">
      {file.state === 'ready' ? null : (
        <button
          type="button"
          disabled={file.state === 'loading'}
          onClick={() => load(mediaPath(props.item, props.index))}
        >
          {openLabel(props.file)}
        </button>
      )}
      <Shown loaded={file} name={name} />
    </div>
  );
}

/**
 * A button for each of a message's files that the agent API serves from its provider: a click fetches
 * it with the agent's token and shows it in the view (no request to the provider from the browser).
 */
export function MediaFiles(props: { item: TimelineItem }) {
  const api = useContext(MediaApi);
  const { item } = props;
  if (!api || item.direction !== 'inbound') return null;
  const files = (item.attachments ?? [])
    .map((file, index) => ({ file, index }))
    .filter(({ file }) => servedByApi(item, file));
  if (!files.length) return null;
  return (
    <div class="media-files">
      {files.map(({ file, index }) => (
        <MediaFile key={index} item={item} index={index} file={file} api={api} />
      ))}
    </div>
  );
}

/**
 * A voicemail's link to Twilio, played in the view instead: a click fetches the recording through the
 * agent API (Twilio's link asks for the account's credentials when media authentication is on); the
 * link itself stays, for an agent who opens it elsewhere (only an https address is a link).
 */
export function RecordingLink(props: { item: TimelineItem; href: string | undefined; label: string }) {
  const api = useContext(MediaApi);
  const { file, load } = useFile(api);
  const play = (event: MouseEvent) => {
    if (!api || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    void load(mediaPath(props.item, 'recording'));
  };
  return (
    <p class="recording">
      {file.state === 'ready' ? null : props.href ? (
        <a href={props.href} target="_blank" rel="noopener noreferrer" onClick={play}>
          {props.label}
        </a>
      ) : api ? (
        // An address that is not https (a local fake provider) is no link: played in the view only.
        <button type="button" onClick={() => load(mediaPath(props.item, 'recording'))}>
          {props.label}
        </button>
      ) : null}
      <Shown loaded={file} name={props.label.replace(/^Play the /, 'the ')} />
    </p>
  );
}
