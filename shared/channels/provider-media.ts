import * as z from 'zod';
import type { Config } from '#shared/config/config.js';
import {
  MEDIA_TIMEOUT_MS,
  type MediaFetcher,
  type MediaFile,
  type MediaSource,
} from '#shared/domain/media.js';
import { BadGatewayError, UnavailableError } from '#shared/errors.js';
import { type FetchRules, fetchProviderFile, tooLarge } from '#shared/http/media-fetch.js';
import { WHATSAPP_API_VERSION } from './whatsapp/send.js';

/** Twilio's REST API and Meta's Graph API, where files are fetched from when no other origin is set. */
export const TWILIO_API_ORIGIN = 'https://api.twilio.com';
export const META_GRAPH_ORIGIN = 'https://graph.facebook.com';

/**
 * The hosts a provider may send a file on to (a redirect) or name as its address: Twilio's CDN and the
 * S3 buckets it keeps media in; Meta's CDNs (`lookaside.fbsbx.com` serves WhatsApp's files). Https only.
 */
const TWILIO_CDN = ['twiliocdn.com', 'twilio.com'];

/**
 * An S3 address Twilio's media may redirect to (`s3-external-1.amazonaws.com`, `<bucket>.s3.amazonaws.com`,
 * `s3.<region>.amazonaws.com`): S3's own hosts only, not any `amazonaws.com` name (an EC2 machine's public
 * name is one too). Https only.
 */
export function isS3Host(url: URL): boolean {
  if (url.protocol !== 'https:' || !url.hostname.endsWith('.amazonaws.com')) return false;
  const labels = url.hostname.slice(0, -'.amazonaws.com'.length).split('.');
  return labels.some((label) => label === 's3' || label.startsWith('s3-'));
}
const META_CDN = ['fbsbx.com', 'fbcdn.net', 'cdninstagram.com', 'facebook.com'];

/** The Graph API's media object (providers.md §2.5, "Media download"): where the file is, for 5 minutes. */
const GraphMediaSchema = z.object({
  url: z.string().min(1),
  mime_type: z.string().optional(),
  file_size: z.coerce.number().optional(),
});

/** The most bytes of the Graph API's media object read: a few hundred in practice. */
const GRAPH_OBJECT_BYTES = 64 * 1024;

/** What the fetcher is built from: the providers' origins (settable for a local fake) and credentials. */
export interface ProviderMediaOptions {
  twilioApiUrl?: string | undefined;
  metaGraphUrl?: string | undefined;
  /** Twilio's account SID and auth token (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN): both, or no file. */
  twilio?: { accountSid?: string | undefined; authToken?: string | undefined } | undefined;
  whatsappAccessToken?: string | undefined;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const onHosts = (url: URL, hosts: readonly string[]) =>
  url.protocol === 'https:' &&
  hosts.some((host) => url.hostname === host || url.hostname.endsWith(`.${host}`));

/**
 * Fetches timeline files from their providers with Threadline's own credentials: Twilio's by the stored
 * address, on Twilio's API origin only, with the account's basic auth (sent to that origin, never to
 * the CDN it redirects to), a recording as MP3 (`.mp3`, a tenth of the WAV it serves by default);
 * WhatsApp's by asking the Graph API for the media id's address, then fetching it with the token;
 * Messenger's and Instagram's from Meta's CDN, with no credentials. Each fetch, all hops, within the
 * time limit. A provider whose credentials are not set is asked nothing: UnavailableError (503) naming
 * the settings.
 */
export function providerMediaFetcher(options: ProviderMediaOptions): MediaFetcher {
  const twilioOrigin = new URL(options.twilioApiUrl ?? TWILIO_API_ORIGIN).origin;
  const graphOrigin = new URL(options.metaGraphUrl ?? META_GRAPH_ORIGIN).origin;
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? MEDIA_TIMEOUT_MS;
  const { accountSid, authToken } = options.twilio ?? {};
  const twilioBasic =
    accountSid && authToken ? Buffer.from(`${accountSid}:${authToken}`).toString('base64') : undefined;
  // Twilio serves a file without credentials only to an account that does not enforce media auth: asked
  // without them, one account would answer 401 (502) and another the file. Not set is said as such.
  const twilioUnset = [
    ...(accountSid ? [] : ['TWILIO_ACCOUNT_SID']),
    ...(authToken ? [] : ['TWILIO_AUTH_TOKEN']),
  ];

  const twilioRules: FetchRules = {
    provider: 'Twilio',
    // The stored address on Twilio's API only; its redirect to the CDN it keeps the file on.
    allowed: (url, hop) =>
      url.origin === twilioOrigin || (hop > 0 && (onHosts(url, TWILIO_CDN) || isS3Host(url))),
    headers: (url): Record<string, string> =>
      url.origin === twilioOrigin && twilioBasic ? { authorization: `Basic ${twilioBasic}` } : {},
  };
  const metaRules = (token: string | undefined): FetchRules => ({
    provider: token ? 'WhatsApp' : 'Meta',
    allowed: (url) => url.origin === graphOrigin || onHosts(url, META_CDN),
    headers: (): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {}),
  });

