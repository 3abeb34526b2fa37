import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { afterSent } from './after-sent.js';
import type { Api, ChannelOption, Conversation, TimelineItem } from './api.js';
import { useComposerFocus } from './composer-focus.js';
import { useWentAfterAll } from './lost-send.js';
import { type ComposerMode, type Draft, readDraft, saveDraft } from './place.js';
import { ChannelChoice, ChannelLost, channelNow } from './reply-channels.js';
import { HeldNote, useHeldChoice } from './reply-claim.js';
import { useAttachments } from './reply-files.js';
import { lengthGuide, overLimit } from './reply-length.js';
import { useSender } from './reply-sender.js';
import { useResolvedMeanwhile } from './resolved-meanwhile.js';
import { keyHint } from './shortcuts.js';
import {
  EMPTY_TEMPLATE,
  type TemplateDraft,
  TemplateFields,
  templateRequest,
  useTemplateDraft,
} from './template-fields.js';
import { ErrorNote } from './ui.js';

/** Reply or Note, and where what is written goes, in words beside them. */
function ModeSwitch(props: { mode: 'reply' | 'note'; onMode(mode: 'reply' | 'note'): void }) {
  const modes: Array<['reply' | 'note', string, string]> = [
    ['reply', 'Reply', 'r'],
    ['note', 'Note', 'n'],
  ];
  return (
    <fieldset class="modes">
      <legend class="visually-hidden">Write</legend>
      {modes.map(([mode, label, key]) => (
        <button
          key={mode}
          type="button"
          aria-pressed={props.mode === mode}
          onClick={() => props.onMode(mode)}
          aria-keyshortcuts={keyHint(key)}
        >
          {label}
        </button>
      ))}
      <span class="composer-says">
        {props.mode === 'note' ? 'Internal: only agents see it' : 'Goes to the customer'}
      </span>
    </fieldset>
  );
}

/**
 * A draft written on this conversation moved to where it will go (`target`, the customer's newer open
 * conversation): it must not come back on the old one once sent. A draft already kept there comes first.
 */
function moveDraft(own: string, target: string): void {
  const mine = readDraft(own);
  if (own === target || !mine.text) return;
  const theirs = readDraft(target);
  saveDraft(target, theirs.text ? { ...theirs, text: `${theirs.text}\n\n${mine.text}` } : mine);
  saveDraft(own, { text: '', mode: 'reply' });
}

/**
 * The text of the reply box, its mode and the channel the agent chose, kept together for the tab as they
 * change, under the conversation they go to: this one, or the newer open one that what is written here
 * is sent to.
 */
function useDraft(own: string, target: string) {
  const [draft, setDraft] = useState(() => {
    moveDraft(own, target);
    return readDraft(target);
  });
  const key = useRef(target);
  useEffect(() => {
    if (key.current === target) return;
    moveDraft(own, target);
    key.current = target;
    setDraft(readDraft(target));
  }, [target]);
  const update = (change: (d: Draft) => Partial<Draft>) =>
    setDraft((d) => {
      const next = { ...d, ...change(d) };
      saveDraft(key.current, next);
      return next;
    });
  return {
    text: draft.text,
    mode: draft.mode,
    channel: draft.channel,
    setText: (text: string) => update(() => ({ text })),
    setMode: (mode: ComposerMode) => update(() => ({ mode })),
    setChannel: (channel: string) => update(() => ({ channel })),
    /** Takes what was sent out of the box, keeping what was typed after it while it went. */
    clearSent: (sent: string) => update((d) => ({ text: afterSent(d.text, sent) })),
  };
}

/** What the API is sent: a note's text, a template where only one may go, else the reply's text and channel. */
function requestBody(
  mode: ComposerMode,
  text: string,
  chosen: ChannelOption | undefined,
  template: TemplateDraft | undefined,
): Record<string, unknown> {
  if (mode === 'note') return { text };
  if (template) return { channel: chosen?.channel, template: templateRequest(template) };
  return { text, ...(chosen ? { channel: chosen.channel } : {}) };
}

/**
 * Escape leaves the box for the conversation's heading, where the one-key shortcuts (j/k) work again;
 * what is written stays. Not while an input method composes (its Escape cancels the composition).
 */
function leaveBox(e: KeyboardEvent): void {
  if (e.key !== 'Escape' || e.isComposing || e.defaultPrevented) return;
  e.preventDefault();
  document.getElementById('conversation-title')?.focus();
}

/**
 * The reply's or note's text, Ctrl/Cmd+Enter to send, Escape to leave it, why a reply is too long.
 * Where only a template may go (`kept`), the reply typed stays here, in view and editable, for when the
 * customer writes again: the template goes without it, and it is not required.
 */
