import { parseShownJson } from '#shared/domain/bidi.js';
import type { Api } from './api.js';
import { ApiError } from './api.js';

/** A frame from `/api/live`: durable events carry `id` and `seq`; presence, viewing and typing do not. */
export interface LiveEvent {
  id?: string;
  seq?: number;
  type: string;
  customerId?: string;
  conversationId?: string;
  // biome-ignore lint/suspicious/noExplicitAny: each event type carries its own item
  item?: any;
}

/** The socket's state, as the header shows it (`offline`: the browser says the network is gone). */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'unavailable' | 'offline';

/** What the live client reports to the console. */
export interface LiveHandlers {
  onEvent(event: LiveEvent): void;
  onStatus(status: LiveStatus): void;
  /** The missed events are gone (`410 events_expired`): reload what is on screen. */
  onReload(): void;
  /** An admin removed the agent (the socket closed `1008` `agent_removed`): the client has stopped for good. */
  onRemoved(): void;
}

const MAX_SEEN = 5_000;

/**
 * How often an open socket pings: a link that died without a close (a phone changing networks, a
 * half-open socket) is found within a minute and PONG_WAIT, not after API Gateway's 10 idle minutes.
 */
export const PING_EVERY_MS = 60_000;
/** How long a ping waits for any frame before its socket counts as dead (dropped and opened again). */
export const PONG_WAIT_MS = 10_000;

/**
 * The console's live connection: reconnects with backoff, and after a reconnect asks
 * `GET /api/events?since=` for what it missed before taking new frames, deduplicating by event id.
 * A close that says the agent was removed (`1008` `agent_removed`) stops it; any other close asks
 * `GET /api/me` first, so a refusal the socket cannot tell (on AWS a refused connect just fails)
 * reaches the console through the API's answer (a 403 `agent_removed`, a 401) instead of a reconnect.
 */
export class LiveClient {
  #socket: WebSocket | undefined;
  #seq = -1;
  #seen = new Set<string>();
  #attempt = 0;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #backlog: LiveEvent[] | undefined;
  /** The conversation this tab views: said again on every new socket (the server forgets a closed one's). */
  #viewing: string | undefined;
  /** The socket whose `hello` was taken: locally a second one answers the one asked for, and starts nothing. */
  #greeted: WebSocket | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  /** Set while a ping waits for its answer: any frame clears it; firing, it drops the socket. */
  #silence: ReturnType<typeof setTimeout> | undefined;
  /** The browser said it is offline: no socket is tried until it says online. */
  #offline = false;

  constructor(
    private readonly url: string,
    private readonly api: Api,
    private readonly handlers: LiveHandlers,
  ) {}

