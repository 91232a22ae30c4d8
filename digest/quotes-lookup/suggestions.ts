/** "Did you mean": the nearest expert names by edit distance when a query matched nothing. */
import { isCjkName, latinNameWords } from "../names.js";
import type { PersonEntry } from "./model.js";
import type { NameKeyIndex } from "./name-keys.js";

const MAX_SUGGESTIONS = 5;
/** Bounds the work a query that matches nothing can cause. */
const MAX_SUGGESTION_CANDIDATES = 500;

/** Edit distance with an early exit once every cell exceeds `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      row.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = row;
  }
  return prev[b.length] ?? max + 1;
}

/** Name keys sharing a first character, a character pair or a romanised word with the query. */
function suggestionCandidates(names: NameKeyIndex, key: string): Set<string> {
  const out = new Set<string>();
  const addAll = (keys: Iterable<string> | undefined): void => {
    for (const k of keys ?? []) {
      if (out.size >= MAX_SUGGESTION_CANDIDATES) return;
      if (names.isName(k)) out.add(k);
    }
  };
  if (isCjkName(key)) {
    for (let i = 0; i + 1 < key.length; i++) addAll(names.keysWithCjkPrefix(key.slice(i, i + 2)));
    for (let i = 0; i + 1 < key.length; i++) addAll(names.keysWithCjkSubstring(key.slice(i, i + 2)));
    addAll(names.keysWithCjkPrefix(key.slice(0, 1)));
  } else {
    for (const word of latinNameWords(key)) addAll(names.keysWithLatinWord(word));
  }
  return out;
}

/** Up to MAX_SUGGESTIONS names within a third of the key's length in edits, nearest first. */
export function suggestionsFor(names: NameKeyIndex, key: string, nameOf: (person: PersonEntry) => string): string[] {
  if (!key) return [];
  const max = Math.max(1, Math.floor([...key].length / 3));
  const scored: Array<{ name: string; distance: number }> = [];
  const seen = new Set<PersonEntry>();
  for (const candidate of suggestionCandidates(names, key)) {
    const d = editDistance(key, candidate, max);
    if (d > max) continue;
    for (const p of names.personsNamed(candidate)) {
      if (seen.has(p)) continue;
      seen.add(p);
      scored.push({ name: nameOf(p), distance: d });
    }
  }
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return [...new Set(scored.map((s) => s.name))].slice(0, MAX_SUGGESTIONS);
}
