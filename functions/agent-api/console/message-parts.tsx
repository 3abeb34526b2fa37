import { isContactKeyword } from '#shared/domain/asks-nothing.js';
import { templateText } from '#shared/domain/template-text.js';
import { type Acts, editedMark, type MessageActs, quoteOf } from './acts.js';
import type { TimelineItem } from './api.js';
import { channelName, clock } from './format.js';
import { MediaFiles, servedByApi } from './media-files.js';
import { filesOf } from './sent-files.js';

const record = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;

/**
 * A provider's address as a link the agent opens in a new tab, only when it is https: the console
 * itself never loads it (no request to the provider's CDN until the agent clicks, and no referrer then).
 */
export function httpsHref(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    return new URL(url).protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A message's files (`filesOf`: the customer's, or those a reply of ours sent): kind, file name (the
 * caption only when the message has no text: the caption is its text) and type; a button that shows it
 * in the view for a customer's file the agent API serves from its provider (a WhatsApp Cloud API media
 * id, Twilio's media: both may answer only with Threadline's credentials), else a link to open it when
 * the address is https (Messenger's and Instagram's CDN, the address a reply's file was sent from). The
 * console never loads an outside address itself: a reply's image is a link too, opened with no referrer.
 * A reply's file at an http address is shown as its address, no link.
 */
export function Attachments(props: { item: TimelineItem }) {
  const { item } = props;
  const list = filesOf(item);
  if (!list.length) return null;
  const sent = item.direction === 'outbound';
  return (
    <>
      <ul class="attachments" aria-label={sent ? 'Files sent' : 'Attachments'}>
        {list.map((a, i) => {
          // A file the agent API serves opens in the view (MediaFiles), not by a link to the provider.
          const href = !sent && servedByApi(item, a) ? undefined : httpsHref(a.url);
          const name = a.filename ?? (item.text ? undefined : a.caption);
          return (
            <li key={a.mediaId ?? a.url ?? i}>
              <span class="attachment-kind">{a.kind}</span> {name}
              {a.mimeType ? <span class="muted"> ({a.mimeType})</span> : null}
              {href ? (
                <>
                  {' '}
                  <a
                    href={href}
                    target="_blank"
                    rel="noopener noreferrer"
                    aria-label={name ? `Open ${name}` : undefined}
                  >
                    Open
                  </a>
                </>
              ) : sent && a.url ? (
                <span class="muted"> {a.url}</span>
              ) : null}
            </li>
          );
        })}
      </ul>
      <MediaFiles item={item} />
      <OmittedFiles item={item} />
    </>
  );
}

/** An email's files past the ones listed (`data.attachmentsOmitted`): counted, not kept, so not openable. */
function OmittedFiles(props: { item: TimelineItem }) {
  const omitted = props.item.data?.attachmentsOmitted;
  if (typeof omitted !== 'number' || omitted < 1) return null;
  return (
    <p class="muted attachments-omitted">
      {omitted} more {omitted === 1 ? 'file' : 'files'} not kept
    </p>
  );
}

/** What kind of message the provider sent that Threadline does not read, in words. */
function unsupportedKind(item: TimelineItem): string | undefined {
  const d = item.data ?? {};
  if (typeof d.unsupportedType === 'string') return d.unsupportedType.replaceAll('_', ' ');
  const types = Array.isArray(d.attachmentTypes)
    ? d.attachmentTypes.filter((t) => typeof t === 'string')
    : [];
  return types.length ? types.join(', ').replaceAll('_', ' ') : undefined;
}

/**
 * What an SMS keyword did (`data.optOut`): Twilio and the contact state take it; STOP, START and HELP are
 * routed nowhere and wait for no one (`isContactKeyword`), YES is also the customer's answer.
 */
function keywordLine(item: TimelineItem): string | undefined {
  const keyword = item.data?.optOut;
  const quiet = isContactKeyword(item) ? ' Not a question: routed nowhere, it waits for no one.' : '';
  if (keyword === 'stop') return `SMS opt-out: no SMS reaches this number until they text START.${quiet}`;
  if (keyword === 'start') return `SMS opt-in: SMS reaches this number again.${quiet}`;
  if (keyword === 'help') return `SMS help keyword: Twilio answers it with the number's help text.${quiet}`;
  return undefined;
}

/**
 * Says what a message holds that its text does not: an unsupported message (never an empty bubble),
 * an Instagram story it answers or mentions, a shared contact's numbers, a place's coordinates, the ad
 * or link the customer came from, what an SMS keyword did, that an over-long text was cut.
 */
export function ContentNote(props: { item: TimelineItem }) {
  const { item } = props;
  if (item.type !== 'message') return null;
  const d = item.data ?? {};
  const lines: string[] = [];
  const types = Array.isArray(d.attachmentTypes) ? d.attachmentTypes : [];
  const outbound = item.direction === 'outbound';
  // A like sent alone (`isLike`: Messenger's Like button, Instagram's heart): it acknowledges, asks nothing.
  if (typeof d.like === 'string')
    lines.push(`Liked ${d.like}${outbound ? '' : ': not a question, nothing waits on it.'}`);
  if (types.includes('story_mention'))
    lines.push(
      outbound
        ? 'Mentioned the customer in your Instagram story.'
        : 'Mentioned you in their Instagram story.',
    );
  const story = record(d.story);
  for (const contact of Array.isArray(d.contacts) ? d.contacts : []) lines.push(contactLine(contact));
  const place = record(d.location);
  if (place && typeof place.latitude === 'number' && typeof place.longitude === 'number')
    lines.push(`Location: ${place.latitude}, ${place.longitude}`);
  const referral = record(d.referral);
  if (referral) lines.push(referralLine(referral));
  const keyword = keywordLine(item);
  if (keyword) lines.push(keyword);
  if (Array.isArray(d.truncatedFields) && d.truncatedFields.includes('text')) {
    const length = typeof d.textLength === 'number' ? ` (${d.textLength.toLocaleString()} characters)` : '';
    lines.push(`Cut: the message${length} was longer than Threadline keeps; its start is shown.`);
  }
  if (d.notice === true) {
    // The provider's news about the thread (a handover event, an optin), not the customer's word.
    lines.push(`${channelName(item.channel)} event (${unsupportedKind(item) ?? 'unknown'}): not a message.`);
  } else if (item.contentType === 'unsupported' && !filesOf(item).length && !record(d.referral)) {
    const kind = unsupportedKind(item);
    lines.push(
      `Unsupported message${kind ? ` (${kind})` : ''}: ${channelName(item.channel)} did not send what it holds to Threadline; the customer sees it in the app.`,
    );
  }
  if (!lines.length && !story) return null;
  return (
    <ul class="content-note">
      {story ? <StoryReply story={story} /> : null}
      {lines.map((line) => (
        <li key={line} dir="auto">
          {line}
        </li>
      ))}
    </ul>
  );
}

/**
 * An Instagram story the customer answered (`data.story`: Meta's `reply_to.story`, its id and URL): a
 * link to open it in a new tab, only when https and never loaded by the console (no third-party request
 * until the agent clicks, no referrer then). Instagram's address may stop working once the story expires.
 */
function StoryReply(props: { story: Record<string, unknown> }) {
  const href = httpsHref(props.story.url);
  return (
    <li dir="auto">
      Replied to your Instagram story.
      {href ? (
        <>
          {' '}
          <a href={href} target="_blank" rel="noopener noreferrer" class="story-link">
            Open the story
          </a>{' '}
          <span class="muted">(Instagram's link: it may stop working once the story has expired)</span>
        </>
      ) : null}
    </li>
  );
}

/** A shared contact card: the name and every phone and email it carries. */
function contactLine(contact: unknown): string {
  const c = record(contact) ?? {};
  const name = text(record(c.name)?.formatted_name) ?? 'A contact';
  const reach = [
    ...(Array.isArray(c.phones) ? c.phones.map((p) => text(record(p)?.phone)) : []),
    ...(Array.isArray(c.emails) ? c.emails.map((e) => text(record(e)?.email)) : []),
  ].filter((v) => v !== undefined);
  return `Contact card: ${name}${reach.length ? ` (${reach.join(', ')})` : ''}`;
}

/** The ad or link a customer came from (WhatsApp's and Messenger's `referral`). */
function referralLine(referral: Record<string, unknown>): string {
  const ad = record(referral.ads_context_data);
  const title =
    text(ad?.ad_title) ?? text(referral.headline) ?? text(referral.ref) ?? text(referral.source_url);
  const fromAd = referral.source === 'ADS' || referral.source_type === 'ad' || ad !== undefined;
  // Meta's `ad_id` and `source` (ADS, SHORTLINKS, IGME_LINK...), for the agent who looks the ad up.
  const about = [text(referral.ad_id) && `ad ${text(referral.ad_id)}`, text(referral.source)].filter(Boolean);
  return `${fromAd ? 'Came from an ad' : 'Came from a link'}${title ? `: ${title}` : ''}${about.length ? ` (${about.join(', ')})` : ''}`;
}

/**
 * Where an email reply of ours went (`to`: the first Reply-To of the mail it answers, else its From):
 * a contact form's mail or a second mailbox can send it somewhere the agent did not expect. And the
 * business number a customer's SMS went to.
 */
export function Recipient(props: { item: TimelineItem }) {
  const { item } = props;
  // Which of the business's numbers the customer texted (Twilio's `To`, kept as the item's `to`).
  if (item.channel === 'sms' && item.direction === 'inbound' && item.to?.kind === 'phone')
    return (
      <p class="recipient">
        <span class="muted">To our number:</span> {item.to.value}
      </p>
    );
  if (item.channel !== 'email' || item.direction !== 'outbound' || item.to?.kind !== 'email') return null;
  return (
    <p class="recipient">
      <span class="muted">To:</span> {item.to.value}
    </p>
  );
}

/**
 * A template reply's line from its template (`data.template`), for one stored before its item kept the
 * line as its text; undefined for anything else.
 */
export function templateLine(item: TimelineItem): string | undefined {
  const t = record(item.data?.template);
  if (!t || typeof t.name !== 'string' || typeof t.language !== 'string') return undefined;
  const parameters = Array.isArray(t.parameters) ? t.parameters.map(String) : [];
  return templateText({ name: t.name, language: t.language, parameters });
}

/**
 * Where a message came from before it reached us: forwarded (`data.forwarded`; many times,
 * `data.frequentlyForwarded`, WhatsApp's own mark), and what it quotes (see Quote).
 */
export function MessageContext(props: { item: TimelineItem; acts: Acts }) {
  const d = props.item.data ?? {};
  const forwarded =
    d.frequentlyForwarded === true ? 'Forwarded many times' : d.forwarded === true ? 'Forwarded' : '';
  return (
    <>
      {forwarded ? <p class="forwarded muted">{forwarded}</p> : null}
      <Quote item={props.item} acts={props.acts} />
    </>
  );
}

/** What the customer's reply quotes, when it answers an earlier message. */
function Quote(props: { item: TimelineItem; acts: Acts }) {
  const { item, acts } = props;
  if (!item.replyTo) return null;
  const quoted = acts.message(item.channel, item.replyTo);
  const words = quoteOf(quoted, acts, 120);
  const whose = quoted?.direction === 'outbound' ? 'a reply of ours' : 'their message';
  const said = !quoted
    ? 'Replying to an earlier message'
    : acts.on(quoted)?.deleted
      ? 'Replying to a message the customer deleted'
      : words
        ? `Replying to ${words}`
        : `Replying to ${whose} of ${clock(quoted.at)} (${quoted.contentType ?? 'no text'})`;
  return (
    <p class="quote muted" dir="auto">
      {said}
    </p>
  );
}

/**
 * A customer's message timed before the resolve but received after it (`receivedAt`: the API sets it on
 * such messages only). Its time puts it above "Resolved by" on the timeline, where it reads as seen
 * before the resolve: this says it came after, and when.
 */
export function LateMark(props: { item: TimelineItem }) {
  const { item } = props;
  if (item.direction !== 'inbound' || !item.receivedAt) return null;
  return (
    <p class="late">
      Received after the resolve, <time dateTime={item.receivedAt}>{clock(item.receivedAt)}</time>
    </p>
  );
}

/** The reaction standing on a message, and that it was edited (the newest text is shown above). */
export function ActMarks(props: { item: TimelineItem; acts: MessageActs | undefined }) {
  const { acts, item } = props;
  const edited = editedMark(item, acts);
  if (!acts && !edited) return null;
  return (
    <>
      {edited ? (
        <details class="edited">
          <summary>
            Edited by the customer, <time dateTime={edited.at}>{clock(edited.at)}</time>
          </summary>
          <p class="text muted" dir="auto">
            {edited.before === undefined
              ? 'Edited before it reached us: the text before is not kept.'
              : `Before: ${edited.before}`}
          </p>
        </details>
      ) : null}
      {acts?.reaction ? (
        <p class="reaction">
          {acts.reaction.emoji} <span class="muted">the customer's reaction</span>
        </p>
      ) : null}
      {acts?.teamReaction ? (
        <p class="reaction team">
          {acts.teamReaction.emoji} <span class="muted">your team's reaction</span>
        </p>
      ) : null}
    </>
  );
}
