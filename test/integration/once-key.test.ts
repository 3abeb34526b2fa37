import { describe, expect, it } from 'vitest';
import { customerIdOf } from '../support/open-conversation.js';
import { SECRETS } from '../support/runtime.js';
import { type Item, scanTable } from '../support/table-snapshot.js';
import { useThrottledRuntime } from '../support/throttled-runtime.js';
import { deliver, signedMeta, signedTwilio, twilioSms, whatsappText } from '../support/webhooks.js';

const TABLE = 'threadline';
const AGENT = 'agent-once';

/**
 * An inbound message timed by its provider has the same timeline key in every delivery, so its
 * conditional put alone writes it once: no `MESSAGE#` reference. Through the local runtime (routing
 * off), with every redelivery a provider or the queue can make: the same body again, after a crash
 * between the put and the conversation touch, after a merge, after an unmerge; and Twilio, which
 * stamps a message with our receive time, still keeps the reference.
 */
describe('local runtime: a message timed by its provider is written once by its key', () => {
  const env = useThrottledRuntime();

  const at = (minute: number) => new Date(Date.UTC(2026, 11, 3, 9, minute)).toISOString();
  const whatsapp = async (phone: string, id: string, time: string) => {
    const body = whatsappText({ from: phone, messages: [{ id, at: time, text: `hello ${id}` }] });
    expect(
      (await deliver(signedMeta(env.runtime.url, '/webhooks/whatsapp', body, SECRETS.meta))).status,
    ).toBe(200);
    await env.runtime.idle();
  };
  const table = () => scanTable(env.inspect, TABLE);
  const copies = (items: Item[], id: string) =>
    items.filter((item) => item.entity === 'timeline' && item.id === id);
  const reference = (items: Item[], channel: string, id: string) =>
    items.find((item) => item.pk === `MESSAGE#${channel}#${id}`);
  const customerOf = (phone: string) => customerIdOf(env.runtime, phone);

  /** Two customers with a message each (`wamid.S<minute>`, `wamid.T<minute>`), the first merged into the second. */
  const mergedPair = async (sourcePhone: string, targetPhone: string, minute: number) => {
    await whatsapp(sourcePhone, `wamid.S${minute}`, at(minute));
    await whatsapp(targetPhone, `wamid.T${minute}`, at(minute));
    const source = await customerOf(sourcePhone);
    const target = await customerOf(targetPhone);
    await env.runtime.store.merges.merge(target, source, AGENT, at(minute + 1));
    return { source, target };
  };

  it('writes no reference, and a redelivery of the same body writes nothing twice', async () => {
    await whatsapp('14155550301', 'wamid.ONCE1', at(1));
    await whatsapp('14155550301', 'wamid.ONCE1', at(1));
    const items = await table();
    expect(copies(items, 'whatsapp:wamid.ONCE1')).toHaveLength(1);
    expect(reference(items, 'whatsapp', 'wamid.ONCE1')).toBeUndefined();
    expect(env.runtime.deadLetter.messages()).toEqual([]);
  });

  it('completes a delivery that failed between the put and the conversation touch', async () => {
    await whatsapp('14155550302', 'wamid.ONCE2', at(2));
    const customerId = await customerOf('14155550302');
    // The next message's put lands; its conversation touch, the write after it, fails once.
    const landed = env.faults.writes;
    let failed = false;
    env.throttle = ({ isWrite }) => {
      if (failed || !isWrite || env.faults.writes !== landed + 1) return false;
      failed = true;
      return true;
    };
    await whatsapp('14155550302', 'wamid.ONCE3', at(3));
    env.throttle = () => false;
    expect(failed).toBe(true);
    const items = await table();
    expect(copies(items, 'whatsapp:wamid.ONCE3')).toHaveLength(1);
    expect(reference(items, 'whatsapp', 'wamid.ONCE3')).toBeUndefined();
    const conversation = items.find(
      (item) => item.entity === 'conversation' && item.customerId === customerId,
    );
    expect(conversation?.lastMessageAt).toBe(at(3));
    expect(env.runtime.deadLetter.messages()).toEqual([]);
  });

  it('writes nothing twice when a message comes again after its customer was merged into another', async () => {
    const { source, target } = await mergedPair('14155550303', '14155550304', 4);
    await whatsapp('14155550303', 'wamid.S4', at(4));
    const items = await table();
    // Still the one item, in the partition it was first put in; the reference now keeps that place.
    expect(copies(items, 'whatsapp:wamid.S4').map((item) => item.pk)).toEqual([`CUSTOMER#${source}`]);
    expect(reference(items, 'whatsapp', 'wamid.S4')).toMatchObject({ customerId: source });
    const union = await env.runtime.store.timeline.timeline(target, { limit: 50 });
    expect(union.items.filter((item) => item.id === 'whatsapp:wamid.S4')).toHaveLength(1);
    expect(env.runtime.deadLetter.messages()).toEqual([]);
  });

  it('writes nothing twice when a message sent while merged comes again after the unmerge', async () => {
    const { source, target } = await mergedPair('14155550305', '14155550306', 6);
    // While merged, the source's number is the target's: the message goes to the target's partition.
    await whatsapp('14155550305', 'wamid.MERGED8', at(8));
    await env.runtime.store.merges.unmerge(target, source, AGENT, at(9));
    expect(await customerOf('14155550305')).toBe(source);
    await whatsapp('14155550305', 'wamid.MERGED8', at(8));
    // The unmerge gave the message back to the source, with its reference: the redelivery finds it there.
    const items = await table();
    expect(copies(items, 'whatsapp:wamid.MERGED8').map((item) => item.pk)).toEqual([`CUSTOMER#${source}`]);
    expect(reference(items, 'whatsapp', 'wamid.MERGED8')).toMatchObject({ customerId: source });
    // The source stays marked: its messages keep their references, so nothing moved is lost track of.
    await whatsapp('14155550305', 'wamid.AFTER10', at(10));
    expect(reference(await table(), 'whatsapp', 'wamid.AFTER10')).toMatchObject({ customerId: source });
    expect(env.runtime.deadLetter.messages()).toEqual([]);
  });

  it('keeps the reference for Twilio, which stamps a message with the time it arrives', async () => {
    const sms = twilioSms({ sid: 'SMonce000000000000000000000000001', from: '+14155550307', text: 'hi' });
    const post = () => deliver(signedTwilio(`${env.runtime.url}/webhooks/twilio/sms`, sms, SECRETS.twilio));
    expect((await post()).status).toBe(200);
    await env.runtime.idle();
    expect((await post()).status).toBe(200);
    await env.runtime.idle();
    const items = await table();
    const id = 'sms:SMonce000000000000000000000000001';
    expect(copies(items, id)).toHaveLength(1);
    expect(reference(items, 'sms', 'SMonce000000000000000000000000001')).toMatchObject({
      customerId: await customerOf('14155550307'),
    });
  });
});
