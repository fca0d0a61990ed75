// Child processes of the runner and what /proc says about the orchestrator's process.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ChildMessage, ParentMessage } from './ipc.ts';

/** Forks a bench script under tsx with an IPC channel and waits for its `ready`. */
export async function forkReady(script: string, args: string[]): Promise<ChildProcess> {
  const child = fork(script, args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await nextMessage(child, 'ready');
  return child;
}

export function nextMessage(child: ChildProcess, kind: ChildMessage['kind']): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ChildMessage) => {
      if (m.kind !== kind) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code: number | null) =>
      reject(new Error(`bench process exited (${code}) before '${kind}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Asks a child for `kind` and waits for the answer of the same kind. */
export function ask(
  child: ChildProcess,
  kind: ParentMessage['kind'] & ChildMessage['kind'],
): Promise<ChildMessage> {
  const answer = nextMessage(child, kind);
  child.send({ kind } satisfies ParentMessage);
  return answer;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send({ kind: 'stop' } satisfies ParentMessage);
  await exited;
}

/** CPU seconds (user + system) the process has used so far (Linux /proc). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Peak resident set size of the process in MiB (VmHWM). */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+)/.exec(status)?.[1];
  return Number(kb) / 1024;
}
