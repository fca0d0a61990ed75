import { Type, type TNull, type TProperties, type TSchema, type TUnion } from 'typebox';

/**
 * Building blocks of the response schemas. These schemas double as Fastify response schemas, whose
 * serializer (fast-json-stringify) drops any property a schema does not name and coerces values to
 * the declared type; so every record is a closed object that names each field its view emits.
 */

/** Our own records: a field the schema forgets fails validation instead of vanishing. */
export const closed = { additionalProperties: false } as const;

export const Nullable = <T extends TSchema>(schema: T): TUnion<[T, TNull]> =>
  Type.Union([schema, Type.Null()]);

/** An ISO-8601 time in UTC, as `Date.prototype.toISOString` writes it. */
export const Iso = Type.String({ format: 'date-time' });

export const Count = Type.Integer({ minimum: 0 });

/** One count per priority tier, every tier present (0 when none). */
export const ByPriority = Type.Object(
  {
    critical: Type.Integer({ minimum: 0 }),
    high: Type.Integer({ minimum: 0 }),
    medium: Type.Integer({ minimum: 0 }),
    low: Type.Integer({ minimum: 0 }),
  },
  closed,
);

/** Free-form JSON (task input and result, KLP payloads): serialized as it is. */
export const Json = Type.Unknown();

/** A free-form JSON object (event data, error details). */
export const JsonObject = Type.Record(Type.String(), Type.Unknown());

/**
 * A successful `/orchestration/*` answer: the server adds `success: true` to every such JSON
 * object, first, for clients of seed 002's reference implementation (docs/api.md, "Compatibility").
 */
export function answer<T extends TProperties>(properties: T) {
  return Type.Object({ success: Type.Literal(true), ...properties }, closed);
}
