import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { sizeText, UPLOAD_CHANNELS } from '#shared/domain/uploads.js';
import type { Api } from './api.js';

/** A reply's attachment as the API takes it: the link `POST /api/uploads` answered for the file. */
export interface SentFile {
  url: string;
  kind: string;
  filename: string;
  mimeType: string;
}

/** Each file picked, once uploaded: a send tried again (its answer lost) sends the same links, under the same key. */
const uploaded = new WeakMap<File, SentFile>();

/**
 * Uploads one file for a reply to the customer on `channel`: room made for it (`POST /api/uploads`, which
 * refuses a type or size the channel cannot take, in words), then its bytes PUT where it said (S3 on AWS).
 */
async function upload(api: Api, customerId: string, channel: string, file: File): Promise<SentFile> {
  const done = uploaded.get(file);
  if (done) return done;
  const forChannel = (UPLOAD_CHANNELS as readonly string[]).includes(channel) ? channel : 'sms';
  const request = { customerId, channel: forChannel, name: file.name, type: file.type, size: file.size };
  const made = await api.send<{
    upload: { url: string; headers: Record<string, string> };
    attachment: SentFile;
  }>('POST', '/api/uploads', request);
  const put = await fetch(made.upload.url, { method: 'PUT', headers: made.upload.headers, body: file });
  if (!put.ok) throw new Error(`${file.name} could not be uploaded (${put.status}): try again`);
  uploaded.set(file, made.attachment);
  return made.attachment;
}

/** The files of a reply uploaded in turn, as its `attachments`. */
export async function uploadAll(api: Api, customerId: string, channel: string, files: readonly File[]) {
  const sent: SentFile[] = [];
  for (const file of files) sent.push(await upload(api, customerId, channel, file));
  return sent;
}

/** How many files one reply may carry. */
export const MAX_REPLY_FILES = 10;

/** What the reply box says of the files a pick left out (more than a reply carries). */
export const leftOutText = (n: number) =>
  `${n} ${n === 1 ? 'file' : 'files'} not added: up to ${MAX_REPLY_FILES} per reply`;

/**
 * The files an agent picked for the reply: added by the button, a drop or a paste, each removable; up
 * to ten, and how many of a pick were left out (`leftOut`, said in the box) when it brought more.
 */
export function useReplyFiles() {
  const [files, setFiles] = useState<File[]>([]);
  const [leftOut, setLeftOut] = useState(0);
  const add = (more: Iterable<File> | null | undefined) => {
    const picked = [...(more ?? [])];
    if (!picked.length) return;
    setFiles((now) => {
      const all = [...now, ...picked];
      setLeftOut(Math.max(0, all.length - MAX_REPLY_FILES));
      return all.slice(0, MAX_REPLY_FILES);
    });
  };
  return {
    files,
    leftOut,
    add,
    remove: (index: number) => setFiles((now) => now.filter((_, i) => i !== index)),
    clear: () => {
      setFiles([]);
      setLeftOut(0);
    },
    /** The drop and paste handlers of the reply box: files dropped or pasted are added, text pasted stays text. */
    handlers: {
      onDragOver: (e: DragEvent) => {
        if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
      },
      onDrop: (e: DragEvent) => {
        if (!e.dataTransfer?.files.length) return;
        e.preventDefault();
        add(e.dataTransfer.files);
      },
      onPaste: (e: ClipboardEvent) => {
        if (!e.clipboardData?.files.length) return;
        e.preventDefault();
        add(e.clipboardData.files);
      },
    },
  };
}

/**
 * The Attach button and the files to send, each with its name, size and a Remove button, and what a
 * pick left out, in a live region. A Remove puts the focus on the next file's Remove, else the one
 * before, else Attach file (the button pressed is gone: the focus fell to the page).
 */
export function ReplyFiles(props: {
  files: readonly File[];
  leftOut: number;
  onAdd(files: FileList | null): void;
  onRemove(index: number): void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const removed = useRef<number>();
  useLayoutEffect(() => {
    const at = removed.current;
    removed.current = undefined;
    if (at === undefined || !box.current) return;
    const buttons = box.current.querySelectorAll<HTMLElement>('li button');
    (buttons[at] ?? buttons[at - 1] ?? box.current.querySelector<HTMLElement>('input[type="file"]'))?.focus();
  }, [props.files]);
  return (
    <div class="reply-files" ref={box}>
      <label class="attach-button">
        Attach file
        <input
          type="file"
          multiple
          class="visually-hidden"
          onChange={(e) => {
            props.onAdd(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
      </label>
      {props.files.length ? (
        <ul aria-label="Files to send">
          {props.files.map((file, index) => (
            <li key={`${file.name}-${index}`}>
              <span class="file-name" dir="auto">
                {file.name}
              </span>{' '}
              <span class="muted">{sizeText(file.size)}</span>{' '}
              <button
                type="button"
                aria-label={`Remove ${file.name}`}
                onClick={() => {
                  removed.current = index;
                  props.onRemove(index);
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <p class="files-left-out" role="status">
        {props.leftOut ? leftOutText(props.leftOut) : ''}
      </p>
    </div>
  );
}

/**
 * The reply box's files (`on`: a reply that may carry them, not a note or a template): the picked
 * files, the box's drop and paste handlers, the list to show, and the upload a send runs first.
 */
export function useAttachments(
  owner: { api: Api; conversation: { customerId: string } },
  form: RefObject<HTMLFormElement>,
  channel: string | undefined,
  on: boolean,
) {
  const picked = useReplyFiles();
  const files = on ? picked.files : [];
  const { onDragOver, onDrop, onPaste } = picked.handlers;
  // On the whole box (drop), and its text (paste), while a reply may carry files.
  useEffect(() => {
    const box = form.current;
    if (!on || !box) return;
    box.addEventListener('dragover', onDragOver);
    box.addEventListener('drop', onDrop);
    box.addEventListener('paste', onPaste);
    return () => {
      box.removeEventListener('dragover', onDragOver);
      box.removeEventListener('drop', onDrop);
      box.removeEventListener('paste', onPaste);
    };
  }, [on, form.current]);
  return {
    any: files.length > 0,
    /** The upload to run as part of sending `body` (its text left out when none was typed); none without files. */
    uploadFor(body: Record<string, unknown>, text: string) {
      if (!files.length) return undefined;
      if (!text.trim()) delete body.text;
      return async () => {
        body.attachments = await uploadAll(owner.api, owner.conversation.customerId, channel ?? '', files);
      };
    },
    sent: () => picked.clear(),
    view: on ? (
      <ReplyFiles files={picked.files} leftOut={picked.leftOut} onAdd={picked.add} onRemove={picked.remove} />
    ) : null,
  };
}
