/** "did you mean …?" for unknown configuration keys. */
import { closest, editDistance } from '@kos/protocol';

/** The known key nearest to `unknown`; a key written in the wrong section (`max_attempts` at the top level) matches on its leaf. */
export function closestKey(unknown: string, candidates: readonly string[]): string | undefined {
  const leaf = leafOf(unknown);
  return closest(unknown, candidates, (candidate) =>
    Math.min(editDistance(unknown, candidate), leafOf(candidate) === leaf ? 1 : Infinity),
  );
}

function leafOf(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1);
}
