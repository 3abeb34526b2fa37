import type { RoutingPolicy } from './policy.js';

/** An agent a routing policy assigns to by name, and the field that names them. */
export interface NamedAgent {
  agent: string;
  field: string;
}

/** The agents the policy assigns to by name: its SLA policies' `onBreach` and its automations' actions. */
export function namedAgents(policy: Pick<RoutingPolicy, 'sla' | 'automations'>): NamedAgent[] {
  const named: NamedAgent[] = [];
  policy.sla.policies.forEach((sla, i) => {
    sla.onBreach.forEach((action, j) => {
      if (action.type === 'assign')
        named.push({ agent: action.agent, field: `sla.policies[${i}].onBreach[${j}].agent` });
    });
  });
  policy.automations.forEach((rule, i) => {
    rule.actions.forEach((action, j) => {
      if (action.type === 'assign' && action.agent !== undefined)
        named.push({ agent: action.agent, field: `automations[${i}].actions[${j}].agent` });
    });
  });
  return named;
}

/**
 * The agents the policy names that are not among `known` (locally, the agents of AGENT_TOKENS): their
 * assignments will not be made (a breach leaves a note, a rule a skipped outcome) until such an agent
 * signs in and registers. Not an error: agents come and go without the policy changing.
 */
export function unknownNamedAgents(
  policy: Pick<RoutingPolicy, 'sla' | 'automations'>,
  known: ReadonlySet<string>,
): NamedAgent[] {
  return namedAgents(policy).filter((n) => !known.has(n.agent));
}
