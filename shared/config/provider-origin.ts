import * as z from 'zod/mini';

/** A provider's origin for the media route: https, or http on loopback (a local fake provider); no path. */
export const providerOrigin = z.string().check(
  z.superRefine((value, ctx) => {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    const loopback =
      url?.hostname === '127.0.0.1' || url?.hostname === 'localhost' || url?.hostname === '[::1]';
    const scheme = url?.protocol === 'https:' || (url?.protocol === 'http:' && loopback);
    if (url && scheme && url.origin === value.replace(/\/$/, '')) return;
    ctx.addIssue({
      code: 'custom',
      message: 'an origin (https://host[:port], or http://127.0.0.1:port for a local fake), no path',
      input: value,
    });
  }),
);
