import type { ChangeRecord } from '#shared/domain/change-feed.js';

/** A change of one item as the feed hands it over (`at`: the change's time), its old image when given. */
export function changeRecord(
  kind: ChangeRecord['kind'],
  keys: ChangeRecord['keys'],
  at: string,
  newImage: Record<string, unknown>,
  oldImage?: Record<string, unknown>,
): ChangeRecord {
  return {
    id: `rec-${keys.sk}-${kind}`,
    kind,
    keys,
    newImage,
    ...(oldImage ? { oldImage } : {}),
    sequence: '1',
    at,
  };
}
