/**
 * Orders and pages: newest first across many lists (a person's articles, the texts a topic word
 * matches), tiers in rank order, experts by how much they are quoted.
 */
import type { PersonEntry, QuoteEntry } from "./model.js";
import type { MatchKind, Person } from "./types.js";

/** Paragraph (reading) order within one article. */
export function readingOrder(a: QuoteEntry, b: QuoteEntry): number {
  return a.quote.paragraph - b.quote.paragraph || a.order - b.order;
}

/** Newest first; within an article, reading order. */
export function newestFirst(a: QuoteEntry, b: QuoteEntry): number {
  const da = a.mention.article.article;
  const db = b.mention.article.article;
  if (da.publishedAt !== db.publishedAt) return db.publishedAt - da.publishedAt;
  if (da.id !== db.id) return da.id < db.id ? -1 : 1;
  return readingOrder(a, b);
}

/**
 * Of many newest-first lists, the at most `n` whose first kept entry is among the `n` best first
 * entries: no other list can contribute to the first `n` of the merge (a topic word may match
 * thousands of texts).
 */
function listsThatCanLead(lists: QuoteEntry[][], n: number, keep?: (entry: QuoteEntry) => boolean): QuoteEntry[][] {
  const best: Array<{ head: QuoteEntry; list: QuoteEntry[] }> = [];
  // Later lists tend to be newer (ids follow ingest order): visiting them first fills `best` with
  // winners early, so most lists are rejected by one comparison.
  for (let i = lists.length - 1; i >= 0; i--) {
    const list = lists[i] ?? [];
    const head = keep ? list.find(keep) : list[0];
    if (!head) continue;
    const worst = best[best.length - 1];
    if (best.length >= n && worst && newestFirst(head, worst.head) >= 0) continue;
    let at = best.length;
    while (at > 0 && newestFirst(head, (best[at - 1] as { head: QuoteEntry }).head) < 0) at--;
    best.splice(at, 0, { head, list });
    if (best.length > n) best.pop();
  }
  return best.map((b) => b.list);
}

/**
 * Walks several newest-first lists as one, skipping `offset`, taking `limit` (entries `keep`
 * rejects are passed over). A binary heap of list heads: a popular surname can bring hundreds of lists.
 */
export function mergeNewestFirst(
  lists: QuoteEntry[][],
  offset: number,
  limit: number,
  keep?: (entry: QuoteEntry) => boolean,
): QuoteEntry[] {
  if (lists.length === 1 && !keep) return (lists[0] ?? []).slice(offset, offset + limit);
  if (lists.length > offset + limit) lists = listsThatCanLead(lists, offset + limit, keep);
  // Heap items: [list index, position in that list].
  const heap: Array<[number, number]> = [];
  const head = (item: [number, number]): QuoteEntry | undefined => lists[item[0]]?.[item[1]];
  const less = (a: [number, number], b: [number, number]): boolean => {
    const x = head(a);
    const y = head(b);
    return x !== undefined && y !== undefined && newestFirst(x, y) < 0;
  };
  const swap = (i: number, j: number): void => {
    const t = heap[i] as [number, number];
    heap[i] = heap[j] as [number, number];
    heap[j] = t;
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l] as [number, number], heap[m] as [number, number])) m = l;
      if (r < heap.length && less(heap[r] as [number, number], heap[m] as [number, number])) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  lists.forEach((list, i) => {
    if (list.length > 0) heap.push([i, 0]);
  });
  // Bottom-up heap construction: O(lists), where a topic word can match thousands of texts.
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  const out: QuoteEntry[] = [];
  let skipped = 0;
  while (out.length < limit && heap.length > 0) {
    const top = heap[0] as [number, number];
    const entry = head(top);
    top[1]++;
    if (head(top) === undefined) {
      const last = heap.pop() as [number, number];
      if (heap.length > 0 && last !== top) heap[0] = last;
    }
    if (heap.length > 0) down(0);
    if (!entry || (keep && !keep(entry))) continue;
    if (skipped < offset) skipped++;
    else out.push(entry);
  }
  return out;
}

/** One match tier of a search: newest-first lists, how many entries they hold, persons to pass over. */
export interface TierGroup {
  match: MatchKind;
  lists: QuoteEntry[][];
  size: number;
  excluded?: Set<PersonEntry>;
}

/** Pages across the groups in rank order (each newest first); `total` counts every group. */
export function pageAcrossTiers<T>(
  groups: readonly TierGroup[],
  offset: number,
  limit: number,
  hitOf: (entry: QuoteEntry, match: MatchKind) => T,
): { total: number; hits: T[] } {
  let total = 0;
  const hits: T[] = [];
  let skip = offset;
  for (const group of groups) {
    total += group.size;
    if (hits.length >= limit) continue;
    if (skip >= group.size) {
      skip -= group.size;
      continue;
    }
    const excluded = group.excluded;
    const keep = excluded && excluded.size > 0 ? (e: QuoteEntry) => !excluded.has(e.mention.person) : undefined;
    for (const e of mergeNewestFirst(group.lists, skip, limit - hits.length, keep)) hits.push(hitOf(e, group.match));
    skip = 0;
  }
  return { total, hits };
}

export interface ExpertRow {
  person: Person;
  quotes: number;
  articles: number;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Most quoted first, then most articles; ties broken by name and id so that the order does not depend on ingest order. */
export function mostQuotedFirst(a: ExpertRow, b: ExpertRow): number {
  return (
    b.quotes - a.quotes ||
    b.articles - a.articles ||
    compareText(a.person.name, b.person.name) ||
    compareText(a.person.id, b.person.id)
  );
}
