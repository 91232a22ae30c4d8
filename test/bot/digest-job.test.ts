/**
 * runDigestJob on a real SQLite file and a real seeds folder (corpus articles copied in): ingest,
 * grouping by (cursor, language), one digest per group, cursors advanced with the enqueue, new
 * subscribers getting only what came after them, safe re-runs and one run at a time.
 */
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createKeyv,
  createSqliteArticleStore,
  createSqliteSubscriberStore,
  extractQuotes,
  openSqlite,
  type ArticleStore,
  type SqliteDb,
  type SubscriberStore,
} from "../../digest/index.js";
import type { Outbox } from "../../digest/store/outbox.js";
import { createSqliteLock } from "../../digest/store/sqlite-lock.js";
import { createSqliteOutbox } from "../../digest/store/sqlite-outbox.js";
import { runDigestJob, type DigestJobDeps } from "../../bot/digest-job.js";
import type { RenderedDigest } from "../../bot/render/digest.js";
import { CORPUS_DIR, tempDir } from "../helpers/corpus.js";

const CORPUS_FILES = readdirSync(CORPUS_DIR).filter((f) => f.endsWith(".txt")).sort();

interface Setup {
  db: SqliteDb;
  seedsDir: string;
  articles: ArticleStore;
  subscribers: SubscriberStore;
  outbox: Outbox;
  deps: DigestJobDeps;
  addSeeds(files: string[]): void;
}

let cleanup: Array<() => void> = [];
beforeEach(() => {
  cleanup = [];
});
afterEach(() => {
  for (const step of cleanup.reverse()) step();
});

function setup(overrides: Partial<DigestJobDeps> = {}): Setup {
  const temp = tempDir("digest-job");
  cleanup.push(temp.remove);
  const seedsDir = join(temp.dir, "seeds");
  mkdirSync(seedsDir);
  const db = openSqlite({ dataDir: join(temp.dir, "data") });
  cleanup.push(() => db.close());
  const articles = createSqliteArticleStore(db);
  const subscribers = createSqliteSubscriberStore(db);
  const outbox = createSqliteOutbox(db);
  const deps: DigestJobDeps = {
    articles,
    subscribers,
    outbox,
    seeds: { dir: seedsDir, fileIndex: createKeyv(db, "seed-files"), extract: extractQuotes },
    digest: { tz: "Asia/Taipei", maxArticles: 10 },
    ...overrides,
  };
  return {
    db,
    seedsDir,
    articles,
    subscribers,
    outbox,
    deps,
    addSeeds: (files) => {
      for (const file of files) copyFileSync(join(CORPUS_DIR, file), join(seedsDir, file));
    },
  };
}

const NOW = Date.UTC(2026, 10, 26, 0, 0);

async function payloadOf(outbox: Outbox, digestId: string): Promise<RenderedDigest> {
  return (await outbox.digestPayload(digestId)) as RenderedDigest;
}

/** Outbox items per chat, read from the table itself. */
function itemsByChat(db: SqliteDb): Map<number, string[]> {
  const rows = db.connection.prepare("SELECT chat_id, digest_id FROM outbox_items ORDER BY id").all() as Array<{ chat_id: number; digest_id: string }>;
  const map = new Map<number, string[]>();
  for (const row of rows) map.set(row.chat_id, [...(map.get(row.chat_id) ?? []), row.digest_id]);
  return map;
}