function TextField(props: {
  mode: ComposerMode;
  text: string;
  area: RefObject<HTMLTextAreaElement>;
  tooLong: string | undefined;
  /** How the reply goes out (SMS segments, room left), while it fits. */
  guide?: string | undefined;
  kept?: boolean;
  /** Files go with the reply: it may have no text. */
  hasFiles?: boolean;
  onInput(value: string): void;
}) {
  const { tooLong, guide } = props;
  const described = tooLong ? 'reply-too-long' : guide ? 'reply-length' : undefined;
  const label =
    props.mode === 'note'
      ? 'Note (only agents see it)'
      : props.kept
        ? 'Reply (kept, not sent with the template: send it once the customer writes again)'
        : 'Reply';
  return (
    <>
      <label class="text-label">
        {label}
        <textarea
          ref={props.area}
          rows={3}
          dir="auto"
          required={!props.kept && !props.hasFiles}
          value={props.text}
          aria-invalid={tooLong ? true : undefined}
          aria-describedby={described}
          onInput={(e) => props.onInput(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit();
            leaveBox(e);
          }}
        />
      </label>
      {tooLong ? (
        <p class="too-long" id="reply-too-long" role="status">
          {tooLong}
        </p>
      ) : guide ? (
        <p class="length-note muted" id="reply-length">
          {guide}
        </p>
      ) : null}
    </>
  );
}

/**
 * Tells the other agents that this one types, at most every 3 s, and whether a reply or a note: a
 * switch between the two is said with the next key, not up to 3 s later. The mode last told is kept
 * with its time and compared at the key itself: a key that comes before the page has drawn the switch
 * (a quick typist, a busy machine) must not be taken for more of the same.
 */
function useTypingSignal(mode: ComposerMode, onTyping: (note: boolean) => void) {
  const last = useRef<{ at: number; mode?: ComposerMode }>({ at: 0 });
  return () => {
    if (last.current.mode === mode && Date.now() - last.current.at <= 3_000) return;
    last.current = { at: Date.now(), mode };
    onTyping(mode === 'note');
  };
}

/**
 * A press of `r` or `n` made while this box shows: its mode, then the focus in the text. The ask the box
 * was first drawn with is an old one (the box is drawn afresh for each conversation opened), and taking
 * it again would turn a note kept as a draft into a reply (or a reply into a note) as the conversation
 * opens: one Ctrl+Enter then sent a note to the customer.
 */
function useComposerAsk(ask: ReplyBoxProps['composer'], apply: (mode: ComposerMode) => void): void {
  const seen = useRef(ask?.at);
  useEffect(() => {
    if (!ask || ask.at === seen.current) return;
    seen.current = ask.at;
    apply(ask.mode);
  }, [ask?.at]);
}

/**
 * What the reply as written may do on the channel chosen: only a template may go, no channel can take
 * it, the channel chosen was lost and another must be chosen, it is too long (why), how it goes out.
 */
function checks(
  mode: ComposerMode,
  text: string,
  chosen: ChannelOption | undefined,
  lost: unknown,
  channels: ChannelOption[] | undefined,
) {
  const needsTemplate = mode === 'reply' && chosen?.needsTemplate === true;
  const noChannel = mode === 'reply' && channels !== undefined && !chosen && !lost;
  const mustChoose = mode === 'reply' && lost !== undefined && !chosen;
  const tooLong = mode === 'reply' && !needsTemplate ? overLimit(chosen, text) : undefined;
  const guide = mode === 'reply' && !needsTemplate && !tooLong ? lengthGuide(chosen, text) : undefined;
  return { needsTemplate, noChannel, mustChoose, tooLong, guide };
}

/** What the box's sends tell: a reply sent, refused (the focus kept, the channels read again), the conversation read. */
const senderEvents = (props: ReplyBoxProps, refused: () => void, own: boolean) => ({
  sent: props.onSent,
  refused: () => {
    refused();
    props.onRefused();
  },
  conversation: own ? props.onConversation : undefined,
});

/**
 * What went is taken out of the box: the text it carried (what was typed after it stays), never the
 * text of a reply that went as a template (it was not sent: it stays, in view); a template's name and
 * parameters go, so the next Send does not send it again, its language stays; the files it carried go.
 */
function goneFrom(
  clearSent: (text: string) => void,
  setTemplate: (change: (t: TemplateDraft) => TemplateDraft) => void,
  filesSent: () => void,
) {
  return (body: Record<string, unknown>) => {
    if (typeof body.text === 'string' && body.text) clearSent(body.text);
    if (body.template) setTemplate((t) => ({ ...EMPTY_TEMPLATE, language: t.language }));
    if (body.attachments) filesSent();
  };
}

