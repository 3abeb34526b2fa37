/** The API stack's functions that make item calls on the table, by construct id. */
export const TABLE_FUNCTION_IDS = [
  'Resolver',
  'AgentApi',
  'Sender',
  'Timers',
  'Events',
  'Webhooks',
  'Live',
  'LiveStream',
  'Webchat',
  'WebchatLive',
];

/**
 * Every function of the API stack, by construct id: the stack tests and the alarm tests check each one
 * (runtime, grants, logs, alarms), and a function missing here fails their count of the template's.
 */
export const API_FUNCTION_IDS = [
  'WhatsApp',
  'Meta',
  'TwilioSms',
  'TwilioVoice',
  'Ses',
  'SesMail',
  // The agent API's file routes: the table read-only (GetItem, BatchGetItem), the provider secret.
  'AgentMedia',
  ...TABLE_FUNCTION_IDS,
];
