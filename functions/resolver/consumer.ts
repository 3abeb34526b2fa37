import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type Envelope, EnvelopeParser } from '#shared/domain/envelope.js';
import { applyEnvelope, messageItemId, type ResolverDeps } from '#shared/domain/resolver.js';
import type { TimelineItem } from '#shared/domain/timeline.js';
import { ValidationError } from '#shared/errors.js';
import { logger } from '#shared/log.js';
import { errorFields, sqsBatchHandler } from '#shared/queue/sqs-batch.js';

/** Routes an inbound item the resolver has just written (`routeInbound` bound to its dependencies). */
export type RouteFn = (input: {
  customerId: string;
  conversationId: string;
  item: TimelineItem;
}) => Promise<unknown>;

/** The timeline id of an envelope the router decides about: an inbound message or a voicemail. */
function routableItemId(envelope: Envelope): string | undefined {
  if (envelope.kind === 'message' && envelope.direction === 'inbound') return messageItemId(envelope);
  if (envelope.kind === 'call' && envelope.direction === 'inbound' && envelope.event === 'voicemail') {
    return envelope.id;
  }
  return undefined;
}

/**
 * The resolver's SQS consumer: each record is one envelope, applied on its own so one bad record
 * fails alone (partial batch response) and is redelivered, then dead-lettered, without holding back
 * the rest of its batch.
 */
export function createResolverConsumer(
  deps: ResolverDeps,
  options: { route?: RouteFn | undefined } = {},
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch (error) {
      throw new ValidationError(`record ${record.messageId} is not JSON`, { cause: error });
    }
    const parsed = EnvelopeParser.safeParse(body);
    if (!parsed.success) {
      logger.error('record is not an envelope', { messageId: record.messageId });
      throw new ValidationError(`record ${record.messageId} is not an envelope`, { cause: parsed.error });
    }
    try {
      const envelope = parsed.data;
      const result = await applyEnvelope(deps, envelope);
      // Routing runs after the envelope is applied; a failure retries the record, and both steps are
      // idempotent, so the redelivery completes whichever was left undone.
      const itemId = options.route ? routableItemId(envelope) : undefined;
      if (options.route && itemId && result.customerId && result.conversationId) {
        const item = await deps.store.getTimelineItem(result.customerId, envelope.occurredAt, itemId);
        if (item) {
          await options.route({
            customerId: result.customerId,
            conversationId: item.conversationId ?? result.conversationId,
            item,
          });
        }
      }
    } catch (error) {
      // Ids and error names only: the record body is customer data.
      logger.warn('envelope failed, will be retried', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        envelopeId: parsed.data.id,
        channel: parsed.data.channel,
        ...errorFields(error),
      });
      throw error;
    }
  };
  return sqsBatchHandler(recordHandler);
}
