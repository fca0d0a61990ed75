import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorResponse, OpenApiResponse, TaskResponse } from './responses.ts';
import { RESPONSES, responseSchema } from './routes.ts';

/** Paths of the object schemas under `schema` that let unnamed properties through. */
function openObjects(schema: unknown, at: string): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  const s = schema as Record<string, unknown>;
  const here =
    s.type === 'object' && s.properties !== undefined && s.additionalProperties !== false ? [at] : [];
  return [
    ...here,
    ...Object.entries(s).flatMap(([k, v]) =>
      Array.isArray(v)
        ? v.flatMap((item, i) => openObjects(item, `${at}/${k}/${i}`))
        : openObjects(v, `${at}/${k}`),
    ),
  ];
}

describe('RESPONSES', () => {
  it('finds a status by its exact code, then by its class, and nothing for one a route does not declare', () => {
    expect(responseSchema('GET /orchestration/tasks/:id', 200)).toBe(TaskResponse);
    expect(responseSchema('GET /orchestration/tasks/:id', 404)).toBe(ErrorResponse);
    expect(responseSchema('GET /readyz', 503)).toBe(ErrorResponse);
    expect(responseSchema('GET /orchestration/tasks/:id', 201)).toBeUndefined();
    expect(responseSchema('GET /klp', 404)).toBeUndefined();
  });

  it('holds exactly the routes docs/api.md lists', () => {
    const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `((?:GET|POST|DELETE) \/[^`]*)`/gm)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(Object.keys(RESPONSES)));
  });

  it('describes our records as closed objects, so a field missing from a schema is an error', () => {
    const open = Object.entries(RESPONSES).flatMap(([route, answers]) =>
      Object.entries(answers)
        .filter(([, schema]) => schema !== OpenApiResponse)
        .flatMap(([status, schema]) => openObjects(schema, `${route} ${status}`)),
    );
    expect(open).toEqual([]);
  });
});
