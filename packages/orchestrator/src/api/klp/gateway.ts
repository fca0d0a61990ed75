import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { GatewayDeps } from './peer.ts';
import { KlpSession } from './session.ts';

/** Mounts the KLP WebSocket endpoint at /klp: one KlpSession per connection. */
export async function klpGateway(app: FastifyInstance, deps: GatewayDeps): Promise<void> {
  await app.register(websocket, { options: { maxPayload: deps.config.limits.maxBodyBytes } });
  app.get('/klp', { websocket: true, schema: { hide: true } }, (socket) => {
    new KlpSession(socket, deps);
  });
}
