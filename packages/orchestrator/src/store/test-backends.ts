import { afterAll } from 'vitest';
import type { Backend } from './backend.ts';
import { openPostgresBackend } from './postgres/index.ts';
import { createTestDatabase, type TestDatabase } from './postgres/test-database.ts';
import { openSqliteBackend } from './sqlite/index.ts';

/**
 * Test helper: the two backends for `describe.each`, SQLite on a file in the test's folder and
 * PostgreSQL on a database of the calling test file (emptied per test, dropped after the file).
 *
 * ```ts
 * describe.each(testBackends())('verbs on $name', ({ open }) => { … open(dir) … });
 * ```
 */
export function testBackends(): { name: string; open: (dir: string) => Promise<Backend> }[] {
  let pgDatabase: TestDatabase | undefined;
  afterAll(async () => {
    await pgDatabase?.drop();
  });
  return [
    { name: 'sqlite', open: (dir) => openSqliteBackend({ file: `${dir}/kos.db`, synchronous: 'NORMAL' }) },
    {
      name: 'postgres',
      open: async () => {
        pgDatabase ??= await createTestDatabase();
        await pgDatabase.reset();
        return openPostgresBackend({ url: pgDatabase.url });
      },
    },
  ];
}
