// `--mode`: which store setups kOS runs on, as a comma list (pure, for main.ts).
import type { KosMode } from './peers/kos.ts';

const NAMED: Record<string, readonly KosMode[]> = {
  full: ['FULL'],
  normal: ['NORMAL'],
  pg: ['PG'],
  pg2: ['PG2'],
  both: ['FULL', 'NORMAL'],
  all: ['FULL', 'NORMAL', 'PG', 'PG2'],
};

/** `full,pg,pg2` → ['FULL', 'PG', 'PG2']: in the order given, each once; throws on an unknown name. */
export function parseModes(value: string): KosMode[] {
  const modes: KosMode[] = [];
  for (const name of value.split(',').map((s) => s.trim().toLowerCase())) {
    const named = NAMED[name];
    if (!named)
      throw new Error(`--mode takes a comma list of ${Object.keys(NAMED).join(', ')}; got '${name}'`);
    for (const m of named) if (!modes.includes(m)) modes.push(m);
  }
  return modes;
}
