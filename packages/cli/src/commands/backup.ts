/**
 * `kos backup <file>` and `kos restore <file>`: the embedded store (`<data dir>/kos.db`) copied
 * online while the orchestrator serves, and put back while it is stopped. PostgreSQL stores are
 * backed up with pg_dump (docs/operations.md).
 */
import { resolve, join } from 'node:path';
import type { Command } from 'commander';
import type { StoreSummary } from '@kos/orchestrator';
import { Ctx, type Io } from '../context.ts';
import { CliError } from '../errors.ts';
import { fields } from '../render.ts';

/** The store a backup is about: only the embedded one; a PostgreSQL URL is pg_dump's job. */
function sqliteOnly(io: Io): void {
  const store = io.env.KOS_STORE;
  if (store !== undefined && store !== '' && store !== 'sqlite') {
    throw new CliError(
      'usage',
      'KOS_STORE is a PostgreSQL URL: back it up with pg_dump -Fc and restore with pg_restore (docs/operations.md)',
    );
  }
}

export function registerBackup(program: Command, io: Io): void {
  program
    .command('backup')
    .description("copy the embedded store to <file> while the orchestrator serves (SQLite's online backup)")
    .argument('<file>', 'where to write the backup, e.g. backups/kos-2026-12-07.db')
    .option('--force', 'replace an existing file')
    .action(async (file: string, o: { force?: boolean }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      sqliteOnly(io);
      const { backupSqlite, SQLITE_FILE } = await import('@kos/orchestrator');
      const summary = await backupSqlite(join(ctx.dataDir, SQLITE_FILE), resolve(io.cwd, file), {
        overwrite: o.force === true,
      });
      ctx.print(summary, () => `backup written\n${summaryFields(summary)}`);
    });

  program
    .command('restore')
    .description('put a backup in place as the store of --data-dir (stop the orchestrator first)')
    .argument('<file>', 'a file written by kos backup')
    .option('--force', 'replace an existing store (it is kept beside it as kos.db.replaced-<time>)')
    .action(async (file: string, o: { force?: boolean }, cmd: Command) => {
      const ctx = Ctx.of(io, cmd);
      sqliteOnly(io);
      const { restoreSqlite, SQLITE_FILE } = await import('@kos/orchestrator');
      const summary = await restoreSqlite(resolve(io.cwd, file), join(ctx.dataDir, SQLITE_FILE), {
        overwrite: o.force === true,
      });
      ctx.print(summary, () =>
        [
          'store restored',
          summaryFields(summary),
          ...(summary.replaced === null ? [] : [`the previous store is kept as ${summary.replaced}`]),
        ].join('\n'),
      );
    });
}

function summaryFields(s: StoreSummary): string {
  return fields([
    ['file', s.file],
    ['size', `${(s.bytes / 1024).toFixed(0)} KiB`],
    ['schema', `v${s.schemaVersion}`],
    ['goals', String(s.goals)],
    ['tasks', String(s.tasks)],
    ['events', `${s.events} (last seq ${s.lastEventSeq})`],
  ]);
}
