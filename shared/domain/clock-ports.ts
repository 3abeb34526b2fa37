import type { AgentProfile } from './assignment.js';
import type { AutomationPorts } from './automation-ports.js';
import type { CsatPorts } from './csat/csat-ports.js';
import type { MissedCallSettled } from './missed-call.js';
import type { Clock } from './ports.js';
import type { RefillAgent } from './refill-ports.js';
import type { RouterAdmin } from './router-ports.js';
import type { RoutingPolicy } from './routing/policy.js';
import type { Priority } from './sla/policy.js';
import type { SlaState } from './sla/state.js';
import type { SlaTally } from './sla/tally.js';
import type { Conversation, Customer, TimelineItem } from './timeline.js';
import type { Timers } from './timer-ports.js';
import type { ClockAuthor } from './waiting.js';

/** What the conversation clock (SLA, snooze, auto-resolve) reads and writes. */
export interface ClockStore {
  /** With `consistent`, read strongly: it sees every write before it (a snooze just made). */
  getConversation(
    conversationId: string,
    options?: { consistent?: boolean },
  ): Promise<Conversation | undefined>;
  getCustomer(customerId: string): Promise<Customer | undefined>;
  /** A registered agent, or undefined (never registered, or removed): a breach or a rule assigns only to one. */
  getAgent(agentId: string): Promise<AgentProfile | undefined>;
  putTimelineItem(item: TimelineItem, raw: unknown): Promise<boolean>;
  /** Writes the SLA if the stored one is still at `expectedVersion` (none: no SLA yet); false if not. */
  saveSla(conversationId: string, sla: SlaState, expectedVersion: number | undefined): Promise<boolean>;
  /** Counts targets met or missed in the daily metrics: one write per SLA change that has some. */
  countSlaOutcomes(tally: SlaTally): Promise<void>;
  /** Sets the priority (only ever raised by a breach). */
  setPriority(conversationId: string, priority: Priority): Promise<void>;
  /** Since when the conversation waits on the customer (set at a reply), or no longer (at an inbound). */
  setAwaitingCustomer(conversationId: string, since: string | undefined, at: string): Promise<void>;
  /** Records who answered in this opening of the conversation (`agent` wins over `ai`); open ones only. */
  markAnsweredBy?(conversationId: string, by: 'agent' | 'ai'): Promise<void>;
  /** Takes an open conversation out of the inbox until `until`; false when it is not open. */
  snooze(conversationId: string, until: string): Promise<boolean>;
  /** Puts back a conversation snoozed until `until`; false when it is not (any more). */
  wake(conversationId: string, until: string): Promise<boolean>;
  /**
   * A missed call that ended at `at`, filed beside `conversation`, settled: the conversation a message
   * of the caller's would go to (reopened within `reopenWindowMs`, or new) waits from it, or is marked.
   */
  waitForMissedCall?(
    conversation: Conversation,
    at: string,
    reopenWindowMs: number,
  ): Promise<MissedCallSettled>;
}

/** The conversation changes a breach or an auto-resolve makes. */
export interface ClockAdmin extends Pick<RouterAdmin, 'assign' | 'addNote'> {
  /**
   * Resolves an open conversation; answers the time it stands resolved at (now, or an earlier resolve's
   * when it was resolved already), or undefined when it is not resolved (reopened meanwhile).
   */
  resolveConversation(conversationId: string, agentId: string, now: string): Promise<string | undefined>;
}

/** What the conversation clock's use cases need. */
export interface ConversationClockDeps {
  store: ClockStore;
  admin: ClockAdmin;
  timers: Timers;
  policy: Pick<
    RoutingPolicy,
    'sla' | 'businessHours' | 'queues' | 'defaultQueue' | 'autoResolve' | 'automations'
  > &
    Partial<Pick<RoutingPolicy, 'csat'>>;
  /** Set where replies can be sent: without it, automations do nothing. */
  automations?: AutomationPorts | undefined;
  /** Set where surveys can be sent (with `automations`, whose reply path they use). */
  csat?: CsatPorts | undefined;
  clock: Clock;
  /** How long an unread web-chat reply waits before it also goes by email; unset, it never does. */
  webchatFallbackMs?: number | undefined;
  /** REOPEN_WINDOW_HOURS: whether a missed call reopens the caller's last conversation or opens one (72 h unset). */
  reopenWindowMs?: number | undefined;
  /** Who the visitor chatted with, named in the fallback email's subject and text (WEBCHAT_BUSINESS_NAME). */
  webchatBusinessName?: string | undefined;
  /** WEBCHAT_ALLOWED_ORIGINS: the fallback email links back to the visitor's chat page only on these. */
  webchatAllowedOrigins?: readonly string[] | undefined;
  log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
  /** Where the erasure's second pass runs (`erasure_sweep` timers); without it, those timers do nothing. */
  erasures?: ErasureSweeper | undefined;
  /**
   * Gives the agent an auto-resolve or an automation leaves the waiting conversations of their queues;
   * without it they take at their next resolve or presence change.
   */
  refill?: RefillAgent | undefined;
  /**
   * Runs an `agent_refill` timer: the agent (`subject`) takes waiting work up to their room, asking again
   * soon when rivals took what it read (`runAgentRefill`; `round`: the follow-ups so far). Without it,
   * such a timer does nothing.
   */
  refillAgent?: ((agentId: string, round: number) => Promise<number>) | undefined;
}

