// "did you mean" hints for misspelled spec keys: a typo such as `replica` or
// `containerport` should point at the right key, not just say "unknown field".

/** Edit distance counting insertions, deletions, substitutions and adjacent swaps as 1 each. */
export function editDistance(a: string, b: string): number {
  // Rows of the optimal-string-alignment table; only the last three are ever needed.
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (prev2[j - 2] ?? 0) + 1);
      row.push(best);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The candidate closest to `word` (case-insensitively) within `maxDistance`; the first one wins ties. */
export function closestMatch(word: string, candidates: readonly string[], maxDistance = 2): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
