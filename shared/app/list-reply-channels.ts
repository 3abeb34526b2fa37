import type { AgentStore } from '../domain/agent-ports.js';
import type { ContactState } from '../domain/contact-state.js';
import type { Channel, Identity } from '../domain/envelope.js';
import type { Clock } from '../domain/ports.js';
import { channelOption, refusalOf, replyWindowOn, standingBlock } from '../domain/replies.js';
import { nextReplyChannel, replyCandidates } from '../domain/reply-channel.js';
import { replyTextLimit } from '../domain/reply-length.js';
import type { ReplyStore } from '../domain/reply-ports.js';
import { conversationLanguage } from '../domain/routing/message-language.js';
import { type ReplyChannel, SMS_NUMBER_STATES, smsNumbers } from '../domain/sms-numbers.js';
import { contactStateFor } from '../domain/sms-opt-out.js';
import { nearestTemplateLanguage } from '../domain/template-language.js';
import type { Conversation } from '../domain/timeline.js';
import { contactStateQuery } from '../domain/whatsapp-opt-out.js';
import { NotFoundError } from '../errors.js';
import { existingCustomer } from './read-customer.js';
import { type ReplyDestination, replyDestination } from './reply-destination.js';

/**
 * Which channels a reply to the customer may use now, and why not, by the rules a reply is checked
 * against (windows, STOP, suppression, Messenger's tag), and the longest text each takes from this
 * customer (`replyTextLimit`): what the console's reply box shows before typing. A `conversationId`
 * that is not one of the customer's (or their merged group's) is 404, as elsewhere.
 * Each is checked at the address a reply would go to (replyDestination: email's Reply-To); with
 * `conversationId`, as a reply in that conversation would be (its email thread's sender; its web chat's
 * writer, `webchat_not_available` for a visitor merged in who did not write there), and the channel a
 * reply naming none takes there comes first: when that would be the chat of a visitor the site did not
 * vouch for, the one it gives way to (defaultedDestination, nextReplyChannel). The console's reply box
 * picks the first available. Where only a WhatsApp template may go in that conversation, the Meta
 * language code nearest its language (`templateLanguage`, see nearestTemplateLanguage): no read more.
 */
export async function listReplyChannels(
  deps: {
    store: Pick<AgentStore, 'getCustomer'>;
    replies: {
      store: Pick<
        ReplyStore,
        'mergedCustomers' | 'getContactState' | 'contactStates' | 'lastInbound' | 'getConversation'
      >;
    };
    clock: Clock;
  },
  customerId: string,
  conversationId?: string,
): Promise<ReplyChannel[]> {
  await existingCustomer(deps, customerId);
  const { partitions, customers: profiles } = await deps.replies.store.mergedCustomers(customerId);
  const root = profiles.find((c) => c.id === partitions[0]) ?? profiles[0];
  if (!root) return [];
  const conversation =
    conversationId === undefined
      ? undefined
      : await ownConversation(deps.replies.store, conversationId, partitions);
  const lastInboundAt = conversation?.lastInboundAt;
  const now = deps.clock.now();
  const unvouched = new Set<Channel>();
  const options = await Promise.all(
    replyCandidates(root, profiles).map(async (channel): Promise<ReplyChannel> => {
      let destination: ReplyDestination;
      try {
        destination = await replyDestination(
          deps.replies.store,
          { customer: root, partitions, profiles, lastInboundAt },
          channel,
          conversationId,
        );
      } catch (error) {
        return { channel, available: false, ...refusalOf(error) };
      }
      const { to, from, latestEmails, vouched } = destination;
      if (vouched === false) unvouched.add(channel);
      const numbers = await numbersOf(deps.replies.store, channel, to);
      const state = numbers?.complete
        ? contactStateFor(numbers.states, from)
        : await deps.replies.store.getContactState(...contactStateQuery(channel, to, from));
      const option = channelOption({
        channel,
        now,
        ...replyWindowOn(profiles, channel),
        blocked: standingBlock(state, to, latestEmails),
      });
      const maxLength = replyTextLimit(channel, root);
      // Where only a template may go in the conversation: the language code it most likely is in.
      const language =
        option.needsTemplate && conversation
          ? nearestTemplateLanguage(conversationLanguage(conversation), to.value)
          : undefined;
      return {
        ...option,
        ...(language ? { templateLanguage: language } : {}),
        ...(maxLength === undefined ? {} : { maxLength }),
        ...(numbers ? smsNumbers(numbers.states, from, numbers.complete) : {}),
      };
    }),
  );
  const [first] = options;
  const givesWay = first?.reason === 'webchat_not_available' || unvouched.has(first?.channel as Channel);
  if (!conversationId || !first || !givesWay) return options;
  const next = nextReplyChannel(root, profiles, first.channel);
  return [...options.filter((o) => o.channel === next), ...options.filter((o) => o.channel !== next)];
}

/**
 * An SMS customer's contact states, for which of our numbers may text them: one Query of their number's
 * states, the read `getContactState` makes for a phone number (so none more), at most
 * `SMS_NUMBER_STATES` of them. Undefined for another channel (WhatsApp has one sender: no states per
 * number of ours) or a store that cannot list them.
 */
function numbersOf(
  store: Pick<ReplyStore, 'contactStates'>,
  channel: Channel,
  to: Identity,
): Promise<{ states: ContactState[]; complete: boolean }> | undefined {
  if (channel !== 'sms' || to.kind !== 'phone' || !store.contactStates) return undefined;
  return store.contactStates(to, SMS_NUMBER_STATES);
}

/**
 * 404 for a conversation that is not the customer's (one of their merged group's counts as theirs), or
 * does not exist: the answer would otherwise be judged for another person's conversation. One GetItem.
 */
async function ownConversation(
  store: Pick<ReplyStore, 'getConversation'>,
  conversationId: string,
  partitions: readonly string[],
): Promise<Conversation> {
  const conversation = await store.getConversation(conversationId);
  if (!conversation || !partitions.includes(conversation.customerId)) {
    throw new NotFoundError(`no conversation ${conversationId} of this customer`);
  }
  return conversation;
}
