// The orchestrator as a child process for tests: config from the environment (KOS_*) and
// `--port/--data-dir` flags; stops cleanly on SIGTERM, and dies as hard as anything on SIGKILL.
import { parseArgs } from 'node:util';
import { Orchestrator, resolveConfig } from '@kos/orchestrator';

const { values } = parseArgs({
  options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, config: { type: 'string' } },
});
const config = resolveConfig({
  env: process.env,
  flags: { port: values.port, dataDir: values['data-dir'], configFile: values.config },
});
const orch = await Orchestrator.start(config);
process.once('SIGTERM', () => {
  void orch.stop().then(() => process.exit(0));
});
