import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KosError } from '@kos/protocol';
import { expect } from 'vitest';
import { resolveConfig, type ConfigInput } from './index.ts';
import type { Config } from './types.ts';

/** Helpers shared by the resolveConfig test files. */

/** The two YAML blocks of seed 001 ("Orchestration Configuration", "Agent Policies"), verbatim. */
export const SEED_001_CONFIG = `orchestrator:
  retry:
    max_attempts: 3
    delay_strategy: exponential
    base_delay_ms: 200
    jitter: true
  
  policies:
    fallback_on_error: true
    allow_cross_agent: true
    max_parallel_tasks: 5
  
  security:
    sandbox_required: true
    trust_threshold: 0.7
    audit_all_actions: true

default_policy:
  resource_limits:
    cpu: 1.0
    memory: 512MB
    disk: 1GB
  
  lifecycle:
    max_crashes: 3
    auto_restart: true
    quarantine_threshold: 5
  
  security:
    sandbox_level: strict
    crypto_required: true
`;

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
