// The command line of `npm run bench` (pure, for main.ts): what to run, or a usage error.
import { parseArgs } from 'node:util';
import type { KosMode } from './peers/kos.ts';
import { parseModes } from './modes.ts';

export const USAGE =
  'usage: npm run bench -- [--quick] [--only flat,chain,...] [--mode full,normal,pg,pg2|both|all] [--no-peers] [--profile]';

export interface BenchArgs {
  quick: boolean;
  /** The workloads to run, by name, in suite order; all when --only is absent. */
  workloads: string[];
  modes: KosMode[];
  peers: boolean;
  profile: boolean;
}

/** Reads the arguments against the suite's workload names; throws an Error naming what is wrong. */
export function parseBenchArgs(argv: readonly string[], known: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      mode: { type: 'string', default: 'both' },
      profile: { type: 'boolean', default: false },
      'no-peers': { type: 'boolean', default: false },
    },
  });
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((o) => !known.includes(o)) ?? [];
  if (unknown.length > 0) {
    throw new Error(`unknown workload(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  }
  return {
    quick: values.quick,
    workloads: known.filter((w) => !only || only.includes(w)),
    modes: parseModes(values.mode),
    peers: !values['no-peers'],
    profile: values.profile,
  };
}
