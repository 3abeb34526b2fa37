import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { normaliseMetaMessaging } from '#shared/channels/meta/normalise.js';
import { normaliseSesNotification } from '#shared/channels/ses/normalise.js';
import { normaliseTwilioMessage, normaliseTwilioStatus } from '#shared/channels/twilio/normalise.js';
import { normaliseTwilioCall, type TwilioCallEvent } from '#shared/channels/twilio/normalise-call.js';
import { normaliseWhatsApp } from '#shared/channels/whatsapp/normalise.js';
import { type Envelope, EnvelopeSchema } from '#shared/domain/envelope.js';
import { ValidationError } from '#shared/errors.js';
import { hotSchemas } from '#shared/validation/hot.js';

/**
 * Fuzzing of every normaliser with arbitrary JSON and with mutated real fixtures. Whatever the input, a
 * normaliser either throws the documented ValidationError or returns envelopes that pass EnvelopeSchema
 * and can be queued (JSON-serialisable), plus `rejected` entries located by JSON pointer. It is also
 * pure (the input is left untouched, the same input gives the same output), and neither its rejections
 * nor its errors quote a value from the payload (they are logged; values are personal data).
 * Seeds are fixed: the runs are the same on every machine.
 */

const FIXTURES = new URL('../../../fixtures/', import.meta.url);
const RECEIVED_AT = '2026-06-01T12:00:00.000Z';
const SHA = 'ab'.repeat(32);
const CTX = { receivedAt: RECEIVED_AT, bodySha256: SHA };
const SES_CTX = { receivedAt: RECEIVED_AT, snsMessageId: 'da41e39f-ea4d-435a-b922-c6aae3915ebe' };
const RUNS = 150;

const json = (dir: string): [string, unknown][] =>
  readdirSync(new URL(`${dir}/`, FIXTURES))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [`${dir}/${name}`, JSON.parse(readFileSync(new URL(`${dir}/${name}`, FIXTURES), 'utf8'))]);

const WHATSAPP = json('whatsapp');
const META = json('meta');
const TWILIO = json('twilio') as [string, Record<string, string>][];
const SES = json('ses').filter(([name]) => !name.includes('/sns_'));
const EMAILS = readdirSync(new URL('email/', FIXTURES))
  .filter((name) => name.endsWith('.eml'))
  .sort()
  .map((name) => readFileSync(new URL(`email/${name}`, FIXTURES)));
const S3_ALERT = SES.find(([name]) => name.endsWith('received_s3_action.json'))?.[1] as Record<
  string,
  unknown
>;

// ---------------------------------------------------------------------------------------------------
// Values and mutations

/** Strings that mean something to some normaliser, or that break naive code. */
const interestingString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'NaN',
    '+',
    '+1',
    '+14155550100',
    '14155550100',
    '(415) 555-0100',
    'whatsapp:+14155550100',
    'whatsapp:IN.2081978709342942',
    'IN.',
    'anonymous',
    'client:alice',
    '__proto__',
    'constructor',
    'hasOwnProperty',
    '\u0000',
    '\uD800',
    'x'.repeat(70_000),
    '2025-06-10T09:00:00Z',
    'not a date',
    '1749416383',
    '1749416383000',
    '99999999999999999999999',
    'text',
    'image',
    'interactive',
    'nfm_reply',
    'button_reply',
    'reaction',
    'edit',
    'revoke',
    'system',
    'unsupported',
    'Received',
    'Bounce',
    'Complaint',
    'Delivery',
    'Permanent',
    'page',
    'instagram',
    'whatsapp_business_account',
    'messages',
    'smb_message_echoes',
    'delivered',
    'read',
    'failed',
    'canceled',
    'STOP',
    'completed',
    'no-answer',
    'outbound-api',
    'dana@example.com',
    'Dana <dana@example.com>',
    '{"a":1}',
    '[[[[]]]]',
  ),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
);

/** Any JSON value JSON.parse can produce (no NaN, no Infinity), with a bias to meaningful strings. */
const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  interestingString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, 0, -0, 1e21, 2 ** 53 + 2, -1, 1.5, [], {}),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

type Container = Record<string, unknown> | unknown[];
type Op = 'replace' | 'delete' | 'wrap' | 'stringify' | 'empty' | 'duplicate';

interface Mutation {
  /** Where, as a fraction of the places the value has: uniform over the document, not biased to its top. */
  at: number;
  op: Op;
  value: unknown;
}

