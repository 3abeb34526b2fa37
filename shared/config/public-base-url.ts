/**
 * Why a PUBLIC_BASE_URL (`publicBaseUrl` on AWS) is not an origin, or undefined when it is one (a
 * trailing slash allowed). Threadline's routes are at the root of that origin: a path was taken before
 * and applied in some places only (Twilio's signature check used it, the status callbacks and the
 * banner's URLs did not), so every Twilio request or callback was refused one way or the other.
 */
export function publicBaseUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined; // the URL check itself says so
  }
  if (url.pathname === '/' && url.search === '' && url.hash === '' && !value.includes('?')) return undefined;
  return `an origin with no path, query or fragment (write ${url.origin}): Threadline's routes are at its root (webhooks at /webhooks/...), so the tunnel or domain must forward its root to Threadline`;
}
