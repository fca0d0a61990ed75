// Execution records: every handler run, written by the agent process to its own append-only file
// with a synchronous write, so a record is on disk before the work starts and survives the agent
// being killed right after. The parent reads them back once the run is over.
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';

/** One handler run of one lease (task, epoch) by one agent. Times are wall-clock ms (Date.now()). */
export interface Execution {
  task: string;
  name: string;
  epoch: number;
  attempt: number;
  agent: string;
  start: number;
  /** Null when the process died before the handler finished. */
  end: number | null;
  /** `returned`: the handler produced a result; `aborted`: the SDK aborted it (lease lost);
   * `failed`: a failing agent's handler threw (AgentSpec.failing). */
  outcome: 'returned' | 'aborted' | 'failed' | null;
  /** The upstream results the task received were exactly its dependencies' results. */
  upstreamOk: boolean;
}

type StartLine = Omit<Execution, 'end' | 'outcome'> & { phase: 'start' };
type EndLine = {
  phase: 'end';
  task: string;
  epoch: number;
  agent: string;
  end: number;
  outcome: 'returned' | 'aborted' | 'failed';
};

export class RecordWriter {
  private readonly fd: number;

  constructor(file: string) {
    this.fd = openSync(file, 'a');
  }

  start(e: Omit<StartLine, 'phase'>): void {
    this.write({ phase: 'start', ...e });
  }

  end(e: Omit<EndLine, 'phase'>): void {
    this.write({ phase: 'end', ...e });
  }

  close(): void {
    closeSync(this.fd);
  }

  private write(line: StartLine | EndLine): void {
    writeSync(this.fd, JSON.stringify(line) + '\n');
  }
}

const keyOf = (l: { task: string; epoch: number; agent: string }) => `${l.task}@${l.epoch}@${l.agent}`;

/** Every execution in the files, in start order. A torn last line (killed mid-write) is skipped. */
export function readExecutions(files: readonly string[]): Execution[] {
  const runs = new Map<string, Execution[]>();
  const all: Execution[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      let line: StartLine | EndLine;
      try {
        line = JSON.parse(text) as StartLine | EndLine;
      } catch {
        continue;
      }
      if (line.phase === 'start') {
        const { phase: _, ...rest } = line;
        const run: Execution = { ...rest, end: null, outcome: null };
        all.push(run);
        runs.set(keyOf(line), [...(runs.get(keyOf(line)) ?? []), run]);
      } else {
        const open = runs.get(keyOf(line))?.find((r) => r.end === null);
        if (open) {
          open.end = line.end;
          open.outcome = line.outcome;
        }
      }
    }
  }
  return all.sort((a, b) => a.start - b.start);
}
