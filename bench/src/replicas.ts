// Orchestrator replicas for the benchmarks: one or more real server processes sharing a config
// file and, for PostgreSQL, one store (KOS_STORE). Shared by the suite (peers/kos.ts) and
// bench/cluster.ts. Replicas on one store share its tokens, so the first one's admin token serves all.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Http, startServer, tempDir, type ServerHandle } from '@kos/testing';
import { createTestDatabase } from '../../packages/orchestrator/src/store/postgres/test-database.ts';

export interface Replicas {
  servers: ServerHandle[];
  /** Admin API per replica, all with the first replica's admin token. */
  apis: Http[];
  /** KLP WebSocket URL per replica. */
  wsUrls: string[];
  /** Stops every replica, removes their data directories and drops the PostgreSQL database if any. */
  stop(): Promise<void>;
}

export interface ReplicaOptions {
  count: number;
  /** YAML config lines, written to one file every replica reads. */
  config: readonly string[];
  /** A fresh PostgreSQL database (prefix `kos_bench`) as the shared store; embedded SQLite otherwise. */
  postgres?: boolean;
  /** Data directory of the first replica (e.g. to restart on the same SQLite files). */
  dataDir?: string;
  nodeArgs?: string[];
}

export async function startReplicas(o: ReplicaOptions): Promise<Replicas> {
  if (!o.postgres && o.count !== 1) throw new Error('replicas share a store: more than one needs postgres');
  const file = path.join(tempDir('kos-bench-conf-'), 'kos.yaml');
  writeFileSync(file, [...o.config, ''].join('\n'));
  const db = o.postgres ? await createTestDatabase('kos_bench') : undefined;
  const servers: ServerHandle[] = [];
  const stop = async () => {
    for (const s of servers) await s.stop();
    for (const s of servers) s.cleanup();
    await db?.drop();
  };
  try {
    // One after the other: the first replica migrates the store before the next one opens it.
    for (let i = 0; i < o.count; i++) {
      servers.push(
        await startServer({
          configFile: file,
          ...(db ? { env: { KOS_STORE: db.url } } : {}),
          ...(i === 0 && o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
          ...(o.nodeArgs === undefined ? {} : { nodeArgs: o.nodeArgs }),
        }),
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const token = servers[0]!.adminToken;
  return {
    servers,
    apis: servers.map((s) => new Http(s.url, token)),
    wsUrls: servers.map((s) => s.url.replace(/^http/, 'ws') + '/klp'),
    stop,
  };
}
