import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';

/** The agent API with nothing behind it but who the token is, and the policy's queues. */
const app = (queueNames?: () => readonly string[]) => createAgentApp(untouchedAgentDeps({ queueNames }));

const me = async (api: ReturnType<typeof app>) =>
  (await api.request('/api/me', { headers: { Authorization: 'Bearer agent-token' } })).json();

describe('GET /api/me', () => {
  // A queue added to the routing policy was known to no client: the console offered only the queues
  // agents had joined and those of conversations in view, so nobody was shown the new one to join.
  it('names the routing policy’s queues, in its order, beside who the caller is', async () => {
    expect(await me(app(() => ['billing', 'returns', 'general']))).toEqual({
      agentId: 'agent-1',
      admin: false,
      queues: ['billing', 'returns', 'general'],
    });
  });

  it('documents the field', async () => {
    const document = (await (await app().request('/api/openapi.json')).json()) as {
      paths: Record<
        string,
        { get: { responses: Record<string, { content: Record<string, { schema: object }> }> } }
      >;
    };
    const schema = document.paths['/api/me']?.get.responses['200']?.content['application/json']?.schema;
    expect(schema).toMatchObject({ properties: { queues: { type: 'array', items: { type: 'string' } } } });
  });

  it('leaves the field out where no policy is read', async () => {
    expect(await me(app())).toEqual({ agentId: 'agent-1', admin: false });
  });
});