/** The erasure's second pass over an erased customer's partitions (see `sweep-erasure`). */
export interface ErasureSweeper {
  sweepErased(customerId: string, now: string): Promise<'swept' | 'erasing' | 'none'>;
}

/** Something that happened to a conversation that its clock must hear of. */
export type ClockEvent =
  | {
      type: 'inbound';
      conversationId: string;
      at: string;
      /**
       * When the resolver first received it, when later than `at`: a message received after an answer
       * was made is not answered by it, whatever its own time (it crossed the answer).
       */
      receivedAt?: string | undefined;
      /**
       * When our webhook took it, told with `overtaken` (an answer, the conversation's start or the resolve
       * it reopened after came after it before it reached us): its targets run from then (`clockStart`).
       */
      arrivedAt?: string | undefined;
      overtaken?: boolean | undefined;
      /** The conversation as the message's own write left it, when the caller has it (saves a read). */
      conversation?: Conversation | undefined;
      /** The message reopened a resolved conversation (it opens it again, as a first message does). */
      reopened?: boolean;
      /**
       * The customer's first word, in a conversation something that asks nothing opened before it (a
       * call's ringing, a reaction of a customer never seen before): it opens it, as a first message does.
       */
      firstWord?: boolean;
      /**
       * No message: an unmerge reopened a conversation the merge closed on the customer's unanswered
       * one (`reopened` too). The SLA starts afresh from `at`, the reopen; no automation fires.
       */
      unmerged?: boolean;
      /**
       * Mail a system sent for a person (`data.automated`: a ticketing system's notification, list mail):
       * it waits for a person and runs the SLA, but fires no automation (RFC 3834: never answer it automatically).
       */
      automated?: boolean;
    }
  | {
      type: 'reply';
      conversationId: string;
      /** The reply's time as an answer (`answeredAt`: an AI answer's place, when later than when it was written). */
      at: string;
      author: ClockAuthor;
      /** The AI's answer: the time of the customer's message it answers. */
      answers?: string | undefined;
      /**
       * A reply given up on and sent on a redrive: when it went out (later than `at`). The silence
       * auto-resolve counts starts then; the SLA keeps `at`, the time it was answered.
       */
      sentAt?: string | undefined;
      /**
       * A web-chat reply to a customer with an email: the reply, which may later go by email if unread
       * (`placedAt`: where an AI reply is on the timeline, when not at `at`).
       */
      emailFallback?: { replyId: string; placedAt?: string } | undefined;
    }
  /**
   * `csat: false`: no satisfaction survey for this resolve. `merged`: resolved by a merge (the kept
   * customer's conversation carries the issue): its targets end with no outcome.
   */
  | { type: 'resolved'; conversationId: string; at: string; csat?: boolean; merged?: boolean }
  /**
   * The provider reported a reply failed after the clock counted it (`at`: its time as an answer, as
   * the reply event told it): the customer was never answered.
   */
  | { type: 'unanswered'; conversationId: string; at: string }
  /**
   * From `at` no channel can take a reply to the customer (they texted STOP and wrote on nothing else):
   * the wait on the business ends unanswered (its response target stops with no outcome), and the
   * silence auto-resolve counts from then, as after an answer.
   */
  | { type: 'unreachable'; conversationId: string; at: string }
  /**
   * At `at` an unmerge gave back to the returning customer the message the kept conversation waited
   * from (the wait a merge's join gave it, or their message while merged): it waits from `since`, the
   * kept customer's own earliest message left unanswered, or, with none, no longer (no outcome counted;
   * the silence auto-resolve counts from `at`, as after an answer).
   */
  | { type: 'waitLeft'; conversationId: string; at: string; since?: string | undefined }
  /**
   * A call the customer made ended at `at` (`isInboundCallEnd`), filed beside this conversation: its
   * missed call is decided once it settles (`missedCallTimer`), nothing before.
   */
  | { type: 'callEnded'; conversationId: string; callSid: string; at: string };

/** Tells the conversation clock of an event (`trackConversationClock` bound to its dependencies). */
export type TrackClock = (event: ClockEvent) => Promise<void>;

/** The author id of what the clock does on its own (breach actions, auto-resolve). */
export const CLOCK_AUTHOR_ID = 'clock';
