/**
 * The A2A-out tests' remote agents: test/fixtures/a2a-remote-agent.ts (the official A2A server
 * SDK) in a process of its own, and what it said it received and was asked to cancel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { poll, type Http } from '@kos/testing';
import { TSX } from './fleet-stack.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/a2a-remote-agent.ts', import.meta.url));

export type RemoteMode = 'complete' | 'hang' | 'fail' | 'input';

export interface Remote {
  name: string;
  child: ChildProcess;
  cardUrl: string;
  /** Every message it received: its id and the kOS task id in its data part. */
  received: { messageId: string; task: string; a2aTask: string }[];
  /** The A2A task ids it was asked to cancel. */
  cancelled: string[];
  kill(): Promise<void>;
}

export async function startRemote(
  name: string,
  options: {
    skills?: string[];
    mode?: RemoteMode;
    token?: string;
    delayMs?: number;
    streaming?: boolean;
  } = {},
): Promise<Remote> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    A2A_NAME: name,
    A2A_SKILLS: (options.skills ?? ['work']).join(','),
    A2A_MODE: options.mode ?? 'complete',
  };
  if (options.token !== undefined) env['A2A_TOKEN'] = options.token;
  if (options.delayMs !== undefined) env['A2A_DELAY_MS'] = String(options.delayMs);
  if (options.streaming === false) env['A2A_STREAMING'] = 'false';
  const child = spawn(process.execPath, ['--import', TSX, FIXTURE], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const received: Remote['received'] = [];
  const cancelled: string[] = [];
  const errors: string[] = [];
  child.stderr?.on('data', (d: Buffer) => errors.push(d.toString()));
  const cardUrl = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const fact = JSON.parse(line) as Record<string, string>;
      if (fact['card']) resolve(fact['card']);
      if (fact['received']) {
        received.push({ messageId: fact['received'], task: fact['task']!, a2aTask: fact['a2a_task']! });
      }
      if (fact['cancel']) cancelled.push(fact['cancel']);
    });
    child.once('exit', (code) => reject(new Error(`remote ${name} exited (${code}): ${errors.join('')}`)));
  });
  return {
    name,
    child,
    cardUrl,
    received,
    cancelled,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

export interface AddedAgent {
  agent: { id: string; name: string; skills: string[]; state: string };
  remote: { card_url: string; card_name: string; endpoint: string; has_token: boolean; updated_at: string };
  created: boolean;
}

/** Registers `remote` through POST /orchestration/a2a/agents and waits until its agent is active. */
export async function addRemote(admin: Http, remote: Remote, body: Record<string, unknown> = {}) {
  const res = await admin.post<AddedAgent>('/orchestration/a2a/agents', { url: remote.cardUrl, ...body });
  if (res.status !== 201) throw new Error(`add ${remote.name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Waits until the remote received a message for kOS task `taskId`. */
export function receivedTask(remote: Remote, taskId: string) {
  return poll(() => remote.received.find((r) => r.task === taskId), {
    what: `${remote.name} to receive task ${taskId}`,
  });
}
