import { describe, expect, it } from 'vitest';
import { agentToken } from '../support/agent-token.js';
import { useMergeRuntime } from '../support/merge-runtime.js';

const TOKEN = agentToken('unmerge-started-admin-token');
const AGENT = 'admin-unmerge-started';
const DAYS_4 = 4 * 24 * 60 * 60 * 1000;

type Export = {
  customers: Array<{ id: string; conversationIds?: string[] }>;
  conversations: Array<{ id: string }>;
};

/**
 * Zoe writes on WhatsApp and Eve by email, each resolved. Days later an admin merges Eve into Zoe by
 * mistake, and Eve emails about her invoice: a new conversation, Zoe's (the profile her address now
 * resolves to). The admin unmerges. QA: Eve's messages went back to her, but the conversation they
 * are in stayed Zoe's open one (Zoe's next WhatsApp message landed in Eve's invoice thread, and Eve's
 * next email started yet another conversation); only Zoe's export listed it.
 */
describe('local runtime: an unmerge gives back the conversation the returning customer started while merged', () => {
  const { runtime, manual, api, reads, whatsapp, email, profile, conversation, unmerge, crashEachWrite } =
    useMergeRuntime({
      agentId: AGENT,
      token: TOKEN,
      start: Date.UTC(2026, 11, 1, 9, 0),
      subject: 'My invoice',
    });
  const exported = async (id: string) =>
    (await api<Export>('GET', `/api/customers/${id}/export`)).conversations.map((c) => c.id);

  /** Zoe and Eve, each resolved, merged days later; Eve writes while merged: a conversation Zoe's profile holds. */
  const mergedThenWritten = async (n: number) => {
    const phone = `44770093${String(n).padStart(3, '0')}`;
    const mail = `eve${n}@mail.example`;
    await whatsapp(phone, `wamid.ZO${n}`, 'Is the shop open on Sunday?');
    const zoe = await reads.find(`+${phone}`);
    await api('POST', `/api/conversations/${zoe.openConversationId}/resolve`);
    await email(`ev${n}`, `Eve <${mail}>`, 'Thanks for the parcel');
    const eve = await reads.find(mail);
    await api('POST', `/api/conversations/${eve.openConversationId}/resolve`);
    manual.advance(DAYS_4);
    await api('POST', `/api/customers/${zoe.id}/merge`, { customerId: eve.id });
    await runtime().idle();
    await email(`ew${n}`, `Eve <${mail}>`, 'My invoice shows the wrong address');
    const started = (await profile(zoe.id)).openConversationId as string;
    expect(await conversation(started)).toMatchObject({ customerId: zoe.id, status: 'open' });
    return { phone, mail, started, target: zoe.id, source: eve.id };
  };
  const expectGivenBack = async (r: { started: string; target: string; source: string }) => {
    expect(await conversation(r.started)).toMatchObject({ customerId: r.source, status: 'open' });
    expect((await profile(r.source)).openConversationId).toBe(r.started);
    expect((await profile(r.target)).openConversationId).toBeUndefined();
    expect(await exported(r.source)).toContain(r.started);
    expect(await exported(r.target)).not.toContain(r.started);
  };

  it('names the returning customer again, with its membership and their profile; the kept one lets go', async () => {
    const r = await mergedThenWritten(1);
    await unmerge(r);
    await expectGivenBack(r);

    // Eve's next email continues her conversation; Zoe's next message opens one of her own.
    await email('ex1', `Eve <${r.mail}>`, 'Any news?');
    expect((await profile(r.source)).openConversationId).toBe(r.started);
    await whatsapp(r.phone, 'wamid.ZO1b', 'Hello again');
    const zoeOpen = (await profile(r.target)).openConversationId;
    expect(zoeOpen).toBeDefined();
    expect(zoeOpen).not.toBe(r.started);
    expect((await conversation(zoeOpen as string)).customerId).toBe(r.target);
  }, 60_000);

  it('leaves it the kept customer’s when they wrote in it too', async () => {
    const r = await mergedThenWritten(2);
    await whatsapp(r.phone, 'wamid.ZO2b', 'Also, my order 88?');
    expect((await profile(r.target)).openConversationId).toBe(r.started);
    await unmerge(r);
    expect(await conversation(r.started)).toMatchObject({ customerId: r.target, status: 'open' });
    expect((await profile(r.target)).openConversationId).toBe(r.started);
    expect((await profile(r.source)).openConversationId).toBeUndefined();
  }, 60_000);

  it('converges when the unmerge crashes after any of its writes and is called again', async () => {
    const crashes = await crashEachWrite((k) => mergedThenWritten(k + 10), expectGivenBack);
    expect(crashes).toBeGreaterThan(10);
  }, 400_000);
});
