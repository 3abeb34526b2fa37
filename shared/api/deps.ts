import type { ReplyDeps } from '#shared/app/send-reply.js';
import type { AgentAdmin, AgentStore } from '#shared/domain/agent-ports.js';
import type { PhoneOptions } from '#shared/domain/identity.js';
import type { Outbox } from '#shared/domain/outbox.js';
import type { Clock } from '#shared/domain/ports.js';

/** What the agent API needs: the ports its use cases take, and how to tell who is calling. */
export interface AgentAppDeps {
  store: AgentStore;
  admin: AgentAdmin;
  clock: Clock;
  replies: ReplyDeps;
  /** Local runtime only: what was "sent" with no provider credentials. */
  outbox?: Outbox;
  /** Resolves a bearer token to an agent id, or undefined when the token is not valid. */
  authenticate(token: string): Promise<string | undefined>;
  phone: PhoneOptions;
}
