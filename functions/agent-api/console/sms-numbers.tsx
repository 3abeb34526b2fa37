import type { ChannelOption, NumberOpen } from './api.js';
import { clock } from './format.js';

const state = (open: NumberOpen) =>
  open.available
    ? 'may text'
    : `blocked: ${open.detail ?? 'opted out'}${open.at ? `, ${clock(open.at)}` : ''}`;

/**
 * Which of our numbers may text the customer, as `GET /api/customers/{id}/channels` names them for SMS
 * (Twilio keeps a STOP per number of ours): the number replies go from first, then each the customer
 * texted STOP or START to, then our other numbers. Nothing for a customer without SMS.
 */
export function SmsNumbers(props: { options: readonly ChannelOption[] | undefined }) {
  const sms = props.options?.find((option) => option.channel === 'sms');
  if (!sms?.numbers?.length) return null;
  const [first] = sms.numbers;
  return (
    <div class="sms-numbers">
      <p id="sms-numbers-label">Our SMS numbers:</p>
      <ul aria-labelledby="sms-numbers-label">
        {sms.numbers.map((n) => (
          <li key={n.number} class={n.available ? undefined : 'opted-out'}>
            <bdi>{n.number}</bdi>
            {n === first ? ' (replies go from it)' : ''}: {state(n)}
          </li>
        ))}
        {sms.otherNumbers ? <li>Our other numbers: {state(sms.otherNumbers)}</li> : null}
      </ul>
    </div>
  );
}
