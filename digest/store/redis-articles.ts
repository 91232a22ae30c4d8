/**
 * The Redis ArticleStore. Under the connection's prefix:
 *   article:<id>            hash: article (JSON), quotes (JSON, absent for null), hash, seq,
 *                           publishedAt, ingestedAt, updatedAt
 *   articles:seq            counter: the last seq handed out (articles are never deleted, so no gaps)
 *   articles:by-seq         sorted set: id scored by seq, for since()
 *   articles:by-published   sorted set: "<seq, 16 digits>:<id>" scored by publishedAt, for latest()
 *   articles:change         counter: the last change number handed out (every add or update)
 *   articles:by-change      sorted set: id scored by its last change number, for changedSince()
 *
 * Articles live in Redis itself, not on a shared path with a Redis index: every instance must answer
 * /latest and /full with no shared disk, and a whole article (≈10 kB of JSON) is small for Redis.
 */
import type { Article, QuoteSet } from "../types.js";
import type { ArticleChange, ArticleStore, Page, PutResult, StoredArticle } from "./ports.js";
import { requireCount, StoreClosedError, StoredDataError } from "./errors.js";
import { defineLuaScript } from "./redis-connection.js";
import type { RedisConnection } from "./redis-connection.js";

/** The hash fields read back for a StoredArticle, in this order. */
const READ_FIELDS = ["article", "quotes", "seq", "ingestedAt", "updatedAt"] as const;
type ArticleFields = [string | null, string | null, string | null, string | null, string | null];

/**
 * Insert or update in one step, so that two instances ingesting the same file cannot both add it
 * and seq stays unique. Ties in latest() order by higher seq first: members with the same score
 * sort by their bytes, and ZREVRANGE reads them backwards, so the seq is zero-padded to sort as text.
 * KEYS: article hash, seq counter, by-seq, by-published, change counter, by-change.
 * ARGV: id, contentHash, article JSON, "1"/"0" has quotes, quotes JSON, publishedAt, now.
 */
const PUT = defineLuaScript(
  "articles.put",
  `
local key, seqKey, bySeq, byPublished, changeKey, byChange = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local id, hash, json, hasQuotes, quotes, publishedAt, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == "1", ARGV[5], ARGV[6], ARGV[7]
local stored = redis.call("HMGET", key, "hash", "seq")
if not stored[1] then
  local seq = redis.call("INCR", seqKey)
  redis.call("HSET", key, "article", json, "hash", hash, "seq", seq, "publishedAt", publishedAt, "ingestedAt", now, "updatedAt", now)
  if hasQuotes then redis.call("HSET", key, "quotes", quotes) end
  redis.call("ZADD", bySeq, seq, id)
  redis.call("ZADD", byPublished, publishedAt, string.format("%016d", seq) .. ":" .. id)
  redis.call("ZADD", byChange, redis.call("INCR", changeKey), id)
  return "added"
end
local quotesArrived = hasQuotes and redis.call("HEXISTS", key, "quotes") == 0
if stored[1] == hash and not quotesArrived then return "unchanged" end
redis.call("HSET", key, "article", json, "hash", hash, "publishedAt", publishedAt, "updatedAt", now)
if hasQuotes then redis.call("HSET", key, "quotes", quotes) else redis.call("HDEL", key, "quotes") end
redis.call("ZADD", byPublished, publishedAt, string.format("%016d", tonumber(stored[2])) .. ":" .. id)
redis.call("ZADD", byChange, redis.call("INCR", changeKey), id)
return "updated"
`,
);

/**
 * Replaces the quotes of an article that exists with this content hash (1), else writes nothing (0).
 * KEYS: article hash. ARGV: content hash, quotes JSON.
 */
const SET_QUOTES = defineLuaScript(
  "articles.setQuotes",
  `
if redis.call("HGET", KEYS[1], "hash") ~= ARGV[1] then return 0 end
redis.call("HSET", KEYS[1], "quotes", ARGV[2])
return 1
`,
);

/**
 * Reads the rows of a page of ids in the same step that chose them, so an article updated meanwhile
 * is never half old, half new. KEYS: the index. ARGV: article key prefix, "seq"|"published", a, b.
 * For "seq": ids with seq > a, at most b. For "published": ranks a..b from the newest.
 */
const READ_PAGE = defineLuaScript(
  "articles.readPage",
  `
local index, articlePrefix, mode = KEYS[1], ARGV[1], ARGV[2]
local members
if mode == "seq" then
  members = redis.call("ZRANGEBYSCORE", index, "(" .. ARGV[3], "+inf", "LIMIT", 0, ARGV[4])
else
  members = redis.call("ZREVRANGE", index, ARGV[3], ARGV[4])
end
local rows = {}
for i, member in ipairs(members) do
  local id = member
  if mode ~= "seq" then id = string.sub(member, 18) end
  local row = redis.call("HMGET", articlePrefix .. id, "article", "quotes", "seq", "ingestedAt", "updatedAt")
  table.insert(row, 1, id)
  rows[i] = row
end
return rows
`,
);

