import { Type, type Static } from 'typebox';
import { ByPriority, Count, Iso, Nullable, answer, closed } from './fields.ts';

/**
 * `GET /orchestration/kpis`: KPIs over time from the committed event log (docs/api.md, "KPIs"),
 * the same on every replica except `reliability.uptime_s`.
 */
const Ms = Nullable(Type.Number({ minimum: 0 }));
const Rate = Type.Number({ minimum: 0 });

export const KpiBucket = Type.Object(
  {
    /** The bucket covers [start, start + bucket_ms). */
    start: Iso,
    succeeded: Count,
    /** Failed attempts (retried or dead). */
    failed: Count,
    dead: Count,
    retries: Count,
    throughput_per_s: Rate,
    response_p50_ms: Ms,
    response_p95_ms: Ms,
  },
  closed,
);
export type KpiBucket = Static<typeof KpiBucket>;

export const KpisResponse = answer({
  window_ms: Count,
  bucket_ms: Count,
  buckets: Type.Array(KpiBucket),
  totals: Type.Object(
    {
      /** succeeded / (succeeded + failed attempts); null without any. */
      success_rate: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
      response_p50_ms: Ms,
      response_p95_ms: Ms,
      throughput_per_s: Rate,
      retries: Count,
      lost_agents: Count,
    },
    closed,
  ),
  reliability: Type.Object(
    {
      /** This replica's uptime. */
      uptime_s: Count,
      agents_lost: Count,
      agents_quarantined: Count,
      retries: Count,
    },
    closed,
  ),
  /** Ready tasks per priority tier now. */
  queue_depth: ByPriority,
});
export type KpisResponse = Static<typeof KpisResponse>;
