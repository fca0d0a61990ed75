import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, useServer } from '@kos/testing';
import { SEED_001_CONFIG } from '../src/config/test-helpers.ts';

interface NotEnforcedLine {
  msg: string;
  keys: { key: string; from: string; why: string }[];
}

/** Seed 001's own configuration blocks, as a kos.yaml, must start the orchestrator. */
describe('an orchestrator started on seed 001’s configuration', () => {
  const file = path.join(tempDir('kos-seed-config-'), 'kos.yaml');
  writeFileSync(file, SEED_001_CONFIG);
  const running = useServer({ configFile: file });

  it('listens, and says at start-up which keys it accepted but does not enforce yet', async () => {
    expect((await running.admin.get('/orchestration/status')).status).toBe(200);
    const line = running.server.lines.find((l) => l.includes('accepted but not yet enforced'));
    expect(line).toBeDefined();
    const parsed = JSON.parse(line!) as NotEnforcedLine;
    expect(parsed.msg).toBe('configuration keys accepted but not yet enforced');
    expect(parsed.keys.map((k) => k.key)).toEqual([
      'security.sandbox_required',
      'default_policy.resource_limits.cpu',
      'default_policy.resource_limits.memory',
      'default_policy.resource_limits.disk',
      'default_policy.lifecycle.max_crashes',
      'default_policy.lifecycle.auto_restart',
      'default_policy.lifecycle.quarantine_threshold',
      'default_policy.security.sandbox_level',
      'default_policy.security.crypto_required',
    ]);
    expect(parsed.keys.every((k) => k.from === file && k.why.length > 10)).toBe(true);
  });
});
