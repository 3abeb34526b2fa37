import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ConversationTouch } from '../../domain/resolver-ports.js';
import { clockStart } from '../../domain/waiting.js';
import {
  inboxAnsweredSortKey,
  inboxDueShardPartition,
  inboxShardPartition,
  inboxSortKey,
  Keys,
} from '../keys.js';
import { episodeTouch, notBeforeConversation, turnTouch } from './conversation-state.js';

/** The values that place a touched conversation in the open inbox, and its deadline index partition. */
function openInboxValues(touch: ConversationTouch): Record<string, string> {
  return {
    ':inbox': inboxShardPartition('open', touch.conversationId),
    ':inboxSk': inboxSortKey(touch.at, touch.conversationId),
    ':inboxDue': inboxDueShardPartition('open', touch.conversationId),
  };
}

/**
 * What an inbound message's touch of an open conversation sets: the conversation's first message gives
 * it its place in the open inbox (`gsi1sk`), and the entry itself (`gsi1pk`) unless the touch says
 * `listLater` (the AI's first response lists it, answered already, or the resolver after routing);
 * later ones keep both. The message that opens it starts its wait here, and its first wait
 * (`firstWaitFrom`, which the first response counts from); a later one after routing
 * (`startWaitingInput`), unless the AI answered it.
 */
function inboundOpenTouch(touch: ConversationTouch): { sets: string[]; values: Record<string, string> } {
  const values = openInboxValues(touch);
  const sets = ['gsi1sk = if_not_exists(gsi1sk, :inboxSk)', 'gsi2pk = if_not_exists(gsi2pk, :inboxDue)'];
  if (touch.listLater) delete values[':inbox'];
  else sets.unshift('gsi1pk = if_not_exists(gsi1pk, :inbox)');
  // The first wait's start too, kept through a resolve for the first response (`FIRST_WAIT_FROM`).
  if (!touch.continues)
    sets.push(
      'waitingSince = if_not_exists(waitingSince, :at)',
      'firstWaitFrom = if_not_exists(firstWaitFrom, :at)',
    );
  return { sets, values };
}

/**
 * What a reopen clears: who answered the last opening (and the person who did last), and a snooze left
 * from before resolves ended it.
 */
export const REOPEN_REMOVES = ['answeredBy', 'humanAnswerBy', 'snoozedUntil'];

/**
 * What reopening a resolved conversation sets: open, back in the open inbox. Only the customer's
 * speaking event starts a wait (from itself, among the waiting; a late one, timed before the resolve,
 * from when our webhook took it, `clockStart`: never from its own time, however old); any other (a
 * business echo, a call's progress, a system event) opens it among the answered at its time, waiting on nobody.
 */
function reopenTouch(touch: ConversationTouch): {
  sets: string[];
  values: Record<string, string>;
  removes: string[];
} {
  const since = clockStart({ at: touch.at, arrivedAt: touch.arrivedAt, overtaken: isLateReopen(touch) });
  const values = openInboxValues({ ...touch, at: since });
  const sets = ['#status = :open', 'gsi1pk = :inbox', 'gsi2pk = :inboxDue'];
  if (touch.inbound) {
    if (since !== touch.at) values[':since'] = since;
    const start = since !== touch.at ? ':since' : ':at';
    // Its first wait too when none was kept (opened by the business, or by this message: a redelivered
    // opening message moves it back, `earlierWaitInput`); a kept one stays (`FIRST_WAIT_FROM`).
    sets.push(
      `waitingSince = ${start}`,
      `firstWaitFrom = if_not_exists(firstWaitFrom, ${start})`,
      'gsi1sk = :inboxSk',
    );
    return { sets, values, removes: ['resolvedAt', 'answeredSk', ...REOPEN_REMOVES] };
  }
  delete values[':inboxSk'];
  values[':answeredSk'] = inboxAnsweredSortKey(touch.at, touch.conversationId);
  sets.push('gsi1sk = :answeredSk', 'answeredSk = :answeredSk');
  return { sets, values, removes: ['resolvedAt', ...REOPEN_REMOVES] };
}

/**
 * What every touch sets, in either phase: who and when, the channel the customer wrote on, the first
 * words of their first message (the first to arrive, in either phase), and their turn (`turnTouch`; a late event reopened nothing). The turn's removes go last in the expression.
 */
