import { afterAll, beforeAll } from 'vitest';
import { Http } from './http.ts';
import { startServer, type ServerHandle, type ServerOptions } from './server.ts';

/** A server started for a describe block, with an admin client and the KLP URL. */
export interface RunningServer {
  readonly server: ServerHandle;
  readonly admin: Http;
  /** ws://…/klp of the server. */
  readonly ws: string;
}

/**
 * Starts a real orchestrator before the block's tests and stops it (and removes its data
 * directory) after them. `options` may be a function, for values known only in an earlier hook.
 */
export function useServer(options: ServerOptions | (() => ServerOptions) = {}): RunningServer {
  let handle: ServerHandle | undefined;
  let admin: Http | undefined;
  beforeAll(async () => {
    handle = await startServer(typeof options === 'function' ? options() : options);
    admin = new Http(handle.url, handle.adminToken);
  });
  afterAll(async () => {
    await handle?.stop();
    handle?.cleanup();
  });
  const started = (): ServerHandle => {
    if (!handle) throw new Error('useServer: the server starts in beforeAll; use it inside tests');
    return handle;
  };
  return {
    get server() {
      return started();
    },
    get admin() {
      started();
      return admin!;
    },
    get ws() {
      return started().url.replace(/^http/, 'ws') + '/klp';
    },
  };
}
