import {
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type Transport,
} from '@modelcontextprotocol/client';

/**
 * Pipes JSON-RPC messages both ways between a local transport (stdio, where a desktop client
 * talks) and a remote one (the orchestrator's /mcp), unchanged: the tools, resources, roles and
 * errors are the server's, so `kos mcp` holds none of them. The only state it keeps is what the
 * HTTP transport needs to carry a 2025-era exchange: the version `initialize` negotiated, sent as
 * its MCP-Protocol-Version header (2026-07-28 requests carry their version in each message).
 * A request the remote side cannot take (unreachable, refused before MCP: a 401) is answered
 * locally with a JSON-RPC error naming why, so the client does not wait for it.
 * Resolves when either side closes; the other is then closed too.
 */
export async function bridge(
  local: Transport,
  remote: Transport,
  log: (line: string) => void,
): Promise<void> {
  const initializing = new Set<string | number>();
  const closed = new Promise<void>((resolve) => {
    let done = false;
    const end = (other: Transport) => () => {
      if (done) return;
      done = true;
      void other.close().finally(resolve);
    };
    local.onclose = end(remote);
    remote.onclose = end(local);
  });
  local.onerror = (err) => log(`stdio: ${err.message}`);
  remote.onerror = (err) => log(`orchestrator: ${err.message}`);

  local.onmessage = (message) => {
    const request = isJSONRPCRequest(message) ? message : null;
    if (request?.method === 'initialize') initializing.add(request.id);
    remote.send(message).catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      log(`orchestrator refused ${'method' in message ? message.method : 'a response'}: ${why}`);
      if (request !== null) void local.send(refusal(request.id, why));
    });
  };
  remote.onmessage = (message) => {
    if (isJSONRPCResultResponse(message) && initializing.delete(message.id)) {
      const version = message.result['protocolVersion'];
      if (typeof version === 'string') remote.setProtocolVersion?.(version);
    }
    void local.send(message);
  };

  await remote.start();
  await local.start();
  return closed;
}

function refusal(id: string | number, why: string): JSONRPCMessage {
  return {
    jsonrpc: '2.0',
    id,
    error: { code: -32603, message: `the orchestrator's /mcp refused it: ${why}` },
  };
}
