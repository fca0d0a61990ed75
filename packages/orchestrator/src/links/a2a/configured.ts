import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { addA2aAgent, SYSTEM, type Core } from '../../app/index.ts';
import type { Config } from '../../config/types.ts';

/**
 * Registers the remotes of `a2a.agents` (as `kos a2a add` would), in the background after start:
 * a remote that cannot be reached now is logged and skipped, and one registered before keeps
 * driving from its stored card. Registering again is idempotent (same card URL, same agent).
 */
export function registerConfiguredA2aAgents(core: Core, entries: Config['a2a']['agents'], log: Logger): void {
  for (const entry of entries) {
    void (async () => {
      const token = entry.tokenFile === null ? undefined : (await readFile(entry.tokenFile, 'utf8')).trim();
      const { agent } = await addA2aAgent(core, SYSTEM, {
        url: entry.url,
        name: entry.name ?? undefined,
        token,
      });
      log.info(
        { agent_id: agent.id, name: agent.name, card_url: entry.url },
        'A2A agent from the configuration',
      );
    })().catch((err: unknown) =>
      log.warn({ err, card_url: entry.url }, 'A2A agent from the configuration not registered'),
    );
  }
}
