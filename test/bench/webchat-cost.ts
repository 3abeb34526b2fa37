import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { reconcileAgentLoad } from '#shared/app/reconcile-agent-load.js';
import type { AgentProfile } from '#shared/domain/assignment.js';
import { startLocalDynamo } from '#shared/local/dynamo.js';
import { dynamoRepositories, storePorts } from '#shared/store/dynamo-repositories.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { agentToken } from '../support/agent-token.js';
import { identityToken, visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';
import { type CallTrace, DynamoMeter, type Metered } from './dynamo-meter.js';
import {
  type MeteredRuntime,
  perMessage,
  printCost,
  QUESTIONS,
  resetCounts,
  startMeteredRuntime,
} from './pipeline-cost.js';

const AGENT = { id: 'agent-bench', token: agentToken('bench-agent-token') };
/** The keys `POST /webchat/messages` itself touches: the session, its two rate counters, the message's claim. */
const ROUTE_KEYS = /^(WEBCHAT_SESSION#|WEBCHAT_RATE#|WEBCHAT_MSG#)/;

/** Sums of what several runs metered, and how many. */
class Tally {
  wcu = 0;
  rcu = 0;
  calls = 0;
  n = 0;
  add(m: Pick<Metered, 'wcu' | 'rcu' | 'calls'>): void {
    this.wcu += m.wcu;
    this.rcu += m.rcu;
    this.calls += m.calls;
    this.n += 1;
  }
  print(label: string): void {
    const n = Math.max(this.n, 1);
    console.log(
      `${label}: ${(this.wcu / n).toFixed(2)} write units, ${(this.rcu / n).toFixed(2)} read units, ${(this.calls / n).toFixed(1)} DynamoDB calls`,
    );
  }
}

/** What the calls on the route's own keys cost (table and index units), from a call trace. */
function routeShare(calls: readonly CallTrace[]): Pick<Metered, 'wcu' | 'rcu' | 'calls'> {
  const mine = calls.filter((c) => ROUTE_KEYS.test(c.key));
  const units = (c: CallTrace) => c.units + c.index.reduce((s, x) => s + x.units, 0);
  const reads = mine.filter((c) => /Get|Query|Scan/.test(c.command));
  const writes = mine.filter((c) => !/Get|Query|Scan/.test(c.command));
  return {
    rcu: reads.reduce((s, c) => s + units(c), 0),
    wcu: writes.reduce((s, c) => s + units(c), 0),
    calls: mine.length,
  };
}

async function check(res: Response, what: string): Promise<Response> {
  if (res.status >= 300) throw new Error(`${what} answered ${res.status}: ${await res.text()}`);
  return res;
}

/** The agent API as the bench's agent; answers the parsed body. */
function agentApi(url: string) {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${AGENT.token}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return (await (await check(res, `${method} ${path}`)).json()) as T;
  };
}

/** A visitor of the metered runtime: its session token and the ids of the replies it has read. */
interface Visitor {
  token: string;
  read: Set<string>;
}

/** Prints the calls of one run, as `pipeline-trace.ts` does, when BENCH_WEBCHAT_TRACE=1. */
function printTrace(label: string, calls: readonly CallTrace[]): void {
  if (process.env.BENCH_WEBCHAT_TRACE !== '1') return;
  console.log(`  trace, ${label}:`);
  for (const c of calls) {
    const index = c.index.map((x) => ` +${x.units} ${x.partition}`).join('');
    console.log(`    ${c.command.replace('Command', '')} ${c.key} ${c.units}${index} ${c.bytes ?? ''}`);
  }
}

/** The metered runtime with web chat on, a clock the bench moves, and a visitor's and an agent's calls. */
class WebchatBench {
  readonly calls: CallTrace[] = [];
  /** Ahead of the process clock from the first tick on, so no timer (the email fallback's 15 minutes) falls due mid-bench. */
  now = Date.now();
  readonly client: ReturnType<typeof visitorClient>;
  readonly api: ReturnType<typeof agentApi>;

  constructor(readonly bench: MeteredRuntime) {
    bench.meter.onCall = (call) => this.calls.push(call);
    this.client = visitorClient(bench.runtime.url);
    this.api = agentApi(bench.runtime.url);
  }

  /** Time moves 20 s a request, so the fixed rate windows (20 messages a minute a session, 30 new sessions in 10 minutes an address) never refuse the bench. */
  tick(): void {
    this.now += 20_000;
  }

  /** Runs `work` with the meter paused (what the bench reads to go on, not what it measures). */
  async unmetered<T>(work: () => Promise<T>): Promise<T> {
    await this.bench.runtime.idle();
    this.bench.meter.paused = true;
    try {
      return await work();
    } finally {
      this.bench.meter.paused = false;
    }
  }

  /** Starts the calls and the meter afresh. */
  reset(): void {
    this.calls.length = 0;
    this.bench.meter.take();
    resetCounts(this.bench.counts);
  }

  async session(body: Record<string, unknown>): Promise<Visitor> {
    this.tick();
    const res = await check(await this.client.session(body), 'POST /webchat/sessions');
    const { sessionToken } = (await res.json()) as { sessionToken: string };
    await this.bench.runtime.idle();
    return { token: sessionToken, read: new Set() };
  }

  /**
   * Sends one message and waits for all it brings (routing, the AI's reply, its delivery), then reads the
   * new replies as the panel does. Answers the route's own share of the calls.
   */
  async exchange(visitor: Visitor, clientMessageId: string, text: string) {
    const { runtime, counts } = this.bench;
    this.tick();
    counts.webhooks += 1;
    await check(await this.client.send(visitor.token, text, clientMessageId), 'POST /webchat/messages');
    await runtime.idle();
    const route = routeShare(this.calls);
    const unread = await this.unmetered(async () => {
      const res = await check(await this.client.history(visitor.token), 'GET /webchat/messages');
      const { messages } = (await res.json()) as { messages: Array<{ id: string; author: string }> };
      return messages.filter((m) => m.author !== 'visitor' && !visitor.read.has(m.id)).map((m) => m.id);
    });
    if (unread.length) {
      this.tick();
      counts.webhooks += 1;
      counts.replies += unread.length;
      await check(await this.client.read(visitor.token, unread), 'POST /webchat/read');
      await runtime.idle();
      for (const id of unread) visitor.read.add(id);
    }
    return route;
  }

  /** Each visitor's message `id`, measured over them all: the whole exchange and the route's share. */
  async messages(label: string, sends: Array<[Visitor, string, string]>): Promise<void> {
    const route = new Tally();
    const total = { wcu: 0, rcu: 0, calls: 0, keys: new Map() };
    this.reset();
    for (const [i, [visitor, id, text]] of sends.entries()) {
      this.calls.length = 0;
      route.add(await this.exchange(visitor, id, text));
      const m = this.bench.meter.take();
      [total.wcu, total.rcu, total.calls] = [total.wcu + m.wcu, total.rcu + m.rcu, total.calls + m.calls];
      if (i === 0) printTrace(label, this.calls);
    }
    printCost(label, perMessage(total, this.bench.counts, sends.length));
    route.print('  of which POST /webchat/messages itself (the session read, two rate counters, the claim)');
  }

  /** Sessions started with each body, measured. */
  async sessions(label: string, bodies: Array<Record<string, unknown>>): Promise<Visitor[]> {
    const tally = new Tally();
    const visitors: Visitor[] = [];
    for (const [i, body] of bodies.entries()) {
      this.reset();
      visitors.push(await this.session(body));
      tally.add(this.bench.meter.take());
      if (i === 0) printTrace(label, this.calls);
    }
    tally.print(label);
    return visitors;
  }
}

const shopper = (v: number) => ({
  identityToken: identityToken({
    sub: `shop-user-${v}`,
    email: `shopper${v}@shop.example`,
    name: `Shopper ${v}`,
  }),
});
const question = (i: number) => QUESTIONS[i % QUESTIONS.length] as string;

/**
 * The web chat's cost, through the metered local runtime with routing on (every DynamoDB call metered
 * per key, as section 3): starting sessions, a visitor's message the AI answers (the whole exchange,
 * with the reply's delivery and the visitor's read receipt, and the route's own share), a retried send,
 * and an agent's reply that takes the unassigned conversation, then one on a conversation they have.
 */
export async function webchatCostFigures(visitors = 20, messages = 10): Promise<void> {
  let wb: WebchatBench | undefined;
  const env = { WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET, AGENT_TOKENS: `${AGENT.id}:${AGENT.token}` };
  const bench = await startMeteredRuntime(env, { now: () => new Date(wb ? wb.now : Date.now()) });
  wb = new WebchatBench(bench);
  try {
    const away = { presence: 'away', queues: ['general'], languages: ['en'] };
    await wb.unmetered(() => (wb as WebchatBench).api('PUT', '/api/agents/me', away));
    const n = Array.from({ length: visitors }, (_, v) => v);
    const anonymous = await wb.sessions(
      'session start, an anonymous visitor with a name',
      n.map((v) => ({ name: `Visitor ${v}` })),
    );
    const verified = await wb.sessions(
      'session start, a verified visitor (identity token with an email) new to us',
      n.map(shopper),
    );
    await wb.messages(
      `an anonymous visitor's first message, answered by the AI and read (${visitors} visitors)`,
      anonymous.map((v, i) => [v, `first-msg-${i}`, question(i)]),
    );
    await wb.messages(
      `a verified visitor's first message, answered by the AI and read (${visitors} visitors)`,
      verified.map((v, i) => [v, `first-msg-v${i}`, question(i)]),
    );
    await wb.sessions('session start, a verified visitor who is a customer already', n.map(shopper));
    const visitor = anonymous[0] as Visitor;
    const later = Array.from({ length: messages }, (_, k) => k + 2);
    const sends = later.map((i): [Visitor, string, string] => [visitor, `later-msg-${i}`, question(i)]);
    await wb.messages(`a returning visitor's messages 2–${messages + 1}, answered by the AI and read`, sends);
    await wb.messages('the same messages sent again (a retry: same clientMessageId, same text)', sends);
    await agentReplies(wb, visitors);
  } finally {
    await bench.close();
  }
}

/** An agent's first reply to each AI-answered (unassigned) conversation, then a second one. */
async function agentReplies(wb: WebchatBench, conversations: number): Promise<void> {
  const { runtime, meter, counts } = wb.bench;
  const open = await wb.unmetered(() =>
    wb.api<{ items: Array<{ id: string; assignee?: string }> }>(
      'GET',
      '/api/conversations?status=open&limit=200',
    ),
  );
  const ids = open.items
    .filter((c) => c.assignee === undefined)
    .map((c) => c.id)
    .slice(0, conversations);
  const rounds = [
    "an agent's first reply to an unassigned web-chat conversation (takes it: a read and a conditional write)",
    "an agent's next reply, to a conversation they have (the read only)",
  ];
  for (const [round, label] of rounds.entries()) {
    wb.reset();
    for (const [i, id] of ids.entries()) {
      wb.calls.length = 0;
      counts.webhooks += 1;
      counts.replies += 1;
      await wb.api('POST', `/api/conversations/${id}/replies`, { text: `Agent reply ${round} on ${id}.` });
      await runtime.idle();
      if (i === 0) printTrace(label, wb.calls);
    }
    printCost(`${label} (${ids.length})`, perMessage(meter.take(), counts, ids.length));
  }
}

/** An agent of the reconcile bench, online with room. */
const agentProfile = (id: string, at: string): AgentProfile => ({
  id,
  presence: 'away',
  queues: ['general'],
  languages: ['en'],
  capacity: 1_000,
  updatedAt: at,
});

/**
 * One run of the agents' load reconcile over `conversations` open conversations, each assigned to one of
 * `agents` agents, with nothing to fix: what every 10 minutes costs, metered per key on dynalite.
 */
export async function reconcileCostFigures(conversations = 1_000, agents = 10): Promise<void> {
  const table = 'threadline';
  const dynamo = await startLocalDynamo({ tableName: table });
  const meter = new DynamoMeter(table);
  const inspector = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const metered = meter.attach(dynamo.client, () => inspector);
  const repos = dynamoRepositories(documentClient(metered), table);
  const at = '2026-12-03T09:00:00.000Z';
  const clock = { now: () => new Date(at) };
  try {
    meter.paused = true;
    for (let a = 0; a < agents; a++) await repos.agents.putAgent(agentProfile(`ag_${a}`, at));
    for (let c = 0; c < conversations; c++) {
      const id = `cv_bench${String(c).padStart(5, '0')}`;
      const customer = { conversationId: id, customerId: `cu_bench${c}`, channel: 'webchat' as const };
      await repos.conversations.touchConversation({ ...customer, at, now: at, inbound: true, reopen: false });
      const agentId = `ag_${c % agents}`;
      await repos.conversations.assign(id, { agentId }, agentId, at);
    }
    meter.paused = false;
    meter.take();
    const calls: CallTrace[] = [];
    meter.onCall = (call) => calls.push(call);
    const deps = { load: repos.agentLoad, store: storePorts(repos), admin: repos.conversations, clock };
    const report = await reconcileAgentLoad(deps);
    const run = meter.take();
    // dynalite reports 0 for a query that finds nothing; DynamoDB bills it 0.5 (its smallest read).
    const empty = calls.filter((c) => c.command === 'QueryCommand' && c.units === 0).length;
    const billed = run.rcu + 0.5 * empty;
    console.log(
      `a reconcile run over ${report.assigned} open assigned conversations and ${report.agents} agents, nothing to fix (${report.suspects} suspects): ${run.wcu.toFixed(1)} write units, ${run.calls} DynamoDB calls, ${run.rcu.toFixed(1)} read units as dynalite reports them, ${billed.toFixed(1)} billed (${empty} empty queries at 0.5); ${Math.round((billed * 6 * 24 * 30) / 1000).toLocaleString('en-US')} thousand read units a month at one run every 10 minutes`,
    );
  } finally {
    inspector.destroy();
    await dynamo.close();
  }
}
