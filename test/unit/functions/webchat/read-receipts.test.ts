import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredSession } from '../../../../functions/webchat/widget/api.js';
import { sendRead } from '../../../../functions/webchat/widget/read-receipts.js';

const ORIGIN = 'https://threadline.example.com';
const SESSION = { sessionToken: 'token-1' } as StoredSession;

/** A socket that records the frames it is given, open or not. */
function socket(open: boolean) {
  const frames: unknown[] = [];
  return { frames, send: (frame: unknown) => (open ? frames.push(frame) > 0 : false) };
}

describe("the widget's read receipts", () => {
  afterEach(() => vi.unstubAllGlobals());

  it('tells each reply once on a connection, however often the panel asks', () => {
    const live = socket(true);
    const sent = new Set<string>();
    const one = { id: 'reply:1', status: 'delivered' };
    sendRead(ORIGIN, live, SESSION, [one], sent);
    sendRead(ORIGIN, live, SESSION, [one], sent);
    sendRead(ORIGIN, live, SESSION, [one, { id: 'reply:2', status: 'delivered' }], sent);
    expect(live.frames).toEqual([
      { type: 'read', messageIds: ['reply:1'] },
      { type: 'read', messageIds: ['reply:2'] },
    ]);
  });

  it('tells a reply again when its status moved (a read of a reply not yet sent is ignored)', () => {
    const live = socket(true);
    const sent = new Set<string>();
    sendRead(ORIGIN, live, SESSION, [{ id: 'reply:1', status: 'queued' }], sent);
    sendRead(ORIGIN, live, SESSION, [{ id: 'reply:1', status: 'queued' }], sent);
    sendRead(ORIGIN, live, SESSION, [{ id: 'reply:1', status: 'sent' }], sent);
    expect(live.frames).toHaveLength(2);
  });

  it('posts them when the socket is not open, and again after a post that failed', async () => {
    const posted: string[] = [];
    let fail = true;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        posted.push(String(init.body));
        if (fail) throw new TypeError('Failed to fetch');
        return Response.json({ read: 1 });
      }),
    );
    const sent = new Set<string>();
    sendRead(ORIGIN, socket(false), SESSION, [{ id: 'reply:1' }], sent);
    expect(sent.size).toBe(1);
    await vi.waitFor(() => expect(sent.size).toBe(0));
    fail = false;
    sendRead(ORIGIN, socket(false), SESSION, [{ id: 'reply:1' }], sent);
    await vi.waitFor(() => expect(posted).toHaveLength(2));
    sendRead(ORIGIN, socket(false), SESSION, [{ id: 'reply:1' }], sent);
    expect(posted).toEqual([
      JSON.stringify({ messageIds: ['reply:1'] }),
      JSON.stringify({ messageIds: ['reply:1'] }),
    ]);
  });

  it('sends nothing without a socket or a session', () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    sendRead(ORIGIN, undefined, undefined, [{ id: 'reply:1' }], new Set());
    expect(fetch).not.toHaveBeenCalled();
  });
});
