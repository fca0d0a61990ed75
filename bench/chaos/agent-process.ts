// One chaos agent process: SDK agents over real WebSockets, added on the runner's request, all
// running the chaos handler (ipc.ts ChaosInput). Every handler run is recorded synchronously to
// this process's record file, and what became of each result (acknowledged or refused) is told
// to the runner — the SDK reports that through its logger, so each agent gets a logger that
// listens for it.
//   argv: <AgentProcessConfig as JSON>
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, TaskFailure, type AgentTask, type Logger, type TaskContext } from '@kos/agent';
import { generateKey } from '@kos/protocol/node';
import type {
  AgentProcessConfig,
  AgentSpec,
  ChaosInput,
  ChaosResult,
  FromAgentProcess,
  ToAgentProcess,
} from './ipc.ts';
import { RecordWriter } from './records.ts';

const config = JSON.parse(process.argv[2] ?? '') as AgentProcessConfig;
const records = new RecordWriter(config.recordFile);
const agents: Agent[] = [];
/** Tasks whose result outcome the runner wants (every mode but the bulk `work`). */
const watched = new Set<string>();
const send = (m: FromAgentProcess): Promise<void> =>
  new Promise((resolve) => (process.send ? process.send(m, () => resolve()) : resolve()));

/**
 * Hears the SDK's result outcomes: a delivered result is logged at debug with `status`, a refused
 * one at warn/error with the orchestrator's `code` (work.ts `deliver`).
 */
function outcomeLogger(agent: string): Logger {
  const refused = (_msg: string, f: Record<string, unknown> = {}) => {
    if (typeof f.task_id === 'string' && watched.has(f.task_id) && typeof f.code === 'string') {
      void send({ kind: 'result', task: f.task_id, agent, delivered: false, code: f.code });
    }
  };
  return {
    debug(_msg, f = {}) {
      if (typeof f.task_id === 'string' && watched.has(f.task_id) && typeof f.status === 'string') {
        void send({ kind: 'result', task: f.task_id, agent, delivered: true, code: null });
      }
    },
    info() {},
    warn: refused,
    error: refused,
  };
}

/** Blocks the event loop (no timers, no I/O, no heartbeats) until `file` exists. */
function blockUntil(file: string): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(file)) Atomics.wait(cell, 0, 0, 5);
}

function upstreamOk(task: AgentTask, deps: readonly string[]): boolean {
  const got = Object.entries(task.upstream);
  return (
    got.length === deps.length && deps.every((d) => (task.upstream[d] as ChaosResult | undefined)?.name === d)
  );
}

async function handle(agent: string, task: AgentTask, ctx: TaskContext): Promise<ChaosResult> {
  const input = task.input as ChaosInput;
  const deps = input.mode === 'work' ? (input.deps ?? []) : [];
  const run = { task: task.id, name: task.name, epoch: task.epoch, attempt: task.attempt, agent };
  records.start({ ...run, start: Date.now(), upstreamOk: upstreamOk(task, deps) });
  if (input.mode !== 'work') {
    watched.add(task.id);
    await send({ kind: 'started', task: task.id, epoch: task.epoch, agent, at: Date.now() });
  }
  if (input.mode === 'work') {
    await sleep(input.ms);
  } else if (input.holder !== agent) {
    // Not the agent the trick is for: finish at once.
  } else if (input.mode === 'hold') {
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
  } else {
    blockUntil(input.release);
  }
  const outcome = ctx.signal.aborted ? 'aborted' : 'returned';
  records.end({ ...run, end: Date.now(), outcome });
  if (input.mode !== 'work') void send({ kind: 'ended', task: task.id, agent, outcome, at: Date.now() });
  return { by: agent, name: task.name };
}

/** A broken agent's handler: every task fails with a retryable error (recorded like any run). */
function fail(agent: string, task: AgentTask): never {
  const run = { task: task.id, name: task.name, epoch: task.epoch, attempt: task.attempt, agent };
  records.start({ ...run, start: Date.now(), upstreamOk: true });
  records.end({ ...run, end: Date.now(), outcome: 'failed' });
  throw TaskFailure.retryable(`${agent} is broken`, { code: 'chaos_broken' });
}

async function addAgent(spec: AgentSpec): Promise<void> {
  const res = await fetch(`${config.http}/orchestration/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'agent', agent_name: spec.name }),
  });
  if (res.status !== 201) throw new Error(`token for ${spec.name}: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  const agent = await Agent.create({
    orchestrator: config.ws,
    name: spec.name,
    skills: spec.skills,
    key: generateKey(),
    token,
    maxParallel: spec.maxParallel,
    handleSignals: false,
    // Reconnect fast: the orchestrator-kill scenario restarts the server within a second or two.
    reconnect: { baseDelayMs: 100, maxDelayMs: 1000 },
    logger: outcomeLogger(spec.name),
  });
  for (const skill of spec.skills) {
    agent.handle(skill, (task, ctx) => (spec.failing ? fail(spec.name, task) : handle(spec.name, task, ctx)));
  }
  await agent.start();
  agents.push(agent);
}

process.on('message', (m: ToAgentProcess) => {
  if (m.kind === 'add') {
    addAgent(m.agent).then(
      () => send({ kind: 'added', name: m.agent.name }),
      (err: unknown) => send({ kind: 'add-failed', name: m.agent.name, error: String(err) }),
    );
  } else if (m.kind === 'stop') {
    void Promise.all(agents.map((a) => a.stop())).finally(() => {
      records.close();
      process.exit(0);
    });
  }
});
void send({ kind: 'ready' });
