import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import type { MailNotification } from '#shared/channels/ses/mail.js';
import type { Envelope } from '#shared/domain/envelope.js';
import { UnavailableError } from '#shared/errors.js';
import { createMailConsumer } from '#shared/queue/mail-consumer.js';
import type { FailureReason } from '#shared/queue/sqs-batch.js';
import { SqsMailQueue } from '#shared/queue/sqs-mail-queue.js';
import { sqsRecord } from '../../../support/sqs.js';

const fixture = (path: string) => new URL(`../../../fixtures/${path}`, import.meta.url);
const json = (path: string) => readFileSync(fixture(path), 'utf8');
const AT = '2027-03-01T12:00:00.000Z';

const notification = (snsMessageId: string, path: string): MailNotification => ({
  snsMessageId,
  topicArn: 'arn:aws:sns:us-east-1:123456789012:inbound',
  message: json(path),
  receivedAt: AT,
});

/** An SQS record as Lambda hands it to ses-mail, its body as SqsMailQueue sent it. */
const record = (messageId: string, body: string) => sqsRecord(messageId, body, 'threadline-mail');

/** The bodies SqsMailQueue would send for these notifications. */
async function bodiesOf(notifications: MailNotification[]): Promise<string[]> {
  const bodies: string[] = [];
  const queue = new SqsMailQueue(async (input) => {
    bodies.push(...input.Entries.map((entry) => entry.MessageBody));
    return {
      Successful: input.Entries.map((entry) => ({ Id: entry.Id, MessageId: 'm', MD5OfMessageBody: '' })),
      Failed: [],
    };
  }, 'https://sqs.us-east-1.amazonaws.com/123456789012/threadline-mail');
  await queue.enqueue(notifications);
  return bodies;
}

function setup(
  options: { failS3?: string; failQueue?: boolean; mail?: string; fallbackCharset?: string } = {},
) {
  const queued: Envelope[] = [];
  const fetchObject = vi.fn(async (_bucket: string, key: string) => {
    if (key === options.failS3) throw new Error('SlowDown');
    return readFileSync(fixture(`email/${options.mail ?? 'peer-reply.eml'}`));
  });
  const consume = createMailConsumer({
    queue: {
      enqueue: async (envelopes) => {
        if (options.failQueue) throw new UnavailableError('queue refused the batch');
        queued.push(...envelopes);
      },
    },
    fetchObject,
    fallbackCharset: options.fallbackCharset,
  });
  return { consume, queued, fetchObject };
}

describe('ses-mail consumer', () => {
  it('turns each notification into envelopes: the mail fetched from S3, parsed, threaded', async () => {
    const { consume, queued, fetchObject } = setup();
    const [stored, delivery] = await bodiesOf([
      notification('sns-1', 'ses/received_s3_action.json'),
      notification('sns-2', 'ses/delivery.json'),
    ]);
    const event: SQSEvent = { Records: [record('r1', stored as string), record('r2', delivery as string)] };
    expect(await consume(event)).toEqual({ batchItemFailures: [] });
    expect(fetchObject).toHaveBeenCalledWith('my-S3-bucket', 'inbound/d6iitobk75ur44p8kdnnp7g2n800');
    // Records are processed concurrently: compare in a fixed order.
    expect(queued.map((e) => [e.kind, e.rawRef, e.receivedAt]).sort()).toEqual([
      ['message', 'ses:sns:sns-1#', AT],
      ['status', 'ses:sns:sns-2#/delivery/recipients/0', AT],
    ]);
  });

  it('reads mail that is not UTF-8 and names no charset in EMAIL_FALLBACK_CHARSET', async () => {
    const [stored] = await bodiesOf([notification('sns-1', 'ses/received_s3_action.json')]);
    const textOf = async (fallbackCharset?: string) => {
      const { consume, queued } = setup({ mail: 'arabic-unlabelled-text.eml', fallbackCharset });
      await consume({ Records: [record('r1', stored as string)] });
      return queued.map((e) => (e.kind === 'message' ? e.text : undefined));
    };
    expect(await textOf('windows-1256')).toEqual(['السلام عليكم، فين وصلات الكوموند ديالي؟']);
    expect(await textOf()).toEqual(['ÇáÓáÇã Úáíßã¡ Ýíä æÕáÇÊ ÇáßæãæäÏ ÏíÇáí¿']);
  });

  it('gives the same envelopes on a redelivery (ids from the SNS message id, receivedAt from the webhook)', async () => {
    const first = setup();
    const again = setup();
    const [body] = await bodiesOf([notification('sns-1', 'ses/received_s3_action.json')]);
    await first.consume({ Records: [record('r1', body as string)] });
    await again.consume({ Records: [record('r1-redelivered', body as string)] });
    expect(again.queued).toEqual(first.queued);
  });

  it('reports only the record whose mail S3 would not give, so it alone is retried', async () => {
    const { consume, queued } = setup({ failS3: 'inbound/d6iitobk75ur44p8kdnnp7g2n800' });
    const [stored, delivery] = await bodiesOf([
      notification('sns-1', 'ses/received_s3_action.json'),
      notification('sns-2', 'ses/delivery.json'),
    ]);
    const result = await consume({
      Records: [record('r1', stored as string), record('r2', delivery as string)],
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'r1' }] });
    expect(queued.map((e) => e.kind)).toEqual(['status']);
  });

  it('reports a record as failed when the inbound queue refuses its envelopes', async () => {
    const { consume } = setup({ failQueue: true });
    const [body] = await bodiesOf([notification('sns-1', 'ses/delivery.json')]);
    expect(await consume({ Records: [record('r1', body as string)] })).toEqual({
      batchItemFailures: [{ itemIdentifier: 'r1' }],
    });
  });

  it('dead-letters at once, without retrying, records that can never become envelopes', async () => {
    const { consume, queued } = setup();
    const deadLettered: Array<[string, FailureReason]> = [];
    const withDeadLetter = createMailConsumer({
      queue: { enqueue: async (envelopes) => void queued.push(...envelopes) },
      fetchObject: async () => Buffer.from(''),
      deadLetter: async (r, reason) => void deadLettered.push([r.messageId, reason]),
    });
    const [good] = await bodiesOf([notification('sns-ok', 'ses/delivery.json')]);
    const [notSes] = await bodiesOf([
      { ...notification('sns-x', 'ses/delivery.json'), message: '{"hello":"world"}' },
    ]);
    const event: SQSEvent = {
      Records: [
        record('not-json', '{oops'),
        record('not-a-notification', JSON.stringify({ hello: 'world' })),
        record('not-ses', notSes as string),
        record('good', good as string),
      ],
    };
    expect(await withDeadLetter(event)).toEqual({ batchItemFailures: [] });
    expect(queued.map((e) => e.rawRef)).toEqual(['ses:sns:sns-ok#/delivery/recipients/0']);
    const invalid = { error: 'ValidationError', code: 'invalid_request', permanent: true };
    expect(deadLettered.sort()).toEqual([
      ['not-a-notification', invalid],
      ['not-json', invalid],
      ['not-ses', invalid],
    ]);
    // With no dead-letter queue to send to, they fail: SQS dead-letters them after their receives.
    expect(await consume(event)).toEqual({
      batchItemFailures: [
        { itemIdentifier: 'not-json' },
        { itemIdentifier: 'not-a-notification' },
        { itemIdentifier: 'not-ses' },
      ],
    });
  });
});
