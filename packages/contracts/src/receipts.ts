import { Type, type Static, type TSchema } from 'typebox';
import { Count, Iso, Json, JsonObject, answer, closed } from './fields.ts';
import { MessageType, Priority } from './states.ts';

/**
 * `GET /orchestration/audit/receipts`: the receipt log `kos audit verify` checks offline
 * (docs/protocol.md, "Receipts"). Frames are signed: a serializer that dropped a field of one would
 * break its signature, so the envelope names every field KLP defines.
 */

const envelopeFields = <T extends TSchema>(type: T) => ({
  v: Type.Literal(1),
  type,
  id: Type.String(),
  /** kai:// addresses. */
  from: Type.String(),
  to: Type.String(),
  /** Epoch ms. */
  ts: Count,
  seq: Type.Integer({ minimum: 1 }),
  task_id: Type.Optional(Type.String()),
  intent: Type.Optional(Type.String()),
  priority: Type.Optional(Priority),
  /** The message type's payload (docs/protocol.md); a receipt's frame lacks `payload.result`. */
  payload: Json,
  context: Type.Optional(JsonObject),
});

export const KlpAuth = Type.Object(
  { kid: Type.String(), chain: Type.Optional(Type.String()), sig: Type.Optional(Type.String()) },
  closed,
);

/** A signed KLP frame, as the agent sent it. */
export const KlpEnvelope = Type.Object(
  { ...envelopeFields(MessageType), auth: Type.Optional(KlpAuth) },
  closed,
);
export type KlpEnvelope = Static<typeof KlpEnvelope>;

/** What the gateway stored with a result: its TASK_RESULT frame without `auth` and without the result. */
export const Receipt = Type.Object(
  {
    session: Type.String(),
    seq: Type.Integer({ minimum: 1 }),
    /** The session's chain value after the frame, hex SHA-256. */
    chain: Type.String(),
    frame: Type.Object(envelopeFields(Type.Literal('TASK_RESULT')), closed),
    /** Whether the frame carried `payload.result` (the verifier puts it back only then). */
    hasResult: Type.Boolean(),
  },
  closed,
);
export type Receipt = Static<typeof Receipt>;

export const ReceiptsResponse = answer({
  sessions: Type.Array(
    Type.Object(
      {
        session: Type.String(),
        /** The agent's name. */
        agent: Type.String(),
        nonce: Type.String(),
        /** Its Ed25519 public key, base64url. */
        key: Type.String(),
      },
      closed,
    ),
  ),
  /** The whole chain of every session that carried a result in scope; `in_scope: false`: checked, not reported. */
  results: Type.Array(
    Type.Object({ task_id: Type.String(), result: Json, receipt: Receipt, in_scope: Type.Boolean() }, closed),
  ),
  /** The signed frames that cover results. */
  heads: Type.Array(Type.Object({ session: Type.String(), frame: KlpEnvelope }, closed)),
  /** Results in scope reported without a receipt (over REST), with who reported them. */
  unproven: Type.Array(
    Type.Object(
      {
        task_id: Type.String(),
        agent: Type.String(),
        actor: Type.String(),
        outcome: Type.String(),
        at: Iso,
      },
      closed,
    ),
  ),
});
export type ReceiptsResponse = Static<typeof ReceiptsResponse>;
