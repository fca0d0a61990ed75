import type { WireEvent } from '@kos/contracts';

/**
 * A task's event log (GET /orchestration/tasks/:id `history`) shaped for its page: one line per
 * transition, lease and revocation with the epoch it happened at, and the assignments with the
 * score that chose each agent.
 */

export interface TimelineEntry {
  seq: number;
  at: string;
  kind: string;
  /** What happened, for a person: "leased → running", "assigned to a-1". */
  summary: string;
  epoch: number | null;
  attempt: number | null;
  agentId: string | null;
  actor: string;
  /** The state entered, for a `task.state` event. */
  state: string | null;
}

export interface AssignmentEntry {
  seq: number;
  at: string;
  agentId: string | null;
  epoch: number | null;
  attempt: number | null;
  score: number | null;
  explanation: string;
  /** The score's parts (free ratio, trust, history, tier…). */
  parts: Record<string, unknown>;
  /** How many agents could have taken it. */
  candidates: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function timelineOf(history: readonly WireEvent[]): TimelineEntry[] {
  return [...history]
    .sort((a, b) => a.seq - b.seq)
    .map((e) => {
      const d = e.data;
      let summary: string = e.kind;
      let state: string | null = null;
      if (e.kind === 'task.state') {
        state = str(d.to);
        summary = `${str(d.from) ?? '∅'} → ${state ?? '?'}`;
        const why = str(d.reason) ?? str((d.error as { message?: unknown } | undefined)?.message);
        if (why !== null) summary += ` (${why})`;
      } else if (e.kind === 'task.assigned') {
        summary = `assigned to ${e.agent_id ?? '?'}`;
        const score = num(d.score);
        if (score !== null) summary += `, score ${score.toFixed(3)}`;
      } else if (e.kind === 'task.lease_revoked') {
        summary = `lease revoked: ${str(d.reason) ?? 'no reason given'}`;
      } else if (e.kind === 'task.result_refused') {
        summary = `result refused: ${str(d.reason) ?? str(d.code) ?? 'see data'}`;
      }
      return {
        seq: e.seq,
        at: e.at,
        kind: e.kind,
        summary,
        epoch: num(d.epoch),
        attempt: num(d.attempt),
        agentId: e.agent_id,
        actor: e.actor,
        state,
      };
    });
}

export function assignmentsOf(history: readonly WireEvent[]): AssignmentEntry[] {
  return history
    .filter((e) => e.kind === 'task.assigned')
    .sort((a, b) => a.seq - b.seq)
    .map((e) => ({
      seq: e.seq,
      at: e.at,
      agentId: e.agent_id,
      epoch: num(e.data.epoch),
      attempt: num(e.data.attempt),
      score: num(e.data.score),
      explanation: str(e.data.explanation) ?? '',
      parts:
        e.data.parts !== null && typeof e.data.parts === 'object' && !Array.isArray(e.data.parts)
          ? (e.data.parts as Record<string, unknown>)
          : {},
      candidates: num(e.data.candidates),
    }));
}

export type ReceiptStatus = 'verified' | 'pending' | 'not_verifiable' | 'unproven' | 'no_result';

/** The receipt verdict as the task page says it. */
export function receiptLabel(r: { status: ReceiptStatus; key: string | null; detail: string }): string {
  switch (r.status) {
    case 'verified':
      return `verified: attributed to key ${r.key ?? '(unknown key)'}`;
    case 'pending':
      return `pending: in the agent's receipt chain, awaiting its next signed frame (key ${r.key ?? 'unknown'})`;
    case 'not_verifiable':
      return `not verifiable: ${r.detail}`;
    case 'unproven':
      return `unproven (reported over REST): ${r.detail}`;
    case 'no_result':
      return 'no result yet: no agent has reported on this task';
  }
}
