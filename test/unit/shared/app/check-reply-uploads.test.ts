import { describe, expect, it, vi } from 'vitest';
import { checkReplyUploads } from '#shared/app/check-reply-uploads.js';
import type { UploadStore } from '#shared/domain/uploads.js';
import { LocalUploadStore } from '#shared/local/upload-files.js';

const FILE_ID = `f_${'a'.repeat(22)}`;
const LINK = `https://threadline.example/files/cu_1/${FILE_ID}/a.pdf`;

/** Ana's upload, put; `removed`: the agents whose removal record the strong look finds. */
async function world(removed: string[] = []) {
  const uploads = new LocalUploadStore();
  const file = { customerId: 'cu_1', fileId: FILE_ID, name: 'a.pdf', type: 'application/pdf', size: 3 };
  await uploads.prepare({ ...file, agentId: 'ana' }, '2026-12-07T10:15:00.000Z');
  const looked: string[] = [];
  const store = {
    isAgentRemoved: async (agentId: string) => {
      looked.push(agentId);
      return removed.includes(agentId);
    },
  };
  return { deps: { uploads, store }, looked };
}

/** `agentId`'s reply to cv_1, whose customer is cu_1 (and `merged`), attaching `urls`. */
const check = (
  deps: Parameters<typeof checkReplyUploads>[0],
  agentId: string,
  urls: string[],
  merged: string[] = [],
) =>
  checkReplyUploads(deps, { agentId, conversationId: 'cv_1', attachments: urls.map((url) => ({ url })) }, [
    'cu_1',
    ...merged,
  ]);

describe('checkReplyUploads: who may send an uploaded file', () => {
  it('lets its agent send it, with one look at their removal; links elsewhere cost nothing', async () => {
    const { deps, looked } = await world();
    await check(deps, 'ana', [LINK]);
    await check(deps, 'bob', ['https://cdn.example/a.pdf']);
    expect(looked).toEqual(['ana']);
  });

  it('refuses another agent (403 forbidden) before any look at removals', async () => {
    const { deps, looked } = await world();
    const attempt = check(deps, 'bob', [LINK]);
    await expect(attempt).rejects.toMatchObject({ code: 'forbidden' });
    expect(looked).toEqual([]);
  });

  it('refuses its own agent once removed, though a token check still trusted them (403 agent_removed)', async () => {
    const { deps } = await world(['ana']);
    const attempt = check(deps, 'ana', [LINK]);
    await expect(attempt).rejects.toMatchObject({ code: 'agent_removed' });
  });

  it('lets through a file made before uploads recorded their agent, and one not there', async () => {
    const { deps, looked } = await world(['ana']);
    const legacy = { ownerOf: async () => ({}) } as Partial<UploadStore> as UploadStore;
    await check({ ...deps, uploads: legacy }, 'bob', [LINK]);
    const gone = `https://threadline.example/files/cu_1/f_${'c'.repeat(22)}/c.pdf`;
    await check(deps, 'bob', [gone]);
    expect(looked).toEqual([]);
  });

  it("refuses another customer's file (403 upload_other_customer) without a look at it; a merged one's goes", async () => {
    const { deps, looked } = await world();
    const ownerOf = vi.spyOn(deps.uploads, 'ownerOf');
    const theirs = `https://threadline.example/files/cu_2/${FILE_ID}/a.pdf`;
    await expect(check(deps, 'ana', [theirs])).rejects.toMatchObject({ code: 'upload_other_customer' });
    expect(ownerOf).not.toHaveBeenCalled();
    await check(deps, 'ana', [theirs], ['cu_2']);
    expect(ownerOf).toHaveBeenCalledTimes(1);
    expect(looked).toEqual([]);
  });

  it('refuses the first attachment that may not go, each link looked at once', async () => {
    const { deps } = await world();
    const ownerOf = vi.spyOn(deps.uploads, 'ownerOf');
    const theirs = `https://threadline.example/files/cu_2/f_${'b'.repeat(22)}/b.pdf`;
    await expect(check(deps, 'bob', [theirs, LINK])).rejects.toMatchObject({
      code: 'upload_other_customer',
      message: expect.stringContaining('attachments[0]'),
    });
    await expect(check(deps, 'bob', [LINK, theirs])).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('attachments[0]'),
    });
    expect(ownerOf.mock.calls).toEqual([[{ customerId: 'cu_1', fileId: FILE_ID }]]);
  });
});