function touchBase(touch: ConversationTouch, phase: 'current' | 'stale') {
  const values: Record<string, unknown> = {
    ':entity': 'conversation',
    ':id': touch.conversationId,
    ':customerId': touch.customerId,
    ':now': touch.now,
  };
  const sets = [
    'entity = :entity',
    'id = :id',
    'customerId = :customerId',
    'createdAt = if_not_exists(createdAt, :now)',
    // The routing state is kept from here on; before `createdAt` only on a conversation it started.
    'stateFrom = if_not_exists(stateFrom, :now)',
  ];
  const adds: string[] = [];
  if (touch.inbound) {
    values[':channels'] = new Set([touch.channel]);
    adds.push('channels :channels');
  }
  if (touch.preview) {
    values[':preview'] = touch.preview;
    values[':previewAt'] = touch.at;
    sets.push(
      'preview = if_not_exists(preview, :preview)',
      'previewAt = if_not_exists(previewAt, :previewAt)',
    );
  }
  // Decided by the first message that tells one (`#language`: a reserved word); a reopen in another
  // language changes it by its own write (`reopenLanguageFollowUp`), only when it really differs.
  if (touch.language) {
    values[':language'] = touch.language;
    sets.push('#language = if_not_exists(#language, :language)');
  }
  if (touch.languageHint) {
    values[':languageHint'] = touch.languageHint;
    sets.push('languageHint = if_not_exists(languageHint, :languageHint)');
  }
  if (touch.previousConversationId) {
    values[':previous'] = touch.previousConversationId;
    sets.push('previousConversationId = if_not_exists(previousConversationId, :previous)');
  }
  const turn = turnTouch({ ...touch, reopen: phase === 'current' && touch.reopen });
  Object.assign(values, turn.values);
  sets.push(...turn.sets);
  adds.push(...turn.adds);
  const names: Record<string, string> = touch.language ? { '#language': 'language' } : {};
  return { values, names, sets, adds, lastRemoves: turn.removes };
}

/**
 * A late message's words replace the preview a later message gave (its crashed first delivery came back
 * after the others): the preview is the first message's whatever order they arrive in; never a message
 * from before the conversation's (`notBeforeConversation`). Run only after a stale touch, so only out
 * of order; undefined for a touch with no preview.
 */
export function earlierPreviewInput(table: string, touch: ConversationTouch): UpdateCommandInput | undefined {
  if (!touch.preview) return undefined;
  const values: Record<string, unknown> = { ':preview': touch.preview, ':at': touch.at };
  const conditions = ['attribute_exists(pk) AND previewAt > :at', ...notBeforeConversation(touch, values)];
  return {
    TableName: table,
    Key: Keys.conversation(touch.conversationId),
    UpdateExpression: 'SET preview = :preview, previewAt = :at',
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeValues: values,
  };
}

/**
 * Upserts the conversation an event belongs to. `current` for an event newer than the conversation's
 * last message and its resolution; `reopen` also puts a resolved conversation back in the open inbox;
 * `stale` (the retry after a failed check) only adds the channel (and the customer's turn), so the
 * channel set, which flags a channel switch, is the same whatever order messages arrive in.
 */