const fraction = fc.noBias(fc.nat({ max: 1_000_000 })).map((n) => n / 1_000_001);
const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fraction,
  op: fc.constantFrom<Op>('replace', 'replace', 'delete', 'wrap', 'stringify', 'empty', 'duplicate'),
  value: jsonValue,
});
const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

/** Every place in a JSON value that holds a value (the root excepted), in document order. */
function slots(value: unknown): [Container, string | number][] {
  const out: [Container, string | number][] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        out.push([node, i]);
        walk(child);
      });
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        out.push([node as Record<string, unknown>, key]);
        walk(child);
      }
    }
  };
  walk(value);
  return out;
}

function emptyLike(value: unknown): unknown {
  if (Array.isArray(value)) return [];
  if (typeof value === 'object' && value !== null) return {};
  if (typeof value === 'string') return '';
  return 0;
}

/** A copy of `original` with the mutations applied, each at a place picked among those left. */
function mutate(original: unknown, changes: readonly Mutation[]): unknown {
  let copy = structuredClone(original);
  for (const { at, op, value } of changes) {
    const places = slots(copy);
    const place = places[Math.floor(at * places.length)];
    if (!place) {
      copy = op === 'wrap' ? [copy] : value;
      continue;
    }
    const [container, key] = place;
    const current = (container as Record<string | number, unknown>)[key];
    const set = (v: unknown) => {
      (container as Record<string | number, unknown>)[key] = v;
    };
    switch (op) {
      case 'replace':
        set(structuredClone(value));
        break;
      case 'delete':
        if (Array.isArray(container)) container.splice(Number(key), 1);
        else delete container[key];
        break;
      case 'wrap':
        set([current]);
        break;
      case 'stringify':
        set(JSON.stringify(current));
        break;
      case 'empty':
        set(emptyLike(current));
        break;
      case 'duplicate':
        if (Array.isArray(container)) container.push(structuredClone(current));
        else set(structuredClone(Array.isArray(current) ? [...current, ...current] : current));
        break;
    }
  }
  return copy;
}

// ---------------------------------------------------------------------------------------------------
// What every outcome must satisfy

interface Outcome {
  envelopes: Envelope[];
  rejected?: { pointer: string; reason: string }[];
}

/** A string planted in payloads: no rejection reason or error message may quote it. */
const MARK = 'zzPLANTED+14155550123zz';
const MARK_STEM = 'zzPLANTED';

/**
 * Runs a normaliser on an input: only ValidationError may escape; every envelope passes EnvelopeSchema
 * and serialises; every rejection is a JSON pointer and a reason; nothing quotes the planted mark; the
 * input is unchanged and a second run gives the same result.
 */
async function check(input: unknown, run: (input: unknown) => Outcome | Promise<Outcome>): Promise<number> {
  const before = structuredClone(input);
  let first: Outcome;
  try {
    first = await run(input);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error.message).not.toContain(MARK_STEM);
    expect(input).toEqual(before);
    return 0;
  }
  for (const envelope of first.envelopes) {
    const parsed = EnvelopeSchema.safeParse(envelope);
    if (!parsed.success) throw new Error(`invalid envelope: ${parsed.error.message}`);
    expect(typeof JSON.stringify(envelope)).toBe('string');
  }
  for (const rejection of first.rejected ?? []) {
    expect(rejection.pointer).toMatch(/^(\/[^/]*)*$/);
    expect(typeof rejection.reason).toBe('string');
    expect(rejection.reason).not.toContain(MARK_STEM);
  }
  expect(input).toEqual(before);
  expect(await run(structuredClone(before))).toEqual(first);
  return first.envelopes.length;
}

/** Names the fixture in a failure. */
const named =
  (name: string) =>
  (error: unknown): never => {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  };

const twilioArray = (envelopes: Envelope[]): Outcome => ({ envelopes });
const CALL_EVENTS: TwilioCallEvent[] = ['incoming', 'status', 'recording', 'transcription'];

const NORMALISERS: [string, (input: unknown) => Outcome | Promise<Outcome>][] = [
  ['normaliseWhatsApp', (input) => normaliseWhatsApp(input, CTX)],
  ['normaliseMetaMessaging', (input) => normaliseMetaMessaging(input, CTX)],
  ['normaliseSesNotification', (input) => normaliseSesNotification(input, SES_CTX)],
  [
    'normaliseTwilioMessage',
    (input) => twilioArray(normaliseTwilioMessage(input as Record<string, string>, CTX)),
  ],
  [
    'normaliseTwilioStatus',
    (input) => twilioArray(normaliseTwilioStatus(input as Record<string, string>, CTX)),
  ],
  ...CALL_EVENTS.map(
    (event) =>
      [
        `normaliseTwilioCall(${event})`,
        (input: unknown) => twilioArray(normaliseTwilioCall(input as Record<string, string>, CTX, event)),
      ] as [string, (input: unknown) => Outcome],
  ),
];

