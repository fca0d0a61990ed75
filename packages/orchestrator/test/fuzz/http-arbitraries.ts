import fc from 'fast-check';

/** One route of /openapi.json, as the fuzzer needs it. */
export interface RouteSpec {
  method: string;
  /** Fastify form: `/orchestration/tasks/:id`. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** Top-level body properties and their declared types. */
  bodyFields: Record<string, string>;
}

interface OpenApi {
  paths: Record<string, Record<string, OpenApiOperation>>;
}
interface OpenApiOperation {
  parameters?: { in: string; name: string }[];
  requestBody?: {
    content?: Record<string, { schema?: { properties?: Record<string, { type?: unknown }> } }>;
  };
}

export function routesOf(doc: OpenApi): RouteSpec[] {
  return Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const props = op.requestBody?.content?.['application/json']?.schema?.properties ?? {};
      return {
        method: method.toUpperCase(),
        path: p.replace(/\{(\w+)\}/g, ':$1'),
        pathParams: (op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name),
        queryParams: (op.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name),
        bodyFields: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, String(v.type ?? 'any')])),
      };
    }),
  );
}

const oversize = fc.constantFrom(300, 5_000, 70_000, 1_100_000).map((n) => 'x'.repeat(n));
const weirdString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', '%00', '\ud800', '🦀', '-1', '1e309', 'NaN', 'null'),
  fc.uuid(),
  oversize,
);

/** A value for a field: of its declared type sometimes (to get past the schema), any JSON otherwise. */
function valueFor(type: string): fc.Arbitrary<unknown> {
  const typed: Record<string, fc.Arbitrary<unknown>> = {
    string: weirdString,
    integer: fc.oneof(fc.integer(), fc.constantFrom(-1, 0, 2 ** 53, Number.MAX_SAFE_INTEGER)),
    number: fc.double(),
    boolean: fc.boolean(),
    array: fc.array(weirdString, { maxLength: 5 }),
    object: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  };
  return fc.oneof(typed[type] ?? fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 3 }));
}

/** Nested arrays/objects `depth` deep, as JSON text (built as text: a value that deep would not stringify). */
const deepNesting = fc
  .tuple(fc.constantFrom(50, 1_000, 10_000, 100_000), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

/** A body for a route: its fields with wrong types, missing or extra ones; or no object at all. */
export function bodyFor(route: RouteSpec): fc.Arbitrary<string | undefined> {
  const fields = Object.entries(route.bodyFields);
  const object = fc
    .tuple(
      fc.subarray(fields),
      ...fields.map(([, type]) => valueFor(type)),
      fc.option(fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 })),
    )
    .map(([picked, ...rest]) => {
      const extra = rest.pop() as Record<string, unknown> | null;
      const values = new Map(fields.map(([name], i) => [name, rest[i]]));
      const body: Record<string, unknown> = {};
      for (const [name] of picked) body[name] = values.get(name);
      return JSON.stringify(extra ? { ...body, ...extra } : body);
    });
  return fc.oneof(
    { weight: 5, arbitrary: object },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: deepNesting },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

export interface HttpCase {
  method: string;
  url: string;
  body: string | undefined;
  contentType: string | undefined;
  /** Which credentials: the admin token, an agent's, a viewer's, a made-up one, or none. */
  as: 'admin' | 'agent' | 'viewer' | 'garbage' | 'none';
}

/** encodeURIComponent throws on lone surrogates; those are sent as U+FFFD. */
const encode = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));

// Path parts are kept under 2,000 characters: a URL beyond Node's 16 KiB header limit is answered
// 431 and the connection reset while fetch still writes (raw-http.ts sends those instead).
const segment = fc.oneof(weirdString, fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '.'));

/**
 * A request to one of `routes` (sometimes with another method, sometimes a path no route has).
 * Path parameters are often `knownIds` (real goals, tasks, agents, tokens), so malformed bodies
 * and queries reach the use cases behind the schema, not only the 404 of an unknown id.
 */
export function httpCase(routes: RouteSpec[], knownIds: readonly string[]): fc.Arbitrary<HttpCase> {
  const param = knownIds.length === 0 ? segment : fc.oneof(segment, fc.constantFrom(...knownIds));
  return fc.constantFrom(...routes).chain((route) =>
    fc.record({
      method: fc.oneof(
        { weight: 8, arbitrary: fc.constant(route.method) },
        { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') },
      ),
      url: fc
        .tuple(
          fc.tuple(...route.pathParams.map(() => param)),
          fc.array(fc.tuple(fc.constantFrom(...route.queryParams, 'extra', 'limit'), weirdString), {
            maxLength: 4,
          }),
          fc.oneof(
            { weight: 9, arbitrary: fc.constant('') },
            { weight: 1, arbitrary: segment.map((s) => '/' + encode(s.slice(0, 2000))) },
          ),
        )
        .map(([params, query, suffix]) => {
          let path = route.path;
          route.pathParams.forEach((name, i) => {
            const raw = params[i] as string;
            // Mostly encoded (a valid URL), sometimes raw (malformed percent-encoding reaches the router).
            path = path.replace(`:${name}`, raw.length % 3 === 0 ? raw.slice(0, 2000) : encode(raw));
          });
          const q = query.map(([k, v]) => `${encode(k)}=${encode(v.slice(0, 2000))}`);
          return path + suffix + (q.length > 0 ? `?${q.join('&')}` : '');
        }),
      body: bodyFor(route),
      contentType: fc.oneof(
        { weight: 8, arbitrary: fc.constant('application/json') },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            undefined,
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/json; charset=latin1',
            'application/jsonx',
            'APPLICATION/JSON',
          ),
        },
      ),
      as: fc.constantFrom('admin', 'admin', 'agent', 'viewer', 'garbage', 'none'),
    }),
  );
}
