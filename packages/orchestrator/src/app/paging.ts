/** No limit, for reads bounded by what they read (a goal's tasks, an agent's leases). */
export const ALL = Number.MAX_SAFE_INTEGER;

export interface PageRequest {
  limit: number;
  /** The cursor of the previous page (`next`). */
  after?: string | undefined;
}

export interface Paged<T> {
  items: T[];
  /** The cursor of the next page, or null on the last one. */
  next: string | null;
}

/** A page from `limit + 1` rows: the extra row says whether there is a next page. */
export function pageOf<T>(rows: readonly T[], limit: number, cursor: (row: T) => string): Paged<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last !== undefined ? cursor(last) : null };
}
