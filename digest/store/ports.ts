import type { Article, QuoteSet } from "../types.js";

/** An article as a store keeps it: the parsed article, its quotes, and where it sits in ingest order. */
export interface StoredArticle {
  article: Article;
  /** Extracted once at ingest; null when extraction has not run for it. */
  quotes: QuoteSet | null;
  /** Ingest order, 1-based and strictly increasing; kept when the article is updated. */
  seq: number;
  /** Epoch ms of the first time this article was stored. */
  ingestedAt: number;
  /** Epoch ms of the last time its content changed. */
  updatedAt: number;
}

export type PutResult = "added" | "updated" | "unchanged";

export interface Page {
  limit: number;
  offset?: number;
}

/**
 * Where articles live. Keyed by `article.id` (derived from the URL), so the same URL under two
 * file names is one article and an edited file updates it in place.
 */
export interface ArticleStore {
  /** Insert or replace by id; "unchanged" when the stored contentHash equals the new one. */
  put(article: Article, quotes: QuoteSet | null, now: number): Promise<PutResult>;
  get(id: string): Promise<StoredArticle | undefined>;
  /** Newest first by `publishedAt` (ties: higher seq first). */
  latest(page: Page): Promise<StoredArticle[]>;
  count(): Promise<number>;
  /** Ingest order: articles with `seq > afterSeq`, ascending, at most `limit`. */
  since(afterSeq: number, limit: number): Promise<StoredArticle[]>;
  /** The highest seq stored (0 when empty). */
  lastSeq(): Promise<number>;
  close(): Promise<void>;
}
