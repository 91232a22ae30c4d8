/** An ArticleStore in process memory: for tests and console mode; same contract as SQLite. */
import type { Article, QuoteSet } from "../types.js";
import type { ArticleChange, ArticleStore, Page, PutResult, StoredArticle } from "./ports.js";
import { requireCount, StoreClosedError } from "./errors.js";

/** Newest first by publishedAt, ties broken by higher seq: the order of `latest()`. */
const newestFirst = (a: StoredArticle, b: StoredArticle): number =>
  b.article.publishedAt - a.article.publishedAt || b.seq - a.seq;

export function createMemoryArticleStore(): ArticleStore {
  const byId = new Map<string, StoredArticle>();
  // Ids in ingest order: the article with seq n sits at index n - 1 (seq is kept on update and no
  // article is ever removed), so `since` is a slice.
  const idsBySeq: string[] = [];
  /** Each article's last change number; a Map keeps insertion order, so re-inserting moves it last. */
  const changes = new Map<string, number>();
  let lastChange = 0;
  const changed = (id: string): void => {
    changes.delete(id);
    changes.set(id, ++lastChange);
  };
  let closed = false;

  const open = (operation: string): void => {
    if (closed) throw new StoreClosedError("MemoryArticleStore", operation);
  };
  // Copies in and out, so callers can no more mutate stored state here than in SQLite.
  const copy = (stored: StoredArticle): StoredArticle => structuredClone(stored);

  return {
    async put(article: Article, quotes: QuoteSet | null, now: number): Promise<PutResult> {
      open("put");
      const existing = byId.get(article.id);
      if (existing === undefined) {
        const seq = idsBySeq.length + 1;
        byId.set(article.id, copy({ article, quotes, seq, ingestedAt: now, updatedAt: now }));
        idsBySeq.push(article.id);
        changed(article.id);
        return "added";
      }
      const quotesArrived = existing.quotes === null && quotes !== null;
      if (existing.article.contentHash === article.contentHash && !quotesArrived) return "unchanged";
      byId.set(article.id, copy({ ...existing, article, quotes, updatedAt: now }));
      changed(article.id);
      return "updated";
    },
    async setQuotes(id, contentHash, quotes) {
      open("setQuotes");
      const existing = byId.get(id);
      if (existing === undefined || existing.article.contentHash !== contentHash) return false;
      byId.set(id, copy({ ...existing, quotes }));
      return true;
    },
    async get(id) {
      open("get");
      const found = byId.get(id);
      return found === undefined ? undefined : copy(found);
    },
    async latest(page: Page) {
      open("latest");
      const limit = requireCount("latest", "limit", page.limit);
      const offset = requireCount("latest", "offset", page.offset ?? 0);
      return [...byId.values()].sort(newestFirst).slice(offset, offset + limit).map(copy);
    },
    async count() {
      open("count");
      return byId.size;
    },
    async since(afterSeq, limit) {
      open("since");
      requireCount("since", "afterSeq", afterSeq);
      requireCount("since", "limit", limit);
      return idsBySeq.slice(afterSeq, afterSeq + limit).map((id) => copy(byId.get(id)!));
    },
    async lastSeq() {
      open("lastSeq");
      return idsBySeq.length;
    },
    async changedSince(afterChange, limit) {
      open("changedSince");
      requireCount("changedSince", "afterChange", afterChange);
      requireCount("changedSince", "limit", limit);
      const out: ArticleChange[] = [];
      for (const [id, change] of changes) {
        if (out.length >= limit) break;
        if (change > afterChange) out.push({ change, stored: copy(byId.get(id)!) });
      }
      return out;
    },
    async lastChange() {
      open("lastChange");
      return lastChange;
    },
    async close() {
      closed = true;
    },
  };
}