// ---------------------------------------------------------------------------------------------------

describe('normalisers under fuzzing: only ValidationError escapes, every envelope is valid', () => {
  it.each(NORMALISERS)('%s: arbitrary JSON values', async (_name, run) => {
    await fc.assert(
      fc.asyncProperty(jsonValue, async (input) => {
        await check(input, run);
      }),
      { numRuns: RUNS, seed: 0x5eed01 },
    );
  });

  it.each([
    ['normaliseWhatsApp', WHATSAPP, NORMALISERS[0]?.[1]],
    ['normaliseMetaMessaging', META, NORMALISERS[1]?.[1]],
    ['normaliseSesNotification', SES, NORMALISERS[2]?.[1]],
  ] as const)('%s: mutated real fixtures', async (_name, fixtures, run) => {
    if (!run) throw new Error('no normaliser');
    // Every fixture as it is, first: together they yield envelopes.
    let produced = 0;
    for (const [name, body] of fixtures) produced += await check(body, run).catch(named(name));
    expect(produced).toBeGreaterThan(0);
    let productive = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fixtures), mutations, async ([, body], changes) => {
        if ((await check(mutate(body, changes), run)) > 0) productive += 1;
      }),
      { numRuns: 200, seed: 0x5eed02 },
    );
    // Enough mutants still yield envelopes (about a fifth with this seed): the fuzzing reaches past the
    // first guards into the conversion of each item.
    expect(productive).toBeGreaterThanOrEqual(20);
  });

  it.each([
    ['normaliseWhatsApp', WHATSAPP, NORMALISERS[0]?.[1]],
    ['normaliseMetaMessaging', META, NORMALISERS[1]?.[1]],
    ['normaliseSesNotification', SES, NORMALISERS[2]?.[1]],
  ] as const)(
    '%s: a value planted anywhere in a fixture is never quoted in a reason',
    async (_n, fixtures, run) => {
      if (!run) throw new Error('no normaliser');
      // Values only: keys are field names, which reasons may name (an unknown event kind, say).
      const planted = fc.constantFrom<unknown>(
        MARK,
        [MARK],
        { id: MARK, text: MARK, body: MARK },
        `${MARK}@example.com`,
        `whatsapp:${MARK}`,
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...fixtures),
          fc.array(fc.record({ at: fraction, op: fc.constant<Op>('replace'), value: planted }), {
            minLength: 1,
            maxLength: 3,
          }),
          async ([, body], changes) => {
            await check(mutate(body, changes), run);
          },
        ),
        { numRuns: 200, seed: 0x5eed03 },
      );
    },
  );
});

describe('normalisers and deep nesting', () => {
  const DEEP = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;

  it.each([
    ['normaliseWhatsApp', WHATSAPP, NORMALISERS[0]?.[1]],
    ['normaliseMetaMessaging', META, NORMALISERS[1]?.[1]],
    ['normaliseSesNotification', SES, NORMALISERS[2]?.[1]],
  ] as const)(
    '%s: a value nested 10k deep anywhere in a fixture is a ValidationError',
    async (_n, fixtures, run) => {
      if (!run) throw new Error('no normaliser');
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...fixtures), fraction, async ([, body], at) => {
          // Planted through the text: structuredClone and JSON.stringify overflow on such a value.
          const text = JSON.stringify(mutate(body, [{ at, op: 'replace', value: '__DEEP__' }]));
          const input: unknown = JSON.parse(text.replace('"__DEEP__"', DEEP));
          // Queueing an envelope serialises it, raw item included: nothing that deep may get through.
          await expect(Promise.resolve().then(() => run(input))).rejects.toBeInstanceOf(ValidationError);
        }),
        { numRuns: 50, seed: 0x5eed0a },
      );
    },
  );
});

