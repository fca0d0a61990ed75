/** A real orchestrator process for this package's tests, driven through `run` and a KosClient. */
import { useServer } from '@kos/testing';
import { KosClient } from './client.ts';
import { run } from './program.ts';
import { captureIo } from './test-support.ts';

export interface KosServer {
  /** The orchestrator's base URL. */
  readonly url: string;
  /** A client with the admin token. */
  readonly admin: KosClient;
  /** Runs `kos …args` in-process against the server, as `token` (default: the admin's). */
  kos(args: string[], token?: string): Promise<{ code: number; out: string; err: string }>;
}

/** Starts an orchestrator before the block's (or file's) tests and stops it after them. */
export function useKosServer(): KosServer {
  const running = useServer();
  let admin: KosClient | undefined;
  return {
    get url() {
      return running.server.url;
    },
    get admin() {
      admin ??= new KosClient({ url: running.server.url, token: running.server.adminToken });
      return admin;
    },
    async kos(args, token = running.server.adminToken) {
      const io = captureIo({ KOS_URL: running.server.url, KOS_TOKEN: token });
      const code = await run(args, io);
      return { code, out: io.out(), err: io.errText() };
    },
  };
}
