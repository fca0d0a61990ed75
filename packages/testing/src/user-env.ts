/**
 * The environment of a user's process: tests run the workspace packages from source (NODE_OPTIONS
 * carries `--conditions=kos-source`, see vitest.config.ts); a child that must run the compiled
 * packages, as `kos` and installed packages do, gets the environment without it.
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  const options = (env.NODE_OPTIONS ?? '').replace(/--conditions=kos-source/g, '').trim();
  if (options === '') delete env.NODE_OPTIONS;
  else env.NODE_OPTIONS = options;
  return env;
}
