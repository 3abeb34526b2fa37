/**
 * Where the policy Threadline ships with is: beside this module in the source tree, and beside the
 * bundle on Lambda (the stack copies it there), so the same relative URL finds it in both.
 */
export const DEFAULT_ROUTING_POLICY_URL = new URL('./default-policy.json', import.meta.url);