export function touchConversationInput(
  table: string,
  touch: ConversationTouch,
  phase: 'current' | 'stale',
): UpdateCommandInput {
  const key = Keys.conversation(touch.conversationId);
  const { values, names: baseNames, sets, adds, lastRemoves } = touchBase(touch, phase);
  if (phase === 'stale') {
    return {
      TableName: table,
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')}${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
      ...(Object.keys(baseNames).length ? { ExpressionAttributeNames: baseNames } : {}),
      ExpressionAttributeValues: values,
    };
  }
  values[':open'] = 'open';
  values[':channel'] = touch.channel;
  values[':at'] = touch.at;
  // A late reopen may be older than the last message: its forward-only write moves them (`lateReopenFollowUp`).
  if (isLateReopen(touch))
    sets.push(
      'channel = if_not_exists(channel, :channel)',
      'lastMessageAt = if_not_exists(lastMessageAt, :at)',
    );
  else sets.push('channel = :channel', 'lastMessageAt = :at');
  const episode = episodeTouch(touch);
  sets.push(...episode.sets);
  const names: Record<string, string> = { '#status': 'status', ...baseNames, ...episode.names };
  const removes: string[] = [];
  if (touch.reopen) {
    const reopen = reopenTouch(touch);
    Object.assign(values, reopen.values);
    sets.push(...reopen.sets);
    removes.push(...reopen.removes);
  } else {
    sets.push('#status = if_not_exists(#status, :open)');
    if (touch.inbound) {
      const open = inboundOpenTouch(touch);
      Object.assign(values, open.values);
      sets.push(...open.sets);
    }
  }
  // What an answer must be as new as to end the wait (see `markAnsweredInput`); forward only: a late
  // reopen may be older than the conversation's last message, and moves it by `laterInboundInput`.
  if (touch.inbound && !isLateReopen(touch)) sets.push('lastInboundAt = :at');
  removes.push(...lastRemoves);
  return {
    TableName: table,
    Key: key,
    UpdateExpression: [
      `SET ${sets.join(', ')}`,
      adds.length ? `ADD ${adds.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ConditionExpression: touchCondition(touch, values),
  };
}

/**
 * Whether a touched conversation (`item`, as the touch left it) was answered after the customer's
 * message, or began after it though before it reached us (`notBeforeConversation`): the message
 * overtaken so, a wait it starts begins when we received it (`TouchedConversation.overtaken`).
 */
export function isOvertaken(item: Record<string, unknown> | undefined, touch: ConversationTouch): boolean {
  const after = (time: unknown): time is string => typeof time === 'string' && time > touch.at;
  if (after(item?.answeredAt) || after(item?.lastAnswerAt)) return true;
  return touch.arrivedAt !== undefined && after(item?.createdAt) && item.createdAt <= touch.arrivedAt;
}

/** A reopen by a message timed at or before the resolve (`receivedAt`): it may be older than the last message. */
export const isLateReopen = (touch: ConversationTouch): boolean =>
  touch.reopen === true && touch.receivedAt !== undefined;

/** What a forward-only write moves to the message (`laterInboundInput`). */
export interface LaterMoves {
  lastInboundAt?: string;
  lastMessageAt?: string;
  channel?: string;
}

/**
 * The customer's message is the conversation's latest inbound one, though not its latest event (an
 * answer came after it, or the resolve it reopens after): `lastInboundAt` moves to it, forward only.
 * `moves` (a late reopen, `lateReopenFollowUp`): what moves, each forward only, `lastMessageAt` with its `channel`.
 */
export function laterInboundInput(
  table: string,
  touch: ConversationTouch,
  moves: LaterMoves = { lastInboundAt: touch.at },
): UpdateCommandInput {
  const values: Record<string, unknown> = { ':at': touch.at };
  const sets: string[] = [];
  const conditions = ['attribute_exists(pk)'];
  if (moves.lastInboundAt !== undefined) {
    sets.push('lastInboundAt = :at');
    conditions.push('(attribute_not_exists(lastInboundAt) OR lastInboundAt < :at)');
  }
  if (moves.lastMessageAt !== undefined) {
    values[':channel'] = touch.channel;
    sets.push('lastMessageAt = :at', 'channel = :channel');
    conditions.push('(attribute_not_exists(lastMessageAt) OR lastMessageAt < :at)');
  }
  return {
    TableName: table,
    Key: Keys.conversation(touch.conversationId),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeValues: values,
  };
}

/**
 * What a late reopen's touch (`item`, as it left the conversation) leaves to its forward-only write, and
 * that write: the times the message is later than (`lastInboundAt`; `lastMessageAt` with the channel),
 * never one a later event set, which the reopen, older, would move back. Undefined for any other touch,
 * or when the message is later than none (no write).
 */
export function lateReopenFollowUp(
  table: string,
  touch: ConversationTouch,
  item: Record<string, unknown> | undefined,
): { input: UpdateCommandInput; moves: LaterMoves } | undefined {
  if (!isLateReopen(touch)) return undefined;
  const older = (time: unknown) => typeof time !== 'string' || time < touch.at;
  const moves: LaterMoves = {
    ...(older(item?.lastInboundAt) ? { lastInboundAt: touch.at } : {}),
    ...(older(item?.lastMessageAt) ? { lastMessageAt: touch.at, channel: touch.channel } : {}),
  };
  return Object.keys(moves).length > 0 ? { input: laterInboundInput(table, touch, moves), moves } : undefined;
}

/**
 * Never moved back by an older event, and never reopened by one older than the resolution. A reopen by
 * a message timed at or before it is judged by when the resolver first received it (`receivedAt`):
 * received after the resolve, the agent never saw it, so it reopens the conversation while it stands
 * resolved, even past a later event that came before the resolve; a redelivery keeps that first time.
 */
function touchCondition(touch: ConversationTouch, values: Record<string, unknown>): string {
  if (!touch.reopen || touch.receivedAt === undefined) {
    return '(attribute_not_exists(lastMessageAt) OR lastMessageAt <= :at) AND (attribute_not_exists(resolvedAt) OR resolvedAt < :at)';
  }
  values[':received'] = touch.receivedAt;
  values[':resolved'] = 'resolved';
  return '(attribute_not_exists(lastMessageAt) OR lastMessageAt <= :at OR #status = :resolved) AND (attribute_not_exists(resolvedAt) OR resolvedAt < :received)';
}
