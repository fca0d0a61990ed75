// What a workload module provides: a kOS run per store mode and, where the workload applies to
// them, a run per peer. Each run answers figures by measure key and the correctness problems it found.
import type { Better } from './stats.ts';
import type { KosMode } from './peers/kos.ts';

export interface Measure {
  key: string;
  label: string;
  unit: string;
  better: Better;
}

export interface Measured {
  figures: Record<string, number>;
  /** Correctness problems (missing or repeated tasks, chain order broken); empty when correct. */
  problems: string[];
}

export interface RunContext {
  quick: boolean;
  /** Where to write a CPU profile of the orchestrator, when asked for. */
  profileDir?: string;
}

export interface Workload {
  name: string;
  /** The sizes used, for the table. */
  size(quick: boolean): string;
  measures: Measure[];
  /** Whether `kos` also runs on the PostgreSQL modes (PG, PG2); SQLite modes only otherwise. */
  postgres?: boolean;
  kos(ctx: RunContext, mode: KosMode): Promise<Measured>;
  bullmq?(ctx: RunContext): Promise<Measured>;
  graphile?(ctx: RunContext): Promise<Measured>;
  pgboss?(ctx: RunContext): Promise<Measured>;
}

export const seconds = (startMs: number): number => (performance.now() - startMs) / 1000;
