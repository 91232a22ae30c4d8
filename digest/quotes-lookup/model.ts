/** The index's internal model: articles, the experts they mention, their quotes, the persons mentions merge into. */
import type { Expert, Quote } from "../types.js";
import type { IndexedArticle, Person } from "./types.js";

export interface ArticleEntry {
  article: IndexedArticle;
  mentions: Mention[];
  /** In QuoteSet order, which extraction keeps in paragraph order. */
  quotes: QuoteEntry[];
}

/** One expert in one article. */
export interface Mention {
  article: ArticleEntry;
  expert: Expert;
  nameKey: string;
  /** Keys that merge this mention with mentions in other articles (full name, romanised names). */
  linkKeys: string[];
  aliasKeys: string[];
  roleKey: string;
  person: PersonEntry;
  quotes: QuoteEntry[];
}

export interface QuoteEntry {
  mention: Mention;
  quote: Quote;
  /** Position in its article's quote list. */
  order: number;
  textId: number;
  dead: boolean;
}

export interface PersonEntry {
  mentions: Set<Mention>;
  /** Cached, null when stale: newest-first quotes, the public view, role keys, quotes per text id. */
  sorted: QuoteEntry[] | null;
  view: Person | null;
  roleKeys: Set<string> | null;
  textCounts: Map<number, number> | null;
}

/** The key a mention's person id is hashed from: its first link key, else its name key. */
export function identityKey(mention: Mention): string {
  return mention.linkKeys[0] ?? mention.nameKey;
}
