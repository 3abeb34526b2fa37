import type { MessageEnvelopeInput } from '#shared/domain/envelope.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '#shared/validation/json-depth.js';
import { isRecord, optional } from '../normalised.js';
import type { WhatsAppMedia, WhatsAppMessage } from './schema.js';

/** Shared, never written to: `data` of a message that has none (it is then left out). */
export const NO_DATA: Readonly<Record<string, unknown>> = Object.freeze({});

type MessageContent = Pick<MessageEnvelopeInput, 'contentType' | 'text' | 'attachments' | 'data'>;

const MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];
const isMediaType = (type: string): type is MediaType => (MEDIA_TYPES as readonly string[]).includes(type);

/** What a message holds (text, media, location, contacts, a reply...) as envelope content. */
export function messageContent(message: WhatsAppMessage): MessageContent {
  const { type } = message;
  if (type === 'text' && message.text) return { contentType: 'text', text: message.text.body };
  if (isMediaType(type)) {
    const media = message[type];
    if (media) return mediaContent(type, media);
  }
  if (type === 'location' && message.location) {
    const { latitude, longitude, name, address } = message.location;
    const label = [name, address].filter((part) => part?.trim()).join(', ');
    return {
      contentType: 'location',
      text: label || `${latitude}, ${longitude}`,
      data: { location: message.location },
    };
  }
  if (type === 'contacts' && message.contacts) {
    const names = message.contacts.map(contactName).filter((name) => name !== undefined);
    return {
      contentType: 'contacts',
      ...optional('text', names.join(', ') || undefined),
      data: { contacts: message.contacts },
    };
  }
  if (type === 'interactive' && message.interactive) return interactiveContent(message.interactive);
  if (type === 'button' && message.button) {
    return {
      contentType: 'button',
      text: message.button.text,
      data: { button: { text: message.button.text, ...optional('payload', message.button.payload) } },
    };
  }
  if (type === 'order' && message.order) {
    return { contentType: 'order', ...optional('text', message.order.text), data: { order: message.order } };
  }
  // `unsupported`, any type we do not know (request_welcome, poll...), and echoes of reactions, edits
  // and deletions, which have no outbound envelope: kept, visible, and marked.
  const unsupportedType = type === 'unsupported' ? message.unsupported?.type : type;
  const echoed = message.edit ?? message.revoke ?? message.reaction;
  return {
    contentType: 'unsupported',
    ...optional('text', message.edit?.message?.text?.body),
    data: {
      ...optional('unsupportedType', unsupportedType),
      ...(echoed ? { [type]: echoed } : {}),
    },
  };
}

function mediaContent(type: MediaType, media: WhatsAppMedia): MessageContent {
  const attachment = {
    kind: type,
    ...optional('mediaId', media.id),
    ...optional('url', media.url),
    ...optional('mimeType', media.mime_type),
    ...optional('sha256', media.sha256),
    ...optional('filename', media.filename),
    ...optional('caption', media.caption),
  };
  const data = { ...optional('voice', media.voice), ...optional('animated', media.animated) };
  return {
    contentType: type,
    ...optional('text', media.caption),
    attachments: [attachment],
    ...(Object.keys(data).length > 0 ? { data } : {}),
  };
}

function interactiveContent(interactive: NonNullable<WhatsAppMessage['interactive']>): MessageContent {
  const { type } = interactive;
  const reply =
    type === 'button_reply'
      ? interactive.button_reply
      : type === 'list_reply'
        ? interactive.list_reply
        : undefined;
  if (reply) {
    const description =
      'description' in reply && typeof reply.description === 'string' ? reply.description : undefined;
    return {
      contentType: 'interactive',
      text: reply.title,
      data: {
        interactive: { type, id: reply.id, title: reply.title, ...optional('description', description) },
      },
    };
  }
  if (type === 'nfm_reply' && interactive.nfm_reply) {
    const { name, body, response_json } = interactive.nfm_reply;
    return {
      contentType: 'interactive',
      text: body?.trim() ? body : 'Flow response',
      data: {
        interactive: {
          type,
          ...optional('name', name),
          ...optional('body', body),
          ...flowResponse(response_json),
        },
      },
    };
  }
  const own = interactive[type];
  return { contentType: 'interactive', data: { interactive: { type, ...(isRecord(own) ? own : {}) } } };
}

/** A Flow's answers arrive as a JSON string: parsed when it is an object, else kept as the string. */
function flowResponse(json: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(json);
    if (isRecord(parsed) && !nestsDeeperThan(parsed, MAX_JSON_DEPTH)) return { response: parsed };
  } catch {
    // Not JSON: keep the string as Meta sent it.
  }
  return { responseJson: json };
}

/** What the message's context and referral say (forwarded, referred product, ad), or NO_DATA. */
export function contextData(message: WhatsAppMessage): Record<string, unknown> {
  const { context, referral } = message;
  if (!context && !referral) return NO_DATA;
  return {
    ...(context?.forwarded ? { forwarded: true } : {}),
    ...(context?.frequently_forwarded ? { frequentlyForwarded: true } : {}),
    ...optional('referredProduct', context?.referred_product),
    ...optional('referral', referral),
  };
}

/** The caption of the media an edit carries, if any. */
export function mediaCaption(content: Record<string, unknown>): string | undefined {
  for (const type of MEDIA_TYPES) {
    const media = content[type];
    if (isRecord(media) && typeof media.caption === 'string') return media.caption;
  }
  return undefined;
}

function contactName(contact: NonNullable<WhatsAppMessage['contacts']>[number]): string | undefined {
  const name = contact.name;
  const formatted = name?.formatted_name?.trim();
  if (formatted) return formatted;
  const parts = [name?.first_name, name?.middle_name, name?.last_name].filter((part) => part?.trim());
  return parts.length > 0 ? parts.join(' ') : undefined;
}
