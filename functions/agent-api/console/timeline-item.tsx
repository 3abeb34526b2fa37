import { isEmptyRecording } from '#shared/domain/asks-nothing.js';
import { type Acts, NO_ACTS, quoteOf, teamActOf, teamActText } from './acts.js';
import type { TimelineItem } from './api.js';
import { assignedText } from './assigned-text.js';
import { automationText, otherEventText, shownAt, slaText } from './event-text.js';
import { failureText } from './failure-text.js';
import { agentBy, channelName, clock } from './format.js';
import { HandoffText } from './handoff-note.js';
import { RecordingLink } from './media-files.js';
import {
  ActMarks,
  Attachments,
  ContentNote,
  LateMark,
  MessageContext,
  Recipient,
  templateLine,
} from './message-parts.js';
import { routeReasonText } from './route-reasons.js';
import { snoozeText } from './snooze-text.js';

function author(item: TimelineItem): string {
  const a = item.data?.author as { kind?: string; id?: string; automatic?: string } | undefined;
  if (item.direction === 'inbound') return 'Customer';
  // An echo of an automation answering in the Page's name (META_AUTOMATION_APP_IDS): no person wrote it.
  if (item.data?.automated === true) return 'Automated reply (not a person)';
  if (a?.automatic === 'webchat_email_fallback')
    return `Automatic email: ${a.id ?? 'Agent'}'s unread chat replies`;
  if (a?.kind === 'ai' && a.id === 'csat') return 'Survey sent (automatic)';
  if (a?.kind === 'ai') return a.id === 'automation' ? 'Automation' : 'AI';
  return a?.id ?? 'Agent';
}

/** The id of a note's automatic writer (`responder`, `clock`, `automation`), or undefined for an agent's. */
function noteAuthor(item: TimelineItem): string | undefined {
  const a = item.data?.author as { kind?: string; id?: string } | undefined;
  return a?.kind === 'ai' ? (a.id ?? 'responder') : undefined;
}

/**
 * Who wrote a note: the agent, or which automatic writer. Only routing's own note is a hand-off summary;
 * before, a response target's breach note ("Target missed") and an automation's read as one too.
 */
function noteWriter(item: TimelineItem): string {
  const automatic = noteAuthor(item);
  if (automatic === 'clock') return 'the response target (SLA)';
  if (automatic === 'automation') return 'an automation';
  if (automatic !== undefined) return 'the AI';
  return author(item);
}

const STATUS_TEXT: Record<string, string> = {
  queued: 'Queued',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  played: 'Played',
  failed: 'Failed',
};

/** A call's or a recording's length as an agent reads it (`14 s`, `2 min 5 s`), or nothing. */
function duration(d: Record<string, unknown>): string {
  const seconds = d.durationSeconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  return s < 60 ? ` (${s} s)` : ` (${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''})`;
}

/**
 * What a call's progress reads as; a voicemail and its transcription are shown as messages instead. A
 * call that ended with no voicemail among the items read, and an empty voicemail (hung up at the beep),
 * are missed calls.
 */
function callText(item: TimelineItem, d: Record<string, unknown>, acts: Acts): string {
  switch (item.event) {
    case 'call_ringing':
      return item.direction === 'outbound' ? 'Outgoing call' : 'Incoming call';
    case 'call_answered':
      return 'Call answered';
    case 'call_completed':
      if (item.direction === 'outbound') return `Outgoing call ended${duration(d)}`;
      if (acts.voicemailLeft(item.providerMessageId) === false)
        return `Missed call: hung up with no voicemail${duration(d)}`;
      return `Call ended${duration(d)}`;
    case 'call_missed':
      // Our call the customer did not take is not a call of theirs we missed.
      return item.direction === 'outbound' ? 'Outgoing call not answered' : 'Missed call';
    case 'call_voicemail':
      return `Missed call: hung up at the beep, nothing recorded${duration(d)}`;
    default:
      return (item.event ?? 'call').replaceAll('_', ' ');
  }
}

/** A customer's act on a message (react, edit, delete), naming the message when it is shown. */
function actText(item: TimelineItem, acts: Acts): string {
  const target = acts.message(item.channel, item.targetMessageId);
  const gone = target !== undefined && acts.on(target)?.deleted === true;
  const words = quoteOf(target, acts);
  const to = words ? ` to ${words}` : '';
  switch (item.event) {
    case 'edit':
      return item.text && !gone ? `Customer edited a message: ${item.text}` : 'Customer edited a message';
    case 'delete':
      return target ? `Customer deleted their message of ${clock(target.at)}` : 'Customer deleted a message';
    case 'reaction':
      return `Customer reacted ${item.emoji ?? ''}${to}`.trimEnd();
    default:
      return `Customer removed a reaction${words ? ` from ${words}` : ''}`;
  }
}

const ACTS = new Set(['edit', 'delete', 'reaction', 'reaction_removed']);

