import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createMemoryLock } from "../../../digest/store/memory-lock.js";
import { openSqlite } from "../../../digest/store/sqlite-db.js";
import { createSqliteLock } from "../../../digest/store/sqlite-lock.js";
import { tempDir } from "../../helpers/corpus.js";
import { runLockContract } from "./lock.contract.js";
import { startReadyGoChild, writeSqliteChildScript } from "./ready-go-child.js";

const temp = tempDir("digest-lock");
afterAll(() => temp.remove());
let dirCount = 0;
const freshDataDir = (): string => join(temp.dir, `db${++dirCount}`);

function sqliteLockOnFreshFile() {
  const db = openSqlite({ dataDir: freshDataDir() });
  const lock = createSqliteLock(db);
  return {
    ...lock,
    async close() {
      await lock.close();
      db.close();
    },
  };
}

runLockContract("memory", createMemoryLock);
runLockContract("sqlite", sqliteLockOnFreshFile);

const T0 = Date.UTC(2026, 0, 1, 8);
const ROUNDS = 2000;

describe("SQLite Lock across connections and processes", () => {
  it("is shared by two connections to the same file, and survives a reopen", async () => {
    const dataDir = freshDataDir();
    const first = openSqlite({ dataDir });
    const second = openSqlite({ dataDir });
    const a = createSqliteLock(first);
    const b = createSqliteLock(second);
    expect(await a.acquire("tick", "a", 10_000, T0)).toBe(true);
    expect(await b.acquire("tick", "b", 10_000, T0 + 1)).toBe(false);
    first.close();
    second.close();
    const reopened = openSqlite({ dataDir });
    expect(await createSqliteLock(reopened).holder("tick", T0 + 2)).toEqual({ owner: "a", expiresAt: T0 + 10_000 });
    reopened.close();
  });

  it("lets exactly one of several processes racing for a free lock win each round", async () => {
    const dataDir = freshDataDir();
    openSqlite({ dataDir }).close();
    const file = join(dataDir, "digest.sqlite");
    const script = join(temp.dir, "racer.mts");
    // Each round r is a lock name; every process tries to take it at the same logical instant
    // (all racers start together on "go").
    writeSqliteChildScript(
      script,
      { module: "sqlite-lock.ts", factory: "createSqliteLock", as: "lock" },
      `const won: number[] = [];
       for (let round = 0; round < ${ROUNDS}; round++) if (await lock.acquire("round-" + round, name, 60_000, ${T0})) won.push(round);`,
      "won",
    );
    const racers = ["p1", "p2", "p3"].map((owner) => startReadyGoChild<number[]>(script, [file, owner], owner));
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.go();
    const wins = await Promise.all(racers.map((r) => r.done));
    const all = wins.flat().sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: ROUNDS }, (_, i) => i));
    console.info(`[lock sqlite] ${ROUNDS} rounds, wins per process: ${wins.map((w) => w.length).join(" / ")}`);
  }, 60_000);
});
