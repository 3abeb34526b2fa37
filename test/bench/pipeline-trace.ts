import type { CallTrace } from './dynamo-meter.js';
import { QUESTIONS, startMeteredRuntime, uncappedAiEnv } from './pipeline-cost.js';

/**
 * Prints, call by call, what one AI-answered WhatsApp message costs through the metered local runtime:
 * a new customer's first message, then the same customer's message `history` (default 20). Run with
 * `npx tsx test/bench/pipeline-trace.ts [history]`.
 */
async function main(history: number): Promise<void> {
  const bench = await startMeteredRuntime(uncappedAiEnv());
  const calls: CallTrace[] = [];
  const print = (label: string) => {
    let [wcu, rcu, index] = [0, 0, 0];
    console.log(`\n${label}`);
    console.log('| # | call | item / partition | table units | index writes | bytes |');
    console.log('|---|---|---|---|---|---|');
    calls.forEach((c, i) => {
      const idx = c.index.reduce((s, x) => s + x.units, 0);
      if (/Get|Query|Scan/.test(c.command)) rcu += c.units;
      else wcu += c.units;
      index += idx;
      const where = c.index.map((x) => `${x.partition} ${x.units}`).join(', ');
      console.log(
        `| ${i + 1} | ${c.command.replace('Command', '')} | ${c.key} | ${c.units} | ${where} | ${c.bytes ?? ''} |`,
      );
    });
    console.log(
      `total: ${wcu + index} write units (${wcu} table + ${index} index), ${rcu} read units, ${calls.length} calls`,
    );
    calls.length = 0;
  };
  try {
    bench.meter.onCall = (call) => calls.push(call);
    const waId = '16505550999';
    const question = (i: number) => QUESTIONS[i % QUESTIONS.length] as string;
    await bench.converse(waId, 'wamid.TRACE.1', question(1));
    print("a new customer's first message");
    bench.meter.paused = true;
    for (let i = 2; i < history; i++) await bench.converse(waId, `wamid.TRACE.${i}`, question(i));
    bench.meter.paused = false;
    calls.length = 0;
    for (let i = history; i < history + 3; i++) {
      await bench.converse(waId, `wamid.TRACE.${i}`, question(i));
      print(`the same customer's message ${i}: "${question(i)}"`);
    }
  } finally {
    await bench.close();
  }
}

await main(Number(process.argv[2] ?? 20));
