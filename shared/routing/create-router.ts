import type { Config } from '../config/config.js';
import { loadRoutingPolicy } from '../config/routing-policy-file.js';
import type { Clock } from '../domain/ports.js';
import type { ReplyDeps } from '../domain/replies.js';
import { type RouterAdmin, type RouterStore, routeInbound } from '../domain/router.js';
import { log } from '../log.js';
import { createResponder } from '../responder/create-responder.js';

/** Where the shipped policy and knowledge base are, when they are not next to the source (a bundle). */
export interface RouterFiles {
  policyFile?: string;
  knowledgeBaseDir?: string;
}

/**
 * Builds the router the resolver calls after each inbound message: the routing policy (read and
 * validated once), and the responder the configuration chooses.
 */
export function createRouter(
  config: Config,
  deps: { store: RouterStore; admin: RouterAdmin; replies: ReplyDeps; clock: Clock },
  files: RouterFiles = {},
): (input: Parameters<typeof routeInbound>[1]) => ReturnType<typeof routeInbound> {
  const policy = loadRoutingPolicy(config.ROUTING_POLICY_FILE ?? files.policyFile);
  const responder = createResponder(config, files.knowledgeBaseDir);
  return (input) => routeInbound({ ...deps, responder, policy, log }, input);
}
