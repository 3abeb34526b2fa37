import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAgentApp } from '#shared/api/app.js';
import { untouchedAgentDeps } from '../../fakes/untouched-agent-app.js';

const README = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');

/** The README's route-table rows for `GET <path>` (a row opens with the call and its query). */
const rowsOf = (path: string) => README.split('\n').filter((line) => line.startsWith(`| \`GET ${path}?`));

describe("README's route table", () => {
  /**
   * QA: `GET /api/audit` had two rows, the first stale (no `subjectAgentId`, which the route takes).
   * One row per call, naming every query parameter the served document declares for it.
   */
  it('has one row for GET /api/audit, naming each of its query parameters', async () => {
    const api = createAgentApp(untouchedAgentDeps());
    const doc = (await (await api.request('/api/openapi.json')).json()) as {
      paths: Record<string, { get?: { parameters?: Array<{ name: string; in: string }> } }>;
    };
    const declared = (doc.paths['/api/audit']?.get?.parameters ?? [])
      .filter((p) => p.in === 'query')
      .map((p) => p.name);
    expect(declared).toContain('subjectAgentId');
    const rows = rowsOf('/api/audit');
    expect(rows).toHaveLength(1);
    const call = String(rows[0]).split('|')[1] ?? '';
    const named = [...call.matchAll(/[?&](\w+)=/g)].map((m) => m[1]);
    expect(named.sort()).toEqual([...declared].sort());
  });
});
