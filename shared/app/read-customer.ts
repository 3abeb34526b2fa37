import type { AgentStore } from '#shared/domain/agent-ports.js';
import type { Suggestion } from '#shared/domain/suggestions.js';
import type { Conversation, Customer } from '#shared/domain/timeline.js';
import { NotFoundError } from '#shared/errors.js';

/** A customer as an agent opens them: the profile, its open conversation and open merge suggestions. */
export type CustomerView = Customer & { openConversation: Conversation | null; suggestions: Suggestion[] };

/** Reads what an agent sees first about a customer; an unknown customer is a NotFoundError. */
export async function readCustomer(
  deps: { store: Pick<AgentStore, 'getCustomer' | 'getConversation' | 'suggestions'> },
  customerId: string,
): Promise<CustomerView> {
  const customer = await existingCustomer(deps, customerId);
  const openConversation = customer.openConversationId
    ? ((await deps.store.getConversation(customer.openConversationId)) ?? null)
    : null;
  const suggestions = (await deps.store.suggestions(customerId)).filter((s) => s.status === 'open');
  return { ...customer, openConversation, suggestions };
}

/** The customer, or a NotFoundError naming the id: the check before every change to a customer. */
export async function existingCustomer(
  deps: { store: Pick<AgentStore, 'getCustomer'> },
  customerId: string,
): Promise<Customer> {
  const customer = await deps.store.getCustomer(customerId);
  if (!customer) throw new NotFoundError(`no customer ${customerId}`);
  return customer;
}
