import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { GatewayDeps } from './peer.ts';
import { KlpSession } from './session.ts';
import { refuseAtLimit, SocketGate } from './socket-gate.ts';

/**
 * Mounts the KLP WebSocket endpoint at /klp: one KlpSession per connection, within the socket
 * caps of limits.max_klp_sessions and limits.max_unauthenticated_sockets (socket-gate.ts).
 */
export async function klpGateway(app: FastifyInstance, deps: GatewayDeps): Promise<SocketGate> {
  const { maxBodyBytes, maxKlpSessions, maxUnauthenticatedSockets } = deps.config.limits;
  const gate = new SocketGate({ maxSessions: maxKlpSessions, maxUnauthenticated: maxUnauthenticatedSockets });
  // Twice the frame limit: a frame somewhat over it is read and refused with a typed
  // KOS_ERR_FRAME_TOO_LARGE (the session goes on); only beyond this does ws close with 1009.
  // With maxPayload = the limit, the typed refusal was unreachable (found by the KLP fuzzer).
  await app.register(websocket, {
    options: { maxPayload: 2 * maxBodyBytes },
    // A socket error is the client's doing (an oversize or malformed frame, an unclean
    // disconnect): the session logs it as a warning. The plugin's default logged each at error
    // level, so any client could fill the error log (found by the KLP fuzzer).
    errorHandler: (_err, socket) => socket.terminate(),
  });
  app.get('/klp', { websocket: true, schema: { hide: true } }, (socket) => {
    const session = new KlpSession(socket, deps, gate);
    const verdict = gate.open(session);
    if (!verdict.ok) {
      refuseAtLimit(session, 'klp_sessions_full');
      return;
    }
    verdict.evicted?.evict();
  });
  return gate;
}
