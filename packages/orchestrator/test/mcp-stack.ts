/**
 * The MCP tests' stack: a real orchestrator process (@kos/testing), a real agent process
 * (fleet-stack.ts) and the official MCP client over Streamable HTTP.
 */
import { Client, StreamableHTTPClientTransport, type CallToolResult } from '@modelcontextprotocol/client';

export const MODERN = { versionNegotiation: { mode: { pin: '2026-07-28' as const } } };

/** The official client over /mcp with a bearer token; `modern` pins the 2026-07-28 era. */
export async function connectHttp(url: string, token: string, modern = false): Promise<Client> {
  const client = new Client({ name: 'kos-mcp-test', version: '0.0.0' }, modern ? MODERN : {});
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

/** A tool result's structured content, typed by the caller (the REST answer's shape). */
export function structured<T>(result: CallToolResult): T {
  if (result.structuredContent === undefined)
    throw new Error(`no structured content: ${JSON.stringify(result)}`);
  return result.structuredContent as T;
}
