import type { ProfileTouch } from '../../domain/resolver-ports.js';

/** The numbers replies go to, as the event says (see `ProfileTouch`): the current phase sets them. */
export function setReplyNumbers(
  touch: ProfileTouch,
  values: Record<string, unknown>,
  sets: string[],
  removes: string[],
): void {
  // The latest WhatsApp message (or number change) says which number WhatsApp replies go to.
  if (typeof touch.whatsappAddress === 'string') {
    values[':whatsappAddress'] = touch.whatsappAddress;
    sets.push('whatsappAddress = :whatsappAddress');
  } else if (touch.whatsappAddress === null) {
    removes.push('whatsappAddress');
  }
  // The latest SMS says which number SMS replies go to.
  if (touch.smsAddress !== undefined) {
    values[':smsAddress'] = touch.smsAddress;
    sets.push('smsAddress = :smsAddress');
  }
  // And the number of ours it was sent to, which SMS replies go from.
  if (touch.smsBusinessNumber !== undefined) {
    values[':smsBusinessNumber'] = touch.smsBusinessNumber;
    sets.push('smsBusinessNumber = :smsBusinessNumber');
  }
  // And through which provider: Twilio's WhatsApp takes at most 1,600 characters a message.
  if (touch.whatsappProvider === 'twilio') {
    values[':whatsappProvider'] = touch.whatsappProvider;
    sets.push('whatsappProvider = :whatsappProvider');
  } else if (touch.whatsappProvider === null) {
    removes.push('whatsappProvider');
  }
}

/**
 * A late event's numbers (`stale`: older than the profile's last event) fill only what is not set: the
 * numbers are the latest messages', but a message redelivered late after a crash, or a late first one,
 * is the latest its channel has when no number is there yet, so the profile ends as it would have.
 */
export function fillReplyNumbers(touch: ProfileTouch, values: Record<string, unknown>, sets: string[]): void {
  if (typeof touch.whatsappAddress === 'string') {
    values[':whatsappAddress'] = touch.whatsappAddress;
    // A number change (quiet, so stale) moves it all the same: the old number is no longer theirs.
    sets.push(
      touch.numberChanged
        ? 'whatsappAddress = :whatsappAddress'
        : 'whatsappAddress = if_not_exists(whatsappAddress, :whatsappAddress)',
    );
  }
  if (touch.smsAddress !== undefined) {
    values[':smsAddress'] = touch.smsAddress;
    sets.push('smsAddress = if_not_exists(smsAddress, :smsAddress)');
  }
  if (touch.smsBusinessNumber !== undefined) {
    values[':smsBusinessNumber'] = touch.smsBusinessNumber;
    sets.push('smsBusinessNumber = if_not_exists(smsBusinessNumber, :smsBusinessNumber)');
  }
}
