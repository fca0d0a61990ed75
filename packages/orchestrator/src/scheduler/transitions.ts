import { KosError } from '@kos/protocol';

/** A state machine as a table: each state lists the states it may move to. */
export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

export function canTransition<S extends string>(table: TransitionTable<S>, from: S, to: S): boolean {
  return table[from].includes(to);
}

/** Throws KOS_ERR_ILLEGAL_TRANSITION unless `table` allows `from → to`. */
export function assertTransition<S extends string>(
  table: TransitionTable<S>,
  kind: string,
  id: string,
  from: S,
  to: S,
): void {
  if (!canTransition(table, from, to)) {
    throw new KosError('KOS_ERR_ILLEGAL_TRANSITION', `${kind} ${id} cannot move from ${from} to ${to}`, {
      kind,
      id,
      from,
      to,
      allowed: [...table[from]],
    });
  }
}
