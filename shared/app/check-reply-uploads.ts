import type { AgentStore } from '#shared/domain/agent-ports.js';
import { type UploadKey, type UploadStore, uploadKeyOfLink } from '#shared/domain/uploads.js';
import { ForbiddenError } from '#shared/errors.js';
import { logger } from '#shared/log.js';

/**
 * Refuses a reply that attaches a file uploaded through `POST /api/uploads` (its link
 * `/files/<customer id>/<file id>/<name>`, on any host) unless the replying agent made that upload
 * (403 `forbidden`: another agent's file, found on the timeline or passed on, is not theirs to send),
 * and, when it is theirs, unless an admin removed them (403 `agent_removed`, one strong GetItem of the
 * removal record a reply with such files: the token check trusts its last look for up to a minute on
 * AWS). On AWS the presigned PUT cannot be taken back, so a removed agent's bytes may still land:
 * this is where they are kept from being sent. A file nobody is recorded for (uploaded before
 * 2026-12-07) or that is not there (on AWS: not put yet, expired or erased) is let through as before.
 * Before anything of the reply is written; one look at the file per attachment (a HEAD on AWS).
 */
export async function checkReplyUploads(
  deps: { uploads?: UploadStore | undefined; store: Pick<AgentStore, 'isAgentRemoved'> },
  input: { agentId: string; attachments: ReadonlyArray<{ url: string }> },
): Promise<void> {
  const { uploads } = deps;
  if (!uploads) return;
  const refuse = (key: UploadKey, reason: string, error: ForbiddenError): never => {
    logger.warn('reply attachment refused', { ...key, agentId: input.agentId, reason });
    throw error;
  };
  let theirs: UploadKey | undefined;
  for (const [index, attachment] of input.attachments.entries()) {
    const key = uploadKeyOfLink(attachment.url);
    if (!key) continue;
    const owner = (await uploads.ownerOf(key))?.agentId;
    if (owner === undefined) continue;
    if (owner !== input.agentId) {
      const message = `attachments[${index}] is a file another agent uploaded: upload it yourself to send it`;
      refuse(key, 'another_agent', new ForbiddenError(message));
    }
    theirs = key;
  }
  if (theirs && (await deps.store.isAgentRemoved(input.agentId))) {
    const message = 'an admin removed this agent: their uploaded files are not sent';
    refuse(theirs, 'agent_removed', new ForbiddenError(message, 'agent_removed'));
  }
}

/**
 * Refuses a reply that attaches a file uploaded for another customer (403 `upload_other_customer`,
 * logged): the link names the customer it was uploaded for, which must be the conversation's, or one
 * merged into its customer (`customers`: the partitions the reply's recipient read holds already, up to
 * three merges deep). No read: the conversation and its customer's merges are read for the reply anyway.
 * Links that are no uploads of ours are let through, as by `checkReplyUploads`.
 */
export function checkUploadsCustomer(
  input: { conversationId: string; attachments: ReadonlyArray<{ url: string }> | undefined },
  customers: readonly string[],
): void {
  for (const [index, attachment] of (input.attachments ?? []).entries()) {
    const key = uploadKeyOfLink(attachment.url);
    if (!key || customers.includes(key.customerId)) continue;
    logger.warn('reply attachment refused', {
      ...key,
      conversationId: input.conversationId,
      reason: 'other_customer',
    });
    const message = `attachments[${index}] is a file uploaded for another customer: upload it for this conversation's customer to send it`;
    throw new ForbiddenError(message, 'upload_other_customer');
  }
}
