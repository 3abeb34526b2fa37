/** The ids the agent API takes in paths and bodies: 1 to 64 ASCII letters, digits, `-` or `_`. */
export const API_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The agent id the API reads as the caller itself (`PUT /api/agents/me`, `assignee=me`), so no agent's own. */
export const SELF_AGENT_ID = 'me';

/**
 * The ids Threadline itself acts under (the AI responder, surveys, delivery, the clock, automations, a
 * merge: an event's `by`, a note's author), so no agent's own: an agent named `clock` would read as the
 * clock in every event and audit line. test/unit/shared/domain/api-id.test.ts holds it to the constants.
 */
export const SYSTEM_ACTOR_IDS: readonly string[] = [
  'responder',
  'csat',
  'delivery',
  'clock',
  'automation',
  'merge',
];
