import { expect } from 'vitest';
import type { Customer, TimelineItem } from '#shared/domain/timeline.js';

/** An API call of the test: method, path, JSON body; answers the parsed body. */
export type AgentCall = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** The agent's JSON request, with its bearer token (and any other headers: `If-Match`, `Idempotency-Key`). */
function agentFetch(
  url: string,
  token: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

/** An agent's JSON call to the agent API of one runtime; fails the test on a status of 300 or more. */
export function agentCaller(url: () => string, token: string): AgentCall {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await agentFetch(`${url()}${path}`, token, method, body);
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    return (await res.json()) as T;
  };
}

/**
 * A JSON call to the agent API of one runtime as the agent of `token` (or of the call's own `as`),
 * answering the Response unread: for tests that check headers, statuses and bodies their own way.
 */
export function agentFetcher(url: () => string, token: string) {
  return (method: string, path: string, body?: unknown, as: string = token): Promise<Response> =>
    agentFetch(`${url()}${path}`, as, method, body);
}

/** As agentFetcher, with request headers of the call's own (`If-Match`, `Idempotency-Key`). */
export function agentHeaderFetcher(url: () => string, token: string) {
  return (method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Response> =>
    agentFetch(`${url()}${path}`, token, method, body, headers);
}

/**
 * A JSON call to the agent API of one runtime as the agent of `token`, or of the call's own token:
 * the status and the parsed body (undefined when empty), checking neither, for tests of who may do what.
 */
export function agentCallAs(url: () => string, token: string) {
  return async (method: string, path: string, as: string = token, body?: unknown) => {
    const res = await agentFetch(`${url()}${path}`, as, method, body);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** An API call of the test that answers the status beside the parsed body, checking neither. */
export type AgentRequest = <T>(
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; json: T }>;

/** An agent's JSON call to the agent API of one runtime, for tests of refusals: the status is the test's to check. */
export function agentRequest(url: () => string, token: string): AgentRequest {
  return async <T>(method: string, path: string, body?: unknown) => {
    const res = await agentFetch(`${url()}${path}`, token, method, body);
    return { status: res.status, json: (await res.json()) as T };
  };
}

/** The first customer a search finds, and a customer's timeline (its first 200 items), over `call`. */
export function customerReads(call: AgentCall) {
  return {
    find: async (q: string) =>
      (await call<{ items: Customer[] }>('GET', `/api/customers?q=${encodeURIComponent(q)}`))
        .items[0] as Customer,
    timeline: async (customerId: string) =>
      (await call<{ items: TimelineItem[] }>('GET', `/api/customers/${customerId}/timeline?limit=200`)).items,
  };
}
