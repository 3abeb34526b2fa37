import type { Hono } from 'hono';

/** What a browser sends (Chrome, Firefox and Safari all take brotli over HTTPS). */
export const BROWSER_ACCEPT = 'gzip, deflate, br, zstd';

/** One file as its route serves it to a browser: the body's bytes, its encoding, and the response headers' bytes. */
export async function served(
  app: Hono,
  path: string,
): Promise<{ body: number; headers: number; encoding: string }> {
  const res = await app.request(path, { headers: { 'accept-encoding': BROWSER_ACCEPT } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  let headers = 'HTTP/1.1 200 OK\r\n'.length + 2;
  res.headers.forEach((value, name) => {
    headers += `${name}: ${value}\r\n`.length;
  });
  return {
    body: (await res.arrayBuffer()).byteLength,
    headers,
    encoding: res.headers.get('content-encoding') ?? 'as is',
  };
}
