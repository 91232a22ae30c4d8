/** The topic tier: quotes whose text holds the query's words, in either script or the glossary's other language. */
import { toSimplified, toTraditional } from "../names.js";
import type { PersonEntry, QuoteEntry } from "./model.js";
import { textCountsOf } from "./person-views.js";
import { containsTerm, foldText, type TextTable } from "./text-index.js";

/**
 * Topic words asked in one language and printed in another: a user types "supply chain" over a
 * mostly Chinese corpus. Small on purpose: each group is a set of forms of one topic.
 */
const TOPIC_GROUPS: readonly (readonly string[])[] = [
  ["supply chain", "供应链"],
  ["semiconductor", "半导体"],
  ["chip", "芯片"],
  ["tariff", "关税"],
  ["trade war", "贸易战"],
  ["artificial intelligence", "人工智能"],
  ["human rights", "人权"],
  ["democracy", "民主"],
  ["election", "选举"],
  ["sanction", "制裁"],
  ["national security", "国家安全"],
  ["export control", "出口管制"],
  ["pandemic", "疫情"],
  ["vaccine", "疫苗"],
  ["alliance", "同盟"],
  ["taiwan", "台湾"],
  ["hong kong", "香港"],
  ["south china sea", "南海"],
  ["press freedom", "新闻自由"],
];

function topicForms(folded: string): string[] {
  const singular = folded.replace(/s$/u, "");
  const group = TOPIC_GROUPS.find((g) => g.includes(folded) || g.includes(singular));
  return group ? [...group] : [folded];
}

/** Ids of quote texts containing the query's words, in either script (and the glossary's other language). */
function topicTextIds(texts: TextTable, query: string): number[] {
  const folded = foldText(query).trim();
  if ([...folded.replace(/\s+/gu, "")].length < 2) return [];
  const variants = new Set<string>();
  for (const form of topicForms(toSimplified(folded))) {
    variants.add(form);
    variants.add(toTraditional(form));
  }
  variants.add(folded);
  const textIds = new Set<number>();
  for (const variant of variants) {
    const terms = variant.split(/\s+/u).filter((t) => t.length > 0);
    // Terms of one character cannot use the bigram index; they only narrow longer ones.
    const indexed = terms.filter((t) => t.length >= 2);
    if (indexed.length === 0) continue;
    for (const id of texts.find(indexed)) {
      if (indexed.length === terms.length || terms.every((t) => containsTerm(texts.textOf(id), t))) textIds.add(id);
    }
  }
  return [...textIds];
}

/** Topic hits: quotes with those texts, minus those of people already matched by name. */
export function topicGroup(
  texts: TextTable,
  query: string,
  matched: readonly PersonEntry[],
): { lists: QuoteEntry[][]; total: number } {
  const ids = topicTextIds(texts, query);
  const lists: QuoteEntry[][] = [];
  let total = 0;
  for (const id of ids) {
    const entries = texts.entriesOf(id);
    if (entries.length === 0) continue;
    lists.push(entries);
    total += entries.length;
  }
  // Subtract the matched people's own quotes, walking whichever side is smaller.
  const idSet = new Set(ids);
  for (const p of matched) {
    const counts = textCountsOf(p);
    if (counts.size < idSet.size) {
      for (const [id, n] of counts) if (idSet.has(id)) total -= n;
    } else {
      for (const id of ids) total -= counts.get(id) ?? 0;
    }
  }
  return { lists, total };
}
