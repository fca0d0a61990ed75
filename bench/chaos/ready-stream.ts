// A steady stream of work: keeps a number of tasks ready, topping the queue up every 20 ms, so
// every agent slot stays busy for as long as a scenario needs.
import type { Http } from '@kos/testing';
import { countByState, submitDag, type DagTaskSpec } from './event-log.ts';
import { sleep } from './timing.ts';

/**
 * Keeps `target` tasks ready until stopped, each top-up one goal titled `<goal> <n>` of tasks made
 * by `task(i)`; `stop` answers the ids of every task it submitted.
 */
export function readyStream(
  api: Http,
  target: number,
  goal: string,
  task: (i: number) => DagTaskSpec,
): { stop(): Promise<Set<string>> } {
  const ids = new Set<string>();
  let running = true;
  let goals = 0;
  const loop = (async () => {
    while (running) {
      const ready = (await countByState(api)).ready ?? 0;
      if (ready < target) {
        const { ids: got } = await submitDag(
          api,
          `${goal} ${goals++}`,
          Array.from({ length: target - ready }, (_, i) => task(i)),
        );
        for (const id of got.values()) ids.add(id);
      }
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return ids;
    },
  };
}
