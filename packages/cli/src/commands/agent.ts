/**
 * `kos agent run <module>`: runs the agent a module defines (`export default defineAgent({...})`)
 * over KLP. The key comes from `--key` or `<data dir>/keys/<name>.key` (created on first run); the
 * token that vouches for the name's first connection from `--token`/KOS_AGENT_TOKEN, else it is
 * created with the admin token when one is readable. SIGTERM or Ctrl-C drains (a second one stops
 * at once); the process exits 0 once drained, 1 when the orchestrator refuses the agent for good.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Option, type Command } from 'commander';
import { Agent, jsonLogger, type AgentDefinition, type Logger, type LogLevel } from '@kos/agent';
import { isKosError } from '@kos/protocol';
import { generateKey, saveKey } from '@kos/protocol/node';
import { positiveInt } from '../args.ts';
import type { KosClient } from '../client.ts';
import { fromSource } from '../from-source.ts';
import { Ctx, DEFAULT_URL, type GlobalOptions, type Io } from '../context.ts';
import { CliError, QuietExit, usageError } from '../errors.ts';

interface RunOptions {
  orchestrator?: string[];
  name?: string;
  key?: string;
  maxParallel?: number;
  exitWithParent?: boolean;
}

/** A definition checked and with the command's overrides applied. */
export interface AgentPlan {
  name: string;
  skills: string[];
  maxParallel: number | undefined;
  handlers: AgentDefinition['handlers'];
}

const USAGE = 'export default defineAgent({ name, handlers: { <skill>: async (task, ctx) => result } })';

export function registerAgent(program: Command, io: Io): void {
  const agent = program.command('agent').description('run agents over KLP');
  agent
    .command('run')
    .description('run the agent a module defines (its default export, made with defineAgent from @kos/agent)')
    .argument('<module>', 'a .ts or .js file, e.g. examples/fleet/collector.ts')
    .option(
      '--orchestrator <ws-url...>',
      'KLP URL(s), failed over in turn (default: --url as ws://host:port/klp)',
    )
    .option('--name <name>', "the agent's name (default: the definition's)")
    .option('--key <file>', 'its key file (default: <data dir>/keys/<name>.key, created on first run)')
    .option('--max-parallel <n>', 'tasks run at once (default: the definition’s, else 1)', positiveInt)
    .addOption(
      // For supervisors (kos serve --demo) that start agents with an IPC channel.
      new Option('--exit-with-parent', 'drain when the IPC channel to the parent process closes').hideHelp(),
    )
    .addHelpText(
      'after',
      [
        '',
        'Here the global --token is the agent token (or env KOS_AGENT_TOKEN); only the first connection',
        'of a name needs one. Without it, one bound to the name is created with the admin token',
        '(KOS_TOKEN or <data dir>/admin.token) when that is readable.',
        'SIGTERM or Ctrl-C drains: no new work, the tasks in flight finish; a second one stops at once.',
      ].join('\n'),
    )
    .action(async (module: string, o: RunOptions, cmd: Command) => runAgent(module, o, cmd, io));
}

async function runAgent(module: string, o: RunOptions, cmd: Command, io: Io): Promise<void> {
  // The global --token is this command's agent token; the admin token (to mint one) is looked up
  // without it, from KOS_TOKEN or the data dir.
  const globals = cmd.optsWithGlobals<GlobalOptions & RunOptions>();
  const { token: agentToken, ...rest } = globals;
  const ctx = new Ctx(io, rest);
  const def = await loadDefinition(resolve(io.cwd, module));
  const plan = planAgent(def, o);
  const logger = jsonLogger(logLevel(io.env.KOS_LOG_LEVEL), { agent: plan.name }, (l) => io.stderr.write(l));
  const urls = (o.orchestrator ?? [klpUrl(ctx.opts.url ?? io.env.KOS_URL ?? DEFAULT_URL)]).map(checkKlpUrl);
  const key = await agentKey(ctx, plan.name, o.key, logger);
  const ca = ctx.ca();
  const given = agentToken ?? nonEmpty(io.env.KOS_AGENT_TOKEN);
  const minter = given === undefined && ctx.token() !== null ? ctx.client() : null;
  let token = given;
  if (minter !== null && !(await nameKnown(minter, plan.name, logger))) {
    token = await mintToken(minter, plan.name, logger);
  }

  for (;;) {
    let agent: Agent;
    try {
      agent = await Agent.create({
        orchestrator: urls,
        name: plan.name,
        skills: plan.skills,
        key,
        logger,
        handleSignals: true,
        ...(token === undefined ? {} : { token }),
        ...(ca === undefined ? {} : { ca }),
        ...(plan.maxParallel === undefined ? {} : { maxParallel: plan.maxParallel }),
      });
    } catch (e) {
      if (isKosError(e) && e.code === 'KOS_ERR_CONFIG_INVALID') throw usageError(e.message);
      throw e;
    }
    for (const [skill, handler] of Object.entries(plan.handlers)) agent.handle(skill, handler);
    const release = drainOnInterrupt(agent, logger, o.exitWithParent === true);
    try {
      await agent.start();
    } catch (e) {
      release();
      // A name in the agent list but never bound to a key (registered over REST) still needs a token.
      if (isKosError(e) && e.code === 'KOS_ERR_UNAUTHENTICATED' && minter !== null && token === undefined) {
        token = await mintToken(minter, plan.name, logger);
        if (token !== undefined) continue;
      }
      return refused(ctx, e, plan.name, key);
    }
    const exit = await agent.stopped;
    release();
    if (exit.reason === 'fatal') refused(ctx, exit.error, plan.name, key);
    return;
  }
}

