import type { ReplyDeps } from '../app/send-reply.js';
import { sqsSendMessage } from '../aws/sqs-lite.js';
import { systemClock } from '../domain/ports.js';
import { SqsOutboundQueue } from '../queue/sqs-outbound-queue.js';
import { timeOrderedId } from '../store/ids.js';

/** Replies on AWS (the agents' and the AI's): stored through `store`, queued on the outbound SQS queue. */
export function sqsReplies(
  store: ReplyDeps['store'],
  outboundQueueUrl: string,
  businessName?: string | undefined,
): ReplyDeps {
  return {
    businessName,
    store,
    queue: new SqsOutboundQueue((input) => sqsSendMessage(input), outboundQueueUrl),
    clock: systemClock,
    newId: () => timeOrderedId('rp'),
  };
}
