import type { TimelineItem } from './api.js';
import { channelName, clock } from './format.js';

function author(item: TimelineItem): string {
  const a = item.data?.author as { kind?: string; id?: string } | undefined;
  if (item.direction === 'inbound') return 'Customer';
  if (a?.kind === 'ai') return a.id === 'automation' ? 'Automation' : 'AI';
  return a?.id ?? 'Agent';
}

const STATUS_TEXT: Record<string, string> = {
  queued: 'Queued',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  played: 'Played',
  failed: 'Failed',
};

function Attachments(props: { item: TimelineItem }) {
  const list = props.item.attachments ?? [];
  if (!list.length) return null;
  return (
    <ul class="attachments" aria-label="Attachments">
      {list.map((a, i) => (
        <li key={a.mediaId ?? a.url ?? i}>
          <span class="attachment-kind">{a.kind}</span> {a.filename ?? a.caption ?? 'unnamed'}
          {a.mimeType ? <span class="muted"> ({a.mimeType})</span> : null}
        </li>
      ))}
    </ul>
  );
}

const SYSTEM_AUTHORS = new Set(['responder', 'clock', 'automation', 'routing']);

function assignedText(d: Record<string, unknown>): string {
  const to = (d.to ?? d) as { agentId?: string | null; queue?: string | null };
  const by = typeof d.by === 'string' && !SYSTEM_AUTHORS.has(d.by) ? ` by ${d.by}` : '';
  if (to.agentId) return `Assigned to ${to.agentId}${to.queue ? ` (queue ${to.queue})` : ''}${by}`;
  if (to.queue) return `Waiting in queue ${to.queue}${by}`;
  return `Unassigned${by}`;
}

function eventText(item: TimelineItem): string {
  const d = item.data ?? {};
  switch (item.event) {
    case 'routed':
      return `Routed to ${String(d.target ?? '?')}${d.queue ? ` (queue ${String(d.queue)})` : ''}: ${String(d.reason ?? '')}`;
    case 'assigned':
      return assignedText(d);
    case 'resolved':
      return 'Resolved';
    case 'reopened':
      // `delivery`: the provider reported the reply it was resolved on as not delivered.
      return d.by === 'delivery' ? 'Reopened: a reply was not delivered' : 'Reopened';
    default:
      return (item.event ?? 'event').replaceAll('_', ' ');
  }
}

/** One entry of the timeline: a message with its channel and status, a note, or an event. */
export function TimelineEntry(props: { item: TimelineItem }) {
  const { item } = props;
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
        <time dateTime={item.at}>{clock(item.at)}</time> {eventText(item)}
      </p>
    );
  }
  if (item.type === 'note') {
    const ai = (item.data?.author as { kind?: string } | undefined)?.kind === 'ai';
    return (
      <article
        class={`note ${ai ? 'handoff' : ''}`}
        data-kind="note"
        aria-label={ai ? 'Hand-off summary' : 'Note'}
      >
        <header>
          <strong>{ai ? 'Hand-off summary (AI)' : `Note by ${author(item)}`}</strong>{' '}
          <time dateTime={item.at}>{clock(item.at)}</time>
        </header>
        <p class="text">{item.text}</p>
      </article>
    );
  }
  const outbound = item.direction === 'outbound';
  return (
    <article class={`message ${outbound ? 'out' : 'in'}`} data-kind="message" data-item={item.id}>
      <header>
        <span class={`badge ch-${item.channel}`}>{channelName(item.channel)}</span>{' '}
        <strong>{author(item)}</strong> <time dateTime={item.at}>{clock(item.at)}</time>
      </header>
      {item.text ? <p class="text">{item.text}</p> : null}
      <Attachments item={item} />
      {outbound && item.status ? (
        <p class={`status status-${item.status}`} data-status={item.status}>
          {STATUS_TEXT[item.status] ?? item.status}
          {item.status === 'failed' && item.errors?.[0]
            ? `: ${item.errors[0].message ?? item.errors[0].code}`
            : ''}
        </p>
      ) : null}
    </article>
  );
}
