/**
 * The `error.code` each error status answers with: one code a status on every route (the error
 * classes' own, `shared/errors.ts`), but for the statuses whose code says which rule refused the call,
 * listed per operation below. The document publishes them as the `enum` of `error.code`, so a client
 * generated from it switches on a union of the codes a call can answer, not on `string`.
 */
const BY_STATUS: Readonly<Record<number, readonly string[]>> = {
  400: ['invalid_request'],
  401: ['unauthorized'],
  // `agent_removed` on every route that takes a token: an admin removed the caller (refuse-removed-agents).
  403: ['forbidden', 'agent_removed'],
  404: ['not_found'],
  409: ['conflict'],
  410: ['gone'],
  412: ['precondition_failed'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
  422: ['unprocessable'],
  503: ['unavailable'],
};

/** The operations whose codes are their own (by `operationId`, then status). */
const BY_OPERATION: Readonly<Record<string, Readonly<Record<number, readonly string[]>>>> = {
  replyToConversation: {
    // A file uploaded for another customer than the conversation's (check-reply-uploads).
    403: ['forbidden', 'agent_removed', 'upload_other_customer'],
    409: [
      'assignee_changed',
      'sms_opted_out',
      'whatsapp_opted_out',
      'email_suppressed',
      'messaging_window_closed',
      'channel_not_available',
      'webchat_not_available',
    ],
    422: [
      'no_channel',
      'no_address',
      'whatsapp_window_closed',
      'text_too_long',
      'content_not_supported',
      // A WhatsApp template Meta would refuse: its name, a language it has not, an empty parameter.
      'template_invalid',
      'idempotency_key_reused',
      'webchat_attachment_not_https',
    ],
  },
  listInbox: { 422: ['unknown_queue', 'unknown_agent'] },
  addNote: { 422: ['idempotency_key_reused'] },
  assignConversation: { 409: ['assignee_changed'], 422: ['unknown_agent', 'unknown_queue'] },
  snoozeConversation: { 409: ['conversation_not_open'], 422: ['snooze_in_past', 'snooze_too_long'] },
  wakeConversation: { 409: ['conversation_not_snoozed'] },
  updateMyAgent: { 422: ['unknown_queue'] },
  removeAgent: { 409: ['cannot_remove_self'] },
  createWebhook: { 409: ['webhook_exists', 'webhook_busy'], 422: ['idempotency_key_reused'] },
  updateWebhook: { 409: ['webhook_exists', 'webhook_busy'] },
  rotateWebhookSecret: { 409: ['webhook_busy'], 422: ['idempotency_key_reused'] },
  enableWebhook: { 409: ['webhook_exists', 'webhook_busy'] },
  replayWebhookDelivery: { 409: ['conflict', 'webhook_disabled'] },
  replayFailedWebhookDeliveries: { 409: ['webhook_disabled'] },
  listLiveEvents: { 410: ['events_expired'] },
  mergeCustomers: { 409: ['conflict', 'erasure_in_progress'] },
  unmergeCustomers: { 409: ['conflict', 'erasure_in_progress'] },
  acceptMergeSuggestion: { 409: ['conflict', 'erasure_in_progress'] },
  eraseCustomer: { 409: ['unmerge_in_progress'] },
  createUpload: { 413: ['payload_too_large', 'file_too_large'] },
  getTimelineAttachment: { 413: ['media_too_large'], 502: ['media_unavailable', 'provider_unreachable'] },
  getTimelineRecording: { 413: ['media_too_large'], 502: ['media_unavailable', 'provider_unreachable'] },
};

/** The codes an operation's error answer of `status` carries; undefined for a status of no error body. */
export function errorCodes(operationId: string | undefined, status: number): readonly string[] | undefined {
  return BY_OPERATION[operationId ?? '']?.[status] ?? BY_STATUS[status];
}
