import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/domain/timeline.js';
import { sessionTokenHash } from '#shared/domain/webchat/session.js';
import type { LocalRuntime } from '#shared/local/runtime.js';
import { documentClient } from '#shared/store/sdk-documents.js';
import { webchatConnections } from '#shared/store/webchat-connections.js';
import { agentCaller } from '../support/agent-api.js';
import { agentToken } from '../support/agent-token.js';
import { startTestRuntime } from '../support/runtime.js';
import { inspectionClient, scanTable } from '../support/table-snapshot.js';
import { identityToken, visitorClient, WEBCHAT_SECRET } from '../support/webchat.js';

const ADMIN = agentToken('webchat-erasure-admin-token');
const SITE = 'http://shop.example';
/** What the visitors typed or the site vouched for: none of it may outlive the erasure. */
const PERSONAL = [
  'Gina Erased',
  'gina.erased@example.com',
  'Vic Erased',
  'vic.erased@example.com',
  'user-erase-1',
];

/**
 * Erasing a web-chat customer erases their sessions: the old token answers 401, so no later message
 * brings back the name or the email the session held; the email an anonymous visitor typed is on
 * their profile (unverified) until then, and in their export.
 */
describe('local runtime: erasing a web-chat customer', () => {
  let runtime: LocalRuntime;
  let visitor: ReturnType<typeof visitorClient>;
  beforeAll(async () => {
    const env = {
      AGENT_TOKENS: `admin-eve:${ADMIN}:admin`,
      WEBCHAT_IDENTITY_SECRET: WEBCHAT_SECRET,
      WEBCHAT_ALLOWED_ORIGINS: SITE,
    };
    runtime = await startTestRuntime({ env, queue: { visibilityTimeoutMs: 500 } });
    visitor = visitorClient(runtime.url, SITE);
  });
  afterAll(() => runtime?.close());

  const api = agentCaller(() => runtime.url, ADMIN);
  const chat = async (body: Record<string, unknown>) => {
    const { sessionToken } = (await (await visitor.session(body)).json()) as { sessionToken: string };
    expect((await visitor.send(sessionToken, 'Where is my parcel?')).status).toBe(202);
    await runtime.idle();
    const { customerId } = (await (await visitor.history(sessionToken)).json()) as { customerId: string };
    return { sessionToken, customerId };
  };
  const table = async () => {
    const client = inspectionClient(runtime.dynamoEndpoint);
    const items = await scanTable(client, 'threadline');
    client.destroy();
    return items;
  };

  it('deletes their sessions, so the old tokens stop working and the typed name and email never come back', async () => {
    const gina = await chat({ name: 'Gina Erased', email: 'Gina.Erased@example.com' });
    const vic = await chat({
      identityToken: identityToken({
        sub: 'user-erase-1',
        email: 'vic.erased@example.com',
        name: 'Vic Erased',
      }),
    });
    const profile = await api<Customer>('GET', `/api/customers/${gina.customerId}`);
    expect(profile).toMatchObject({ name: 'Gina Erased', typedEmail: 'gina.erased@example.com' });
    expect(profile.identities.map((i) => i.kind)).toEqual(['webchat_visitor']);
    const exported = await api<{ customers: Customer[] }>('GET', `/api/customers/${gina.customerId}/export`);
    expect(exported.customers[0]?.typedEmail).toBe('gina.erased@example.com');
    const entities = (await table()).map((item) => item.entity);
    expect(entities.filter((e) => e === 'webchat_session')).toHaveLength(2);
    expect(entities.filter((e) => e === 'webchat_session_link')).toHaveLength(3);

    for (const { customerId } of [gina, vic]) {
      expect(await api('DELETE', `/api/customers/${customerId}`)).toMatchObject({ complete: true });
    }
    for (const { sessionToken } of [gina, vic]) {
      expect((await visitor.send(sessionToken, 'Me again')).status).toBe(401);
      expect((await visitor.history(sessionToken)).status).toBe(401);
    }
    await runtime.idle();
    expect((await api<{ items: Customer[] }>('GET', '/api/customers?q=Gina')).items).toEqual([]);
    const after = await table();
    expect(after.filter((item) => String(item.entity).startsWith('webchat_session'))).toEqual([]);
    // What is left of each session: a tombstone under its token's hash, so its start key stays spent.
    expect(after.filter((item) => item.entity === 'ended_webchat_session')).toHaveLength(2);
    // Each message's claim (its time and a hash of its text, kept a day past the session) goes too.
    expect(after.filter((item) => String(item.pk).startsWith('WEBCHAT_MSG#'))).toEqual([]);
    const text = JSON.stringify(after, (_key, value: unknown) => (value instanceof Set ? [...value] : value));
    for (const personal of PERSONAL) expect(text).not.toContain(personal);
  }, 30_000);

  /**
   * A start key names one session token (and one anonymous visitor id) forever: the erasure spends it,
   * leaving a tombstone of the token's hash (nothing personal) until the session would have expired, so
   * the same key is refused (409, the widget then makes a new key) and never brings the session, or
   * the erased visitor's id, back. QA: the same key answered 201 with the token from before the erasure.
   */
  it("spends an erased session's start key: the same key is refused, a new one starts afresh", async () => {
    const startKey = 'K'.repeat(43);
    const kim = await chat({ name: 'Kim Anon', email: 'kim@example.com', startKey });
    expect(await api('DELETE', `/api/customers/${kim.customerId}`)).toMatchObject({ complete: true });
    expect((await visitor.history(kim.sessionToken)).status).toBe(401);

    const again = await visitor.session({ name: 'Kim Anon', email: 'kim@example.com', startKey });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain(
      'this start key belongs to another visitor',
    );
    const tombstone = (await table()).find(
      (item) => item.pk === `WEBCHAT_SESSION#${sessionTokenHash(kim.sessionToken)}`,
    );
    expect(tombstone?.entity).toBe('ended_webchat_session');
    expect(Object.keys(tombstone ?? {}).sort()).toEqual([
      'endedAt',
      'entity',
      'expiresAt',
      'pk',
      'sk',
      'ttl',
    ]);

    const fresh = await chat({ name: 'Kim Anon', email: 'kim@example.com', startKey: 'N'.repeat(43) });
    expect(fresh.sessionToken).not.toBe(kim.sessionToken);
    expect(fresh.customerId).not.toBe(kim.customerId);
  }, 30_000);

  /**
   * On AWS a visitor's open WebSocket is kept in the table (`webchatConnections`): an item per
   * connection and one per customer it follows and identity it is, the verified email among them, each
   * with a 3-hour `ttl`. The erasure finds them by the customer's id and identities and deletes them,
   * so no item names the person and nothing more is pushed to the socket; another visitor's stay. QA:
   * they outlived the erasure until their `ttl` (and DynamoDB's TTL sweep after it).
   */
  it("deletes the visitor's live connections kept in the table, by customer and by identity", async () => {
    const wes = await chat({
      identityToken: identityToken({ sub: 'user-erase-2', email: 'wes.erased@example.com', name: 'Wes' }),
    });
    const other = await chat({ name: 'Olga Kept', email: 'olga.kept@example.com' });
    const client = inspectionClient(runtime.dynamoEndpoint);
    const connections = webchatConnections(
      { doc: documentClient(client), table: 'threadline' },
      () => new Date(),
    );
    const tokensOf = async (customerId: string) =>
      (await api<Customer>('GET', `/api/customers/${customerId}`)).identities.map(
        (i) => `${i.kind}#${i.value}`,
      );
    await connections.connect(
      'conn-wes',
      [wes.customerId],
      [...(await tokensOf(wes.customerId)), 'email#wes.erased@example.com'],
    );
    await connections.connect('conn-olga', [other.customerId], await tokensOf(other.customerId));
    expect(await connections.following(wes.customerId)).toEqual(['conn-wes']);

    expect(await api('DELETE', `/api/customers/${wes.customerId}`)).toMatchObject({ complete: true });
    const left = (await table()).filter((item) => /^WEBCHAT_(LIVE|CONN)/.test(String(item.pk)));
    const text = JSON.stringify(left, (_key, value: unknown) => (value instanceof Set ? [...value] : value));
    expect(text).not.toContain(wes.customerId);
    expect(text).not.toContain('wes.erased@example.com');
    expect(text).not.toContain('conn-wes');
    expect(await connections.ofIdentity('email#wes.erased@example.com')).toEqual([]);
    expect(await connections.following(other.customerId)).toEqual(['conn-olga']);
    client.destroy();
  }, 30_000);
});
