/**
 * Configuration: compiled once at start from defaults, kos.yaml, environment and flags.
 *
 * ```ts
 * import { resolveConfig } from './config/index.ts';
 * const config = resolveConfig({ env: process.env, flags: { port: opts.port, configFile: opts.config } });
 * config.leases.ttlMs; // 30000 unless configured
 * ```
 */
export { resolveConfig } from './resolve.ts';
export type { ConfigInput } from './resolve.ts';
export type { Config } from './types.ts';