function eventText(item: TimelineItem, acts: Acts): string {
  const d = item.data ?? {};
  if (item.event && ACTS.has(item.event)) return actText(item, acts);
  if (item.event?.startsWith('call_')) return callText(item, d, acts);
  switch (item.event) {
    case 'routed':
      return `Routed to ${String(d.target ?? '?')}${d.queue ? ` (queue ${String(d.queue)})` : ''}: ${routeReasonText(d.reason, d.detail)}`;
    case 'assigned':
      return assignedText(d);
    case 'sla_warning':
    case 'sla_breached':
      return slaText(item, d);
    case 'automation':
      return automationText(d);
    case 'resolved':
      return agentBy(d) ? `Resolved by ${agentBy(d)}` : 'Resolved';
    case 'snoozed':
    case 'woke':
      return snoozeText(item.event, d, agentBy(d), clock);
    case 'reopened':
      // `delivery`: the provider reported the reply it was resolved on as not delivered.
      if (d.by === 'delivery') return 'Reopened: a reply was not delivered';
      return agentBy(d) ? `Reopened by ${agentBy(d)}` : 'Reopened';
    default:
      return otherEventText(item);
  }
}

/**
 * A recording's address as a link, only when it is https (the address comes from the provider; nothing
 * else may become a link). A click plays it in the view through the agent API (RecordingLink); opened
 * elsewhere, Twilio asks for the account's credentials when it authenticates media.
 */
