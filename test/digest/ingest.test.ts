import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Keyv from "keyv";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ingest, listSeedFiles, type SeedFileRecord } from "../../digest/ingest.js";
import { createMemoryArticleStore } from "../../digest/store/memory.js";
import type { ArticleStore } from "../../digest/store/ports.js";
import { CORPUS_DIR, tempDir } from "../helpers/corpus.js";

const NOW = Date.UTC(2026, 10, 26, 12);
const SAMPLES = ["seed.txt", "zh_001.txt", "zh_045.txt", "en_001.txt"];

describe("ingest", () => {
  let seeds: { dir: string; remove: () => void };
  let store: ArticleStore;
  let fileIndex: Keyv<SeedFileRecord>;
  const run = () => ingest({ seedsDir: seeds.dir, store, fileIndex, now: NOW });

  beforeEach(() => {
    seeds = tempDir("seeds");
    for (const name of SAMPLES) copyFileSync(join(CORPUS_DIR, name), join(seeds.dir, name));
    store = createMemoryArticleStore();
    fileIndex = new Keyv<SeedFileRecord>({ throwOnErrors: true });
  });
  afterEach(() => seeds.remove());

  it("adds every article on the first run and finds them all unchanged on the second", async () => {
    const first = await run();
    expect(first).toMatchObject({ files: 4, added: 4, updated: 0, unchanged: 0, failed: [] });
    expect(first.changedIds).toHaveLength(4);
    expect(await store.count()).toBe(4);

    const second = await run();
    expect(second).toMatchObject({ files: 4, added: 0, updated: 0, unchanged: 4, failed: [], changedIds: [] });
  });

  it("does not read a file whose size and mtime are unchanged", async () => {
    const path = join(seeds.dir, "zh_001.txt");
    // A whole-second mtime, so that setting it again below restores it exactly.
    const mtime = new Date(Date.UTC(2024, 0, 1));
    utimesSync(path, mtime, mtime);
    await run();
    const { size } = statSync(path);
    // Same size and mtime but unparseable bytes: only a re-read would notice.
    writeFileSync(path, Buffer.alloc(size, 0));
    utimesSync(path, mtime, mtime);
    const report = await run();
    expect(report.unchanged).toBe(4);
    expect(report.failed).toEqual([]);
  });

  it("treats a touched file with the same bytes as unchanged", async () => {
    await run();
    const path = join(seeds.dir, "en_001.txt");
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const report = await run();
    expect(report).toMatchObject({ added: 0, updated: 0, unchanged: 4 });
  });

  it("updates an edited article in place instead of adding a duplicate", async () => {
    const first = await run();
    const path = join(seeds.dir, "seed.txt");
    const edited = readFileSync(path, "utf8").replace("日韩领袖11月16至17日", "日韩领袖11月16日至17日");
    writeFileSync(path, edited);
    const report = await run();
    expect(report).toMatchObject({ added: 0, updated: 1, unchanged: 3 });
    expect(await store.count()).toBe(4);
    const id = report.changedIds[0]!;
    expect(first.changedIds).toContain(id);
    const stored = await store.get(id);
    expect(stored?.article.blocks[0]?.text).toContain("日韩领袖11月16日至17日");
  });

  it("stores the same article under two file names once", async () => {
    copyFileSync(join(CORPUS_DIR, "seed.txt"), join(seeds.dir, "copy-of-seed.txt"));
    const report = await run();
    expect(report).toMatchObject({ files: 5, added: 4, unchanged: 1 });
    expect(await store.count()).toBe(4);
  });

  it("reports a broken file with its reason and ingests the rest, also on later runs", async () => {
    writeFileSync(join(seeds.dir, "broken.txt"), "<!--123-->\nno title link here\n------\n\n<p>x</p>");
    writeFileSync(join(seeds.dir, "empty.txt"), "");
    const report = await run();
    expect(report.added).toBe(4);
    expect(report.failed.map((f) => f.file).sort()).toEqual(["broken.txt", "empty.txt"]);
    for (const failure of report.failed) expect(failure.reason).toMatch(new RegExp(failure.file.replace(".", "\\.")));
    const again = await run();
    expect(again.failed.map((f) => f.file).sort()).toEqual(["broken.txt", "empty.txt"]);
    expect(again.unchanged).toBe(4);
  });

  it("scans subfolders and forgets files that were removed, keeping their articles", async () => {
    mkdirSync(join(seeds.dir, "2023", "11"), { recursive: true });
    copyFileSync(join(CORPUS_DIR, "zh_002.txt"), join(seeds.dir, "2023", "11", "zh_002.txt"));
    expect(await listSeedFiles(seeds.dir)).toContain("2023/11/zh_002.txt");
    const first = await run();
    expect(first.added).toBe(5);
    rmSync(join(seeds.dir, "2023"), { recursive: true });
    const second = await run();
    expect(second).toMatchObject({ files: 4, unchanged: 4 });
    expect(await fileIndex.get("2023/11/zh_002.txt")).toBeUndefined();
    expect(await store.count()).toBe(5);
  });

  it("stores what the extract hook returns with each new article", async () => {
    const report = await ingest({
      seedsDir: seeds.dir,
      store,
      fileIndex,
      now: NOW,
      extract: (article) => ({ experts: [], quotes: [], others: [{ speaker: article.source, text: article.title, kind: "indirect", paragraph: 0, cue: "test" }] }),
    });
    const stored = await store.get(report.changedIds[0]!);
    expect(stored?.quotes?.others[0]?.text).toBe(stored?.article.title);
    expect(stored?.ingestedAt).toBe(NOW);
  });
});
