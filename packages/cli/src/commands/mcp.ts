/** `kos mcp`: an MCP server over stdio for desktop clients, bridged to the orchestrator's /mcp. */
import type { Command } from 'commander';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { Ctx, type Io } from '../context.ts';
import { usageError } from '../errors.ts';
import { bridge } from '../mcp-bridge.ts';

export function registerMcp(program: Command, io: Io): void {
  program
    .command('mcp')
    .description(
      "serve MCP over stdio (for a desktop client to start): the orchestrator's /mcp tools and resources, with this token's role",
    )
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const token = ctx.token();
      if (token === null) {
        throw usageError(
          'kos mcp needs a token: --token <secret>, KOS_TOKEN, or --data-dir with admin.token',
        );
      }
      // stdout carries JSON-RPC: everything else goes to stderr.
      ctx.err(`kos mcp: bridging stdio to ${ctx.url}/mcp`);
      await bridge(
        new StdioServerTransport(),
        new StreamableHTTPClientTransport(new URL('/mcp', ctx.url), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
        (line) => ctx.err(`kos mcp: ${line}`),
      );
    });
}