describe('Twilio normalisers under fuzzing (form parameters: strings only)', () => {
  const TWILIO_KEYS = [
    'From',
    'To',
    'Body',
    'MessageSid',
    'SmsSid',
    'SmsMessageSid',
    'AccountSid',
    'NumMedia',
    'MediaUrl0',
    'MediaContentType0',
    'MediaUrl1',
    'MediaContentType1',
    'MediaUrl99',
    'Latitude',
    'Longitude',
    'Label',
    'Address',
    'ButtonText',
    'ButtonPayload',
    'OptOutType',
    'ProfileName',
    'WaId',
    'ExternalUserId',
    'ParentExternalUserId',
    'ProfileUsername',
    'MessageType',
    'Forwarded',
    'ReferralCtwaClid',
    'ReferralSourceUrl',
    'Referral',
    'OriginalRepliedMessageSid',
    'MessageStatus',
    'SmsStatus',
    'ErrorCode',
    'ErrorMessage',
    'ChannelStatusMessage',
    'CallSid',
    'CallStatus',
    'Direction',
    'CallDuration',
    'RecordingSid',
    'RecordingUrl',
    'RecordingStatus',
    'RecordingDuration',
    'TranscriptionSid',
    'TranscriptionStatus',
    'TranscriptionText',
    '__proto__',
  ];
  const key = fc.oneof(fc.constantFrom(...TWILIO_KEYS), fc.string());
  const change = fc.oneof(
    fc.record({ key, value: interestingString }),
    fc.record({ key, value: fc.constant(undefined) }),
  );

  /** A fixture's parameters with some set, replaced or removed (Object.fromEntries keeps `__proto__` a key). */
  const vary = (params: Record<string, string>, changes: { key: string; value: string | undefined }[]) => {
    const entries = new Map(Object.entries(params));
    for (const { key: name, value } of changes) {
      if (value === undefined) entries.delete(name);
      else entries.set(name, value);
    }
    return Object.fromEntries(entries) as Record<string, string>;
  };

  it.each(NORMALISERS.slice(3))('%s: arbitrary parameter sets', async (_name, run) => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, interestingString, { maxKeys: 12 }), async (params) => {
        await check(params, run);
      }),
      { numRuns: RUNS, seed: 0x5eed04 },
    );
  });

  it.each(NORMALISERS.slice(3))(
    '%s: mutated real fixtures, and a planted value never quoted',
    async (_n, run) => {
      let produced = 0;
      for (const [name, params] of TWILIO) produced += await check(params, run).catch(named(name));
      expect(produced).toBeGreaterThan(0);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...TWILIO),
          fc.array(change, { minLength: 1, maxLength: 5 }),
          fc.boolean(),
          async ([, params], changes, plant) => {
            const planted = changes.map((c) => ({
              key: c.key,
              value: c.value === undefined ? undefined : MARK,
            }));
            await check(vary(params, plant ? planted : changes), run);
          },
        ),
        { numRuns: RUNS, seed: 0x5eed05 },
      );
    },
  );

  it('normaliseTwilioCall: callback URL queries of any shape', async () => {
    const query = fc.dictionary(fc.constantFrom('From', 'To', 'CallSid'), interestingString, { maxKeys: 3 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TWILIO.filter(([name]) => name.includes('/call_'))),
        fc.constantFrom(...CALL_EVENTS),
        query,
        fc.subarray(['From', 'To']),
        async ([, params], event, q, drop) => {
          const without = vary(
            params,
            drop.map((name) => ({ key: name, value: undefined })),
          );
          await check(without, (input) =>
            twilioArray(normaliseTwilioCall(input as Record<string, string>, { ...CTX, query: q }, event)),
          );
        },
      ),
      { numRuns: RUNS, seed: 0x5eed06 },
    );
  });
});

