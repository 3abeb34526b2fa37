import type { LocalRuntime } from '#shared/local/runtime.js';

/** The open conversation of the customer behind a phone number (E.164 digits), read consistently. */
export async function openConversationOf(runtime: LocalRuntime, phone: string): Promise<string> {
  const id = await runtime.store.customers.findCustomerId(
    { kind: 'phone', value: `+${phone}` },
    { consistent: true },
  );
  const customer = id ? await runtime.store.customers.getCustomer(id) : undefined;
  if (!customer?.openConversationId) throw new Error(`no open conversation for +${phone}`);
  return customer.openConversationId;
}

/** The customer behind a phone number (E.164 digits), read consistently; throws if there is none. */
export async function customerIdOf(runtime: LocalRuntime, phone: string): Promise<string> {
  const id = await runtime.store.customers.findCustomerId(
    { kind: 'phone', value: `+${phone}` },
    { consistent: true },
  );
  if (!id) throw new Error(`no customer for +${phone}`);
  return id;
}
