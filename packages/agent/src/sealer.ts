import { envelope } from '@kos/protocol';
import { chainNext, chainStart, signEnvelope } from '@kos/protocol/node';
import type { Envelope, EnvelopeContext, MessageType, Payloads } from '@kos/protocol';
import type { AgentKey } from '@kos/protocol/node';

/** Frames the SDK signs: they sign the chain value, so one verification covers every frame
 * before them (docs/protocol.md, "Receipts"). */
export const SIGNED_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  'hello',
  'heartbeat',
  'disconnect',
]);

export interface SealFields {
  task_id?: string;
  context?: EnvelopeContext;
  now?: number;
}

/** The frames the receipt chain covers (docs/protocol.md, "Receipts"). */
export function advancesChain(type: MessageType): boolean {
  return type === 'TASK_RESULT';
}

/**
 * The sending half of one session: numbers frames (seq 1, 2, 3, …), keeps the receipt chain
 * (SHA-256(nonce), then SHA-256(prev ‖ digest of each result frame without auth)) and signs the frames
 * that must be signed. Frames must go on the wire in the order they were sealed: the
 * orchestrator recomputes the chain in arrival order.
 */
export class FrameSealer {
  private seq = 0;
  private chain: string;

  constructor(
    private readonly key: AgentKey,
    nonce: string,
    private readonly from: string,
    private readonly to: string,
  ) {
    this.chain = chainStart(nonce);
  }

  /** The chain value after the last sealed frame. */
  get head(): string {
    return this.chain;
  }

  get lastSeq(): number {
    return this.seq;
  }

  seal<T extends MessageType>(type: T, payload: Payloads[T], fields: SealFields = {}): Envelope<T> {
    const env = envelope(type, { from: this.from, to: this.to, seq: this.seq + 1, payload, ...fields });
    // Only results advance the receipt chain; every frame carries the current head, and signed
    // frames sign it. The digest ignores `auth`, so it can be computed before auth is attached.
    const chain = advancesChain(type) ? chainNext(this.chain, env) : this.chain;
    const sealed: Envelope<T> = { ...env, auth: { kid: this.key.kid, chain } };
    const out = SIGNED_TYPES.has(type) ? signEnvelope(sealed, this.key) : sealed;
    this.seq += 1;
    this.chain = chain;
    return out;
  }
}
