import { spawn, spawnSync } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS, openSqlite } from "../../../digest/store/sqlite-db.js";
import type { Migration } from "../../../digest/store/sqlite-db.js";
import { StoreOpenError } from "../../../digest/store/errors.js";
import { createSqliteArticleStore } from "../../../digest/store/sqlite-articles.js";
import type { Article } from "../../../digest/types.js";

const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));
const tempRoot = mkdtempSync(join(tmpdir(), "digest-sqlite-open-"));
let dirCount = 0;
const freshDir = (): string => {
  const dir = join(tempRoot, `case${++dirCount}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

const immutablePaths: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const path of immutablePaths.splice(0)) spawnSync("chattr", ["-i", path]);
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
});
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));

/** Runs `open` and returns the StoreOpenError it throws (failing the test if it throws anything else). */
function openFailure(open: () => unknown): StoreOpenError {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreOpenError);
    return error as StoreOpenError;
  }
  throw new Error("expected the open to fail");
}

/** Creates a valid database at `file` with the app's schema, then closes it. */
function createDatabase(file: string): void {
  openSqlite({ file }).close();
}

const userVersion = (file: string): number => {
  const raw = new Database(file, { readonly: true });
  try {
    return raw.pragma("user_version", { simple: true }) as number;
  } finally {
    raw.close();
  }
};

describe("openSqlite", () => {
  it("creates the data directory and the file, with WAL, NORMAL sync, foreign keys, busy timeout and the latest schema", () => {
    const dataDir = join(freshDir(), "nested", "data");
    const db = openSqlite({ dataDir }, { busyTimeoutMs: 1234 });
    expect(db.file).toBe(join(dataDir, "digest.sqlite"));
    expect(existsSync(db.file)).toBe(true);
    const c = db.connection;
    expect(c.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(c.pragma("synchronous", { simple: true })).toBe(1); // NORMAL
    expect(c.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(c.pragma("busy_timeout", { simple: true })).toBe(1234);
    expect(db.schemaVersion).toBe(MIGRATIONS.length);
    const tables = c.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(["articles", "kv", "locks", "outbox_digests", "outbox_items", "subscribers"]);
    db.close();
    db.close(); // closing twice is harmless
    expect(userVersion(db.file)).toBe(MIGRATIONS.length);
  });

  it("creates the missing directory of an explicit file path too", () => {
    const file = join(freshDir(), "not", "yet", "there.sqlite");
    const db = openSqlite({ file });
    expect(db.file).toBe(file);
    db.close();
    expect(userVersion(file)).toBe(MIGRATIONS.length);
  });

  it("applies only the pending steps, in order, once", () => {
    const file = join(freshDir(), "m.sqlite");
    const applied: string[] = [];
    const step = (name: string): Migration => ({
      description: name,
      apply: (c) => {
        applied.push(name);
        c.exec(`CREATE TABLE ${name} (id INTEGER PRIMARY KEY)`);
      },
    });
    const v1 = [step("subscribers")];
    const v3 = [...v1, step("outbox"), step("locks")];

    expect(openSqlite({ file }, { migrations: v1 }).close()).toBeUndefined();
    expect(applied).toEqual(["subscribers"]);
    const db = openSqlite({ file }, { migrations: v3 });
    expect(db.schemaVersion).toBe(3);
    db.close();
    openSqlite({ file }, { migrations: v3 }).close();
    expect(applied).toEqual(["subscribers", "outbox", "locks"]);
    expect(userVersion(file)).toBe(3);
  });

  it("upgrades a previous release's articles: change numbers start at their seq, and an edit after takes the next", async () => {
    const file = join(freshDir(), "upgrade.sqlite");
    const previousRelease = MIGRATIONS.slice(0, MIGRATIONS.length - 1);
    const old = openSqlite({ file }, { migrations: previousRelease });
    const insert = old.connection.prepare(
      "INSERT INTO articles (id, seq, url, published_at, content_hash, json, quotes, ingested_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, NULL, 0, 0)",
    );
    const article = (id: string, title: string) => ({ id, url: `https://a.example/${id}`, title, publishedAt: 0, archivedAt: null, source: "t", lang: "en", image: null, blocks: [], contentHash: title });
    insert.run("aaaaaaaa", 1, "https://a.example/aaaaaaaa", "one", JSON.stringify(article("aaaaaaaa", "one")));
    insert.run("bbbbbbbb", 2, "https://a.example/bbbbbbbb", "two", JSON.stringify(article("bbbbbbbb", "two")));
    old.close();

    const db = openSqlite({ file });
    expect(db.schemaVersion).toBe(MIGRATIONS.length);
    const store = createSqliteArticleStore(db);
    expect((await store.changedSince(0, 10)).map((c) => [c.stored.article.id, c.change])).toEqual([["aaaaaaaa", 1], ["bbbbbbbb", 2]]);
    expect(await store.put(article("aaaaaaaa", "one, edited") as Article, null, 1)).toBe("updated");
    expect((await store.changedSince(2, 10)).map((c) => [c.stored.article.id, c.change])).toEqual([["aaaaaaaa", 3]]);
    await store.close();
    db.close();
  });

  it("rolls back a failing step, keeps the steps before it, and says which step failed", () => {
    const file = join(freshDir(), "fail.sqlite");
    const good: Migration = { description: "good table", apply: (c) => c.exec("CREATE TABLE good (x)") };
    const bad: Migration = {
      description: "half-done table",
      apply: (c) => {
        c.exec("CREATE TABLE half_done (x)");
        c.exec("INSERT INTO no_such_table VALUES (1)");
      },
    };
    const error = openFailure(() => openSqlite({ file }, { migrations: [good, bad] }));
    expect(error.reason).toBe("migration-failed");
    expect(error.path).toBe(file);
    expect(error.message).toContain("migration 2 (half-done table)");
    expect(error.message).toContain("left at version 1");
    expect(error.cause).toBeInstanceOf(Database.SqliteError);

    const raw = new Database(file, { readonly: true });
    expect(raw.pragma("user_version", { simple: true })).toBe(1);
    expect(raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all()).toEqual(["good"]);
    raw.close();
  });

  it("refuses a database whose schema is newer than this build, and leaves it untouched", () => {
    const file = join(freshDir(), "newer.sqlite");
    createDatabase(file);
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    const error = openFailure(() => openSqlite({ file }));
    expect(error.reason).toBe("newer-schema");
    expect(error.message).toContain(`version ${MIGRATIONS.length + 1}`);
    expect(error.message).toContain(`up to ${MIGRATIONS.length}`);
    expect(userVersion(file)).toBe(MIGRATIONS.length + 1);
  });

  describe("corrupt files", () => {
    it.each([
      ["random bytes", () => randomBytes(64 * 1024)],
      ["a text file", () => Buffer.from("<!--1700372342000-->\n[Title](https://example.org)\n------\n\n<p>not a database</p>\n")],
      ["a database whose header was overwritten", () => {
        const file = join(freshDir(), "source.sqlite");
        createDatabase(file);
        const bytes = readFileSync(file);
        bytes.write("definitely not SQLite", 0);
        return bytes;
      }],
    ])("reports %s as corrupt, with what to do", (_what, contents) => {
      const file = join(freshDir(), "digest.sqlite");
      const original = contents();
      writeFileSync(file, original);
      const error = openFailure(() => openSqlite({ file }));
      expect(error.reason).toBe("corrupt");
      expect(error.path).toBe(file);
      expect(error.message).toContain(file);
      expect(error.message).toContain("Move it aside");
      expect((error.cause as { code?: string }).code).toBe("SQLITE_NOTADB");
      // Opening must not have "repaired" or truncated the file.
      expect(readFileSync(file).equals(original)).toBe(true);
    });
  });

  describe("files and directories that cannot be written", () => {
    const chattrWorks = ((): boolean => {
      const probe = join(tempRoot, "chattr-probe");
      writeFileSync(probe, "");
      const set = spawnSync("chattr", ["+i", probe]);
      spawnSync("chattr", ["-i", probe]);
      return set.status === 0;
    })();
    const makeImmutable = (path: string): void => {
      const result = spawnSync("chattr", ["+i", path], { encoding: "utf8" });
      expect(result.status, result.stderr).toBe(0);
      immutablePaths.push(path);
    };

    // Permission bits do not stop root, but the immutable attribute does; needs chattr and a
    // filesystem that supports it (ext4, xfs, btrfs), which is why these two may be skipped.
    it.skipIf(!chattrWorks)("reports an immutable database file as read-only (fails even for root)", () => {
      const file = join(freshDir(), "digest.sqlite");
      createDatabase(file);
      makeImmutable(file);
      const error = openFailure(() => openSqlite({ file }));
      expect(error.reason).toBe("read-only");
      expect(error.message).toContain("can be read but not written");
      expect(error.message).toContain("writable");
      expect((error.cause as { code?: string }).code).toMatch(/^SQLITE_READONLY/);
    });

    it.skipIf(!chattrWorks)("reports a database in an immutable directory as not openable (its -wal/-shm cannot be created)", () => {
      const dir = freshDir();
      createDatabase(join(dir, "digest.sqlite"));
      // A clean close removes the -wal and -shm files, so they must be created again on open.
      expect(existsSync(join(dir, "digest.sqlite-wal"))).toBe(false);
      makeImmutable(dir);
      const existing = openFailure(() => openSqlite({ dataDir: dir }));
      expect(existing.reason).toBe("cannot-open");
      expect(existing.message).toContain("digest.sqlite-wal");
      const fresh = openFailure(() => openSqlite({ file: join(dir, "new.sqlite") }));
      expect(fresh.reason).toBe("cannot-open");
    });

    it("reports a data directory that cannot be created", () => {
      const blocker = join(freshDir(), "a-file");
      writeFileSync(blocker, "I am a file, not a directory");
      const error = openFailure(() => openSqlite({ dataDir: join(blocker, "data") }));
      expect(error.reason).toBe("cannot-open");
      expect(error.path).toBe(join(blocker, "data"));
      expect(error.message).toContain("ENOTDIR");
    });

    it("reports a path that is a directory as not openable", () => {
      const file = join(freshDir(), "digest.sqlite");
      mkdirSync(file);
      expect(openFailure(() => openSqlite({ file })).reason).toBe("cannot-open");
    });

    // The usual production case: the service user may not write a file root left read-only.
    // Root ignores permission bits, so under root the open runs in a child process as `nobody`.
    it("reports a chmod 444 file as read-only for a user without write permission", () => {
      const dir = freshDir();
      chmodSync(tempRoot, 0o755); // mkdtemp makes it 0700: the other user must reach the case directory
      chmodSync(dir, 0o777); // only the file is read-only, so the -wal/-shm could be created
      const file = join(dir, "digest.sqlite");
      createDatabase(file);
      chmodSync(file, 0o444);
      const script = join(dir, "open.ts");
      const moduleUrl = new URL("../../../digest/store/sqlite-db.ts", import.meta.url).href;
      writeFileSync(
        script,
        `import { openSqlite } from ${JSON.stringify(moduleUrl)};
         try { openSqlite({ file: process.argv[2]! }).close(); console.log(JSON.stringify({ opened: true })); }
         catch (e) { const { name, reason, message } = e as { name: string; reason: string; message: string };
                     console.log(JSON.stringify({ name, reason, message })); }`,
      );
      const asRoot = process.getuid?.() === 0;
      const child = spawnSync(process.execPath, ["--import", "tsx", script, file], {
        cwd: projectRoot,
        encoding: "utf8",
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      expect(child.status, child.stderr).toBe(0);
      const outcome = JSON.parse(child.stdout) as { name?: string; reason?: string; message?: string };
      expect(outcome.name).toBe("StoreOpenError");
      expect(outcome.reason).toBe("read-only");
      expect(outcome.message).toContain(file);
    }, 30_000);
  });

  describe("a database locked by another process", () => {
    /** Starts a process that opens `file` and holds an exclusive lock until released. */
    async function holdExclusiveLock(file: string, journal: "wal" | "delete") {
      const child = spawn(
        process.execPath,
        [
          "-e",
          `const Database = require("better-sqlite3");
           const db = new Database(process.argv[1]);
           db.pragma("journal_mode = " + process.argv[2]);
           db.exec("BEGIN EXCLUSIVE");
           db.exec("CREATE TABLE IF NOT EXISTS held_by_other_process (x)");
           process.stdout.write("locked\\n");
           process.stdin.on("end", () => { db.exec("ROLLBACK"); db.close(); process.exit(0); });
           process.stdin.resume();`,
          file,
          journal,
        ],
        { cwd: projectRoot },
      );
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("locked") && resolve());
        child.once("exit", (code) => reject(new Error(`lock holder exited early with ${code}`)));
      });
      return {
        release: () =>
          new Promise<void>((resolve) => {
            child.once("exit", () => resolve());
            child.stdin.end();
          }),
      };
    }

    it.each(["wal", "delete"] as const)(
      "waits the busy timeout, then reports the lock (other process in %s journal mode), and opens once it is released",
      async (journal) => {
        const file = join(freshDir(), "digest.sqlite");
        if (journal === "wal") createDatabase(file);
        const lock = await holdExclusiveLock(file, journal);
        const busyTimeoutMs = 300;
        const started = performance.now();
        const error = openFailure(() => openSqlite({ file }, { busyTimeoutMs }));
        const waited = performance.now() - started;
        expect(error.reason).toBe("locked");
        expect(error.message).toContain("another process");
        expect(error.message).toContain(`${busyTimeoutMs} ms`);
        expect((error.cause as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
        expect(waited).toBeGreaterThanOrEqual(busyTimeoutMs * 0.9);

        await lock.release();
        const db = openSqlite({ file }, { busyTimeoutMs });
        expect(db.schemaVersion).toBe(MIGRATIONS.length);
        db.close();
      },
      20_000,
    );
  });
});
