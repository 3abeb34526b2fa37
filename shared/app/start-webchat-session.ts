import { identityToken, normaliseEmail } from '../domain/identity.js';
import { type Availability, availabilityAt } from '../domain/webchat/availability.js';
import { parseIdentitySecrets, secretOf } from '../domain/webchat/identity-secrets.js';
import { siteUserOf, type TokenUse, verifyIdentityToken } from '../domain/webchat/identity-token.js';
import { WEBCHAT_LIMITS } from '../domain/webchat/rate-limit.js';
import type { SessionRequest } from '../domain/webchat/requests.js';
import {
  newVisitorId,
  sessionExpiry,
  sessionTokenFor,
  sessionTokenHash,
  type WebchatSession,
} from '../domain/webchat/session.js';
import { takeHits, visitorCustomerId } from '../domain/webchat/visitor.js';
import type { WebchatDeps } from '../domain/webchat-ports.js';
import { ConflictError, UnauthorizedError } from '../errors.js';

/** What `POST /webchat/sessions` answers. */
export interface StartedSession {
  sessionToken: string;
  expiresAt: string;
  /** The customer the visitor already is (a verified visitor with history); absent for a new visitor. */
  customerId?: string;
  verified: boolean;
  name?: string;
  availability: Availability;
  /** Where the live socket is, when not `/webchat/live` of the routes' origin (AWS). */
  liveUrl?: string;
}

/**
 * Who the visitor is: a site's verified user (the token's claims, signed with the secret of the page's
 * site, `at`, and good there when they name their site), or an anonymous visitor.
 */
function visitorOf(deps: WebchatDeps, request: SessionRequest, now: Date, at: TokenUse) {
  if (request.identityToken === undefined) {
    const typed = request.email ? normaliseEmail(request.email) : undefined;
    return {
      visitor: { kind: 'webchat_visitor' as const, value: newVisitorId(request.startKey) },
      ...(typed ? { typedEmail: typed } : {}),
      ...(request.name ? { name: request.name } : {}),
    };
  }
  const secrets = deps.identitySecret ? parseIdentitySecrets(deps.identitySecret).secrets : undefined;
  if (!secrets) {
    throw new UnauthorizedError(
      'this Threadline accepts no identity tokens (WEBCHAT_IDENTITY_SECRET is unset)',
    );
  }
  const site = secretOf(secrets, at.origin);
  if (!site) {
    throw new UnauthorizedError(
      "this Threadline accepts no identity tokens from this page's site (WEBCHAT_IDENTITY_SECRET has no secret for its origin)",
    );
  }
  const claims = verifyIdentityToken(request.identityToken, site.secret, now, at);
  const email = claims.email ? normaliseEmail(claims.email) : undefined;
  const name = claims.name ?? request.name;
  // An email the site says it has not confirmed is anyone's to claim: evidence, as a guest's typed one.
  const vouched = claims.email_verified !== false;
  return {
    visitor: siteUserOf(claims.sub, site.space, secrets.sites.size > 0),
    ...(email ? (vouched ? { verifiedEmail: email } : { typedEmail: email }) : {}),
    ...(name ? { name } : {}),
    // The site vouches for its user until the token's exp: the session ends then at the latest.
    endsBy: new Date(claims.exp * 1000).toISOString(),
  };
}

/**
 * Starts a visitor's session: verifies the site's identity token when there is one (401 when it is
 * bad, expired, has no `exp` or names sites other than the request's Origin, `at`, or its `sub` reads
 * as a user of a site with its own secret, see siteUserOf), stores the session under its token's hash until it expires (a
 * verified one at the token's `exp` at the latest, see sessionExpiry), and says
 * whether a person answers now. At most WEBCHAT_LIMITS.sessionsPerAddress new sessions per address.
 */
export async function startWebchatSession(
  deps: WebchatDeps,
  input: { request: SessionRequest; address: string; at?: TokenUse },
): Promise<StartedSession> {
  const now = deps.clock.now();
  const who = visitorOf(deps, input.request, now, input.at ?? {});
  await takeHits(deps.store, [{ limit: WEBCHAT_LIMITS.sessionsPerAddress, subject: input.address }], now);
  const sessionToken = sessionTokenFor(input.request.startKey);
  const candidate: WebchatSession = {
    tokenHash: sessionTokenHash(sessionToken),
    ...who,
    createdAt: now.toISOString(),
    expiresAt: sessionExpiry(now, 'endsBy' in who ? who.endsBy : undefined, deps.sessionTtlMs),
  };
  // The same start key again (another tab's start at the same instant): the session the first made.
  // An erased visitor's key is spent: it would make the erased session (and visitor id) again.
  const session = await deps.store.putSession(candidate);
  if (!session || identityToken(session.visitor) !== identityToken(candidate.visitor)) {
    throw new ConflictError('this start key belongs to another visitor: send a new one');
  }
  const customerId =
    who.visitor.kind === 'webchat_user' ? await visitorCustomerId(deps.store, session) : undefined;
  return {
    sessionToken,
    expiresAt: session.expiresAt,
    ...(customerId ? { customerId } : {}),
    verified: who.visitor.kind === 'webchat_user',
    ...(session.name ? { name: session.name } : {}),
    // The fallback emails only a verified address, the one the session keeps (envelopes.ts makes it the
    // customer's): without it, no reply of this chat is emailed, so none is promised.
    availability: availabilityAt(
      deps.hours,
      now,
      deps.emailFallback !== false && Boolean(session.verifiedEmail),
    ),
    ...(deps.liveUrl ? { liveUrl: deps.liveUrl } : {}),
  };
}
