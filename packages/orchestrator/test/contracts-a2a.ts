/**
 * The remote A2A agent routes (docs/interop.md, "A2A out") in the contracts drive
 * (contracts.test.ts): a card served from this process, added, listed and removed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Call } from './contracts-dashboard.ts';

export async function addListRemoveA2a(call: Call): Promise<void> {
  const server = createServer((_req, res) => {
    const { port } = server.address() as AddressInfo;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        name: 'contracts remote',
        version: '1.0.0',
        supportedInterfaces: [
          { url: `http://127.0.0.1:${port}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        ],
        skills: [{ id: 'contracts-a2a', name: 'contracts', tags: ['unused'] }],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/agent-card.json`;
    const added = await call<{ agent: { id: string } }>(
      'POST /orchestration/a2a/agents',
      '/orchestration/a2a/agents',
      {
        body: { url, name: 'contracts-remote', token: 'not shown' },
      },
    );
    await call('GET /orchestration/a2a/agents', '/orchestration/a2a/agents');
    await call('DELETE /orchestration/a2a/agents/:id', `/orchestration/a2a/agents/${added.body.agent.id}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