function recordingHref(d: Record<string, unknown>): string | undefined {
  const url = d.recordingUrl;
  if (typeof url !== 'string') return undefined;
  try {
    return new URL(url).protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A voicemail, or its transcription: what the caller said, shown as their message (the text the
 * transcription holds, the recording's length and a link to hear it), not as a line of call progress.
 */
function Voicemail(props: { item: TimelineItem }) {
  const { item } = props;
  const d = item.data ?? {};
  const href = recordingHref(d);
  const transcription = item.event === 'call_transcription';
  return (
    <article class="message in voicemail" data-kind="message" data-item={item.id}>
      <header>
        <span class={`badge ch-${item.channel}`}>{channelName(item.channel)}</span>{' '}
        <strong>{transcription ? 'Voicemail transcription' : `Voicemail${duration(d)}`}</strong>{' '}
        <time dateTime={item.at}>{clock(item.at)}</time>
      </header>
      {item.text ? (
        <p class="text" dir="auto">
          {item.text}
        </p>
      ) : null}
      {transcription && !item.text ? <p class="text muted">Twilio sent no text for this recording.</p> : null}
      {href || typeof d.recordingUrl === 'string' ? (
        <RecordingLink
          item={item}
          href={href}
          label={transcription ? 'Play the recording' : 'Play the voicemail'}
        />
      ) : null}
    </article>
  );
}

/** An email's subject, shown above its text (the customer's words in an email often lean on it). */
function Subject(props: { item: TimelineItem }) {
  const subject = props.item.channel === 'email' ? props.item.data?.subject : undefined;
  if (typeof subject !== 'string' || !subject) return null;
  return (
    <p class="subject">
      <span class="muted">Subject:</span> {subject}
    </p>
  );
}

/** Why nothing vouched for an email's From (`data.fromUnverified`, see Identity in the README). */
const UNVERIFIED_TEXT: Record<string, string> = {
  dmarc_fail:
    "Unverified sender: this mail failed its domain's DMARC check, so it may not come from this address.",
  not_aligned:
    'Unverified sender: nothing vouched for this From address (no DMARC pass, no aligned SPF pass). ' +
    'Make sure who you are writing to before you share order or account details.',
};

/**
 * What the resolver keeps on a customer's email for agents to see: who else it went to (`toAddresses`, `ccAddresses`; on our reply, whom it copied),
 * that nothing vouched for its From (`fromUnverified`: a spoofed From lands on the real customer's
 * timeline), and that a machine sent it (`autoReply`: no answer expected, nothing waits on it).
 */
function MailMarks(props: { item: TimelineItem }) {
  const { item } = props;
  if (item.channel !== 'email') return null;
  const d = item.data ?? {};
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((a) => typeof a === 'string') : []);
  const [to, cc] = [list(d.toAddresses), list(d.ccAddresses)];
  const why = typeof d.fromUnverified === 'string' ? d.fromUnverified : undefined;
  return (
    <>
      {to.length ? (
        <p class="cc">
          <span class="muted">To:</span> {to.join(', ')}
        </p>
      ) : null}
      {cc.length ? (
        <p class="cc">
          <span class="muted">Cc:</span> {cc.join(', ')}
        </p>
      ) : null}
      {why ? <p class="unverified">{UNVERIFIED_TEXT[why] ?? UNVERIFIED_TEXT.not_aligned}</p> : null}
      {d.autoReply === true ? (
        <p class="automatic">
          Automatic mail{d.listMail === true ? ' from a list or newsletter' : ''}: no answer expected, nothing
          waits on it.
        </p>
      ) : null}
    </>
  );
}

/**
 * The whole email behind a disclosure, when the text shown is only its new part (`data.fullText`: the
 * mail with the history it quotes). Whatever the split took for a quote stays in the agent's reach.
 */
function WholeEmail(props: { item: TimelineItem }) {
  const full = props.item.channel === 'email' ? props.item.data?.fullText : undefined;
  if (typeof full !== 'string' || !full) return null;
  return (
    <details class="whole-email">
      <summary>Show the whole email, with what it quotes</summary>
      <p class="text" dir="auto">
        {full}
      </p>
    </details>
  );
}

/**
 * What a screen reader says of an item that arrives while the conversation is open: a message (the
 * customer's, or a reply by the AI or another agent) or another agent's note; nothing for the agent's
 * own, which they have just written, or for events.
 */
export function spokenText(item: TimelineItem, me: string): string | undefined {
  const by = (item.data?.author as { id?: string } | undefined)?.id;
  if (item.direction !== 'inbound' && by === me) return undefined;
  const text = (item.text ?? '').slice(0, 500);
  if (item.type === 'note') return `Note by ${author(item)}: ${text}`;
  if (item.type !== 'message') return undefined;
  return `${author(item)} on ${channelName(item.channel)}: ${text || 'an attachment'}`;
}

/**
 * A message: its channel, author and time, then what it holds. A message the customer deleted (unsent)
 * shows that, never its words or files (the provider's own placeholder is all they see too); one they
 * edited shows the newest text, the reaction standing on it below.
 */
function Message(props: { item: TimelineItem; acts: Acts }) {
  const { item, acts } = props;
  const outbound = item.direction === 'outbound';
  const mine = item.direction === 'inbound' ? acts.on(item) : undefined;
  const header = (
    <header>
      <span class={`badge ch-${item.channel}`}>{channelName(item.channel)}</span>{' '}
      <strong>{author(item)}</strong> <time dateTime={item.at}>{clock(item.at)}</time>
    </header>
  );
  if (mine?.deleted || (outbound && acts.on(item)?.unsent)) {
    return (
      <article class={`message ${outbound ? 'out' : 'in'} deleted`} data-kind="message" data-item={item.id}>
        {header}
        <p class="text muted">
          {outbound ? 'Unsent by your team from the app.' : 'This message was deleted by the customer.'}
        </p>
      </article>
    );
  }
  const text = mine?.edited?.text ?? item.text ?? templateLine(item);
  return (
    <article class={`message ${outbound ? 'out' : 'in'}`} data-kind="message" data-item={item.id}>
      {header}
      <Recipient item={item} />
      <Subject item={item} />
      <MailMarks item={item} />
      <MessageContext item={item} acts={acts} />
      {text ? (
        <p class="text" dir="auto">
          {text}
        </p>
      ) : null}
      <WholeEmail item={item} />
      <ContentNote item={item} />
      <Attachments item={item} />
      <ActMarks item={item} acts={outbound ? acts.on(item) : mine} />
      <LateMark item={item} />
      {outbound && item.status ? (
        <p class={`status status-${item.status}`} data-status={item.status}>
          {STATUS_TEXT[item.status] ?? item.status}
          {item.status === 'failed' && item.errors?.[0] ? `: ${failureText(item.errors[0])}` : ''}
        </p>
      ) : null}
    </article>
  );
}

/**
 * One entry of the timeline: a message with its channel and status, a note, or an event. `acts` are the
 * customer's deletions, edits and reactions among the items shown (see customerActs).
 */
export function TimelineEntry(props: { item: TimelineItem; acts?: Acts | undefined }) {
  const { item } = props;
  const acts = props.acts ?? NO_ACTS;
  const emptyVoicemail = item.event === 'call_voicemail' && isEmptyRecording(item.data?.durationSeconds);
  if (
    item.type === 'event' &&
    (item.event === 'call_voicemail' || item.event === 'call_transcription') &&
    !emptyVoicemail
  ) {
    return <Voicemail item={item} />;
  }
  if (item.type === 'event' && item.event === 'channel_switch') {
    return (
      <p class="switch" data-kind="switch">
        Switched from {channelName(String(item.data?.from))} to {channelName(String(item.data?.to))}
      </p>
    );
  }
  if (item.type === 'event') {
    return (
      <p class="event" data-kind="event">
        <time dateTime={shownAt(item)}>{clock(shownAt(item))}</time> {eventText(item, acts)}
      </p>
    );
  }
  const team = teamActOf(item);
  if (team) {
    return (
      <p class="event" data-kind="event">
        <time dateTime={item.at}>{clock(item.at)}</time> {teamActText(team, item.channel, acts)}
      </p>
    );
  }
  if (item.type === 'note') {
    const handoff = noteAuthor(item) === 'responder';
    return (
      <article
        class={`note ${handoff ? 'handoff' : ''}`}
        data-kind="note"
        aria-label={handoff ? 'Hand-off summary' : 'Note'}
      >
        <header>
          <strong>{handoff ? 'Hand-off summary (AI)' : `Note by ${noteWriter(item)}`}</strong>{' '}
          <time dateTime={item.at}>{clock(item.at)}</time>
        </header>
        <p class="text" dir="auto">
          {handoff ? <HandoffText text={item.text ?? ''} /> : item.text}
        </p>
      </article>
    );
  }
  return <Message item={item} acts={acts} />;
}
