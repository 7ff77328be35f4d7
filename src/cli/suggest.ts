/** Edit distance (insert, delete, substitute), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[t.length] ?? 0;
}

/**
 * The candidates closest to `word`, best first, within a distance that still reads as a typo
 * (a quarter of the word's length, at least 2), and no more than one edit further than the best;
 * a candidate that contains the word counts as close.
 */
export function suggestions(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const budget = Math.max(2, Math.floor(word.length / 4));
  const lower = word.toLowerCase();
  const scored: { candidate: string; score: number }[] = [];
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    const contains = lower.length >= 3 && candidate.toLowerCase().includes(lower);
    if (d <= budget || contains) scored.push({ candidate, score: contains ? Math.min(d, budget) : d });
  }
  scored.sort((a, b) => a.score - b.score || (a.candidate < b.candidate ? -1 : a.candidate > b.candidate ? 1 : 0));
  // Only the nearest: one typo away should not also offer names four edits away.
  const best = scored[0]?.score ?? 0;
  return [...new Set(scored.filter((s) => s.score <= best + 1).map((s) => s.candidate))].slice(0, limit);
}

export function suggest(word: string, candidates: Iterable<string>): string | null {
  return suggestions(word, candidates, 1)[0] ?? null;
}