/** What the reply box is given by the conversation view. */
interface ReplyBoxProps {
  api: Api;
  conversation: Conversation;
  /** Where replies and notes go when not to this conversation: the customer's newer open one. */
  sendTo?: string | undefined;
  channels: ChannelOption[] | undefined;
  onSent(item: TimelineItem): void;
  /** A reply the channel's rules refused: the channels are read again. */
  onRefused(): void;
  /** The conversation as read again (a reply refused for its holder, a take-over). */
  onConversation?(c: Conversation): void;
  /** `note`: typing an internal note (other agents may see it, the customer never). */
  onTyping(note: boolean): void;
  composer: { mode: 'reply' | 'note'; at: number } | undefined;
  /** The agent signed in: whose keys made the replies and notes on the timeline (`items`). */
  agentId: string;
  /** The timeline shown: a send whose answer was lost is looked for in it. */
  items?: readonly TimelineItem[] | undefined;
  /**
   * Who resolved it (the timeline's event, once come), while it is resolved, not by this agent, and what is written
   * here goes to it (no newer open conversation).
   */
  resolvedBy?: string | undefined;
}

/**
 * The reply box: which channels a reply may use now and why not (before any typing), a template picker
 * where only a template may go out, and notes. A send the server took is said in the box's status line
 * ("Reply sent", "Note added"; a held reply's outcome). After a send the focus goes back to the field:
 * the Send button was disabled while the send was on its way, which drops its focus; so does the note
 * of a held reply, with the button pressed in it.
 */
export function ReplyBox(props: ReplyBoxProps) {
  const id = props.conversation.id;
  const target = props.sendTo ?? id;
  const { text, mode, channel, setText, setMode, setChannel, clearSent } = useDraft(id, target);
  const form = useRef<HTMLFormElement>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const focus = useComposerFocus(form, area, props.channels);
  const on = senderEvents(props, focus.refused, target === id);
  const { send, resend, held, error, setError, busy } = useSender(props.api, target, on);
  const typed = useTypingSignal(mode, props.onTyping);
  const meanwhile = useResolvedMeanwhile(props.conversation, mode === 'reply' ? text : '', props.resolvedBy);
  const channels = props.channels ?? [];
  const { chosen, lost } = channelNow(channels, props.channels !== undefined, channel);
  useComposerAsk(props.composer, (mode) => {
    setMode(mode);
    focus.ask();
  });
  const { needsTemplate, noChannel, mustChoose, tooLong, guide } = checks(
    mode,
    text,
    chosen,
    lost,
    props.channels,
  );
  const attached = useAttachments(props, form, chosen?.channel, mode === 'reply' && !needsTemplate);
  const template = useTemplateDraft(chosen?.templateLanguage);
  const gone = goneFrom(clearSent, template.set, attached.sent);
  const submit = async (event: Event) => {
    event.preventDefault();
    focus.sending();
    choice.clear();
    const body = requestBody(mode, text, chosen, needsTemplate ? template.shown : undefined);
    if (mode === 'reply' && !(await meanwhile.confirmed())) return;
    const ok = await send(mode, body, attached.uploadFor(body, text));
    if (ok) {
      gone(body);
      choice.say(mode === 'note' ? 'Note added' : 'Reply sent');
    }
    focus.restore(ok);
  };
  const choice = useHeldChoice(held, resend, { gone, restore: () => focus.restore(false) });
  // Its "may or may not have gone" stays (a reconnect does not take it away) until it is found, or sent again.
  useWentAfterAll(target, props, busy, { setError, clearSent, say: choice.say });
  const onInput = (value: string) => {
    setText(value);
    typed();
  };
  return (
    <form class={`composer mode-${mode}`} onSubmit={submit} aria-label="Reply or note" ref={form}>
      <ModeSwitch mode={mode} onMode={setMode} />
      {mode !== 'reply' ? null : props.channels === undefined ? (
        <p class="muted">Checking the channels…</p>
      ) : (
        <ChannelChoice channels={channels} value={chosen?.channel ?? ''} onChange={setChannel} />
      )}
      {noChannel ? <p role="status">No channel can take a reply now.</p> : null}
      {mode === 'reply' && lost ? <ChannelLost lost={lost} /> : null}
      {needsTemplate ? <TemplateFields value={template.shown} onChange={template.change} /> : null}
      <TextField
        {...{ mode, text, area, tooLong, guide, onInput }}
        kept={needsTemplate}
        hasFiles={attached.any}
      />
      {attached.view}
      {mode === 'reply' ? meanwhile.note : null}
      <ErrorNote message={error} />
      {held ? <HeldNote held={held} busy={busy} onChoose={(how) => void choice.choose(how)} /> : null}
      <p class="held-outcome" role="status">
        {choice.outcome}
      </p>
      <button type="submit" disabled={busy || noChannel || mustChoose || tooLong !== undefined}>
        {busy ? 'Sending…' : mode === 'note' ? 'Add note' : needsTemplate ? 'Send template' : 'Send'}
      </button>
    </form>
  );
}
