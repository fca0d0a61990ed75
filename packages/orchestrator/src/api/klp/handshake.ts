import { KosError, agentAddress, type Envelope } from '@kos/protocol';
import { fingerprint, verifyEnvelope } from '@kos/protocol/node';
import type { Agent } from '../../registry/agent.ts';
import { hashToken, mayActAsAgent, tokenRefusal } from '../../security/index.ts';
import { registerAgent, type Core } from '../../app/index.ts';

/** What a verified `hello` establishes. */
export interface Identity {
  agent: Agent;
  publicKey: string;
  kid: string;
}

/**
 * Verifies a `hello` and registers its agent. Proof of key possession: the frame is signed over
 * the session's fresh nonce. The first hello of a name needs an agent token allowed to act as it,
 * and binds the name to the key; later hellos must present the same key.
 * Throws KosError with the code to raise (all of them are security alerts but AGENT_MISMATCH /
 * UNAUTHENTICATED, which are plain refusals).
 */
export async function verifyHello(
  core: Core,
  env: Envelope<'hello'>,
  nonce: string,
  head: string,
): Promise<Identity> {
  const p = env.payload;
  if (p.nonce !== nonce)
    throw new KosError('KOS_ERR_REPLAY', 'hello answers another challenge (nonce mismatch)');
  const kid = fingerprint(p.public_key);
  if (env.auth?.kid !== kid || !verifyEnvelope(env, p.public_key)) {
    throw new KosError('KOS_ERR_BAD_SIGNATURE', 'hello is not signed by the key it presents');
  }
  if (env.auth.chain !== head) {
    throw new KosError(
      'KOS_ERR_CHAIN_MISMATCH',
      'hello must carry the chain head of this session (SHA-256 of the nonce)',
    );
  }
  if (env.from !== agentAddress(p.name)) {
    throw new KosError('KOS_ERR_IDENTITY_MISMATCH', `hello from ${env.from} names agent ${p.name}`);
  }
  const existing = await core.store.read((tx) => tx.getAgentByName(p.name));
  if (existing?.publicKey && existing.publicKey !== p.public_key) {
    throw new KosError('KOS_ERR_IDENTITY_MISMATCH', `agent ${p.name} is bound to another key`, {
      name: p.name,
    });
  }
  let bindTokenHash: string | undefined;
  if (!existing?.publicKey) {
    // First use of this name over KLP: a token must vouch for it.
    const hash = p.token === undefined ? undefined : hashToken(p.token);
    const token = hash === undefined ? null : await core.store.read((tx) => tx.getTokenByHash(hash));
    if (!token || tokenRefusal(token, core.store.now()) !== null) {
      throw new KosError(
        'KOS_ERR_UNAUTHENTICATED',
        `the first connection of agent ${p.name} needs a valid agent token`,
      );
    }
    if (!mayActAsAgent(token, p.name, core.store.now())) {
      throw new KosError('KOS_ERR_AGENT_MISMATCH', `this token may not act as agent ${p.name}`);
    }
    if (token.role === 'agent') bindTokenHash = token.hash;
  }
  const { agent } = await registerAgent(
    core,
    { kind: 'newcomer', name: p.name },
    {
      name: p.name,
      skills: p.skills,
      maxParallel: p.max_parallel,
      publicKey: p.public_key,
      bindTokenHash,
    },
  );
  return { agent, publicKey: p.public_key, kid };
}
