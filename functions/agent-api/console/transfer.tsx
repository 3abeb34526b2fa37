import { useRef, useState } from 'preact/hooks';
import { agentState } from './agent-state.js';
import type { AgentRow } from './agents.js';

/** Where a transfer goes: an agent (`""` takes it back to the queue), a queue, or both. */
export interface TransferTarget {
  agentId?: string;
  queue?: string;
}

const NOBODY = '\u0000nobody';
/** Shown (and never sent) when no agent is registered: why the list has nobody to choose. */
const NO_AGENT = '\u0000none';

/** A list to choose from; the option shown follows `value` even as the options change. */
function Picker(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  options: Array<[string, string]>;
}) {
  return (
    <label>
      {props.label}
      <select onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.options.map(([value, text]) => (
          <option key={value} value={value} selected={props.value === value} disabled={value === NO_AGENT}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** What the form is called, its lists and its button: a conversation's Transfer unless told otherwise. */
export interface TransferWords {
  form: string;
  agent: string;
  queue: string;
  submit: string;
}
const TRANSFER: TransferWords = { form: 'Transfer', agent: 'Agent', queue: 'Queue', submit: 'Transfer' };

/** Transfer to a registered agent and/or a known queue, picked from lists; cleared once it went through. */
export function TransferForm(props: {
  agents: readonly AgentRow[];
  queues: readonly string[];
  /** Who has it now: "Nobody" is offered only when someone does (always for `words` of a batch). */
  assignee: string | undefined;
  onTransfer(target: TransferTarget): Promise<boolean>;
  words?: TransferWords;
}) {
  const words = props.words ?? TRANSFER;
  const [agent, setAgent] = useState('');
  const [queue, setQueue] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="transfer"
      aria-label={words.form}
      onSubmit={async (e) => {
        e.preventDefault();
        const target: TransferTarget = {
          ...(agent ? { agentId: agent === NOBODY ? '' : agent } : {}),
          ...(queue ? { queue } : {}),
        };
        setBusy(true);
        const done = await props.onTransfer(target);
        setBusy(false);
        if (done) {
          setAgent('');
          setQueue('');
        }
      }}
    >
      <Picker
        label={words.agent}
        value={agent}
        onChange={setAgent}
        options={[
          ['', 'Choose an agent'],
          ...(props.assignee ? [[NOBODY, 'Nobody (back to the queue)'] as [string, string]] : []),
          ...(props.agents.length ? [] : [[NO_AGENT, 'No agents have signed in yet'] as [string, string]]),
          ...props.agents.map((a): [string, string] => [
            a.id,
            `${a.id} (${agentState(a, Date.now())}, ${a.openConversations}/${a.capacity})`,
          ]),
        ]}
      />
      <Picker
        label={words.queue}
        value={queue}
        onChange={setQueue}
        options={[['', 'Choose a queue'], ...props.queues.map((q): [string, string] => [q, q])]}
      />
      <button type="submit" disabled={busy || (!agent && !queue)}>
        {words.submit}
      </button>
    </form>
  );
}

/**
 * The conversation's Transfer in one column (a phone, a laptop at 200 % zoom): a Transfer button that
 * opens the form below it, over the timeline (its two labelled lists took two lines of the header
 * there). Escape closes it, back on its button; a transfer that went through closes it too.
 */
export function TransferMenu(props: Parameters<typeof TransferForm>[0]) {
  const menu = useRef<HTMLDetailsElement>(null);
  const close = () => {
    if (!menu.current?.open) return;
    menu.current.open = false;
    menu.current.querySelector('summary')?.focus();
  };
  return (
    <details
      ref={menu}
      class="transfer-menu"
      onKeyDown={(e) => {
        if (e.key === 'Escape') close();
      }}
    >
      <summary>Transfer</summary>
      <TransferForm
        {...props}
        onTransfer={async (target) => {
          const done = await props.onTransfer(target);
          if (done) close();
          return done;
        }}
      />
    </details>
  );
}
