import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Orchestrator, resolveConfig } from '@kos/orchestrator';
import { tempDir } from '@kos/testing';
import { configFile } from './fixtures.ts';

async function started(yaml: string[]) {
  const dataDir = tempDir('kos-a2a-cfg-');
  const file = configFile(['log:\n  level: silent', 'dashboard:\n  enabled: false', ...yaml]);
  const orch = await Orchestrator.start(
    resolveConfig({ env: {}, flags: { port: 0, host: '127.0.0.1', dataDir, configFile: file } }),
  );
  return {
    orch,
    async done() {
      await orch.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe('the a2a configuration section', () => {
  it('serves no A2A route with a2a.enabled false', async () => {
    const { orch, done } = await started(['a2a:\n  enabled: false']);
    try {
      const card = await fetch(`${orch.url}/.well-known/agent-card.json`);
      expect(card.status).toBe(404);
      expect(((await card.json()) as { error: { code: string } }).error.code).toBe('KOS_ERR_ROUTE_NOT_FOUND');
      const rpc = await fetch(`${orch.url}/a2a`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(rpc.status).toBe(404);
    } finally {
      await done();
    }
  });

  it('says in the card that push is on once a2a.push_allowlist names a destination', async () => {
    const { orch, done } = await started(['a2a:\n  push_allowlist: [https://hooks.example.com/a2a/]']);
    try {
      const card = (await (await fetch(`${orch.url}/.well-known/agent-card.json`)).json()) as {
        capabilities: { pushNotifications?: boolean };
      };
      expect(card.capabilities.pushNotifications).toBe(true);
    } finally {
      await done();
    }
  });

  it('refuses an allowlist entry that is not an http(s) URL prefix, naming the key', () => {
    const file = configFile([
      'a2a:\n  push_allowlist: [ftp://files.example.com/, "https://u:p@x.example.com/"]',
    ]);
    expect(() => resolveConfig({ env: {}, flags: { configFile: file } })).toThrow(
      /a2a\.push_allowlist: must be a list of http\(s\) URL prefixes/,
    );
  });
});
