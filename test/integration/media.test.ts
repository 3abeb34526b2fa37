import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { agentToken } from '../support/agent-token.js';
import { basicOf, fakeBytes, startFakeMediaProvider } from '../support/fake-media-provider.js';
import { postVoicemail, postWhatsAppPhoto } from '../support/media-webhooks.js';
import { SECRETS, startTestRuntime } from '../support/runtime.js';

const AGENT = agentToken('media-agent-token');
// A Twilio Account SID's form (AC and 32 hexadecimal digits): the config refuses any other.
const SID = 'AC0000000000000000000000000000a002';
const WA_TOKEN = 'media-whatsapp-token';
const CALLER = '+14155550181';
const CALL_SID = 'CAmedia000000000000000000000000001';
const RECORDING_PATH = `/2010-04-01/Accounts/${SID}/Recordings/REmedia00000000000000000000000001`;

/**
 * An agent opens a WhatsApp customer's photo and a caller's voicemail through the agent API: the local
 * runtime takes the providers' webhooks as they come, then fetches each file from a fake Twilio and a
 * fake Graph API (TWILIO_API_URL, META_GRAPH_URL) with Threadline's credentials, never the agent's.
 */
describe('local runtime: an agent opens a WhatsApp photo and a voicemail', () => {
  let runtime: LocalRuntime;
  let fake: Awaited<ReturnType<typeof startFakeMediaProvider>>;
  const get = (path: string) =>
    fetch(`${runtime.url}${path}`, { headers: { authorization: `Bearer ${AGENT}` } });
  /** The photo's address as the console builds it from the timeline item: its id, and its `at`. */
  const photoPath = async (customer: string) => {
    const timeline = (await (await get(`/api/customers/${customer}/timeline`)).json()) as {
      items: Array<{ id: string; at: string }>;
    };
    const at = timeline.items.find((item) => item.id === 'whatsapp:wamid.MEDIA1')?.at ?? '';
    return `/api/customers/${customer}/timeline/${encodeURIComponent('whatsapp:wamid.MEDIA1')}/attachments/0?at=${encodeURIComponent(at)}`;
  };
  const customerOf = async (q: string) =>
    (
      (await (await get(`/api/customers?q=${encodeURIComponent(q)}`)).json()) as {
        items: Array<{ id: string }>;
      }
    ).items[0]?.id as string;

  beforeAll(async () => {
    fake = await startFakeMediaProvider({ bearer: WA_TOKEN, basic: basicOf(SID, SECRETS.twilio) });
    runtime = await startTestRuntime({
      env: {
        AGENT_TOKENS: `ana:${AGENT}`,
        TWILIO_ACCOUNT_SID: SID,
        WHATSAPP_ACCESS_TOKEN: WA_TOKEN,
        TWILIO_API_URL: fake.origin,
        META_GRAPH_URL: fake.origin,
      },
    });
    await postWhatsAppPhoto(runtime, {
      from: '14155550180',
      messageId: 'wamid.MEDIA1',
      mediaId: '99001',
      mimeType: 'image/jpeg',
    });
    await postVoicemail(runtime, {
      accountSid: SID,
      callSid: CALL_SID,
      caller: CALLER,
      recordingSid: 'REmedia00000000000000000000000001',
      recordingUrl: `${fake.origin}${RECORDING_PATH}`,
    });
    await runtime.idle();
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
    await fake?.close();
  });

  it("serves the WhatsApp photo, fetched by its media id with the business's token", async () => {
    const customer = await customerOf('+14155550180');
    const res = await get(await photoPath(customer));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toMatch(/^private/);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(fakeBytes('/cdn/99001'));
    expect(fake.seen.filter((s) => s.path.includes('99001'))).toEqual([
      { path: '/v23.0/99001', authorization: `Bearer ${WA_TOKEN}` },
      { path: '/cdn/99001', authorization: `Bearer ${WA_TOKEN}` },
    ]);
  });

  it("serves the voicemail as MP3, fetched from Twilio with the account's credentials", async () => {
    const customer = await customerOf(CALLER);
    const timeline = (await (await get(`/api/customers/${customer}/timeline`)).json()) as {
      items: Array<{ id: string; data?: { recordingUrl?: string } }>;
    };
    const voicemail = timeline.items.find((item) => item.data?.recordingUrl);
    expect(voicemail?.id).toBeDefined();
    const res = await get(
      `/api/customers/${customer}/timeline/${encodeURIComponent(voicemail?.id ?? '')}/recording`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(fakeBytes(`${RECORDING_PATH}.mp3`));
    expect(fake.seen.filter((s) => s.path.startsWith(RECORDING_PATH))).toEqual([
      { path: `${RECORDING_PATH}.mp3`, authorization: `Basic ${basicOf(SID, SECRETS.twilio)}` },
    ]);
  });

  it('answers HEAD as GET without the body: the same status and headers, the length of the file', async () => {
    const customer = await customerOf('+14155550180');
    const path = await photoPath(customer);
    const head = await fetch(`${runtime.url}${path}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${AGENT}` },
    });
    const got = await get(path);
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const bytes = new Uint8Array(await got.arrayBuffer());
    expect(head.headers.get('content-length')).toBe(String(bytes.byteLength));
    for (const name of ['content-type', 'content-disposition', 'cache-control', 'content-security-policy'])
      expect(head.headers.get(name), name).toBe(got.headers.get(name));
    const unsigned = await fetch(`${runtime.url}${path}`, { method: 'HEAD' });
    expect(unsigned.status).toBe(401);
  });

  it("answers another customer's item 404, and a media id WhatsApp no longer has 502 media_unavailable", async () => {
    const caller = await customerOf(CALLER);
    const photo = await photoPath(await customerOf('+14155550180'));
    const other = await get(photo.replace(/customers\/[^/]+/, `customers/${caller}`));
    expect(other.status).toBe(404);
    fake.answers.set('/v23.0/99001', { status: 400 });
    const customer = await customerOf('+14155550180');
    const res = await get(await photoPath(customer));
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('media_unavailable');
    fake.answers.clear();
  });
});
