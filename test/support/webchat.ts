import { randomUUID } from 'node:crypto';
import { signIdentityToken } from '#shared/domain/webchat/identity-token.js';

/** The identity secret the web-chat tests sign with. */
export const WEBCHAT_SECRET = 'webchat-test-identity-secret-0123456789abcdef';

/** A site's identity token for `sub`, valid for an hour unless `exp` says otherwise. */
export function identityToken(claims: {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  exp?: number;
  iss?: string;
  aud?: string | string[];
}): string {
  return signIdentityToken({ exp: Math.floor(Date.now() / 1000) + 3600, ...claims }, WEBCHAT_SECRET);
}

/** A visitor's calls to the public routes of one runtime. */
export function visitorClient(url: string, origin?: string) {
  const headers = (token?: string): Record<string, string> => ({
    'content-type': 'application/json',
    ...(origin ? { origin } : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });
  return {
    session: (body: Record<string, unknown> = {}) =>
      fetch(`${url}/webchat/sessions`, { method: 'POST', headers: headers(), body: JSON.stringify(body) }),
    send: (token: string, text: string, clientMessageId = randomUUID().replace(/-/g, '')) =>
      fetch(`${url}/webchat/messages`, {
        method: 'POST',
        headers: headers(token),
        body: JSON.stringify({ text, clientMessageId }),
      }),
    history: (token: string) => fetch(`${url}/webchat/messages`, { headers: headers(token) }),
    read: (token: string, messageIds: string[]) =>
      fetch(`${url}/webchat/read`, {
        method: 'POST',
        headers: headers(token),
        body: JSON.stringify({ messageIds }),
      }),
  };
}
