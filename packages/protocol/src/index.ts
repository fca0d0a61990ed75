/**
 * @kos/protocol: what the orchestrator, the CLI, agents and the dashboard share — error codes,
 * priorities, "did you mean" suggestions and KLP (docs/protocol.md): envelopes and their schemas,
 * the frame codec, kai:// addresses, canonical JSON, receipt shapes and the replay guard.
 *
 * This entry is browser-safe: nothing in its module graph imports a Node built-in or uses the
 * `Buffer`/`process` globals (browser-safe.test.ts walks the graph to keep it so). What needs
 * node:crypto or files — Ed25519 keys and key files, envelope signatures, the receipt chain and
 * receipt verification — is in `@kos/protocol/node`.
 *
 * ```ts
 * import { KosError, agentAddress, envelope, encodeFrame, decodeFrame, ReplayGuard,
 *   ORCHESTRATOR_ADDRESS } from '@kos/protocol';
 *
 * const ping = envelope('ping', { from: agentAddress('collector'), to: ORCHESTRATOR_ADDRESS, seq: 2,
 *   payload: {} });
 * socket.send(encodeFrame(ping));
 *
 * // receiving side
 * const guard = new ReplayGuard();
 * const d = decodeFrame(message, 1_048_576);
 * if (!d.ok) reply('error', { code: d.code, message: d.message }, d.id);
 * else if (!guard.check(d.envelope, Date.now()).ok) reply('error', { code: 'KOS_ERR_REPLAY', … });
 * throw new KosError('KOS_ERR_STALE_EPOCH', 'epoch 3 was replaced by epoch 4', { current: 4 });
 * ```
 */
export { ERROR_CODES, KosError, isKosError } from './errors.ts';
export type { ErrorCode } from './errors.ts';
export { PRIORITIES, priorityLevel } from './priority.ts';
export type { Priority } from './priority.ts';

export { MESSAGE_TYPES, PROTOCOL_VERSION, envelope } from './envelope.ts';
export type {
  AnyEnvelope,
  Auth,
  CapabilityAgent,
  Envelope,
  EnvelopeContext,
  EnvelopeFields,
  LeaseRef,
  MessageType,
  Payloads,
} from './envelope.ts';
export { AUTH_SCHEMA, ENVELOPE_SCHEMA, KAI_ADDRESS_SCHEMA, PAYLOAD_SCHEMAS } from './schemas.ts';
export { MAX_JSON_DEPTH, decodeFrame, encodeFrame } from './codec.ts';
export type { Decoded, FrameData, FrameErrorCode } from './codec.ts';
export {
  KAI_MAX_LENGTH,
  KAI_PATTERN,
  ORCHESTRATOR_ADDRESS,
  agentAddress,
  agentNameOf,
  formatKai,
  parseKai,
} from './kai.ts';
export type { KaiAddress } from './kai.ts';
export { canonicalJson } from './canonical.ts';
export { ReplayGuard } from './replay.ts';
export type { ReplayGuardOptions, ReplayRefusal, ReplayVerdict } from './replay.ts';
export { closest, editDistance } from './suggest.ts';
export { receiptOf } from './receipts.ts';
export type { Receipt, ReceiptLog } from './receipts.ts';
export { PLANNING_SKILL, PlanProposal, ProposedTask, plannerSkill } from './plan.ts';
export type { PlanProblemReport, PlanningInput, PlanningResult } from './plan.ts';
