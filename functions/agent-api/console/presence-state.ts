/**
 * A live frame as presence reads it (a `LiveEvent`'s shape, kept here so this pure module and its tests
 * need neither the socket client nor the DOM).
 */
export interface PresenceEvent {
  type: string;
  conversationId?: string;
  // biome-ignore lint/suspicious/noExplicitAny: each event type carries its own item
  item?: any;
}

/** Someone typing: until when it holds (no frame since), and whether it is a note (else a reply). */
export interface Typing {
  until: number;
  note: boolean;
}

/** How long a typing frame holds: the composer sends one every 3 s while the agent types. */
const TYPING_HOLDS_MS = 6_000;

/** Whom the live socket says is where: presence by agent, viewers and typists by conversation. */
export interface Presence {
  agents: Record<string, string>;
  viewing: Record<string, string[]>;
  typing: Record<string, Record<string, Typing>>;
}

/** The typists of a conversation without one agent (the same object when they were not typing there). */
function withoutTypist(p: Presence, conv: string, agentId: unknown): Presence {
  const typists = p.typing[conv];
  if (typeof agentId !== 'string' || !typists?.[agentId]) return p;
  const { [agentId]: _gone, ...rest } = typists;
  return { ...p, typing: { ...p.typing, [conv]: rest } };
}

/** The agent who wrote a live timeline item (a reply or a note), if an agent did. */
function agentAuthor(event: PresenceEvent): string | undefined {
  const author = event.item?.data?.author as { kind?: unknown; id?: unknown } | undefined;
  return author?.kind === 'agent' && typeof author.id === 'string' ? author.id : undefined;
}

/**
 * Presence after one live frame: a `hello` starts afresh (one agent with two tabs is listed once),
 * later frames change one entry. An agent's typing line goes as soon as their reply or note arrives in
 * that conversation, or they leave it, rather than holding its last few seconds.
 */
export function presenceAfter(p: Presence, event: PresenceEvent, now: number): Presence {
  if (event.type === 'hello') {
    const agents: Record<string, string> = {};
    for (const a of event.item?.agents ?? []) agents[a.agentId] = a.presence;
    const viewing: Record<string, string[]> = {};
    for (const v of event.item?.viewing ?? [])
      viewing[v.conversationId] = [...new Set([...(viewing[v.conversationId] ?? []), v.agentId])];
    return { agents, viewing, typing: {} };
  }
  if (event.type === 'presence')
    return { ...p, agents: { ...p.agents, [event.item.agentId]: event.item.presence } };
  const conv = event.conversationId;
  if (!conv) return p;
  if (event.type === 'timeline.item') return withoutTypist(p, conv, agentAuthor(event));
  if (event.type === 'viewing') {
    const others = (p.viewing[conv] ?? []).filter((a) => a !== event.item.agentId);
    const moved = {
      ...p,
      viewing: { ...p.viewing, [conv]: event.item.viewing ? [...others, event.item.agentId] : others },
    };
    return event.item.viewing ? moved : withoutTypist(moved, conv, event.item.agentId);
  }
  if (event.type === 'typing')
    return {
      ...p,
      typing: {
        ...p.typing,
        [conv]: {
          ...p.typing[conv],
          [event.item.agentId]: { until: now + TYPING_HOLDS_MS, note: event.item.note === true },
        },
      },
    };
  return p;
}
