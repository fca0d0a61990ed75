/** `kos serve [--port] [--host] [--tls-cert --tls-key] [--store] [--config] [--demo]`: run the orchestrator in this process. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isKosError } from '@kos/protocol';
import { port } from '../args.ts';
import { KosClient } from '../client.ts';
import { Ctx, type Io } from '../context.ts';
import { QuietExit } from '../errors.ts';
import { fields } from '../render.ts';
import { startDemo, type Demo } from '../demo/run-demo.ts';

interface ServeOptions {
  port?: number;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  store?: string;
  config?: string;
  demo?: boolean;
}

export function registerServe(program: Command, io: Io): void {
  program
    .command('serve')
    .description(
      'run the orchestrator (logs on stdout: readable on a terminal, JSON otherwise, see log.format; this banner on stderr); Ctrl-C stops it',
    )
    .option('--port <port>', 'listen on this port (env KOS_PORT)', port)
    .option('--host <host>', 'listen on this address (env KOS_HOST)')
    .option('--tls-cert <file>', 'serve https and wss with this PEM certificate (env KOS_TLS_CERT)')
    .option('--tls-key <file>', "the certificate's PEM private key (env KOS_TLS_KEY)")
    .option('--store <store>', '"sqlite" (a file in the data dir) or a postgres:// URL')
    .option('--config <file>', 'a YAML configuration file')
    .option(
      '--demo',
      'also run the example fleet (examples/fleet) as three agent processes over KLP, and a demo goal',
    )
    .action(async (o: ServeOptions, cmd: Command) => serve(Ctx.of(io, cmd), o));
}

async function serve(ctx: Ctx, o: ServeOptions): Promise<void> {
  // Imported here so that client commands do not load the server and its native modules.
  const { Orchestrator, resolveConfig } = await import('@kos/orchestrator');
  let config: ReturnType<typeof resolveConfig>;
  try {
    config = resolveConfig({
      env: { ...ctx.io.env },
      flags: {
        ...(o.port === undefined ? {} : { port: o.port }),
        ...(o.host === undefined ? {} : { host: o.host }),
        ...(o.tlsCert === undefined ? {} : { tlsCert: o.tlsCert }),
        ...(o.tlsKey === undefined ? {} : { tlsKey: o.tlsKey }),
        ...(ctx.opts.dataDir === undefined ? {} : { dataDir: ctx.opts.dataDir }),
        ...(o.store === undefined ? {} : { store: o.store }),
        ...(o.config === undefined ? {} : { configFile: o.config }),
      },
    });
  } catch (e) {
    if (!isKosError(e) || e.code !== 'KOS_ERR_CONFIG_INVALID') throw e;
    const problems = e.details?.problems;
    if (!Array.isArray(problems) || problems.length === 0) ctx.err(`error ${e.code}: ${e.message}`);
    else {
      ctx.err(`error ${e.code}: ${problems.length} invalid setting${problems.length === 1 ? '' : 's'}`);
      for (const p of problems) ctx.err(`  - ${String(p)}`);
    }
    throw new QuietExit(2);
  }

  const orch = await Orchestrator.start(config);
  ctx.err(
    [
      '',
      `kOS orchestrator listening on ${orch.url}`,
      fields([
        ['dashboard', config.dashboard.enabled ? `${orch.url}/ (sign in with the admin token)` : 'off'],
        ['store', config.store],
        ['data dir', config.dataDir],
        ['admin token', `${orch.adminTokenPath}${orch.adminTokenCreated ? ' (created)' : ''}`],
      ]).replace(/^/gm, '  '),
      '',
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );

  let demo: Demo | null = null;
  if (o.demo === true) {
    const admin = new KosClient({ url: orch.url, token: readFileSync(orch.adminTokenPath, 'utf8').trim() });
    demo = startDemo({ admin, dataDir: config.dataDir, log: (l) => ctx.err(l) });
    demo.finished.catch((e: unknown) => {
      // Ctrl-C before the goal ended aborts the demo: that is a stop, not a failure.
      if (!(e instanceof Error && e.name === 'AbortError')) ctx.err(`demo stopped: ${String(e)}`);
    });
  }

  const signal = await firstSignal(ctx);
  ctx.err(`\n${signal}: stopping (again to exit at once)`);
  if (demo !== null) {
    // The agents drain first, while the orchestrator is still there to take their last results.
    ctx.err('demo: draining the agents');
    await demo.stop();
  }
  await orch.stop();
  ctx.err('stopped');
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once. */
function firstSignal(ctx: Ctx): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      const again = (): void => {
        ctx.err('second signal: exiting now');
        process.exit(130);
      };
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      resolve(sig);
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
  });
}
