import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { GatewayDeps } from './peer.ts';
import { KlpSession } from './session.ts';
import { SocketGate } from './socket-gate.ts';

/**
 * Mounts the KLP WebSocket endpoint at /klp: one KlpSession per connection, within the socket
 * caps of limits.max_klp_sessions and limits.max_unauthenticated_sockets (socket-gate.ts).
 */
export async function klpGateway(app: FastifyInstance, deps: GatewayDeps): Promise<SocketGate> {
  const { maxBodyBytes, maxKlpSessions, maxUnauthenticatedSockets } = deps.config.limits;
  const gate = new SocketGate({ maxSessions: maxKlpSessions, maxUnauthenticated: maxUnauthenticatedSockets });
  await app.register(websocket, { options: { maxPayload: maxBodyBytes } });
  app.get('/klp', { websocket: true, schema: { hide: true } }, (socket) => {
    const session = new KlpSession(socket, deps, gate);
    const verdict = gate.open(session);
    if (!verdict.ok) {
      deps.metrics.limitRefused('klp_sessions_full');
      session.sendError(
        'KOS_ERR_OVERLOADED',
        'the orchestrator has limits.max_klp_sessions sessions; retry later',
      );
      session.close(1013, 'too many sessions');
      return;
    }
    verdict.evicted?.evict();
  });
  return gate;
}
