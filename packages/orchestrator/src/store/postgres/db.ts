import type pg from 'pg';

/** One statement: `name` makes pg prepare it once per connection and reuse the plan. */
export interface Statement {
  name?: string | undefined;
  text: string;
  values: unknown[];
}

/** Where queries go: a pooled client inside a transaction, the pool itself for `read()`. */
export interface Db {
  query<R extends pg.QueryResultRow>(statement: Statement): Promise<pg.QueryResult<R>>;
}

/** A SQL LIMIT from a page size: negative or NaN reads nothing, Infinity (null) reads everything. */
export function pgLimit(n: number): number | null {
  if (n === Infinity) return null;
  return Math.max(0, Math.trunc(n)) || 0;
}
