import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/**
 * A stream record of `image` written (INSERT) or changed (MODIFY) at `at`, as Lambda hands it over; a
 * MODIFY's old image is `old` when given, else the same image.
 */
export function streamRecord(
  sequence: string,
  kind: 'INSERT' | 'MODIFY',
  image: Record<string, unknown>,
  at: string,
  old: Record<string, unknown> = image,
): DynamoDBRecord {
  const keys = { pk: image.pk, sk: image.sk };
  return {
    eventID: `ev-${sequence}`,
    eventName: kind,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: sequence,
      ApproximateCreationDateTime: Date.parse(at) / 1000,
      Keys: marshall(keys) as never,
      NewImage: marshall(image, { removeUndefinedValues: true }) as never,
      ...(kind === 'MODIFY' ? { OldImage: marshall(old, { removeUndefinedValues: true }) as never } : {}),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
