/**
 * Gives an agent who has room again the longest-waiting conversations of their queues (`takeNextWaiting`),
 * `skip` excepted; answers how many they took. What the clock's and a merge's resolves and moves call for
 * the agent they leave.
 */
export type RefillAgent = (agentId: string, options: { skip: readonly string[] }) => Promise<number>;
