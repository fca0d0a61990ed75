/**
 * @kos/protocol/node: the parts of KLP that need Node (node:crypto, files) — Ed25519 agent keys
 * and key files, envelope signatures, the receipt chain and the offline receipt check. Everything
 * else (envelopes, the codec, addresses, error codes, receipt shapes) is in the browser-safe
 * `@kos/protocol`.
 *
 * ```ts
 * import { envelope, encodeFrame, agentAddress, ORCHESTRATOR_ADDRESS } from '@kos/protocol';
 * import { chainNext, chainStart, generateKey, signEnvelope, verifyEnvelope } from '@kos/protocol/node';
 *
 * const key = generateKey();
 * let chain = chainStart(challengeNonce);
 * const hello = envelope('hello', { from: agentAddress('collector'), to: ORCHESTRATOR_ADDRESS, seq: 1,
 *   payload: { name: 'collector', public_key: key.publicKey, skills: ['fetch'], max_parallel: 4,
 *     nonce: challengeNonce, in_flight: [] } });
 * chain = chainNext(chain, hello);
 * socket.send(encodeFrame(signEnvelope({ ...hello, auth: { kid: key.kid, chain } }, key)));
 *
 * // receiving side, after decodeFrame
 * if (d.envelope.type === 'hello' && verifyEnvelope(d.envelope, d.envelope.payload.public_key)) …
 * ```
 */
export { decodeBase64Url, fingerprint, generateKey, loadKey, publicKeyObject, saveKey } from './node/keys.ts';
export type { AgentKey } from './node/keys.ts';
export { signEnvelope, verifyEnvelope } from './node/signing.ts';
export { chainNext, chainStart, frameDigest } from './node/chain.ts';
export { verifyReceipts } from './node/verify-receipts.ts';
export { keyRotationFault, signKeyRotation } from './node/key-rotation.ts';
export type { KeyRotation } from './node/key-rotation.ts';
export type { ReceiptVerdict, VerifyOptions } from './node/verify-receipts.ts';
