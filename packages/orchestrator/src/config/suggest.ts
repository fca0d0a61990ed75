/** "did you mean …?" for unknown configuration keys. */

export function closestKey(unknown: string, candidates: readonly string[]): string | undefined {
  const leaf = unknown.slice(unknown.lastIndexOf('.') + 1);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    // A key written in the wrong section (`max_attempts` at the top level) matches on its leaf.
    const candidateLeaf = candidate.slice(candidate.lastIndexOf('.') + 1);
    const d = Math.min(distance(unknown, candidate), leaf === candidateLeaf ? 1 : Infinity);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(2, Math.floor(unknown.length / 4));
  return bestDistance <= tolerance ? best : undefined;
}

/** Levenshtein edit distance. */
export function distance(a: string, b: string): number {
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
