// The panel's calls to Threadline: sessions, history, sends and read receipts, and the live socket.

/** One message as the routes and the socket give it. */
export interface ChatMessage {
  id: string;
  at: string;
  conversationId?: string;
  author: 'visitor' | 'agent' | 'ai';
  text: string;
  status?: string;
  pending?: boolean;
}

/** A session as the panel keeps it in localStorage. */
export interface StoredSession {
  sessionToken: string;
  expiresAt: string;
  verified: boolean;
  liveUrl?: string;
  availability?: { open: boolean; nextOpenAt?: string; timezone?: string };
}

/** A live frame from `/webchat/live`. */
export type LiveFrame =
  | { type: 'message'; message: ChatMessage }
  | { type: 'typing'; by: 'agent' | 'ai'; on: boolean }
  | { type: 'ready' | 'pong' };

/** The session's localStorage key: one per signed-in user (the token's `sub`), one for anonymous visitors. */
export function storageKey(identityToken: string | undefined): string {
  let who = 'anonymous';
  try {
    const payload = identityToken?.split('.')[1];
    if (payload) who = `user:${JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))).sub}`;
  } catch {}
  return `threadline-chat:${who}`;
}

/** Calls one route; throws with the status so a 401 can start a new session. */
export async function call<T>(
  origin: string,
  path: string,
  init: RequestInit & { token?: string },
): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(origin + path, { ...init, headers, credentials: 'omit' });
  if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
  return (await response.json()) as T;
}

/** The visitor's history, every page (oldest first). */
export async function history(origin: string, token: string): Promise<ChatMessage[]> {
  const all: ChatMessage[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const query: string = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    const out: { messages: ChatMessage[]; cursor: string | null } = await call(
      origin,
      `/webchat/messages${query}`,
      {
        token,
      },
    );
    all.push(...out.messages);
    cursor = out.cursor;
    if (!cursor) break;
  }
  return all;
}

/** Opens the live socket, reopening it after a drop (with a growing wait) until `closed()` says stop. */
export function live(
  url: string,
  onFrame: (frame: LiveFrame) => void,
  onOpen: () => void,
  closed: () => boolean,
) {
  let wait = 500;
  let socket: WebSocket | undefined;
  const open = () => {
    if (closed()) return;
    socket = new WebSocket(url);
    socket.onopen = () => {
      wait = 500;
      onOpen();
    };
    socket.onmessage = (event) => {
      try {
        onFrame(JSON.parse(String(event.data)) as LiveFrame);
      } catch {}
    };
    socket.onclose = () => {
      setTimeout(open, wait);
      wait = Math.min(wait * 2, 15_000);
    };
  };
  open();
  return {
    send: (frame: unknown) => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
    },
  };
}
