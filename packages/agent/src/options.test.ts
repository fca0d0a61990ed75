import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKey, saveKey } from '@kos/protocol/node';
import { resolveAgentOptions } from './options.ts';
import type { AgentOptions } from './options.ts';

const key = generateKey();
const base: AgentOptions = { orchestrator: 'ws://127.0.0.1:7700/klp', name: 'collector', skills: ['x'], key };

describe('resolveAgentOptions', () => {
  it('fills in the defaults', async () => {
    const o = await resolveAgentOptions(base);
    expect(o).toMatchObject({
      urls: ['ws://127.0.0.1:7700/klp'],
      maxParallel: 1,
      heartbeatIntervalMs: undefined,
      backoff: { baseDelayMs: 200, maxDelayMs: 10_000 },
      handleSignals: true,
    });
    expect(o.key).toBe(key);
  });

  it('loads the key from a file when given a path', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kos-agent-')), 'agent.key.json');
    await saveKey(file, key);
    const o = await resolveAgentOptions({ ...base, key: file });
    expect(o.key.kid).toBe(key.kid);
    expect(o.key.publicKey).toBe(key.publicKey);
  });

  it.each<[string, Partial<AgentOptions>]>([
    ['an http URL', { orchestrator: 'http://127.0.0.1:7700/klp' }],
    ['a string that is not a URL', { orchestrator: 'localhost' }],
    ['no URL at all', { orchestrator: [] }],
    ['an empty name', { name: '' }],
    ['no skills', { skills: [] }],
    ['an empty skill', { skills: [''] }],
    ['maxParallel 0', { maxParallel: 0 }],
    ['a fractional heartbeat interval', { heartbeatIntervalMs: 1.5 }],
    ['a max delay below the base delay', { reconnect: { baseDelayMs: 500, maxDelayMs: 100 } }],
  ])('refuses %s with KOS_ERR_CONFIG_INVALID', async (_what, patch) => {
    await expect(resolveAgentOptions({ ...base, ...patch })).rejects.toMatchObject({
      code: 'KOS_ERR_CONFIG_INVALID',
    });
  });
});
