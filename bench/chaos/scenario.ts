// What a chaos scenario is: it breaks something on purpose, checks what must still hold, and
// reports figures. The suite runs the list in scenarios/index.ts; add a scenario there.
import type { Random } from './random.ts';

export interface ChaosContext {
  /** Small sizes for CI: the same invariants, fewer trials. */
  quick: boolean;
  random: Random;
  /** Progress for the operator (stderr), not part of the report. */
  progress(message: string): void;
  /** A fresh directory for the scenario's files (execution records), removed after the run. */
  workDir: string;
}

/** One row of the report table. */
export interface Figure {
  label: string;
  value: number;
  unit: string;
  /** What the value must be, or is compared with, when there is a bound (e.g. "≤ 1,350 ms"). */
  bound?: string;
}

export interface ScenarioResult {
  /** What ran, e.g. "5,400 tasks in 6 goals, 12 kills". */
  size: string;
  figures: Figure[];
  /** Broken invariants: any one fails the run. Each says what broke, with evidence. */
  violations: string[];
  /** Raw data kept in the JSON report. */
  details: Record<string, unknown>;
}

export interface Scenario {
  name: string;
  /** One line: what is broken and what must hold. */
  summary: string;
  run(ctx: ChaosContext): Promise<ScenarioResult>;
}
