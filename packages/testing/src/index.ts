/**
 * @kos/testing: start a real orchestrator process in tests and talk to it over HTTP.
 *
 * ```ts
 * const server = await startServer();
 * const api = new Http(server.url, server.adminToken);
 * const { status, body } = await api.post('/orchestration/register', { context_id: 'a', skills: ['x'] });
 * await server.stop(); server.cleanup();
 * ```
 */
export { startServer, tempDir } from './server.ts';
export type { ServerHandle, ServerOptions } from './server.ts';
export { Http, poll } from './http.ts';
export type { Answer } from './http.ts';
export { TcpProxy } from './tcp-proxy.ts';
export { useServer } from './use-server.ts';
export type { RunningServer } from './use-server.ts';
export { userEnv } from './user-env.ts';
