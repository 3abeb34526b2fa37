/** The console's whole-page views other than its work: access removed, no conversation open. */
import type { LinkState } from './linked-conversation.js';

/** The whole page once an admin removed the agent (a 403 `agent_removed`, or their socket closed for it). */
export function Removed(props: { onSignOut(): void }) {
  return (
    <main class="sign-in removed">
      <section aria-labelledby="removed-title">
        <div role="alert">
          <h1 id="removed-title">Your access was removed by an admin</h1>
          <p>Threadline no longer takes this sign-in. Ask an admin to restore you, then sign in again.</p>
        </div>
        <button type="button" onClick={props.onSignOut}>
          Sign out
        </button>
      </section>
    </main>
  );
}

/** The view with no conversation open: a hint, a linked one on its way, or why the link shows nothing. */
export function NoConversation(props: { link: LinkState | undefined }) {
  const { link } = props;
  return (
    <main class="empty" aria-label="Conversation" aria-busy={link !== undefined && !link.failed}>
      {link?.failed ? (
        <p role="alert">{link.failed}</p>
      ) : (
        <p>
          {link
            ? 'Opening the conversation of the address…'
            : 'Pick a conversation from the inbox (j and k move through it; ? lists the shortcuts).'}
        </p>
      )}
    </main>
  );
}
