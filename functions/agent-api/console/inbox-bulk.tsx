import { useEffect, useRef, useState } from 'preact/hooks';
import type { AgentRow } from './agents.js';
import { type Api, ApiError, type InboxConversation } from './api.js';
import { customerLabel } from './customer-label.js';
import { failureText } from './format.js';
import { TransferForm, type TransferTarget } from './transfer.js';
import { focusLost } from './ui.js';

/** Assignments a batch has on their way at once: a few, so a lead's 50 do not crowd out the others' calls. */
export const BULK_AT_ONCE = 4;

/** What a batch did: how many moved, those a colleague took meanwhile (left as they are), those that failed. */
export interface BulkOutcome {
  /** The conversations assigned. */
  assigned: string[];
  changed: string[];
  failed: Array<{ name: string; why: string }>;
}

const nameOf = (c: InboxConversation) => customerLabel(c.customer?.name, c.customer?.identity).text ?? c.id;

/**
 * Assigns each conversation as its row shows it (`expectedAssignee`: one a colleague took meanwhile is
 * refused and left with them), a few at a time; answers what happened to each.
 */
export async function assignEach(
  api: Api,
  rows: readonly InboxConversation[],
  target: TransferTarget,
): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { assigned: [], changed: [], failed: [] };
  let next = 0;
  const worker = async () => {
    for (let row = rows[next++]; row; row = rows[next++]) {
      const body = { ...target, expectedAssignee: row.assignee ?? '' };
      try {
        await api.send('POST', `/api/conversations/${row.id}/assign`, body);
        outcome.assigned.push(row.id);
      } catch (e) {
        if (e instanceof ApiError && e.code === 'assignee_changed') outcome.changed.push(nameOf(row));
        else outcome.failed.push({ name: nameOf(row), why: failureText(e) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BULK_AT_ONCE, rows.length) }, worker));
  return outcome;
}

/** The outcome in words: what moved, who was left with a colleague, what failed and why. */
export function outcomeText(o: BulkOutcome): string {
  const parts = [`${o.assigned.length} assigned`];
  if (o.changed.length)
    parts.push(`${o.changed.length} left as they were (taken meanwhile: ${o.changed.join(', ')})`);
  if (o.failed.length)
    parts.push(`${o.failed.length} failed (${o.failed.map((f) => `${f.name}: ${f.why}`).join('; ')})`);
  return `${parts.join(', ')}.`;
}

/** The rows ticked in the inbox, forgotten when the filters change (other rows show). */
export function useSelection(filtersKey: string) {
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => setPicked(new Set()), [filtersKey]);
  const toggle = (id: string, on: boolean) =>
    setPicked((old) => {
      const next = new Set(old);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  return { picked, setPicked, toggle };
}

/**
 * Above the list: tick every row shown, and, once some are ticked, assign or move them all at once to
 * an agent and/or a queue; says what happened (the rows move as the live updates come).
 */
export function BulkBar(props: {
  api: Api;
  rows: readonly InboxConversation[];
  picked: ReadonlySet<string>;
  onPicked(ids: ReadonlySet<string>): void;
  /** The batch is over: the rows it assigned, for the inbox to read again. */
  onDone(ids: readonly string[]): void;
  agents: readonly AgentRow[];
  queues: readonly string[];
}) {
  const [said, setSaid] = useState('');
  const pickAll = useRef<HTMLInputElement>(null);
  const chosen = props.rows.filter((r) => props.picked.has(r.id));
  const all = props.rows.length > 0 && chosen.length === props.rows.length;
  const assign = async (target: TransferTarget) => {
    setSaid(`Assigning ${chosen.length}…`);
    const outcome = await assignEach(props.api, chosen, target);
    setSaid(outcomeText(outcome));
    props.onPicked(new Set());
    props.onDone(outcome.assigned);
    // The form goes with the ticks, the focus in it: back on the tick box (it fell to the page's start).
    requestAnimationFrame(() => {
      if (focusLost()) pickAll.current?.focus();
    });
    return outcome.failed.length === 0;
  };
  return (
    <fieldset class="bulk">
      <legend class="visually-hidden">Selected conversations</legend>
      <label class="pick-all">
        <input
          ref={pickAll}
          type="checkbox"
          checked={all}
          onChange={(e) =>
            props.onPicked(new Set(e.currentTarget.checked ? props.rows.map((r) => r.id) : []))
          }
        />
        {chosen.length ? `${chosen.length} selected` : 'Select all shown'}
      </label>
      {chosen.length ? (
        <TransferForm
          agents={props.agents}
          queues={props.queues}
          assignee="(several)"
          onTransfer={assign}
          words={{
            form: 'Assign selected',
            agent: 'Selected to agent',
            queue: 'Selected to queue',
            submit: `Assign ${chosen.length}`,
          }}
        />
      ) : null}
      <p class="bulk-outcome" role="status">
        {said}
      </p>
    </fieldset>
  );
}
