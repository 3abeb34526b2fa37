/** The ids the agent API takes in paths and bodies: 1 to 64 ASCII letters, digits, `-` or `_`. */
export const API_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The agent id the API reads as the caller itself (`PUT /api/agents/me`, `assignee=me`), so no agent's own. */
export const SELF_AGENT_ID = 'me';
