import { describe, expect, it } from 'vitest';
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

describe('checkReplyUploads: who may send an uploaded file', () => {
  it('lets its agent send it, with one look at their removal; links elsewhere cost nothing', async () => {
    const { deps, looked } = await world();
    await checkReplyUploads(deps, { agentId: 'ana', attachments: [{ url: LINK }] });
    await checkReplyUploads(deps, { agentId: 'bob', attachments: [{ url: 'https://cdn.example/a.pdf' }] });
    expect(looked).toEqual(['ana']);
  });

  it('refuses another agent (403 forbidden) before any look at removals', async () => {
    const { deps, looked } = await world();
    const attempt = checkReplyUploads(deps, { agentId: 'bob', attachments: [{ url: LINK }] });
    await expect(attempt).rejects.toMatchObject({ code: 'forbidden' });
    expect(looked).toEqual([]);
  });

  it('refuses its own agent once removed, though a token check still trusted them (403 agent_removed)', async () => {
    const { deps } = await world(['ana']);
    const attempt = checkReplyUploads(deps, { agentId: 'ana', attachments: [{ url: LINK }] });
    await expect(attempt).rejects.toMatchObject({ code: 'agent_removed' });
  });

  it('lets through a file made before uploads recorded their agent, and one not there', async () => {
    const { deps, looked } = await world(['ana']);
    const legacy = { ownerOf: async () => ({}) } as Partial<UploadStore> as UploadStore;
    await checkReplyUploads({ ...deps, uploads: legacy }, { agentId: 'bob', attachments: [{ url: LINK }] });
    const gone = `https://threadline.example/files/cu_1/f_${'c'.repeat(22)}/c.pdf`;
    await checkReplyUploads(deps, { agentId: 'bob', attachments: [{ url: gone }] });
    expect(looked).toEqual([]);
  });
});