  const whatsappFile = async (mediaId: string, maxBytes: number, signal: AbortSignal): Promise<MediaFile> => {
    const token = options.whatsappAccessToken;
    if (!token) throw new UnavailableError('WhatsApp files need WHATSAPP_ACCESS_TOKEN, which is not set');
    const rules = metaRules(token);
    const objectUrl = new URL(`${graphOrigin}/${WHATSAPP_API_VERSION}/${encodeURIComponent(mediaId)}`);
    const answer = await fetchProviderFile(objectUrl, rules, {
      fetch: fetchImpl,
      signal,
      maxBytes: GRAPH_OBJECT_BYTES,
    });
    const object = GraphMediaSchema.safeParse(parseJson(answer.body));
    if (!object.success)
      throw new BadGatewayError('WhatsApp answered the media id with no file address', 'media_unavailable');
    if ((object.data.file_size ?? 0) > maxBytes) throw tooLarge('WhatsApp', maxBytes);
    const file = await fetchProviderFile(toUrl(object.data.url, 'WhatsApp'), rules, {
      fetch: fetchImpl,
      signal,
      maxBytes,
    });
    return { body: file.body, contentType: file.contentType || object.data.mime_type || '' };
  };

  return {
    async fetch(source: MediaSource, maxBytes: number): Promise<MediaFile> {
      const signal = AbortSignal.timeout(timeoutMs);
      const limits = { fetch: fetchImpl, signal, maxBytes };
      switch (source.provider) {
        case 'whatsapp':
          return whatsappFile(source.mediaId, maxBytes, signal);
        case 'twilio': {
          if (twilioUnset.length > 0) {
            const verb = twilioUnset.length > 1 ? 'are' : 'is';
            throw new UnavailableError(
              `Twilio files need ${twilioUnset.join(' and ')}, which ${verb} not set`,
            );
          }
          const url = toUrl(source.url, 'Twilio');
          // A recording's address serves WAV; with `.mp3` the same recording as MP3 (providers.md §1.6).
          if (source.recording && url.origin === twilioOrigin && !/\.\w+$/.test(url.pathname))
            url.pathname += '.mp3';
          return fetchProviderFile(url, twilioRules, limits);
        }
        case 'meta':
          return fetchProviderFile(toUrl(source.url, 'Meta'), metaRules(undefined), limits);
      }
    },
  };
}

/** The fetcher as the settings configure it: the providers' origins and Threadline's credentials. */
export function configuredMediaFetcher(config: Config): MediaFetcher {
  return providerMediaFetcher({
    twilioApiUrl: config.TWILIO_API_URL,
    metaGraphUrl: config.META_GRAPH_URL,
    twilio: { accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN },
    whatsappAccessToken: config.WHATSAPP_ACCESS_TOKEN,
  });
}

function toUrl(address: string, provider: string): URL {
  try {
    return new URL(address);
  } catch {
    throw new BadGatewayError(`${provider} gave a file address that is not a URL`, 'media_unavailable');
  }
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}
