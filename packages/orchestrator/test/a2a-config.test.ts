import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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

  it('keeps a quiet stream open with a comment line every events.stream_heartbeat_ms', async () => {
    const { orch, done } = await started(['events:\n  stream_heartbeat_ms: 50']);
    const abort = new AbortController();
    try {
      const token = (await readFile(orch.adminTokenPath, 'utf8')).trim();
      const params = {
        message: {
          messageId: 'q',
          role: 'ROLE_USER',
          parts: [{ data: { goal: 'quiet', tasks: [{ name: 'w', skills: ['nobody'] }] } }],
        },
      };
      const res = await fetch(`${orch.url}/a2a`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'A2A-Version': '1.0',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendStreamingMessage', params }),
        signal: abort.signal,
      });
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      let text = '';
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        if (text.includes(': keep-alive')) break;
      }
      expect(text).toMatch(/^data: \{"jsonrpc":"2.0","id":1,"result":\{"task"/);
      expect(text).toContain(': keep-alive\n\n');
    } finally {
      abort.abort();
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
