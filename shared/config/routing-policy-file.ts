import { once } from '../domain/on-first-use.js';
import { DEFAULT_ROUTING_POLICY_URL } from '../domain/routing/default-policy.js';
import { parseRoutingPolicy, type RoutingPolicy } from '../domain/routing/policy.js';
import { parseSettingFile } from './setting-file.js';

/**
 * Reads and validates a routing policy file (once, at start); the shipped default when none is named.
 * An error names `setting` and the file (`ROUTING_POLICY_FILE: cannot read /x: no such file`). A
 * byte-order mark (Windows Notepad saves one) is no part of the JSON.
 */
export function loadRoutingPolicy(
  file: string | URL = DEFAULT_ROUTING_POLICY_URL,
  setting = 'ROUTING_POLICY_FILE',
): RoutingPolicy {
  return parseSettingFile(setting, file, (text) => parseRoutingPolicy(text));
}

/** The policy file's queue names, read on first use (an assignment checks its queue against them). */
export function policyQueueNames(file?: string | URL): () => readonly string[] {
  return once(() => loadRoutingPolicy(file).queues.map((queue) => queue.name));
}

/** The policy file, parsed on first use and kept (`GET /api/policy` answers it). */
export function policyInForce(file?: string | URL): () => RoutingPolicy {
  return once(() => loadRoutingPolicy(file));
}