describe("runDigestJob", () => {
  it("ingests the seeds, composes once per (cursor, language) group and advances cursors with the enqueue", async () => {
    const s = setup();
    for (const [chatId, lang] of [[1, "zh"], [2, "en"], [3, "zh"], [4, null], [5, "zh"]] as const) {
      await s.subscribers.subscribe(chatId, { now: NOW, cursor: 0, lang });
    }
    await s.subscribers.pause(5, "blocked");
    s.addSeeds(CORPUS_FILES.slice(0, 3));

    const report = await runDigestJob(s.deps, NOW);

    expect(report.ingest).toMatchObject({ files: 3, added: 3, failed: 0 });
    expect(report.activeSubscribers).toBe(4);
    // zh: chats 1 and 3; en: chat 2 and chat 4 (no language chosen → the default, English).
    expect(report.digests.map((d) => [d.lang, d.chats, d.articles, d.fromSeq, d.toSeq])).toEqual([
      ["en", 2, 3, 0, 3],
      ["zh", 2, 3, 0, 3],
    ]);
    expect(report.enqueued).toBe(4);
    const byChat = itemsByChat(s.db);
    expect([...byChat.keys()].sort()).toEqual([1, 2, 3, 4]); // the paused chat gets nothing
    for (const chatId of [1, 2, 3, 4]) expect((await s.subscribers.get(chatId))?.cursor).toBe(3);
    expect((await s.subscribers.get(5))?.cursor).toBe(0);

    const zh = await payloadOf(s.outbox, byChat.get(1)![0]!);
    const en = await payloadOf(s.outbox, byChat.get(2)![0]!);
    expect(zh.messages[0]!.text).toContain("3 篇新文章");
    expect(en.messages[0]!.text).toContain("3 new articles");
    // Same articles, two renderings: the titles are the same, the words around them differ.
    const stored = await s.articles.since(0, 10);
    for (const { article } of stored) {
      expect(zh.messages.map((m) => m.text).join("\n")).toContain(article.title.slice(0, 20));
      expect(en.messages.map((m) => m.text).join("\n")).toContain(article.title.slice(0, 20));
    }
  });

  it("queues nothing when nothing is new, and gives a new subscriber only what arrived after they subscribed", async () => {
    const s = setup();
    await s.subscribers.subscribe(1, { now: NOW, cursor: 0, lang: "en" });
    s.addSeeds(CORPUS_FILES.slice(0, 2));
    await runDigestJob(s.deps, NOW);

    const quiet = await runDigestJob(s.deps, NOW + 60_000);
    expect(quiet.digests).toEqual([]);
    expect(quiet.upToDate).toBe(1);
    expect(quiet.enqueued).toBe(0);

    // Chat 2 subscribes now: its cursor is the newest seq, as /subscribe sets it.
    await s.subscribers.subscribe(2, { now: NOW + 120_000, cursor: await s.articles.lastSeq(), lang: "en" });
    s.addSeeds(CORPUS_FILES.slice(2, 4));
    const next = await runDigestJob(s.deps, NOW + 180_000);

    // Both chats stood at seq 2: one group, one digest holding seq 3 and 4 only.
    expect(next.digests).toHaveLength(1);
    expect(next.digests[0]).toMatchObject({ fromSeq: 2, toSeq: 4, articles: 2, chats: 2, added: 2 });
    const newIds = (await s.articles.since(2, 10)).map((a) => a.article.id);
    const buttons = (await payloadOf(s.outbox, next.digests[0]!.digestId)).messages.flatMap((m) =>
      (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : "")),
    );
    const shown = new Set(buttons.filter((d) => d.startsWith("f:")).map((d) => d.slice(2)));
    expect(shown).toEqual(new Set(newIds));
    expect(itemsByChat(s.db).get(2)).toHaveLength(1);
  });

  it("caps the items at DIGEST_MAX_ARTICLES and says how many more there are", async () => {
    const s = setup({ digest: { tz: "UTC", maxArticles: 2 } });
    await s.subscribers.subscribe(1, { now: NOW, cursor: 0, lang: "en" });
    s.addSeeds(CORPUS_FILES.slice(0, 5));
    const report = await runDigestJob(s.deps, NOW);
    expect(report.digests[0]).toMatchObject({ articles: 5, shown: 2 });
    const text = (await payloadOf(s.outbox, report.digests[0]!.digestId)).messages.map((m) => m.text).join("\n");
    expect(text).toContain("…and 3 more → /latest");
  });

  it("a run that crashed halfway is finished by the next one without repeating a digest to anyone", async () => {
    const s = setup();
    for (let chatId = 1; chatId <= 6; chatId++) {
      await s.subscribers.subscribe(chatId, { now: NOW, cursor: 0, lang: chatId % 2 === 0 ? "en" : "zh" });
    }
    s.addSeeds(CORPUS_FILES.slice(0, 3));
    let calls = 0;
    const crashing: Outbox = {
      ...s.outbox,
      enqueueDigest: async (...args) => {
        calls += 1;
        if (calls === 2) throw new Error("disk full");
        return s.outbox.enqueueDigest(...args);
      },
    };
    await expect(runDigestJob({ ...s.deps, outbox: crashing }, NOW)).rejects.toThrow("disk full");
    const cursorsAfterCrash = await Promise.all([1, 2, 3, 4, 5, 6].map(async (id) => (await s.subscribers.get(id))!.cursor));
    // The first group was queued and advanced together; the second neither.
    expect(cursorsAfterCrash.filter((c) => c === 3)).toHaveLength(3);
    expect(cursorsAfterCrash.filter((c) => c === 0)).toHaveLength(3);

    const rerun = await runDigestJob(s.deps, NOW + 1000);
    expect(rerun.enqueued).toBe(3);
    const byChat = itemsByChat(s.db);
    for (let chatId = 1; chatId <= 6; chatId++) {
      expect(byChat.get(chatId)).toHaveLength(1);
      expect((await s.subscribers.get(chatId))!.cursor).toBe(3);
    }
  });

  it("runs one at a time across callers that share the lock", async () => {
    const s = setup();
    await s.subscribers.subscribe(1, { now: NOW, cursor: 0, lang: "en" });
    s.addSeeds(CORPUS_FILES.slice(0, 2));
    const lock = createSqliteLock(s.db);
    const [a, b] = await Promise.all([
      runDigestJob({ ...s.deps, lock: { lock, owner: "cron" } }, NOW),
      runDigestJob({ ...s.deps, lock: { lock, owner: "admin" } }, NOW),
    ]);
    expect([a.skipped, b.skipped].sort()).toEqual(["locked", null]);
    expect(itemsByChat(s.db).get(1)).toHaveLength(1);
    // The lock is released after the run: the next one goes ahead.
    expect((await runDigestJob({ ...s.deps, lock: { lock, owner: "admin" } }, NOW + 1)).skipped).toBe(null);
  });
});
