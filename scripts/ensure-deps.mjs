// Installs dependencies when a fresh clone has none (or the lock file changed since the last
// install), so that `npm start` and `npm test` work as the first command on a new machine.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale =
  !existsSync(marker) ||
  (existsSync('package-lock.json') && statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  const cmd = existsSync('package-lock.json') ? 'npm ci' : 'npm install';
  console.error(
    `kos: installing dependencies (${cmd}); the first time builds better-sqlite3 and takes a few minutes`,
  );
  execSync(cmd, { stdio: 'inherit' });
}
