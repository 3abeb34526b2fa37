import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync } from 'node:zlib';

/** A static file's compressed forms, made once when it is built (never per request). */
export interface Encoded {
  br?: Uint8Array;
  gzip?: Uint8Array;
}

/** The encodings served, in the order preferred when the browser takes both equally (brotli is smaller). */
export type Encoding = keyof Encoded;

const brotliOptions = (size: number) => ({
  params: {
    [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    [constants.BROTLI_PARAM_SIZE_HINT]: size,
  },
});

/** Whether a content type is worth compressing (text; not PNG and the like, compressed already). */
export function compressible(type: string): boolean {
  return /^(text\/|application\/json|image\/svg\+xml)/.test(type);
}

/** Keeps a form only when it is smaller than the file (else the file goes as it is). */
function smaller(raw: Uint8Array, forms: Encoded): Encoded {
  const kept: Encoded = {};
  if (forms.br && forms.br.length < raw.length) kept.br = forms.br;
  if (forms.gzip && forms.gzip.length < raw.length) kept.gzip = forms.gzip;
  return kept;
}

/** The brotli (quality 11) and gzip (level 9) forms of a file, at build time (the stack's synth). */
export function compressSync(raw: Uint8Array): Encoded {
  return smaller(raw, {
    br: brotliCompressSync(raw, brotliOptions(raw.length)),
    gzip: gzipSync(raw, { level: 9 }),
  });
}

/** As `compressSync`, on zlib's threads (the local runtime's build, beside its other work). */
export async function compress(raw: Uint8Array): Promise<Encoded> {
  const [br, gz] = await Promise.all([
    promisify(brotliCompress)(raw, brotliOptions(raw.length)),
    promisify(gzip)(raw, { level: 9 }),
  ]);
  return smaller(raw, { br, gzip: gz });
}

/** The weight (q) an Accept-Encoding header gives a coding: its own entry's, else `*`'s, else none. */
function weightOf(entries: ReadonlyMap<string, number>, coding: string): number {
  return entries.get(coding) ?? entries.get('*') ?? 0;
}

/**
 * The form to send for a request's Accept-Encoding (read up to 512 characters, split on commas, no
 * regular expression): brotli or gzip when the file has it and the browser takes it (q above 0), the
 * heavier weight first and brotli on a tie; else none (the file as it is).
 */
export function chooseEncoding(accept: string | undefined, has: Encoded): Encoding | undefined {
  if (!accept) return undefined;
  const entries = new Map<string, number>();
  for (const part of accept.slice(0, 512).split(',')) {
    const [name = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (name) entries.set(name, Number.isFinite(weight) ? weight : 0);
  }
  let best: Encoding | undefined;
  for (const coding of ['br', 'gzip'] as const) {
    const weight = weightOf(entries, coding);
    if (has[coding] && weight > 0 && (!best || weight > weightOf(entries, best))) best = coding;
  }
  return best;
}

/**
 * A static file's body for a request, and the headers that go with it: the chosen compressed form with
 * its Content-Encoding, or the file as it is, with its Content-Length, and `Vary: Accept-Encoding`
 * either way (a cache keeps one copy per encoding).
 */
export function encodedBody(
  raw: Uint8Array,
  encoded: Encoded,
  accept: string | undefined,
): { body: Uint8Array<ArrayBuffer>; headers: Record<string, string> } {
  const coding = chooseEncoding(accept, encoded);
  const body = (coding ? encoded[coding] : raw) as Uint8Array<ArrayBuffer>;
  return {
    body,
    headers: {
      Vary: 'Accept-Encoding',
      'Content-Length': String(body.length),
      ...(coding ? { 'Content-Encoding': coding } : {}),
    },
  };
}

/** A file's compressed forms as a JSON file keeps them (base64). */
export type EncodedJson = { [K in Encoding]?: string };

/** The forms in base64, for a JSON file (the widget's, built by the stack's synth). */
export function encodedToJson(forms: Encoded): EncodedJson {
  return {
    ...(forms.br ? { br: Buffer.from(forms.br).toString('base64') } : {}),
    ...(forms.gzip ? { gzip: Buffer.from(forms.gzip).toString('base64') } : {}),
  };
}

/** The forms read back from their JSON (decoded once, when the file is read). */
export function encodedFromJson(forms: EncodedJson): Encoded {
  return {
    ...(forms.br ? { br: Buffer.from(forms.br, 'base64') } : {}),
    ...(forms.gzip ? { gzip: Buffer.from(forms.gzip, 'base64') } : {}),
  };
}
