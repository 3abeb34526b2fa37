import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseRoutingPolicy, type RoutingPolicy } from '../domain/routing-policy.js';

/** The policy Threadline ships with. */
export const DEFAULT_ROUTING_POLICY_FILE = fileURLToPath(new URL('./default-policy.json', import.meta.url));

/** Reads and validates a routing policy file (once, at start); the shipped default when none is named. */
export function loadRoutingPolicy(file: string = DEFAULT_ROUTING_POLICY_FILE): RoutingPolicy {
  return parseRoutingPolicy(readFileSync(file, 'utf8'));
}
