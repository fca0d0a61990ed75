import { KosError } from '@kos/protocol';
import { decodeBase64Url, keyRotationFault, type KeyRotation } from '@kos/protocol/node';
import { mayActAsAgent } from '../security/index.ts';
import { AGENT_KEY_RESET, AGENT_KEY_ROTATED } from '../store/verbs/agent-keys.ts';
import { actorId, type Actor, type Core } from './core.ts';

/** How far a rotation's `at` may be from the orchestrator's clock: clocks drift, captures age. */
export const ROTATION_WINDOW_MS = 5 * 60_000;

/**
 * An agent moves its name to a new key with a statement both keys signed (`kos agents rotate-key`):
 * the signatures are its proof, so a name bound to a key may do this over REST, and its token need
 * only be allowed to act as it. Its KLP sessions end; it reconnects with the new key.
 */
export async function rotateAgentKey(
  core: Core,
  actor: Actor,
  req: { agentId: string; rotation: KeyRotation },
) {
  const { rotation: r } = req;
  const agent = await core.store.read((tx) => tx.getAgent(req.agentId));
  if (!agent) {
    throw new KosError('KOS_ERR_AGENT_NOT_FOUND', `no agent has id ${req.agentId}`, {
      agent_id: req.agentId,
    });
  }
  if (actor.kind === 'token' && !mayActAsAgent(actor.token, agent.name, core.store.now())) {
    throw new KosError('KOS_ERR_AGENT_MISMATCH', `this token may not act as agent ${agent.name}`, {
      agent_id: agent.id,
    });
  }
  if (r.agent !== agent.name) {
    throw new KosError(
      'KOS_ERR_VALIDATION',
      `this rotation was signed for agent ${r.agent}, not ${agent.name}`,
      {
        field: 'agent',
      },
    );
  }
  const at = Date.parse(r.at);
  if (!Number.isFinite(at) || Math.abs(core.store.now() - at) > ROTATION_WINDOW_MS) {
    throw new KosError(
      'KOS_ERR_VALIDATION',
      `the rotation was signed at ${r.at}, more than ${ROTATION_WINDOW_MS / 60_000} minutes from now: sign it again`,
      { field: 'at' },
    );
  }
  if (r.new_key === r.old_key) {
    throw new KosError('KOS_ERR_VALIDATION', 'the new key is the old one: generate a new key', {
      field: 'new_key',
    });
  }
  if (decodeBase64Url(r.new_key, 32) === null) {
    throw new KosError('KOS_ERR_KEY_INVALID', 'new_key is not an Ed25519 public key (32 bytes, base64url)', {
      field: 'new_key',
    });
  }
  const fault = keyRotationFault(r);
  if (fault !== null) {
    throw new KosError(
      'KOS_ERR_BAD_SIGNATURE',
      `the ${fault === 'old_sig' ? 'old' : 'new'} key's signature of this rotation does not verify`,
      { field: fault },
    );
  }
  return core.store.rebindAgentKey(actorId(actor), agent.id, {
    action: AGENT_KEY_ROTATED,
    from: r.old_key,
    to: r.new_key,
  });
}

/**
 * An operator unbinds an agent's name from a lost or leaked key: its sessions end, and its next KLP
 * connection must bring a valid agent token for the name (its first-connection rule), which binds
 * the key that connection proves.
 */
export async function resetAgentKey(core: Core, actor: Actor, req: { agentId: string; reason: string }) {
  return core.store.rebindAgentKey(actorId(actor), req.agentId, {
    action: AGENT_KEY_RESET,
    reason: req.reason,
  });
}
