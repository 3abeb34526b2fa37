import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useAdminViews } from './admin-views.js';
import { type AgentRow, PresenceSwitch, QueuePicker, useRegistration } from './agents.js';
import type { Api } from './api.js';
import type { LiveStatus } from './live.js';
import type { Presence } from './presence.js';
import type { Session } from './session.js';
import { keyHint } from './shortcuts.js';
import { TeamAdmin } from './team-admin.js';

/**
 * Where the top bar goes compact: where the customer panel goes behind its button (in em, so a larger
 * default font size makes it compact sooner, as 200 % zoom does).
 */
export const COMPACT = '(max-width: 68.75em)';

/** Whether the media query matches now, followed as the window changes. */
export function useMedia(query: string): boolean {
  const [matches, setMatches] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const list = matchMedia(query);
    const follow = () => setMatches(list.matches);
    follow();
    list.addEventListener('change', follow);
    return () => list.removeEventListener('change', follow);
  }, [query]);
  return matches;
}

/** The live status in words: `offline` as soon as the browser says the network is gone. */
const LIVE_TEXT: Record<LiveStatus, string> = {
  live: 'Live',
  connecting: 'Reconnecting…',
  reconnecting: 'Reconnecting…',
  unavailable: 'Offline: retrying',
  offline: 'Offline',
};

/**
 * The top bar. Wide, everything in one line: the live status, the other agents' presence, the agent's
 * presence and queues, who is signed in, Shortcuts and Sign out. Compact (a narrow window, a large
 * default font size, zoom), one line of what an agent watches all day (the live status and their
 * presence) and a Menu for the rest, which wrapped to three lines and took a third of a short window.
 */
export function Header(props: {
  api: Api;
  session: Session;
  status: LiveStatus;
  presence: Presence;
  agents: AgentRow[];
  queues: string[];
  policyQueues: string[];
  onSaved(agent: Omit<AgentRow, 'openConversations'>): void;
  /** An admin removed this agent (from the Agents list, admins only). */
  onRemoved(agentId: string): void;
  /** Shows the inbox of a removed agent's conversations (from the Agents list, admins only). */
  onShowHeld(agentId: string): void;
  onHelp(): void;
  onSignOut(): void;
}) {
  const { session, status } = props;
  const compact = useMedia(COMPACT);
  const menu = useRef<HTMLDetailsElement>(null);
  useMenuClosing(menu, compact);
  const me = props.agents.find((a) => a.id === session.agentId);
  const registration = useRegistration(props.api, me, props.policyQueues, props.onSaved);
  const others = (
    <ul class="agents" aria-label="Agents">
      {Object.entries(props.presence.agents)
        .filter(([id]) => id !== session.agentId)
        .map(([id, presence]) => (
          <li key={id} class={`agent agent-${presence}`}>
            {id} ({presence})
          </li>
        ))}
    </ul>
  );
  const admin = useAdminViews(props.api);
  const team = session.admin ? <TeamAdmin {...props} me={session.agentId} /> : null;
  const who = <Who session={session} compact={compact} />;
  // Webhooks and Audit (admins) beside Shortcuts and Sign out: in the compact Menu one row, not a line more.
  const buttons = (
    <>
      {session.admin ? admin.buttons : null}
      <button type="button" onClick={props.onHelp} aria-keyshortcuts={keyHint('?')}>
        Shortcuts
      </button>
      <button type="button" onClick={props.onSignOut}>
        Sign out
      </button>
    </>
  );
  return (
    <header class={`top ${compact ? 'compact' : ''}`}>
      <h1 id="console-title" tabIndex={-1}>
        Threadline
      </h1>
      <span class={`live live-${status}`} role="status" aria-live="polite">
        {LIVE_TEXT[status]}
      </span>
      {compact ? null : others}
      <PresenceSwitch registration={registration} queues={compact ? undefined : props.queues} />
      {compact ? (
        <details class="menu" ref={menu} onKeyDown={closeOnEscape}>
          <summary>Menu</summary>
          <div class="menu-items">
            {who}
            <QueuePicker registration={registration} queues={props.queues} />
            {others}
            {team}
            <div class="menu-row">{buttons}</div>
          </div>
        </details>
      ) : (
        <>
          {team}
          {who}
          {buttons}
        </>
      )}
      {session.admin ? admin.views : null}
    </header>
  );
}

/** Who is signed in, and whether an admin. */
function Who(props: { session: Session; compact: boolean }) {
  return (
    <span class="me">
      {props.compact ? 'Signed in as ' : ''}
      {props.session.agentId}
      {props.session.admin ? ' (admin)' : ''}
    </span>
  );
}

/** Escape closes the menu, back on its summary (as the Snooze menu does). */
function closeOnEscape(e: KeyboardEvent & { currentTarget: HTMLDetailsElement }) {
  if (e.key !== 'Escape' || !e.currentTarget.open) return;
  e.currentTarget.open = false;
  e.currentTarget.querySelector('summary')?.focus();
}

/**
 * While the compact menu is open, it closes when a click or tap lands outside it or the focus moves out
 * of it (it lies over the page below the bar: a control Tab reached there had its focus hidden under it,
 * WCAG 2.4.11), and on Escape pressed anywhere (its own Escape puts the focus back on its summary). A
 * view or the shortcuts list opened from it is a dialog outside it: the menu stays under that.
 */
function useMenuClosing(menu: RefObject<HTMLDetailsElement>, compact: boolean): void {
  useEffect(() => {
    if (!compact) return;
    const outside = (event: Event) => {
      const el = menu.current;
      const to = event.target;
      if (!el?.open || !(to instanceof Element) || el.contains(to) || to.closest('dialog')) return;
      el.open = false;
    };
    const onEscape = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || document.querySelector('dialog[open]')) return;
      if (menu.current?.open && !menu.current.contains(event.target as Node)) menu.current.open = false;
    };
    document.addEventListener('pointerdown', outside);
    document.addEventListener('focusin', outside);
    document.addEventListener('keydown', onEscape);
    return () => {
      document.removeEventListener('pointerdown', outside);
      document.removeEventListener('focusin', outside);
      document.removeEventListener('keydown', onEscape);
    };
  }, [compact]);
}
