// A real orchestrator process for a scenario (startServer from @kos/testing: SQLite in its own
// temporary data directory) with the scenario's configuration, that can be kill -9'd and
// restarted on the same data directory and port, so connected agents find it again.
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Http, startServer, tempDir, type ServerHandle } from '@kos/testing';
import type { AgentProcessConfig } from './ipc.ts';

/** Config sections as in kos.yaml (docs/configuration.md): `{ leases: { ttl_ms: 1000 } }`. */
export type ConfigSections = Record<string, Record<string, string | number | boolean>>;

function writeConfig(sections: ConfigSections): string {
  const file = path.join(tempDir('kos-chaos-conf-'), 'kos.yaml');
  const yaml = Object.entries(sections)
    .map(
      ([section, keys]) =>
        `${section}:\n${Object.entries(keys)
          .map(([k, v]) => `  ${k}: ${v}`)
          .join('\n')}`,
    )
    .join('\n');
  writeFileSync(file, yaml + '\n');
  return file;
}

/** A port free right now, so restarts can reuse it (agents reconnect to one fixed URL). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface Restart {
  /** Wall-clock ms: the old process was gone and the new one was spawned. */
  spawnedAt: number;
  /** Wall-clock ms: the new process logged `listening`. */
  listeningAt: number;
}

export class ChaosServer {
  private constructor(
    private handle: ServerHandle,
    private readonly configFile: string,
    private readonly port: number,
  ) {}

  static async start(config: ConfigSections): Promise<ChaosServer> {
    const configFile = writeConfig(config);
    const port = await freePort();
    const handle = await startServer({ configFile, port });
    return new ChaosServer(handle, configFile, port);
  }

  get url(): string {
    return this.handle.url;
  }

  /** The orchestrator process's pid (the current one, after restarts). */
  get pid(): number {
    return this.handle.process.pid!;
  }

  get ws(): string {
    return this.handle.url.replace(/^http/, 'ws') + '/klp';
  }

  get api(): Http {
    return new Http(this.handle.url, this.handle.adminToken);
  }

  /** What an agent process needs to reach this server. */
  get agentConfig(): Omit<AgentProcessConfig, 'recordFile'> {
    return { ws: this.ws, http: this.url, adminToken: this.handle.adminToken };
  }

  /** The current process's error and fatal log lines (pino levels 50, 60), for diagnosis. */
  get errorLines(): string[] {
    return this.handle.lines.filter((l) => /"level":(50|60)/.test(l));
  }

  /** kill -9, then a new process on the same data directory and port. */
  async killAndRestart(): Promise<Restart> {
    await this.handle.kill();
    const spawnedAt = Date.now();
    this.handle = await startServer({
      configFile: this.configFile,
      port: this.port,
      dataDir: this.handle.dataDir,
    });
    return { spawnedAt, listeningAt: Date.now() };
  }

  /** Stops the server and removes its data directory and config file. */
  async stop(): Promise<void> {
    await this.handle.stop();
    this.handle.cleanup();
    rmSync(path.dirname(this.configFile), { recursive: true, force: true });
  }
}