  /** Opens the socket. */
  connect(): void {
    this.#closed = false;
    clearTimeout(this.#timer);
    if (this.#offline) {
      this.handlers.onStatus('offline');
      return;
    }
    this.handlers.onStatus(this.#attempt ? 'reconnecting' : 'connecting');
    const sep = this.url.includes('?') ? '&' : '?';
    const socket = new WebSocket(`${this.url}${sep}token=${encodeURIComponent(this.api.token)}`);
    this.#socket = socket;
    socket.onopen = () => {
      // On AWS the handshake cannot be written to: the `hello` comes only when asked (locally unasked too).
      socket.send(JSON.stringify({ type: 'hello' }));
      if (this.#viewing) socket.send(JSON.stringify({ type: 'viewing', conversationId: this.#viewing }));
      clearInterval(this.#ping);
      this.#ping = setInterval(() => this.#probe(), PING_EVERY_MS);
    };
    socket.onmessage = (message) => {
      if (this.#socket === socket) this.#heard();
      this.#receive(String(message.data), socket);
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      if (event.code === 1008 && event.reason === 'agent_removed') {
        this.#stop(socket);
        this.close();
        return this.handlers.onRemoved();
      }
      this.#lost(socket);
    };
  }

  /** A frame came: the ping waiting, if one is, is answered. */
  #heard(): void {
    clearTimeout(this.#silence);
    this.#silence = undefined;
  }

  /** Stops what runs for `socket` (its pings, a ping's wait) and forgets it. */
  #stop(socket: WebSocket): void {
    if (this.#socket !== socket) return;
    clearInterval(this.#ping);
    this.#heard();
    this.#socket = undefined;
  }

  /**
   * The socket is gone (closed, or dead: a ping unanswered, the network down): said at once, then a new
   * one after the look and the backoff. A dead socket's own close may come much later, or never: it is
   * forgotten here, so that close changes nothing.
   */
  #lost(socket: WebSocket): void {
    this.#stop(socket);
    if (this.#closed) return;
    this.#attempt++;
    if (this.#offline) {
      this.handlers.onStatus('offline');
      return;
    }
    this.handlers.onStatus(this.#attempt > 8 ? 'unavailable' : 'reconnecting');
    void this.#reconnectAfterLook();
  }

  /** Pings the open socket and waits PONG_WAIT_MS for any frame: none, and it counts as dead. */
  #probe(): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || this.#silence !== undefined) return;
    socket.send(JSON.stringify({ type: 'ping' }));
    this.#silence = setTimeout(() => {
      this.#silence = undefined;
      if (this.#socket !== socket) return;
      this.#lost(socket);
      socket.close();
    }, PONG_WAIT_MS);
  }

  /**
   * The browser says the network is back, or the tab is shown again (a phone waking): an open socket is
   * pinged now (one that died meanwhile is found within PONG_WAIT_MS), a missing one opened now.
   */
  wake(): void {
    this.#offline = false;
    if (this.#closed) return;
    if (this.#socket) {
      this.#probe();
      return;
    }
    clearTimeout(this.#timer);
    this.connect();
  }

  /** The browser says it is offline: said at once, and the socket let go (what it missed is caught up after). */
  offline(): void {
    if (this.#closed) return;
    this.#offline = true;
    clearTimeout(this.#timer);
    const socket = this.#socket;
    if (!socket) {
      this.handlers.onStatus('offline');
      return;
    }
    this.#lost(socket);
    socket.close();
  }

  /** Asks who the token signs in (a refusal stops the console through the API), then reconnects with backoff. */
  async #reconnectAfterLook(): Promise<void> {
    await this.api.get('/api/me').catch(() => undefined);
    if (this.#closed) return;
    const delay = Math.min(10_000, 250 * 2 ** Math.min(this.#attempt, 6)) * (0.5 + Math.random() / 2);
    this.#timer = setTimeout(() => this.connect(), delay);
  }

  /** Sends a client frame (viewing, left, typing, ping) when connected; viewing is kept for the next socket. */
  send(frame: { type: string; conversationId?: string; note?: boolean }): void {
    if (frame.type === 'viewing') this.#viewing = frame.conversationId;
    else if (frame.type === 'left' && frame.conversationId === this.#viewing) this.#viewing = undefined;
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(frame));
  }

  /** Drops the socket as a network failure would (tests, and the agent's "reconnect"). */
  drop(): void {
    this.#socket?.close();
  }

  /** Closes for good (sign-out). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#ping);
    this.#heard();
    this.#socket?.close();
  }

  #receive(data: string, socket: WebSocket): void {
    let event: LiveEvent;
    try {
      event = parseShownJson(data) as LiveEvent;
    } catch {
      return;
    }
    if (event.type === 'pong') return;
    if (event.type === 'hello') {
      if (this.#greeted === socket) return;
      this.#greeted = socket;
      return void this.#hello(event);
    }
    if (this.#backlog) return void this.#backlog.push(event);
    this.#deliver(event);
  }

  async #hello(hello: LiveEvent): Promise<void> {
    const resumed = this.#seq >= 0;
    this.#attempt = 0;
    if (!resumed) this.#seq = hello.seq ?? 0;
    this.handlers.onEvent(hello);
    if (!resumed) return this.handlers.onStatus('live');
    this.#backlog = [];
    try {
      await this.#catchUp();
    } catch (error) {
      if (error instanceof ApiError && error.status === 410) {
        this.#seq = hello.seq ?? 0;
        this.handlers.onReload();
      } else {
        this.#backlog = undefined;
        return this.drop();
      }
    }
    const backlog = this.#backlog ?? [];
    this.#backlog = undefined;
    for (const event of backlog) this.#deliver(event);
    this.handlers.onStatus('live');
  }

  async #catchUp(): Promise<void> {
    for (let more = true; more; ) {
      const page: { events: LiveEvent[]; seq: number; more: boolean } = await this.api.get(
        `/api/events?since=${this.#seq}`,
      );
      for (const event of page.events) this.#deliver(event);
      this.#seq = Math.max(this.#seq, page.seq);
      more = page.more && page.events.length > 0;
    }
  }

  #deliver(event: LiveEvent): void {
    if (event.id) {
      if (this.#seen.has(event.id)) return;
      this.#seen.add(event.id);
      if (this.#seen.size > MAX_SEEN) {
        const first = this.#seen.values().next().value;
        if (first !== undefined) this.#seen.delete(first);
      }
    }
    if (typeof event.seq === 'number') this.#seq = Math.max(this.#seq, event.seq);
    this.handlers.onEvent(event);
  }
}