/**
 * Articles changed after a change number, with their rows, in one step. KEYS: by-change.
 * ARGV: article key prefix, afterChange, limit. Returns [id, change, ...READ_FIELDS] per article.
 */
const READ_CHANGES = defineLuaScript(
  "articles.readChanges",
  `
local members = redis.call("ZRANGEBYSCORE", KEYS[1], "(" .. ARGV[2], "+inf", "WITHSCORES", "LIMIT", 0, ARGV[3])
local rows = {}
for i = 1, #members, 2 do
  local id = members[i]
  local row = redis.call("HMGET", ARGV[1] .. id, "article", "quotes", "seq", "ingestedAt", "updatedAt")
  table.insert(row, 1, members[i + 1])
  table.insert(row, 1, id)
  rows[#rows + 1] = row
end
return rows
`,
);

function parseJson<T>(id: string, field: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new StoredDataError("redis article", id, field, { cause: error });
  }
}

function toStored(id: string, fields: ArticleFields): StoredArticle {
  const [article, quotes, seq, ingestedAt, updatedAt] = fields;
  if (article === null || seq === null || ingestedAt === null || updatedAt === null) {
    throw new StoredDataError("redis article", id, article === null ? "article" : "seq/ingestedAt/updatedAt", {
      cause: new Error("field missing from the article hash"),
    });
  }
  return {
    article: parseJson<Article>(id, "article", article),
    quotes: quotes === null ? null : parseJson<QuoteSet>(id, "quotes", quotes),
    seq: Number(seq),
    ingestedAt: Number(ingestedAt),
    updatedAt: Number(updatedAt),
  };
}

/** `close()` only retires this store: the connection is shared, and whoever opened it closes it. */
export function createRedisArticleStore(redis: RedisConnection): ArticleStore {
  const articleKey = (id: string): string => redis.key("article", id);
  const seqKey = redis.key("articles", "seq");
  const bySeq = redis.key("articles", "by-seq");
  const byPublished = redis.key("articles", "by-published");
  const changeKey = redis.key("articles", "change");
  const byChange = redis.key("articles", "by-change");

  const readPage = async (index: string, mode: "seq" | "published", a: number, b: number): Promise<StoredArticle[]> => {
    const rows = (await redis.run(READ_PAGE, [index], [articleKey(""), mode, a, b])) as Array<[string, ...ArticleFields]>;
    return rows.map(([id, ...fields]) => toStored(id, fields));
  };

  let closed = false;
  const open = (operation: string): void => {
    if (closed) throw new StoreClosedError("RedisArticleStore", operation);
  };

  return {
    async put(article, quotes, now): Promise<PutResult> {
      open("put");
      const args = [
        article.id,
        article.contentHash,
        JSON.stringify(article),
        quotes === null ? "0" : "1",
        quotes === null ? "" : JSON.stringify(quotes),
        article.publishedAt,
        now,
      ];
      return (await redis.run(PUT, [articleKey(article.id), seqKey, bySeq, byPublished, changeKey, byChange], args)) as PutResult;
    },
    async setQuotes(id, contentHash, quotes) {
      open("setQuotes");
      return (await redis.run(SET_QUOTES, [articleKey(id)], [contentHash, JSON.stringify(quotes)])) === 1;
    },
    async get(id) {
      open("get");
      const fields = (await redis.client.hmGet(articleKey(id), [...READ_FIELDS])) as ArticleFields;
      return fields[0] === null ? undefined : toStored(id, fields);
    },
    async latest(page: Page) {
      open("latest");
      const limit = requireCount("latest", "limit", page.limit);
      const offset = requireCount("latest", "offset", page.offset ?? 0);
      // ZREVRANGE 0 -1 would mean "all": a zero limit must not get that far.
      if (limit === 0) return [];
      return readPage(byPublished, "published", offset, offset + limit - 1);
    },
    async count() {
      open("count");
      return redis.client.zCard(bySeq);
    },
    async since(afterSeq, limit) {
      open("since");
      requireCount("since", "afterSeq", afterSeq);
      requireCount("since", "limit", limit);
      if (limit === 0) return [];
      return readPage(bySeq, "seq", afterSeq, limit);
    },
    async lastSeq() {
      open("lastSeq");
      return Number((await redis.client.get(seqKey)) ?? 0);
    },
    async changedSince(afterChange, limit): Promise<ArticleChange[]> {
      open("changedSince");
      requireCount("changedSince", "afterChange", afterChange);
      requireCount("changedSince", "limit", limit);
      if (limit === 0) return [];
      const rows = (await redis.run(READ_CHANGES, [byChange], [articleKey(""), afterChange, limit])) as Array<[string, string, ...ArticleFields]>;
      return rows.map(([id, change, ...fields]) => ({ change: Number(change), stored: toStored(id, fields) }));
    },
    async lastChange() {
      open("lastChange");
      return Number((await redis.client.get(changeKey)) ?? 0);
    },
    async close() {
      closed = true;
    },
  };
}
