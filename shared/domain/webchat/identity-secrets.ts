/** The shortest identity secret: HS256 wants at least its 256 bits. */
export const IDENTITY_SECRET_MIN = 32;

/** One user database's secret: `space` names its users' keys (none: the plain setting's, as ever). */
export interface IdentitySecret {
  secret: string;
  space?: string;
}

/**
 * WEBCHAT_IDENTITY_SECRET read: one secret for every site (the plain form: one user database, keys as
 * ever), or per site, `https://brand-b.example=<secret>` entries separated by commas or spaces, with at
 * most one entry without an origin for the other sites (their users keep the plain form's keys).
 */
export interface IdentitySecrets {
  others?: string;
  sites: ReadonlyMap<string, IdentitySecret>;
}

const SITE_ENTRY = /^https?:\/\//;

/** Whether `entry` is an origin as a browser sends it (scheme://host[:port], no path, no trailing `/`). */
function isOrigin(entry: string): boolean {
  try {
    return new URL(entry).origin === entry;
  } catch {
    return false;
  }
}

/**
 * The setting's secrets, or the problems that make it no setting (each names the entry, never a
 * secret). A site's users are keyed by the first origin written with the same secret, so sites given
 * one secret share their users (`https://b.example=S, https://www.b.example=S`).
 */
export function parseIdentitySecrets(value: string): { secrets?: IdentitySecrets; problems: string[] } {
  const trimmed = value.trim();
  if (!SITE_ENTRY.test(trimmed)) {
    const short = value.length < IDENTITY_SECRET_MIN;
    return short
      ? { problems: [`at least ${IDENTITY_SECRET_MIN} characters`] }
      : { secrets: { others: value, sites: new Map() }, problems: [] };
  }
  const problems: string[] = [];
  const sites = new Map<string, IdentitySecret>();
  const spaces = new Map<string, string>();
  let others: string | undefined;
  for (const entry of trimmed.split(/[\s,]+/).filter((e) => e.length > 0)) {
    const site = SITE_ENTRY.test(entry);
    const cut = site ? entry.indexOf('=') : -1;
    const origin = site ? entry.slice(0, cut < 0 ? undefined : cut).replace(/\/$/, '') : undefined;
    const secret = site ? (cut < 0 ? '' : entry.slice(cut + 1)) : entry;
    const which = origin ?? 'the entry without an origin';
    if (origin !== undefined && !isOrigin(origin)) problems.push(`"${origin}" is not an origin`);
    else if (secret.length < IDENTITY_SECRET_MIN)
      problems.push(`${which}: its secret must be at least ${IDENTITY_SECRET_MIN} characters`);
    else if (origin === undefined && others !== undefined)
      problems.push('more than one entry without an origin: write the others as origin=secret');
    else if (origin === undefined) others = secret;
    else if (sites.has(origin)) problems.push(`${origin} is given twice`);
    else {
      const space = spaces.get(secret) ?? origin;
      spaces.set(secret, space);
      sites.set(origin, { secret, space });
    }
  }
  if (others !== undefined && spaces.has(others))
    problems.push('a site has the secret of the entry without an origin: leave the site out, it has it');
  return problems.length > 0 ? { problems } : { secrets: { ...(others ? { others } : {}), sites }, problems };
}

/** The secret a page of `origin` signs with: its site's own, else the others'; undefined when neither. */
export function secretOf(secrets: IdentitySecrets, origin: string | undefined): IdentitySecret | undefined {
  const own = origin === undefined ? undefined : secrets.sites.get(origin.trim().replace(/\/$/, ''));
  if (own) return own;
  return secrets.others === undefined ? undefined : { secret: secrets.others };
}
