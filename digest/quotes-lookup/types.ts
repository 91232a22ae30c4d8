/** The quote lookup's public shapes (re-exported by digest/quote-index.ts). */
import type { Article, Quote, QuoteSet } from "../types.js";

export interface IndexedArticle {
  id: string;
  title: string;
  url: string;
  publishedAt: number;
  source: string;
}

export type MatchKind = "name" | "alias" | "partial" | "topic";

export interface Person {
  /** 8 base36 chars, stable: a hash of the canonical name's key; usable in a deep link q_<id>. */
  id: string;
  name: string;
  aliases: string[];
  roles: string[];
}

export interface QuoteHit {
  person: Person;
  /** The role as that article gives it. */
  role: string;
  quote: Quote;
  article: IndexedArticle;
  match: MatchKind;
}

export interface QuoteSearchResult {
  total: number;
  hits: QuoteHit[];
  /** The best tier that matched, null when nothing did. */
  match: MatchKind | null;
  /** Nearest expert names when nothing matched. */
  suggestions: string[];
}

export interface QuotePage {
  limit: number;
  offset?: number;
}

export interface QuoteIndex {
  /** Adds an article's quotes, replacing its earlier entries. */
  upsert(article: IndexedArticle, quotes: QuoteSet): void;
  remove(articleId: string): void;
  /** Tiers name > alias > partial > topic; within a tier newest first. */
  search(query: string, page: QuotePage): QuoteSearchResult;
  person(id: string): Person | undefined;
  personQuotes(id: string, page: QuotePage): { total: number; hits: QuoteHit[] };
  /** The article's quotes in paragraph order, each with the role the article gives its speaker. */
  articleQuotes(articleId: string): QuoteHit[];
  topExperts(limit: number): Array<{ person: Person; quotes: number; articles: number }>;
  stats(): { articles: number; persons: number; quotes: number };
}

/** The lookup's view of a parsed article. */
export function indexedArticleOf(article: Article): IndexedArticle {
  return {
    id: article.id,
    title: article.title,
    url: article.url,
    publishedAt: article.publishedAt,
    source: article.source,
  };
}
