import type { ChannelOption } from './api.js';
import { channelName, reasonText } from './format.js';

/** The channels a reply may go on, each with why not or under what rule, the one it goes on checked. */
export function ChannelChoice(props: {
  channels: ChannelOption[];
  value: string;
  onChange(channel: string): void;
}) {
  return (
    <fieldset class="channels">
      <legend>Send on</legend>
      {props.channels.map((c) => (
        <label key={c.channel} class={c.available ? '' : 'unavailable'}>
          <input
            type="radio"
            name="channel"
            value={c.channel}
            checked={props.value === c.channel}
            disabled={!c.available}
            onChange={() => props.onChange(c.channel)}
          />
          {channelName(c.channel)}
          <span class="why" data-channel-reason={c.channel}>
            {c.available
              ? c.needsTemplate
                ? ` (template only: ${reasonText(c.reason)})`
                : c.tag
                  ? ' (after 24 h: sent with the HUMAN_AGENT tag)'
                  : ' (open)'
              : `: ${reasonText(c.reason)}`}
          </span>
        </label>
      ))}
    </fieldset>
  );
}

/**
 * The channel a reply goes on: the one the agent chose while it can take a reply; none while it cannot
 * (`lost`: said, never swapped for another in silence: the text may suit only the channel it was written
 * for); else, nothing chosen, the first that can.
 */
export function channelNow(
  channels: ChannelOption[],
  read: boolean,
  kept: string | undefined,
): { chosen: ChannelOption | undefined; lost: ChannelOption | { channel: string } | undefined } {
  const option = kept === undefined ? undefined : channels.find((c) => c.channel === kept);
  if (option?.available) return { chosen: option, lost: undefined };
  if (kept !== undefined && read) return { chosen: undefined, lost: option ?? { channel: kept } };
  return { chosen: channels.find((c) => c.available), lost: undefined };
}

/** Why the channel the agent chose for this reply cannot take it now, and what to do. */
export function ChannelLost(props: { lost: ChannelOption | { channel: string } }) {
  const { lost } = props;
  const why =
    'reason' in lost && lost.reason ? reasonText(lost.reason) : 'it is not offered for this customer now';
  return (
    <p role="status" class="hint channel-lost">
      You chose {channelName(lost.channel)} for this reply, but it can't take one now: {why}. Choose another
      channel above to send it.
    </p>
  );
}
