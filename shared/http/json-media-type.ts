/**
 * Whether a `Content-Type` names JSON: `application/json` or `application/<something>+json`, in any
 * case, with any parameters (`; charset=utf-8`). No regex: the header is the caller's text.
 */
export function isJsonMediaType(header: string | undefined): boolean {
  const type = (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json') return true;
  const subtype = type.startsWith('application/') ? type.slice('application/'.length) : '';
  return subtype.length > '+json'.length && subtype.endsWith('+json') && !subtype.includes('/');
}
