import { describe, expect, it, vi } from 'vitest';
import { applyWatermark, type WatermarkDeps } from '#shared/app/apply-watermark.js';
import type { StatusEnvelope } from '#shared/domain/envelope.js';
import type { ProfileState } from '#shared/domain/resolver-ports.js';
import { WATERMARK_MAX_MERGE_HOPS, WATERMARK_MAX_PARTITIONS } from '#shared/domain/watermark.js';

const AT = '2026-12-04T12:00:00.000Z';
const receipt = {
  id: 'env_1',
  kind: 'status',
  channel: 'messenger',
  providerMessageId: 'watermark:1:1796385600000',
  status: 'read',
  customer: { kind: 'messenger', value: '1:2' },
  occurredAt: AT,
  receivedAt: AT,
  rawRef: 'meta:x#/entry/0',
} as unknown as StatusEnvelope;

/** A store of profiles by id (`mergedFrom` only), counting its profile reads and the partitions walked. */
function storeOf(profiles: Record<string, string[]>) {
  const read: string[] = [];
  const walked: string[][] = [];
  const log = vi.fn();
  const deps: WatermarkDeps = {
    store: {
      findCustomerId: async () => 'root',
      getProfileState: async (id: string): Promise<ProfileState | undefined> => {
        read.push(id);
        return { customerId: id, mergedFrom: profiles[id] ?? [] };
      },
      advanceWatermark: async (ids: readonly string[]) => {
        walked.push([...ids]);
        return 1;
      },
    },
    log,
  };
  return { deps, read, walked, log };
}

const cutLines = (log: ReturnType<typeof vi.fn>) =>
  log.mock.calls.filter(([, message]) => String(message).includes('not looked in'));

describe('applyWatermark: the partitions of merged customers', () => {
  it('follows a chain of merges two deep, reading each merged profile once', async () => {
    const { deps, read, walked, log } = storeOf({ root: ['b'], b: ['c'] });
    expect(await applyWatermark(deps, receipt, AT)).toEqual({ written: true });
    expect(walked).toEqual([['root', 'b', 'c']]);
    expect(read).toEqual(['root', 'b', 'c']);
    expect(cutLines(log)).toEqual([]);
  });

  it(`stops ${WATERMARK_MAX_MERGE_HOPS} merges deep, and says so in the log`, async () => {
    const { deps, read, walked, log } = storeOf({
      root: ['h1'],
      h1: ['h2'],
      h2: ['h3'],
      h3: ['h4'],
      h4: ['h5'],
    });
    await applyWatermark(deps, receipt, AT);
    expect(walked).toEqual([['root', 'h1', 'h2', 'h3']]);
    expect(read).toEqual(['root', 'h1', 'h2', 'h3']);
    expect(cutLines(log)).toEqual([
      ['warn', expect.any(String), expect.objectContaining({ customerId: 'root', partitions: 4 })],
    ]);
  });

  it(`reads at most ${WATERMARK_MAX_PARTITIONS} partitions, and says so in the log`, async () => {
    const many = Array.from({ length: 12 }, (_, i) => `m${i}`);
    const { deps, read, walked, log } = storeOf({ root: many });
    await applyWatermark(deps, receipt, AT);
    expect(walked[0]).toHaveLength(WATERMARK_MAX_PARTITIONS);
    expect(read).toHaveLength(WATERMARK_MAX_PARTITIONS);
    expect(cutLines(log)).toHaveLength(1);
  });

  it('never walks a partition twice, even when the pointers loop', async () => {
    const { deps, walked } = storeOf({ root: ['b'], b: ['root', 'b', 'c'], c: ['b'] });
    await applyWatermark(deps, receipt, AT);
    expect(walked).toEqual([['root', 'b', 'c']]);
  });
});
