import { CONSOLE_LEASE_MS, type ConsoleLeases } from '#shared/domain/live/console-presence.js';
import {
  type ClientFrame,
  ClientFrameSchema,
  type LiveErrorCode,
  MAX_CLIENT_FRAME_BYTES,
  type ServerFrame,
} from '#shared/domain/live/events.js';
import { helloOf } from '#shared/domain/live/hello.js';
import type { LiveConnections, RegisteredPresences } from '#shared/domain/live/live-ports.js';
import type { Clock } from '#shared/domain/ports.js';
import { type BroadcastDeps, broadcastLive } from './broadcast-live.js';
import { presencesOf } from './connect-live.js';
import { tellLeft, viewingFrame } from './tell-left.js';

/**
 * What the server does with a client frame: an answer to the sender, and whether to close: 1009 (a
 * frame too large), 1008 (a ping of an agent an admin removed: `agent_removed`).
 */
export interface FrameOutcome {
  reply?: ServerFrame;
  close?: 1009 | 1008;
}

const refuse = (code: LiveErrorCode, message: string): FrameOutcome => ({
  reply: { type: 'error', code, message },
});

/** The frame in `text`, or the error answering it: not JSON, or not a frame the contract knows. */
function parseFrame(text: string): ClientFrame | FrameOutcome {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refuse('bad_json', 'a frame is one JSON object');
  }
  const frame = ClientFrameSchema.safeParse(json);
  if (!frame.success)
    return refuse('bad_frame', 'expected viewing, left, typing (with a conversationId), ping or hello');
  return frame.data;
}

/**
 * One frame from an agent's socket: `viewing` and `left` move what the socket views and tell the others
 * (leaving the previous conversation first; left only when no other socket of the agent views it), `typing` is passed on (to web-chat visitors too, unless it is a note), `ping` renews the agent's console lease and is answered `pong`, `hello` a `hello`. A frame that
 * is not JSON or not in the contract answers an error and changes nothing; one over the size cap closes
 * the socket with 1009, a ping of an agent an admin removed with 1008.
 */
export async function handleLiveFrame(
  deps: BroadcastDeps & {
    connections: Pick<LiveConnections, 'get' | 'setViewing' | 'list' | 'remove'>;
    clock: Clock;
    /** Passes an agent's typing on to the conversation's web-chat visitors, where they are reachable. */
    visitorTyping?: ((conversationId: string) => Promise<unknown>) | undefined;
    /** The agents' console leases, which a ping renews. */
    leases?: Pick<ConsoleLeases, 'seen'> | undefined;
    /** The agents' registered presence, for a `hello` (without it: `online`). */
    presences?: RegisteredPresences | undefined;
  },
  connectionId: string,
  text: string,
): Promise<FrameOutcome> {
  if (Buffer.byteLength(text) > MAX_CLIENT_FRAME_BYTES) return { close: 1009 };
  const frame = parseFrame(text);
  if (!('type' in frame)) return frame;
  const me = await deps.connections.get(connectionId);
  if (frame.type === 'ping') {
    // The console pings every minute: its agent stays at the console for another lease.
    const now = deps.clock.now().getTime();
    // Refused once an admin removed the agent: a socket the removal's close missed is closed now.
    const seen = me && (await deps.leases?.seen(me.agentId, connectionId, now + CONSOLE_LEASE_MS));
    if (seen === false) return { close: 1008 };
    return { reply: { type: 'pong' } };
  }
  if (!me) return {};
  const { agentId } = me;
  if (frame.type === 'hello') {
    const others = (await deps.connections.list()).filter((c) => c.connectionId !== connectionId);
    const presences = await presencesOf(deps.presences, agentId, [me, ...others]);
    return { reply: helloOf(agentId, deps.clock.now().getTime(), [me, ...others], presences) };
  }
  const out: ServerFrame[] = [];
  // Read once for both the check below and the broadcast: one read of the sockets per frame, as before.
  const open = frame.type === 'typing' ? undefined : await deps.connections.list();
  let left: ReturnType<typeof tellLeft> | undefined;
  /** `viewing: false` for the conversation this socket leaves, unless another socket of the agent views it. */
  const leave = (conversationId: string) => {
    left = tellLeft(open ?? [], { agentId, conversationId, connectionId });
    out.push(...left.frames);
  };
  if (frame.type === 'typing') {
    const note = frame.note === true ? { note: true as const } : {};
    out.push({ type: 'typing', conversationId: frame.conversationId, item: { agentId, ...note } });
  } else if (frame.type === 'viewing' && me.viewing !== frame.conversationId) {
    if (me.viewing) leave(me.viewing);
    await deps.connections.setViewing(connectionId, frame.conversationId);
    out.push(viewingFrame(agentId, frame.conversationId, true));
  } else if (frame.type === 'left' && me.viewing === frame.conversationId) {
    await deps.connections.setViewing(connectionId, undefined);
    leave(frame.conversationId);
  }
  await broadcastLive(deps, out, { except: connectionId, ...(open ? { to: open } : {}) });
  await left?.after(deps);
  // After the agents': a visitor's socket that is slow or failing never holds the console back.
  // A note is for agents only: typing one never shows the visitor "agent is typing".
  if (frame.type === 'typing' && frame.note !== true) await deps.visitorTyping?.(frame.conversationId);
  return {};
}
