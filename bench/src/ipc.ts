// Messages between the runner and its agent and fleet processes (Node IPC channel).

export type ParentMessage = { kind: 'report' } | { kind: 'stop' } | { kind: 'rtts' };

export type ChildMessage =
  | { kind: 'ready' }
  | { kind: 'started'; task: string; at: number }
  | { kind: 'report'; runs: [string, number][]; breaches: string[] }
  | { kind: 'rtts'; values: number[]; errors: number };
