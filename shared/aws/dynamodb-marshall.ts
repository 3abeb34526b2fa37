/** A DynamoDB attribute value as the JSON protocol carries it (binary as base64). */
export type WireAttribute =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { L: WireAttribute[] }
  | { M: Record<string, WireAttribute> };

/** Buffers, typed arrays, DataViews and ArrayBuffers: binary (B) attributes, as the SDK marshals them. */
function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

/** A plain object literal (or one without a prototype): a map (M) attribute. */
function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function base64(value: ArrayBuffer | ArrayBufferView): string {
  return (
    value instanceof ArrayBuffer
      ? Buffer.from(value)
      : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  ).toString('base64');
}

function numberText(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (!Number.isFinite(value)) throw new Error(`Special numeric value ${value} is not allowed`);
  if (value > Number.MAX_SAFE_INTEGER || value < Number.MIN_SAFE_INTEGER) {
    throw new Error(`Number ${value} is outside the safe integer range: pass a bigint`);
  }
  return value.toString();
}

function setAttribute(set: Set<unknown>): WireAttribute {
  const values = [...set].filter((value) => value !== undefined);
  const first = values[0];
  if (first === undefined) throw new Error('Pass a non-empty set');
  if (typeof first === 'string') return { SS: values.map(String) };
  if (typeof first === 'number' || typeof first === 'bigint') {
    return { NS: values.map((value) => numberText(value as number | bigint)) };
  }
  if (isBinary(first)) return { BS: values.map((value) => base64(value as ArrayBufferView)) };
  throw new Error('Only string, number and binary sets are allowed');
}

function mapAttribute(entries: Iterable<[string, unknown]>): Record<string, WireAttribute> {
  const map: Record<string, WireAttribute> = {};
  for (const [key, value] of entries) {
    if (value !== undefined && typeof value !== 'function') map[key] = toAttribute(value);
  }
  return map;
}

/**
 * One JavaScript value as a DynamoDB attribute, by the rules of `@aws-sdk/lib-dynamodb` with
 * `removeUndefinedValues` (the document client's options in this project): undefined members of maps,
 * lists and sets dropped, Sets as SS/NS/BS, numbers beyond the safe integers refused unless bigint.
 */
export function toAttribute(value: unknown): WireAttribute {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number' || typeof value === 'bigint') return { N: numberText(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) {
    return { L: value.filter((v) => v !== undefined && typeof v !== 'function').map(toAttribute) };
  }
  if (value instanceof Set) return setAttribute(value);
  if (value instanceof Map) return { M: mapAttribute(value) };
  if (isBinary(value)) return { B: base64(value) };
  if (typeof value === 'object' && isPlainObject(value)) {
    return { M: mapAttribute(Object.entries(value)) };
  }
  throw new Error(`Unsupported type passed: ${String(value)}`);
}

/** A record of JavaScript values as a DynamoDB item (or key, or expression values). */
export function marshallItem(item: Record<string, unknown>): Record<string, WireAttribute> {
  return mapAttribute(Object.entries(item));
}

function fromNumber(text: string): number | bigint {
  const value = Number(text);
  if ((value > Number.MAX_SAFE_INTEGER || value < Number.MIN_SAFE_INTEGER) && Number.isFinite(value)) {
    return BigInt(text);
  }
  return value;
}

/** One DynamoDB attribute as a JavaScript value, as `@aws-sdk/lib-dynamodb` unmarshalls it. */
export function fromAttribute(attribute: WireAttribute): unknown {
  const a = attribute as Partial<Record<string, unknown>>;
  if (a.S !== undefined) return a.S;
  if (a.N !== undefined) return fromNumber(a.N as string);
  if (a.BOOL !== undefined) return Boolean(a.BOOL);
  if (a.NULL !== undefined) return null;
  if (a.M !== undefined) return unmarshallItem(a.M as Record<string, WireAttribute>);
  if (a.L !== undefined) return (a.L as WireAttribute[]).map(fromAttribute);
  if (a.SS !== undefined) return new Set(a.SS as string[]);
  if (a.NS !== undefined) return new Set((a.NS as string[]).map(fromNumber));
  if (a.B !== undefined) return new Uint8Array(Buffer.from(a.B as string, 'base64'));
  if (a.BS !== undefined) {
    return new Set((a.BS as string[]).map((b) => new Uint8Array(Buffer.from(b, 'base64'))));
  }
  throw new Error(`Unsupported attribute: ${Object.keys(a).join(',')}`);
}

/** A DynamoDB item as a record of JavaScript values. */
export function unmarshallItem(item: Record<string, WireAttribute>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) record[key] = fromAttribute(value);
  return record;
}
