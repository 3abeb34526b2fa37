import type { CsatPorts } from '../domain/csat/csat-ports.js';
import { signCsatToken } from '../domain/csat/token.js';
import type { Config } from './config.js';

/**
 * The survey ports with the email links: `<PUBLIC_BASE_URL>/csat/<token>?score=N`, signed with
 * CSAT_SIGNING_SECRET's first secret (the current one); without both, no links (an email survey then says why on the timeline).
 */
export function csatSettings(
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'CSAT_SIGNING_SECRET'>,
  ports: Omit<CsatPorts, 'link'>,
): CsatPorts {
  const base = config.PUBLIC_BASE_URL?.replace(/\/+$/, '');
  const secret = config.CSAT_SIGNING_SECRET?.[0];
  if (!base || !secret) return ports;
  return {
    ...ports,
    link: (claims, score) => `${base}/csat/${signCsatToken(claims, secret)}?score=${score}`,
  };
}
