import type { Api, Conversation } from './api.js';
import { clock } from './format.js';

const HOUR = 3_600_000;

/** The snooze presets: a label and when, from now, the conversation comes back. */
const PRESETS: Array<[string, (now: Date) => Date]> = [
  ['1 hour', (now) => new Date(now.getTime() + HOUR)],
  ['4 hours', (now) => new Date(now.getTime() + 4 * HOUR)],
  [
    'Tomorrow 09:00',
    (now) => {
      const at = new Date(now);
      at.setDate(at.getDate() + 1);
      at.setHours(9, 0, 0, 0);
      return at;
    },
  ],
  ['1 week', (now) => new Date(now.getTime() + 7 * 24 * HOUR)],
];

/**
 * Snooze and wake in the conversation's header: a snoozed conversation shows until when and a Wake
 * button; an open one a Snooze menu of a few durations; a resolved one neither (only open ones snooze).
 */
export function SnoozeControl(props: {
  status: string;
  snoozedUntil: string | undefined;
  onSnooze(until: string): void;
  onWake(): void;
}) {
  if (props.snoozedUntil)
    return (
      <button type="button" class="wake" onClick={props.onWake}>
        Wake
      </button>
    );
  if (props.status !== 'open') return null;
  return (
    <details
      class="snooze"
      onKeyDown={(e) => {
        // Escape closes the menu (it stayed open over the timeline), back on its Snooze.
        if (e.key !== 'Escape' || !e.currentTarget.open) return;
        e.currentTarget.open = false;
        e.currentTarget.querySelector('summary')?.focus();
      }}
    >
      <summary>Snooze</summary>
      <ul aria-label="Snooze for">
        {PRESETS.map(([label, when]) => (
          <li key={label}>
            <button
              type="button"
              onClick={(e) => {
                e.currentTarget.closest('details')?.removeAttribute('open');
                props.onSnooze(when(new Date()).toISOString());
              }}
            >
              {label}
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** The header's status words: open, resolved, or snoozed until when. */
export const statusText = (status: string, snoozedUntil: string | undefined): string =>
  snoozedUntil ? `Snoozed until ${clock(snoozedUntil)}` : status === 'open' ? 'Open' : 'Resolved';

/** Snoozes the conversation until `until`; the answer has the snooze's end. */
export const snooze = (api: Api, id: string, until: string): Promise<Conversation> =>
  api.send<Conversation>('POST', `/api/conversations/${id}/snooze`, { until });

/** Wakes the conversation now; the answer is the conversation awake (no `snoozedUntil`). */
export const wake = async (api: Api, id: string): Promise<Conversation> => ({
  ...(await api.send<Conversation>('POST', `/api/conversations/${id}/wake`)),
  snoozedUntil: undefined,
});
