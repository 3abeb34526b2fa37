import { describe, expect, it } from 'vitest';
import { runLoad } from '../bench/load.js';

describe('local runtime under load (the benchmark harness, small)', () => {
  it('stores every message of concurrent bursts on four channels exactly once, in order per customer, none dead-lettered', async () => {
    const result = await runLoad({
      messages: 80,
      customers: 8,
      redelivered: 0.1,
      burst: 5,
      concurrentCustomers: 8,
    });

    expect(result.messages).toBe(80);
    expect(result.byChannel).toEqual({ whatsapp: 20, sms: 20, instagram: 20, email: 20 });
    expect(result.posted).toBeGreaterThan(result.messages);
    expect(result).toMatchObject({ missing: 0, duplicated: 0, outOfOrder: 0, deadLettered: 0 });
  }, 120_000);
});
