import type { AgentStore } from '#shared/domain/agent-ports.js';
import { customerSummary, type InboxConversation } from '#shared/domain/inbox.js';
import { isWaiting } from '#shared/domain/waiting.js';
import { NotFoundError } from '#shared/errors.js';

/**
 * One conversation as the inbox lists it, for a link to it: the conversation and its customer's summary,
 * two reads. An unknown conversation is a NotFoundError; a customer erased (or being erased) a GoneError.
 */
export async function readConversation(
  deps: { store: Pick<AgentStore, 'getConversation' | 'getCustomer'> },
  conversationId: string,
): Promise<InboxConversation> {
  const conversation = await deps.store.getConversation(conversationId);
  if (!conversation) throw new NotFoundError(`no conversation ${conversationId}`);
  const customer = await deps.store.getCustomer(conversation.customerId);
  const row = { ...conversation, waiting: isWaiting(conversation) };
  return customer ? { ...row, customer: customerSummary(customer) } : row;
}
