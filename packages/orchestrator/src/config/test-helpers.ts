import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KosError } from '@kos/protocol';
import { expect } from 'vitest';
import { resolveConfig, type ConfigInput } from './index.ts';
import type { Config } from './types.ts';

/** Helpers shared by the resolveConfig test files. */

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'kos-config-'));
}

/** A fresh directory holding `kos.yaml` with `yaml` (when given), used as the cwd. */
export function withFile(yaml?: string): string {
  const dir = tempDir();
  if (yaml !== undefined) writeFileSync(path.join(dir, 'kos.yaml'), yaml);
  return dir;
}

export function resolveIn(cwd: string, input: Partial<ConfigInput> = {}): Config {
  return resolveConfig({ env: {}, flags: {}, cwd, ...input });
}

export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KosError);
    const err = e as KosError;
    expect(err.code).toBe('KOS_ERR_CONFIG_INVALID');
    const problems = err.details?.['problems'] as string[];
    expect(err.message).toBe(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return problems;
  }
  throw new Error('expected resolveConfig to throw');
}
