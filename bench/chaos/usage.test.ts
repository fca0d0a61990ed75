// The chaos command refuses bad arguments with one line and exit code 2, before running anything.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const results = (): string[] => {
  try {
    return readdirSync(RESULTS).filter((f) => f.startsWith('chaos-'));
  } catch {
    return [];
  }
};

describe('npm run chaos with bad arguments', () => {
  it.each([
    [['--only', 'nope'], /^chaos: unknown scenario\(s\) nope; known: orchestrator-kill/],
    [['--seed', 'abc'], /^chaos: --seed must be an integer, got abc/],
    [['--frobnicate'], /^chaos: Unknown option '--frobnicate'/],
  ])('%j: a usage error, nothing run or written', (argv, message) => {
    const before = results();
    const run = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...argv], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('usage: npm run chaos');
    expect(run.stderr).not.toContain('… ');
    expect(results()).toEqual(before);
  });
});
