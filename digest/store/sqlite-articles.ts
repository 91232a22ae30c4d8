/** The SQLite ArticleStore: one row per article id, in the `articles` table of a SqliteDb. */
import type { Article, QuoteSet } from "../types.js";
import type { ArticleChange, ArticleStore, Page, PutResult, StoredArticle } from "./ports.js";
import { requireCount, StoreClosedError, StoredDataError } from "./errors.js";
import type { SqliteDb } from "./sqlite-db.js";

interface ArticleRow {
  id: string;
  seq: number;
  json: string;
  quotes: string | null;
  ingested_at: number;
  updated_at: number;
}

interface ExistingRow {
  content_hash: string;
  has_quotes: 0 | 1;
}

const COLUMNS = "id, seq, json, quotes, ingested_at, updated_at";

function parseColumn<T>(row: ArticleRow, column: "json" | "quotes", text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new StoredDataError("articles", row.id, column, { cause: error });
  }
}

function toStored(row: ArticleRow): StoredArticle {
  return {
    article: parseColumn<Article>(row, "json", row.json),
    quotes: row.quotes === null ? null : parseColumn<QuoteSet>(row, "quotes", row.quotes),
    seq: row.seq,
    ingestedAt: row.ingested_at,
    updatedAt: row.updated_at,
  };
}

/**
 * An ArticleStore over `db`. `close()` only retires this store: the SqliteDb is shared with the
 * other adapters, so whoever opened it closes it.
 */
export function createSqliteArticleStore(db: SqliteDb): ArticleStore {
  const c = db.connection;
  const selectExisting = c.prepare<[string], ExistingRow>(
    "SELECT content_hash, quotes IS NOT NULL AS has_quotes FROM articles WHERE id = ?",
  );
  // seq = max + 1 inside the write transaction: ingest order without gaps, and no row is ever
  // deleted, so a seq is never reused.
  const insert = c.prepare(
    `INSERT INTO articles (id, seq, url, published_at, content_hash, json, quotes, ingested_at, updated_at, change)
     VALUES (@id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM articles), @url, @publishedAt, @contentHash,
             @json, @quotes, @now, @now, (SELECT COALESCE(MAX(change), 0) + 1 FROM articles))`,
  );
  const update = c.prepare(
    `UPDATE articles SET url = @url, published_at = @publishedAt, content_hash = @contentHash,
       json = @json, quotes = @quotes, updated_at = @now, change = (SELECT MAX(change) + 1 FROM articles)
     WHERE id = @id`,
  );
  const updateQuotes = c.prepare<[string, string, string]>("UPDATE articles SET quotes = ? WHERE id = ? AND content_hash = ?");
  const selectOne = c.prepare<[string], ArticleRow>(`SELECT ${COLUMNS} FROM articles WHERE id = ?`);
  const selectLatest = c.prepare<[number, number], ArticleRow>(
    `SELECT ${COLUMNS} FROM articles ORDER BY published_at DESC, seq DESC LIMIT ? OFFSET ?`,
  );
  const selectSince = c.prepare<[number, number], ArticleRow>(
    `SELECT ${COLUMNS} FROM articles WHERE seq > ? ORDER BY seq LIMIT ?`,
  );
  const selectCount = c.prepare<[], number>("SELECT COUNT(*) FROM articles").pluck();
  const selectLastSeq = c.prepare<[], number>("SELECT COALESCE(MAX(seq), 0) FROM articles").pluck();
  const selectChanged = c.prepare<[number, number], ArticleRow & { change: number }>(
    `SELECT ${COLUMNS}, change FROM articles WHERE change > ? ORDER BY change LIMIT ?`,
  );
  const selectLastChange = c.prepare<[], number>("SELECT COALESCE(MAX(change), 0) FROM articles").pluck();

  const putInTransaction = c.transaction((article: Article, quotes: QuoteSet | null, now: number): PutResult => {
    const existing = selectExisting.get(article.id);
    const params = {
      id: article.id,
      url: article.url,
      publishedAt: article.publishedAt,
      contentHash: article.contentHash,
      json: JSON.stringify(article),
      quotes: quotes === null ? null : JSON.stringify(quotes),
      now,
    };
    if (existing === undefined) {
      insert.run(params);
      return "added";
    }
    const quotesArrived = existing.has_quotes === 0 && quotes !== null;
    if (existing.content_hash === article.contentHash && !quotesArrived) return "unchanged";
    update.run(params);
    return "updated";
  });

  let closed = false;
  const open = (operation: string): void => {
    if (closed) throw new StoreClosedError("SqliteArticleStore", operation);
  };

  return {
    async put(article, quotes, now) {
      open("put");
      // IMMEDIATE: take the write lock before reading, so another process cannot slip in between
      // the read of the stored hash and the write (and so seq = max + 1 stays unique).
      return putInTransaction.immediate(article, quotes, now);
    },
    async setQuotes(id, contentHash, quotes) {
      open("setQuotes");
      return updateQuotes.run(JSON.stringify(quotes), id, contentHash).changes === 1;
    },
    async get(id) {
      open("get");
      const row = selectOne.get(id);
      return row === undefined ? undefined : toStored(row);
    },
    async latest(page: Page) {
      open("latest");
      const limit = requireCount("latest", "limit", page.limit);
      const offset = requireCount("latest", "offset", page.offset ?? 0);
      return selectLatest.all(limit, offset).map(toStored);
    },
    async count() {
      open("count");
      return selectCount.get()!;
    },
    async since(afterSeq, limit) {
      open("since");
      requireCount("since", "afterSeq", afterSeq);
      return selectSince.all(afterSeq, requireCount("since", "limit", limit)).map(toStored);
    },
    async lastSeq() {
      open("lastSeq");
      return selectLastSeq.get()!;
    },
    async changedSince(afterChange, limit): Promise<ArticleChange[]> {
      open("changedSince");
      requireCount("changedSince", "afterChange", afterChange);
      return selectChanged.all(afterChange, requireCount("changedSince", "limit", limit)).map((row) => ({ change: row.change, stored: toStored(row) }));
    },
    async lastChange() {
      open("lastChange");
      return selectLastChange.get()!;
    },
    async close() {
      closed = true;
    },
  };
}
