import { createToken } from '../security/index.ts';
import type { TokenRecord, TokenRole } from '../store/records.ts';
import { actorId, type Actor, type Core } from './core.ts';

/** Issues a bearer token; its secret is returned once and never stored (only its hash is). */
export async function issueToken(
  core: Core,
  actor: Actor,
  req: { role: TokenRole; agentName?: string | undefined; label?: string | undefined },
): Promise<{ record: TokenRecord; secret: string }> {
  const issued = await createToken(
    core.store.backend,
    { role: req.role, agentName: req.agentName, label: req.label },
    core.store.now(),
  );
  await core.store.audit(actorId(actor), 'token.create', {
    token_id: issued.record.id,
    role: issued.record.role,
    agent_name: issued.record.agentName,
  });
  return issued;
}
