import { editDistance } from "../text/edit-distance.js";

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
