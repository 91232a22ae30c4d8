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

export interface ArticleChange {
  change: number;
  stored: StoredArticle;
}

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
  /**
   * Replaces a stored article's quotes (re-extraction by a newer extractor) without touching its
   * seq, article or updatedAt, if its content is still `contentHash` (the text they were read from:
   * an edit stored meanwhile by another instance keeps its own quotes); false when no article has
   * this id or its content changed.
   */
  setQuotes(id: string, contentHash: string, quotes: QuoteSet): Promise<boolean>;
  /** Ingest order: articles with `seq > afterSeq`, ascending, at most `limit`. */
  since(afterSeq: number, limit: number): Promise<StoredArticle[]>;
  /** The highest seq stored (0 when empty). */
  lastSeq(): Promise<number>;
  /**
   * Articles added or changed (content or quotes by put) after change number `afterChange`, in
   * change order, at most `limit`, each with its change number. Every add or update takes the next
   * change number, so another instance's edit of an old article is seen, which `since` (seq is kept
   * on update) cannot show. setQuotes takes none: it changes nothing a reader sees but quotes of the
   * same text.
   */
  changedSince(afterChange: number, limit: number): Promise<ArticleChange[]>;
  /** The highest change number (0 when empty). */
  lastChange(): Promise<number>;
  close(): Promise<void>;
}

/** A chat that receives digests. */
export interface Subscriber {
  chatId: number;
  /** Interface language chosen for this chat ("zh" | "en"), or null to follow the user's client. */
  lang: string | null;
  status: "active" | "paused";
  /** Why delivery is paused ("blocked", "chat not found", …), null when active. */
  pausedReason: string | null;
  subscribedAt: number;
  /** Ingest-order cursor: the highest article seq this chat has been given a digest for. */
  cursor: number;
}

export type SubscribeResult = "subscribed" | "already" | "resumed";

/**
 * Who gets digests. Unsubscribing deletes; pausing (Telegram said the chat is unreachable) keeps
 * the row so that the chat resumes where it was when it comes back.
 */
export interface SubscriberStore {
  /** New subscribers start at `cursor` (the newest seq now), so their first digest holds only what arrives later. */
  subscribe(chatId: number, opts: { now: number; cursor: number; lang?: string | null }): Promise<SubscribeResult>;
  unsubscribe(chatId: number): Promise<boolean>;
  get(chatId: number): Promise<Subscriber | undefined>;
  pause(chatId: number, reason: string): Promise<boolean>;
  /** Only a paused subscriber resumes; returns whether one did. */
  resume(chatId: number): Promise<boolean>;
  setLang(chatId: number, lang: string | null): Promise<void>;
  /** Moves the cursor of these chats forward (never backward). */
  advanceCursor(chatIds: number[], cursor: number): Promise<void>;
  /** All subscribers by ascending chatId, after `afterChatId`, at most `limit`. */
  page(afterChatId: number | null, limit: number): Promise<Subscriber[]>;
  counts(): Promise<{ active: number; paused: number }>;
  close(): Promise<void>;
}
