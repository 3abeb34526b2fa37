import type { DynamoDBRecord } from 'aws-lambda';
import type { ChangeRecord } from '../domain/change-feed.js';
import { ValidationError } from '../errors.js';

/** An attribute value in DynamoDB's JSON, as a stream record or a GetItem answer holds it. */
export interface AttributeJson {
  S?: string | undefined;
  N?: string | undefined;
  BOOL?: boolean | undefined;
  NULL?: boolean | undefined;
  SS?: string[] | undefined;
  NS?: string[] | undefined;
  BS?: unknown[] | undefined;
  B?: unknown;
  L?: AttributeJson[] | undefined;
  M?: Record<string, AttributeJson> | undefined;
}

/**
 * An attribute value as the document client reads it: numbers as numbers, sets as Sets (what the
 * repositories write). Binary values stay base64 strings: nothing the feed maps holds one.
 */
export function fromAttribute(value: AttributeJson): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.SS !== undefined) return new Set(value.SS);
  if (value.NS !== undefined) return new Set(value.NS.map(Number));
  if (value.BS !== undefined) return new Set(value.BS);
  if (value.B !== undefined) return value.B;
  if (value.L !== undefined) return value.L.map(fromAttribute);
  if (value.M !== undefined) return fromImage(value.M);
  throw new ValidationError('an attribute value of no known type');
}

/** An item's image as plain values. */
export function fromImage(image: Record<string, AttributeJson>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, fromAttribute(value)]));
}

const KINDS = { INSERT: 'insert', MODIFY: 'modify', REMOVE: 'remove' } as const;

/** A DynamoDB Streams record (NEW_AND_OLD_IMAGES) as the change feed's record. */
export function changeRecordOf(record: DynamoDBRecord): ChangeRecord {
  const change = record.dynamodb;
  const keys = change?.Keys ? fromImage(change.Keys) : {};
  if (
    !record.eventName ||
    !change?.SequenceNumber ||
    typeof keys.pk !== 'string' ||
    typeof keys.sk !== 'string'
  ) {
    throw new ValidationError('a stream record without its name, sequence or keys');
  }
  return {
    id: record.eventID ?? change.SequenceNumber,
    kind: KINDS[record.eventName],
    keys: { pk: keys.pk, sk: keys.sk },
    ...(change.NewImage ? { newImage: fromImage(change.NewImage) } : {}),
    ...(change.OldImage ? { oldImage: fromImage(change.OldImage) } : {}),
    sequence: change.SequenceNumber,
    at: new Date((change.ApproximateCreationDateTime ?? 0) * 1000).toISOString(),
  };
}
