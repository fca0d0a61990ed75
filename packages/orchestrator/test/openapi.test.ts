import { describe, expect, it } from 'vitest';
import { RESPONSES } from '@kos/contracts';
import { useServer } from '@kos/testing';

interface Operation {
  tags?: string[];
  responses?: Record<
    string,
    { content?: Record<string, { schema?: { type?: string; properties?: object } }> }
  >;
}

/** /openapi.json documents every route's answers, from the @kos/contracts schemas. */
describe('the OpenAPI document', () => {
  const running = useServer();

  it('lists a response schema (success and error) and a resource tag for every documented route', async () => {
    const doc = await running.admin.get<{ paths: Record<string, Record<string, Operation>> }>(
      '/openapi.json',
    );
    const operations = Object.entries(doc.body.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
    );
    // Every /orchestration/* route is documented (the hidden ones are /metrics, /openapi.json, /klp).
    const documented = new Set(operations.map((o) => o.route.replace(/\{(\w+)\}/g, ':$1')));
    for (const route of Object.keys(RESPONSES).filter((r) => r.includes('/orchestration/')))
      expect(documented, route).toContain(route);
    const missing: string[] = [];
    for (const { route, op } of operations) {
      const statuses = Object.keys(op.responses ?? {});
      const success = statuses.find((s) => s.startsWith('2'));
      const content = success ? Object.values(op.responses?.[success]?.content ?? {}) : [];
      if (!content.some((c) => c.schema !== undefined)) missing.push(`${route}: no success schema`);
      if (!statuses.some((s) => s.toLowerCase() === '4xx')) missing.push(`${route}: no error schema`);
      if (!op.tags?.length || op.tags.includes('seed')) missing.push(`${route}: no resource tag`);
    }
    expect(missing).toEqual([]);
    // Tags by resource, as the routes are grouped.
    const tags = new Set(operations.flatMap((o) => o.op.tags ?? []));
    expect([...tags].sort()).toEqual([
      'agents',
      'audit',
      'goals',
      'ops',
      'planner',
      'scheduler',
      'sessions',
      'tasks',
      'tokens',
    ]);
  });
});
