/** "Did you mean …?" for a mistyped name: configuration keys, CLI commands. */

/**
 * The candidate nearest to `word`, when it is near enough to be a typo of it: within
 * max(2, ¼ of its length) edits. `distanceTo` measures a candidate; edit distance by default.
 */
export function closest(
  word: string,
  candidates: Iterable<string>,
  distanceTo: (candidate: string) => number = (c) => editDistance(word, c),
): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distanceTo(candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

/** Levenshtein edit distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