describe('SES normaliser under fuzzing: the email itself', () => {
  /** The S3-action notification of a fixture email, as the app calls the normaliser with it. */
  const receive = (mime: Uint8Array) => normaliseSesNotification(structuredClone(S3_ALERT), SES_CTX, mime);

  const byteChange = fc.record({
    at: fc.nat(),
    op: fc.constantFrom('flip', 'truncate', 'insert', 'delete', 'duplicate'),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  });

  function mutateBytes(original: Uint8Array, changes: { at: number; op: string; bytes: Uint8Array }[]) {
    let bytes = Buffer.from(original);
    for (const { at, op, bytes: extra } of changes) {
      const i = at % Math.max(bytes.length, 1);
      if (op === 'flip') bytes[i] = (bytes[i] ?? 0) ^ (extra[0] ?? 0xff);
      else if (op === 'truncate') bytes = bytes.subarray(0, i);
      else if (op === 'insert') bytes = Buffer.concat([bytes.subarray(0, i), extra, bytes.subarray(i)]);
      else if (op === 'delete')
        bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + extra.length)]);
      else bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i, i + 200), bytes.subarray(i)]);
    }
    return new Uint8Array(bytes);
  }

  it('arbitrary bytes as the stored email', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2_000 }),
          fc.string().map((s) => new Uint8Array(Buffer.from(s))),
        ),
        async (mime) => {
          await check(mime, (input) => receive(input as Uint8Array));
        },
      ),
      { numRuns: 100, seed: 0x5eed07 },
    );
  });

  it('mutated real emails (flipped, cut, spliced bytes)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...EMAILS),
        fc.array(byteChange, { minLength: 1, maxLength: 4 }),
        async (eml, changes) => {
          await check(mutateBytes(eml, changes), (input) => receive(input as Uint8Array));
        },
      ),
      { numRuns: 60, seed: 0x5eed08 },
    );
  }, 30_000);

  it('mutated real emails inline in an SNS-action notification', async () => {
    const inline = SES.find(([name]) => name.endsWith('received_sns_action.json'))?.[1] as Record<
      string,
      unknown
    >;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...EMAILS),
        fc.array(byteChange, { maxLength: 3 }),
        async (eml, changes) => {
          const notification = {
            ...structuredClone(inline),
            content: Buffer.from(mutateBytes(eml, changes)).toString('base64'),
          };
          await check(notification, (input) => normaliseSesNotification(input, SES_CTX));
        },
      ),
      { numRuns: 100, seed: 0x5eed09 },
    );
  });
});

describe('compiled schemas (hot.ts) against the interpreter', () => {
  /** What a parse says, in a form that compares key order and the issues' paths, codes and messages. */
  function outcome(schema: z.ZodMiniType, value: unknown) {
    const result = schema.safeParse(value);
    return result.success
      ? { ok: true, json: JSON.stringify(result.data), data: result.data }
      : {
          ok: false,
          issues: result.error.issues.map(({ path, code, message }) => ({ path, code, message })),
        };
  }

  /** The value and every array and object inside it: each may reach some schema on its own. */
  function parts(value: unknown): unknown[] {
    return [
      value,
      ...slots(value).map(([container, key]) => (container as Record<string | number, unknown>)[key]),
    ];
  }

  /** The envelopes a fixture yields (none for the fixtures of events the normaliser refuses). */
  const envelopesOf = (run: (body: unknown) => Outcome, [name, body]: [string, unknown]) => {
    try {
      return run(body).envelopes.map((envelope): [string, unknown] => [name, envelope]);
    } catch {
      return [];
    }
  };
  const ENVELOPES = [
    ...WHATSAPP.flatMap((fixture) => envelopesOf((body) => normaliseWhatsApp(body, CTX), fixture)),
    ...META.flatMap((fixture) => envelopesOf((body) => normaliseMetaMessaging(body, CTX), fixture)),
  ];
  const INPUTS: [string, unknown][] = [...WHATSAPP, ...META, ...TWILIO, ...SES, ...ENVELOPES];

  it('every schema on the delivery path is hot, and the fixtures reach each of them', () => {
    const schemas = hotSchemas();
    // WhatsApp 8, Messenger/Instagram 5, Twilio 4, the envelope 1.
    expect(schemas.length).toBeGreaterThanOrEqual(18);
    for (const schema of schemas) {
      const accepted = INPUTS.flatMap(([, input]) => parts(input)).filter(
        (part) => schema.safeParse(part).success,
      );
      expect(accepted.length).toBeGreaterThan(0);
    }
  });

  it('compiled and interpreted parses agree on every part of every fixture, as is and mutated', () => {
    const pairs = hotSchemas().map((schema) => [schema, z.compile(schema)] as const);
    const agree = (value: unknown) => {
      for (const part of parts(value)) {
        for (const [interpreted, compiled] of pairs) {
          const [fast, slow] = [outcome(compiled, part), outcome(interpreted, part)];
          // expect() only on a difference, to say what it is: called 10⁵ times, it is the slow part.
          if (!isDeepStrictEqual(fast, slow)) expect(fast).toStrictEqual(slow);
        }
      }
    };
    for (const [name, input] of INPUTS) {
      try {
        agree(input);
      } catch (error) {
        named(name)(error);
      }
    }
    fc.assert(
      fc.property(fc.constantFrom(...INPUTS), mutations, ([, input], changes) =>
        agree(mutate(input, changes)),
      ),
      { numRuns: 100, seed: 0x5eed0c },
    );
  }, 60_000);
});
