/** What is derived from a person's mentions, cached until they change: its public view, quotes newest first, role keys, text counts. */
import { normalizeName } from "../names.js";
import { identityKey, type Mention, type PersonEntry, type QuoteEntry } from "./model.js";
import { newestFirst } from "./ranking.js";
import { shortId } from "./short-id.js";
import type { Person } from "./types.js";

/** Drops the cached views after the person's mentions or quotes changed. */
export function markStale(person: PersonEntry): void {
  person.sorted = null;
  person.view = null;
  person.roleKeys = null;
  person.textCounts = null;
}

export function quotesOf(person: PersonEntry): QuoteEntry[] {
  if (person.sorted) return person.sorted;
  const all: QuoteEntry[] = [];
  for (const m of person.mentions) for (const q of m.quotes) all.push(q);
  person.sorted = all.sort(newestFirst);
  return person.sorted;
}

export function roleKeysOf(person: PersonEntry): Set<string> {
  person.roleKeys ??= new Set([...person.mentions].map((m) => m.roleKey));
  return person.roleKeys;
}

/** How many of the person's quotes have each text id (to keep them out of the topic tier). */
export function textCountsOf(person: PersonEntry): Map<number, number> {
  if (person.textCounts) return person.textCounts;
  const counts = new Map<number, number>();
  for (const m of person.mentions) for (const q of m.quotes) counts.set(q.textId, (counts.get(q.textId) ?? 0) + 1);
  person.textCounts = counts;
  return counts;
}

/** Most frequent name key wins (ties: the lexically smallest), so the id does not depend on ingest order. */
function canonicalMention(person: PersonEntry): Mention | undefined {
  const counts = new Map<string, { count: number; newest: Mention }>();
  for (const m of person.mentions) {
    const id = identityKey(m);
    const c = counts.get(id);
    if (!c) counts.set(id, { count: 1, newest: m });
    else {
      c.count++;
      if (m.article.article.publishedAt > c.newest.article.article.publishedAt) c.newest = m;
    }
  }
  let best: { key: string; count: number; newest: Mention } | undefined;
  for (const [key, c] of counts) {
    if (!best || c.count > best.count || (c.count === best.count && key < best.key)) best = { key, ...c };
  }
  return best?.newest;
}

/** The public view: canonical name, other forms and roles newest first; `idOf` registers the id. */
export function viewOf(person: PersonEntry, idOf: (identity: string) => string): Person {
  if (person.view) return person.view;
  const canonical = canonicalMention(person);
  const name = canonical?.expert.name ?? "";
  const byNewest = [...person.mentions].sort((a, b) => b.article.article.publishedAt - a.article.article.publishedAt);
  const aliases: string[] = [];
  const seenAliasKeys = new Set([canonical?.nameKey ?? ""]);
  const roles: string[] = [];
  for (const m of byNewest) {
    for (const form of [m.expert.name, ...m.expert.aliases]) {
      const key = normalizeName(form);
      if (key && !seenAliasKeys.has(key)) {
        seenAliasKeys.add(key);
        aliases.push(form);
      }
    }
    if (m.expert.role && !roles.includes(m.expert.role)) roles.push(m.expert.role);
  }
  const id = canonical ? idOf(identityKey(canonical)) : shortId("");
  person.view = { id, name, aliases, roles };
  return person.view;
}
