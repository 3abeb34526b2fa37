import type { AgentStore } from '#shared/domain/agent-ports.js';
import { type UploadKey, type UploadStore, uploadKeyOfLink } from '#shared/domain/uploads.js';
import { ForbiddenError } from '#shared/errors.js';
import { logger } from '#shared/log.js';

/** What `checkReplyUploads` looks at: the file store (absent: no uploads, nothing checked) and removals. */
export interface ReplyUploadsDeps {
  uploads?: UploadStore | undefined;
  store: Pick<AgentStore, 'isAgentRemoved'>;
}

/**
 * Refuses a reply that attaches a file uploaded through `POST /api/uploads` (its link
 * `/files/<customer id>/<file id>/<name>`, on any host) that may not go with it, each link parsed once
 * and looked at in the attachments' order, the first that may not go refused (logged
 * `reply attachment refused` with its reason):
 * - uploaded for another customer (403 `upload_other_customer`): the link's customer must be the
 *   conversation's, or one merged into its customer (`customers`: the partitions the reply's recipient
 *   read holds already, up to three merges deep). No read: those are read for the reply anyway.
 * - uploaded by another agent (403 `forbidden`: another agent's file, found on the timeline or passed
 *   on, is not theirs to send); one look at the file per such link (a HEAD on AWS).
 * Then, when any is the replier's, unless an admin removed them (403 `agent_removed`, one strong GetItem
 * of the removal record a reply with such files: the token check trusts its last look for up to a
 * minute on AWS). On AWS the presigned PUT cannot be taken back, so a removed agent's bytes may still
 * land: this is where they are kept from being sent. A file nobody is recorded for (uploaded before
 * 2026-12-07) or that is not there (on AWS: not put yet, expired or erased) is let through as before,
 * as are links that are no uploads of ours. Before anything of the reply is written.
 */
export async function checkReplyUploads(
  deps: ReplyUploadsDeps,
  input: {
    agentId: string;
    conversationId: string;
    attachments: ReadonlyArray<{ url: string }> | undefined;
  },
  customers: readonly string[],
): Promise<void> {
  const { uploads } = deps;
  const { agentId, conversationId } = input;
  const refuse = (key: UploadKey, reason: string, error: ForbiddenError): never => {
    logger.warn('reply attachment refused', { ...key, agentId, conversationId, reason });
    throw error;
  };
  let theirs: UploadKey | undefined;
  for (const [index, attachment] of (input.attachments ?? []).entries()) {
    const key = uploadKeyOfLink(attachment.url);
    if (!key) continue;
    if (!customers.includes(key.customerId)) {
      const message = `attachments[${index}] is a file uploaded for another customer: upload it for this conversation's customer to send it`;
      refuse(key, 'other_customer', new ForbiddenError(message, 'upload_other_customer'));
    }
    const owner = uploads && (await uploads.ownerOf(key))?.agentId;
    if (owner === undefined) continue;
    if (owner !== agentId) {
      const message = `attachments[${index}] is a file another agent uploaded: upload it yourself to send it`;
      refuse(key, 'another_agent', new ForbiddenError(message));
    }
    theirs = key;
  }
  if (theirs && (await deps.store.isAgentRemoved(agentId))) {
    const message = 'an admin removed this agent: their uploaded files are not sent';
    refuse(theirs, 'agent_removed', new ForbiddenError(message, 'agent_removed'));
  }
}
