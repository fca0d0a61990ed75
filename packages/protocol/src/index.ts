/**
 * @kos/protocol: what the orchestrator, the CLI and agents share — error codes, priorities,
 * "did you mean" suggestions and KLP (docs/protocol.md): envelopes and their schemas, the frame
 * codec, kai:// addresses, canonical JSON, Ed25519 keys and signatures, receipt chains and the
 * replay guard.
 *
 * ```ts
 * import { KosError, agentAddress, envelope, encodeFrame, decodeFrame, generateKey, signEnvelope,
 *   verifyEnvelope, chainStart, chainNext, ReplayGuard, ORCHESTRATOR_ADDRESS } from '@kos/protocol';
 *
 * const key = generateKey();
 * let chain = chainStart(challengeNonce);
 * const hello = envelope('hello', { from: agentAddress('collector'), to: ORCHESTRATOR_ADDRESS, seq: 1,
 *   payload: { name: 'collector', public_key: key.publicKey, skills: ['fetch'], max_parallel: 4,
 *     nonce: challengeNonce, in_flight: [] } });
 * chain = chainNext(chain, hello);
 * socket.send(encodeFrame(signEnvelope({ ...hello, auth: { kid: key.kid, chain } }, key)));
 *
 * // receiving side
 * const d = decodeFrame(message, 1_048_576);
 * if (!d.ok) reply('error', { code: d.code, message: d.message }, d.id);
 * else if (d.envelope.type === 'hello' && verifyEnvelope(d.envelope, d.envelope.payload.public_key)) …
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
export { decodeBase64Url, fingerprint, generateKey, loadKey, publicKeyObject, saveKey } from './keys.ts';
export type { AgentKey } from './keys.ts';
export { signEnvelope, verifyEnvelope } from './signing.ts';
export { chainNext, chainStart, frameDigest } from './chain.ts';
export { ReplayGuard } from './replay.ts';
export { closest, editDistance } from './suggest.ts';
export type { ReplayGuardOptions, ReplayRefusal, ReplayVerdict } from './replay.ts';
export { receiptOf, verifyReceipts } from './receipts.ts';
export type { Receipt, ReceiptLog, ReceiptVerdict, VerifyOptions } from './receipts.ts';
