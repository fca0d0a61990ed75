/** `kos keys generate <file>`: an Ed25519 agent identity, written with mode 0600. */
import type { Command } from 'commander';
import { generateKey, saveKey } from '@kos/protocol/node';
import { Ctx, type Io } from '../context.ts';
import { fields } from '../render.ts';
import { resolve } from 'node:path';

export function registerKeys(program: Command, io: Io): void {
  const keys = program.command('keys').description('agent identities (Ed25519 keys)');
  keys
    .command('generate')
    .description('create an agent key file (mode 0600); its name binds to this key on first connection')
    .argument('<file>', 'where to write the key, e.g. .kos/keys/collector.key')
    .option('--force', 'overwrite an existing file')
    .action(async (file: string, o: { force?: boolean }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      const path = resolve(io.cwd, file);
      const key = generateKey();
      await saveKey(path, key, { overwrite: o.force === true });
      const answer = { file: path, kid: key.kid, public_key: key.publicKey };
      ctx.print(answer, () =>
        fields([
          ['file', path],
          ['kid', key.kid],
          ['public key', key.publicKey],
        ]),
      );
    });
}
