import { TemplateSchema } from '../outbound.js';
import { type Image, member, some } from './event-parts.js';
import { type EventData, OptOutKeywordSchema } from './integration-events.js';

type Context = Pick<
  EventData<'message.received'>,
  'replyTo' | 'forwarded' | 'frequentlyForwarded' | 'optOut' | 'template'
>;

/**
 * What a message event says beyond the message's words: the provider's id of the message it quotes
 * (`replyTo`, as its timeline item has it), that it was forwarded (`forwarded`, and
 * `frequentlyForwarded` when WhatsApp says many times), an SMS opt-out keyword (`optOut`: `stop`,
 * `start`, `help`, as the normaliser recorded it), and a template reply's template (name,
 * language, body parameters). A field the item lacks stays out; a template that is not one is left out.
 */
export function messageContext(item: Image): Context {
  const data = (item.data ?? {}) as Image;
  const template = data.template === undefined ? undefined : TemplateSchema.safeParse(data.template);
  return {
    ...some('replyTo', item.replyTo),
    ...(data.forwarded === true ? { forwarded: true } : {}),
    ...(data.frequentlyForwarded === true ? { frequentlyForwarded: true } : {}),
    ...(member(OptOutKeywordSchema, data.optOut) ? { optOut: member(OptOutKeywordSchema, data.optOut) } : {}),
    ...(template?.success ? { template: template.data } : {}),
  };
}
