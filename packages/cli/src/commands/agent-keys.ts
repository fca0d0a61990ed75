/**
 * `kos agents rotate-key <id> [--key <file>] [--new-key <file>]`, `kos agents reset-key <id> --reason`:
 * an agent's Ed25519 key (docs/api.md, "Key rotation").
 */
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { generateKey, loadKey, saveKey, signKeyRotation, type AgentKey } from '@kos/protocol/node';
import { Ctx, type Io } from '../context.ts';
import { resolveAgentId } from '../ids.ts';
import { fields } from '../render.ts';

export function registerAgentKeys(agents: Command, io: Io): void {
  agents
    .command('rotate-key <id>')
    .description(
      "move an agent's name (id, id prefix or name) to a new key, signed by the old and the new; its history stays",
    )
    .option('--key <file>', 'its key file now (default: <data dir>/keys/<name>.key)')
    .option(
      '--new-key <file>',
      'the new key file, created if missing (default: a new key replaces --key, the old one kept as <file>.retired)',
    )
    .action(async (id: string, o: { key?: string; newKey?: string }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const agentId = await resolveAgentId(client, id);
      const { agent } = await client.getAgent(agentId);
      const oldPath =
        o.key === undefined ? join(ctx.dataDir, 'keys', `${agent.name}.key`) : resolve(io.cwd, o.key);
      const oldKey = await loadKey(oldPath);
      const newPath = o.newKey === undefined ? `${oldPath}.next` : resolve(io.cwd, o.newKey);
      const newKey = await newKeyAt(newPath, o.newKey === undefined);
      const answer = await client.rotateAgentKey(
        agentId,
        signKeyRotation(agent.name, oldKey, newKey, new Date()),
      );
      let keyFile = newPath;
      if (o.newKey === undefined) {
        // The agent's usual key file now holds the new key, so `kos agent run` picks it up.
        await rename(oldPath, `${oldPath}.retired`);
        await rename(newPath, oldPath);
        keyFile = oldPath;
      }
      ctx.print({ ...answer, key_file: keyFile }, () =>
        [
          fields([
            ['agent', `${answer.name} (${answer.agent_id})`],
            ['old key', answer.old_key],
            ['new key', answer.new_key ?? '-'],
            ['key file', keyFile],
          ]),
          '',
          'Its sessions on the old key have ended: restart the agent with the new key file.',
        ].join('\n'),
      );
    });

  agents
    .command('reset-key <id>')
    .description(
      "unbind an agent's name from a lost or leaked key; its next connection needs an agent token (admin)",
    )
    .requiredOption('--reason <text>', 'why; kept in the event log')
    .action(async (id: string, o: { reason: string }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const client = ctx.client();
      const answer = await client.resetAgentKey(await resolveAgentId(client, id), o.reason);
      ctx.print(
        answer,
        () =>
          `agent ${answer.name}: key ${answer.old_key} unbound; connect it with a new key and an agent token (kos token create --role agent --agent ${answer.name})`,
      );
    });
}

/** The key at `path`; a new one written there if it is missing, or always when `fresh`. */
async function newKeyAt(path: string, fresh: boolean): Promise<AgentKey> {
  if (!fresh && existsSync(path)) return loadKey(path);
  const key = generateKey();
  await saveKey(path, key, { overwrite: fresh });
  return key;
}
