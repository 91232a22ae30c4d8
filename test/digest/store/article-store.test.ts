import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createMemoryArticleStore } from "../../../digest/store/memory.js";
import { openSqlite } from "../../../digest/store/sqlite-db.js";
import type { SqliteDb } from "../../../digest/store/sqlite-db.js";
import { createSqliteArticleStore } from "../../../digest/store/sqlite-articles.js";
import { StoredDataError } from "../../../digest/store/errors.js";
import { makeArticle, makeQuotes, runArticleStoreContract } from "./article-store.contract.js";

const tempRoot = mkdtempSync(join(tmpdir(), "digest-article-store-"));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));

let dirCount = 0;
const freshDataDir = (): string => join(tempRoot, `db${++dirCount}`);

/** Opens a fresh database; the store's close() also closes it, so the contract's afterEach releases the file. */
function sqliteStoreOnFreshFile() {
  const db = openSqlite({ dataDir: freshDataDir() });
  const store = createSqliteArticleStore(db);
  return {
    ...store,
    async close() {
      await store.close();
      db.close();
    },
  };
}

runArticleStoreContract("memory", createMemoryArticleStore);
runArticleStoreContract("sqlite", sqliteStoreOnFreshFile);

describe("SQLite ArticleStore on disk", () => {
  const T0 = Date.UTC(2026, 0, 1);

  it("keeps articles, quotes and seq across close and reopen of the same file", async () => {
    const dataDir = freshDataDir();
    let db: SqliteDb = openSqlite({ dataDir });
    let store = createSqliteArticleStore(db);
    const a = makeArticle("https://a.example/durable-1");
    const b = makeArticle("https://a.example/durable-2", { publishedAt: T0 });
    await store.put(a, makeQuotes("曹良铉"), T0);
    await store.put(b, null, T0 + 1);
    const before = await store.latest({ limit: 10 });
    await store.close();
    db.close();

    db = openSqlite({ dataDir });
    store = createSqliteArticleStore(db);
    expect(await store.latest({ limit: 10 })).toEqual(before);
    expect(await store.get(a.id)).toEqual({ article: a, quotes: makeQuotes("曹良铉"), seq: 1, ingestedAt: T0, updatedAt: T0 });
    expect(await store.lastSeq()).toBe(2);
    // Ingest order continues after the reopen.
    expect(await store.put(makeArticle("https://a.example/durable-3"), null, T0 + 2)).toBe("added");
    expect(await store.lastSeq()).toBe(3);
    db.close();
  });

  it("gives unique, increasing seqs when two connections write the same file", async () => {
    const dataDir = freshDataDir();
    const first = openSqlite({ dataDir });
    const second = openSqlite({ dataDir });
    const storeA = createSqliteArticleStore(first);
    const storeB = createSqliteArticleStore(second);
    for (let i = 0; i < 20; i++) {
      await (i % 2 === 0 ? storeA : storeB).put(makeArticle(`https://a.example/two-${i}`), null, T0 + i);
    }
    // The same article from the other connection is recognised as unchanged.
    expect(await storeB.put(makeArticle("https://a.example/two-0"), null, T0 + 50)).toBe("unchanged");
    expect((await storeA.since(0, 100)).map((x) => x.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    first.close();
    second.close();
  });

  it("serves latest() from the (published_at DESC, seq DESC) index, without a sort step", () => {
    const db = openSqlite({ dataDir: freshDataDir() });
    const plan = db.connection
      .prepare("EXPLAIN QUERY PLAN SELECT id FROM articles ORDER BY published_at DESC, seq DESC LIMIT 10 OFFSET 10")
      .all()
      .map((row) => (row as { detail: string }).detail);
    expect(plan.join(" | ")).toContain("USING INDEX articles_by_published");
    expect(plan.join(" | ")).not.toContain("TEMP B-TREE");
    db.close();
  });

  it("says which row is damaged when its JSON does not parse", async () => {
    const db = openSqlite({ dataDir: freshDataDir() });
    const store = createSqliteArticleStore(db);
    const a = makeArticle("https://a.example/damaged");
    await store.put(a, null, T0);
    db.connection.prepare("UPDATE articles SET json = '{not json' WHERE id = ?").run(a.id);
    const failure = await store.get(a.id).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoredDataError);
    expect((failure as StoredDataError).key).toBe(a.id);
    expect((failure as Error).message).toContain(a.id);
    db.close();
  });
});