/**
 * TypeScript agent modules load through tsx, an optional dependency: the compiled CLI registers it
 * on demand; running from source (this file is .ts) a loader is already there.
 */
async function typeScriptLoader(file: string): Promise<void> {
  if (fromSource) return;
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    throw usageError(`${file} is TypeScript: install tsx (npm install tsx) or use a .mjs module`);
  }
}

/** Imports the module and checks its default export; a usage error (exit 2) says what is wrong. */
export async function loadDefinition(file: string): Promise<AgentDefinition> {
  if (!existsSync(file)) throw usageError(`agent module ${file} does not exist`);
  if (/\.[cm]?ts$/.test(file)) await typeScriptLoader(file);
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (e) {
    throw new CliError('usage', `cannot import ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const def = loaded.default;
  const bad = (why: string): CliError =>
    usageError(
      `${file}: ${why}; an agent module must \`${USAGE}\` (import { defineAgent } from '@kos/agent')`,
    );
  if (typeof def !== 'object' || def === null) {
    throw bad(def === undefined ? 'it has no default export' : 'its default export is not an object');
  }
  const d = def as Record<string, unknown>;
  if (typeof d.handlers !== 'object' || d.handlers === null || Array.isArray(d.handlers)) {
    throw bad('its default export has no `handlers` object');
  }
  const handlers = d.handlers as Record<string, unknown>;
  const notFunctions = Object.keys(handlers).filter((k) => typeof handlers[k] !== 'function');
  if (notFunctions.length > 0) throw bad(`handlers ${notFunctions.join(', ')} are not functions`);
  if (Object.keys(handlers).length === 0) throw bad('`handlers` is empty');
  if (d.name !== undefined && typeof d.name !== 'string') throw bad('`name` is not a string');
  if (d.skills !== undefined && !(Array.isArray(d.skills) && d.skills.every((s) => typeof s === 'string'))) {
    throw bad('`skills` is not a list of strings');
  }
  if (d.maxParallel !== undefined && !(Number.isInteger(d.maxParallel) && Number(d.maxParallel) >= 1)) {
    throw bad('`maxParallel` is not a whole number ≥ 1');
  }
  return def as AgentDefinition;
}

/** Applies `--name`/`--max-parallel` and the default skills (the handlers' keys). */
export function planAgent(def: AgentDefinition, o: { name?: string; maxParallel?: number }): AgentPlan {
  const name = o.name ?? def.name;
  if (typeof name !== 'string' || name === '') {
    throw usageError('the agent has no name: give the definition a `name`, or pass --name');
  }
  const skills = [...(def.skills ?? Object.keys(def.handlers))];
  const stray = Object.keys(def.handlers).filter((s) => !skills.includes(s));
  if (stray.length > 0) {
    throw usageError(`handlers ${stray.join(', ')} are for skills not listed in \`skills\`; add them there`);
  }
  return { name, skills, maxParallel: o.maxParallel ?? def.maxParallel, handlers: def.handlers };
}

/** `--key`, which must exist, or the data dir's key for the name, created on first run. */
async function agentKey(ctx: Ctx, name: string, given: string | undefined, logger: Logger): Promise<string> {
  if (given !== undefined) {
    const path = resolve(ctx.io.cwd, given);
    if (!existsSync(path)) {
      throw usageError(`key file ${path} does not exist; create one with \`kos keys generate ${given}\``);
    }
    return path;
  }
  const path = join(ctx.dataDir, 'keys', `${name}.key`);
  if (!existsSync(path)) {
    const key = generateKey();
    await saveKey(path, key);
    logger.info('created a key for the agent: its name binds to it on first connection', {
      key_file: path,
      kid: key.kid,
    });
  }
  return path;
}

/** http://host:port → ws://host:port/klp (https → wss). */
export function klpUrl(httpUrl: string): string {
  let u: URL;
  try {
    u = new URL(httpUrl);
  } catch {
    throw usageError(`orchestrator URL "${httpUrl}" is not a URL; expected e.g. http://127.0.0.1:7700`);
  }
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/klp`;
  return u.href;
}

/** Checked before anything is written (e.g. a new key), so a typo costs nothing. */
function checkKlpUrl(url: string): string {
  const protocol = URL.canParse(url) ? new URL(url).protocol : null;
  if (protocol !== 'ws:' && protocol !== 'wss:') {
    throw usageError(`--orchestrator "${url}" must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:7700/klp`);
  }
  return url;
}

async function nameKnown(api: KosClient, name: string, logger: Logger): Promise<boolean> {
  try {
    return (await api.listAgents()).agents.some((a) => a.name === name);
  } catch (e) {
    logger.warn('cannot list the agents to see whether the name is new', { error: describe(e) });
    return false;
  }
}

/** An agent token bound to the name, or undefined (with a warning) when it cannot be made. */
async function mintToken(api: KosClient, name: string, logger: Logger): Promise<string | undefined> {
  try {
    const t = await api.createToken({ role: 'agent', agent_name: name, label: 'kos agent run' });
    logger.info('created an agent token bound to the name (for its first connection)', { token_id: t.id });
    return t.token;
  } catch (e) {
    logger.warn('cannot create an agent token with the admin token', { error: describe(e) });
    return undefined;
  }
}

/** Ctrl-C (SIGINT) drains like SIGTERM; with `withParent`, so does the end of the IPC channel of
 * the parent that started this process (`kos serve --demo`) if it dies without a word. Returns an undo. */
function drainOnInterrupt(agent: Agent, logger: Logger, withParent: boolean): () => void {
  let received = 0;
  const onInt = (): void => {
    received++;
    if (received === 1) {
      logger.info('SIGINT: draining (Ctrl-C again to stop now)');
      void agent.drain();
    } else void agent.stop();
  };
  const onParentGone = (): void => {
    logger.warn('the parent process is gone: draining');
    void agent.drain();
  };
  process.on('SIGINT', onInt);
  if (withParent && process.channel !== undefined) {
    process.channel.unref(); // the channel alone must not keep the agent alive
    process.once('disconnect', onParentGone);
  }
  return () => {
    process.off('SIGINT', onInt);
    process.off('disconnect', onParentGone);
  };
}

/** Says why the orchestrator refused the agent, and what to do about it; ends with exit 1. */
function refused(ctx: Ctx, e: unknown, name: string, keyFile: string): never {
  if (!isKosError(e)) throw e;
  const hint: Record<string, string> = {
    KOS_ERR_IDENTITY_MISMATCH: `the name "${name}" is bound to another key than ${keyFile}: use the key it was first used with (--key), or another --name`,
    KOS_ERR_UNAUTHENTICATED: `the first connection of "${name}" needs an agent token: pass --token, set KOS_AGENT_TOKEN, or point --data-dir at the server's data dir (admin.token)`,
    KOS_ERR_AGENT_MISMATCH: `the token may not act as "${name}": use a token bound to this name, or one without a name`,
  };
  ctx.err(`error ${e.code}: ${e.message}`);
  const more = hint[e.code];
  if (more !== undefined) ctx.err(`hint: ${more}`);
  throw new QuietExit(1);
}

function logLevel(v: string | undefined): LogLevel {
  return v === 'debug' || v === 'warn' || v === 'error' ? v : 'info';
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function describe(e: unknown): string {
  return e instanceof CliError ? e.describe() : e instanceof Error ? e.message : String(e);
}
