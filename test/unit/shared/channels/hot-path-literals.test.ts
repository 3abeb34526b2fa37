import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The code every webhook delivery runs through, besides zod. */
const HOT_PATH = [
  'shared/channels/normalised.ts',
  'shared/channels/whatsapp/normalise.ts',
  'shared/channels/whatsapp/messages.ts',
  'shared/channels/whatsapp/message-content.ts',
  'shared/channels/whatsapp/statuses.ts',
  'shared/channels/whatsapp/scope.ts',
  'shared/channels/meta/normalise.ts',
  'shared/channels/meta/event.ts',
  'shared/channels/meta/messages.ts',
  'shared/channels/meta/acts.ts',
  'shared/channels/twilio/normalise.ts',
  'shared/channels/twilio/normalise-call.ts',
  'shared/channels/twilio/params.ts',
  'shared/http/webhook.ts',
  'shared/lambda/webhook-lambda.ts',
  'shared/channels/meta/signed-webhook.ts',
  'shared/channels/twilio/webhook-request.ts',
];

// On Node 20's V8, every property written after a leading spread ({ ...base, id, ... }) takes a slow
// path: it made one WhatsApp envelope cost 7 µs to build instead of 0.1 µs (see normalised.ts).
// A spread's operand on one line: no comma or bracket, except inside a bracketed group (parentheses two
// deep, braces or square brackets one deep), so that the commas between a call's arguments do not count.
const OPERAND = String.raw`(?:[^\n,(){}[\]]|\((?:[^\n()]|\([^\n()]*\))*\)|\{[^\n{}]*\}|\[[^\n[\]]*\])+`;
const LEADING_SPREAD = new RegExp(
  [
    // Over several lines: `{`, a line `...base,`, then a line that starts with a property.
    String.raw`\{\n\s*\.\.\.[^\n]+,\n\s*[A-Za-z_]\w*[:,]`,
    // On one line: `{ ...x, key: 1 }`, `{ ...f(a, b), key }`, `{ ...x, [key]: 1 }`.
    String.raw`\{[ \t]*\.\.\.${OPERAND},\s*(?:[A-Za-z_$][\w$]*\s*[:,}]|\[[^\n\]]*\]\s*:)`,
  ].join('|'),
  'g',
);

/** The source without its comment lines: normalised.ts explains the rule with the very pattern. */
const code = (text: string) => text.replace(/^\s*(?:\/\/|\/\*|\*).*$/gm, '');

describe('object literals on the delivery path', () => {
  it.each(HOT_PATH)('%s: none starts with a spread followed by properties', (path) => {
    const text = readFileSync(new URL(`../../../../${path}`, import.meta.url), 'utf8');
    expect(code(text).match(LEADING_SPREAD) ?? []).toEqual([]);
  });

  it('recognises the pattern it forbids', () => {
    expect('return {\n    ...base,\n    id: x,\n  };'.match(LEADING_SPREAD)).toHaveLength(1);
    expect('return {\n    id: x,\n    ...base,\n    kind,\n  };'.match(LEADING_SPREAD)).toBeNull();
    // On one line, as the Meta messaging normaliser's businessAct had it.
    const businessAct =
      "return { ...eventMessage(e, key, kind, { [kind]: detail }), direction: 'outbound' };";
    expect(businessAct.match(LEADING_SPREAD)).toHaveLength(1);
    expect('const a = { ...f(), key };'.match(LEADING_SPREAD)).toHaveLength(1);
    expect('const a = { ...x, [key]: 1 };'.match(LEADING_SPREAD)).toHaveLength(1);
    // A lone spread of a call, spreads only, or a spread after the first property are fine.
    expect('const a = { ...f(a, g(b, c)) };'.match(LEADING_SPREAD)).toBeNull();
    expect("const a = { ...optional('a', b), ...optional('c', d) };".match(LEADING_SPREAD)).toBeNull();
    expect('const a = { id, ...x, key: 1 };'.match(LEADING_SPREAD)).toBeNull();
    expect(code('/** Never `{ ...base, id }`. */\n// nor { ...x, key: 1 }').match(LEADING_SPREAD)).toBeNull();
  });
});
