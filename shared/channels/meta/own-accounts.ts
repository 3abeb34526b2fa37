import type { Envelope } from '#shared/domain/envelope.js';

/**
 * Our own accounts on Meta, by channel: the WhatsApp phone number id (WHATSAPP_PHONE_NUMBER_ID), the
 * Facebook Page id (META_PAGE_ID) and the Instagram professional account id (META_INSTAGRAM_ACCOUNT_ID).
 * A channel left out accepts every account, as before these settings.
 */
export type OwnAccounts = Partial<Record<'whatsapp' | 'messenger' | 'instagram', string | undefined>>;

/** How many of the accounts dropped in one body the log line names. */
const LOGGED_ACCOUNTS = 5;

/**
 * The envelopes for our own accounts, and the accounts of those that are not: an envelope whose
 * `account` is one of `samples` (the ids Meta's dashboard "Test" button sends, never a real account's)
 * or is not the channel's own account when one is configured. An envelope without an account is kept:
 * nothing says it is someone else's.
 */
export function forOwnAccounts(
  envelopes: readonly Envelope[],
  own: OwnAccounts | undefined,
  samples: readonly string[],
): { kept: Envelope[]; dropped: number; accounts: string[] } {
  const kept: Envelope[] = [];
  const accounts = new Set<string>();
  let dropped = 0;
  for (const envelope of envelopes) {
    const { account, channel } = envelope;
    const ours = own?.[channel as keyof OwnAccounts];
    if (account !== undefined && (samples.includes(account) || (ours !== undefined && account !== ours))) {
      dropped += 1;
      if (accounts.size < LOGGED_ACCOUNTS) accounts.add(account.slice(0, 64));
    } else {
      kept.push(envelope);
    }
  }
  return { kept, dropped, accounts: [...accounts] };
}
