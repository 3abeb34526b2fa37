import type { Attachment, ContentType, EnvelopeInput } from '#shared/domain/envelope.js';
import { optional } from '../normalised.js';
import { base, businessAct, customerOf, type Event, timeKey } from './event.js';
import type { MetaAttachment, MetaMessage, MetaPostback } from './schema.js';

/** A message (text, attachments, a template), or its deletion; outbound when the business sent it. */
export function messageEnvelopes(e: Event, message: MetaMessage): EnvelopeInput[] {
  const customer = customerOf(e);
  const { channel } = e.scope;
  const direction = e.sides.byBusiness || message.is_echo === true ? 'outbound' : 'inbound';
  if (message.is_deleted === true) {
    const key = `delete:${message.mid}`;
    if (direction === 'outbound') return [businessAct(e, key, 'delete', { targetMessageId: message.mid })];
    return [
      {
        id: `${channel}:${key}`,
        ...base(e),
        kind: 'delete',
        providerMessageId: key,
        targetMessageId: message.mid,
        customer,
      },
    ];
  }
  const content = messageContent(message);
  const data = {
    ...content.data,
    ...optional('like', likeOf(message)),
    ...optional('quickReply', message.quick_reply?.payload),
    ...optional('story', message.reply_to?.story),
    ...optional('referral', message.referral ?? e.event.referral),
    // Which app sent an echo: ours (a reply we already hold), Meta's inbox, or another app.
    ...optional('appId', message.app_id === undefined ? undefined : String(message.app_id)),
    ...optional('metadata', message.metadata),
    ...(e.standby ? { standby: true } : {}),
  };
  return [
    {
      id: `${channel}:msg:${message.mid}`,
      ...base(e),
      kind: 'message',
      direction,
      providerMessageId: message.mid,
      customer,
      contentType: content.contentType,
      ...optional('text', message.text),
      attachments: content.attachments,
      ...optional('replyTo', message.reply_to?.mid),
      ...(Object.keys(data).length > 0 ? { data } : {}),
    },
  ];
}

/**
 * How Meta attachment types become envelope attachments. Types with no medium of their own (share,
 * post, ig_post, story_mention, ig_story, fallback, appointment_booking, anything new) are `file`s
 * whose URL points at the shared thing; `data.attachmentTypes` keeps Meta's type for each.
 */
const KIND_BY_TYPE: Readonly<Record<string, Attachment['kind']>> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'file',
  reel: 'video',
  ig_reel: 'video',
};

const CONTENT_BY_KIND: Readonly<Record<Attachment['kind'], ContentType>> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  sticker: 'sticker',
  file: 'document',
  document: 'document',
};

interface MessageContent {
  contentType: ContentType;
  attachments: Attachment[];
  data: Record<string, unknown>;
}

function messageContent(message: MetaMessage): MessageContent {
  const items = message.attachments ?? [];
  const attachments = items.map(attachmentOf).filter((a): a is Attachment => a !== undefined);
  const first = attachments[0];
  const contentType: ContentType =
    message.is_unsupported === true
      ? 'unsupported'
      : items.some((item) => item.type === 'like_heart')
        ? 'sticker'
        : first
          ? CONTENT_BY_KIND[first.kind]
          : items.some((item) => item.type === 'template')
            ? 'interactive'
            : message.text !== undefined
              ? 'text'
              : 'unsupported';
  return {
    contentType,
    attachments,
    data: items.length > 0 ? { attachmentTypes: items.map((item) => item.type) } : {},
  };
}

/**
 * Messenger's Like button sends this sticker (the thumbs-up, an `image` with `sticker_id`, the id also
 * on the message). The larger likes a long press sends are other ids, which the facts we hold
 * (providers.md) do not give: those stay stickers.
 */
const LIKE_STICKER_ID = '369239263222822';

/**
 * The emoji a like stands for, when the message is one and says nothing else: Messenger's thumbs-up
 * sticker (👍), Instagram's heart (`like_heart`, ❤️). Kept as `data.like`: an acknowledgement, no
 * question (`isLike`): it goes beside the conversation as a reaction does.
 */
function likeOf(message: MetaMessage): string | undefined {
  if (message.text !== undefined || message.is_unsupported === true) return undefined;
  const items = message.attachments ?? [];
  if (items.length > 0 && items.every((item) => item.type === 'like_heart')) return '❤️';
  const stickers = [message.sticker_id, ...items.map((item) => item.payload?.sticker_id)];
  const liked = stickers.some((id) => id !== undefined && String(id) === LIKE_STICKER_ID);
  return liked && items.length <= 1 ? '👍' : undefined;
}

/** An attachment we can point at (a URL or a media id); templates and empty fallbacks have neither. */
function attachmentOf(item: MetaAttachment): Attachment | undefined {
  const payload = item.payload ?? undefined;
  const url = payload?.url || payload?.story_media_url || item.url || undefined;
  const mediaId = payload?.ig_post_media_id ?? payload?.reel_video_id ?? payload?.story_media_id;
  if (url === undefined && mediaId === undefined) return undefined;
  const kind =
    item.type === 'image' && payload?.sticker_id !== undefined
      ? 'sticker'
      : (KIND_BY_TYPE[item.type] ?? 'file');
  return {
    kind,
    ...optional('mediaId', mediaId),
    ...optional('url', url),
    ...optional('caption', payload?.title ?? item.title),
  };
}

/** A button the customer pressed (postback): a `button` message with its title and payload. */
export function postbackEnvelope(e: Event, postback: MetaPostback): EnvelopeInput {
  const key = postback.mid ?? `postback:${e.senderKey}:${timeKey(e)}`;
  const data = {
    postback: { ...optional('title', postback.title), ...optional('payload', postback.payload) },
    ...optional('referral', postback.referral ?? e.event.referral),
    ...(e.standby ? { standby: true } : {}),
  };
  return {
    id: postback.mid ? `${e.scope.channel}:msg:${postback.mid}` : `${e.scope.channel}:${key}`,
    ...base(e),
    kind: 'message',
    direction: e.sides.byBusiness ? 'outbound' : 'inbound',
    providerMessageId: key,
    customer: customerOf(e),
    contentType: 'button',
    ...optional('text', postback.title),
    data,
  };
}
