import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createMemoryLock } from "../../../digest/store/memory-lock.js";
import { openSqlite } from "../../../digest/store/sqlite-db.js";
import { createSqliteLock } from "../../../digest/store/sqlite-lock.js";
import { tempDir } from "../../helpers/corpus.js";
import { runLockContract } from "./lock.contract.js";

const projectRoot = fileURLToPath(new URL("../../../", import.meta.url));
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
    const openUrl = new URL("../../../digest/store/sqlite-db.ts", import.meta.url).href;
    const lockUrl = new URL("../../../digest/store/sqlite-lock.ts", import.meta.url).href;
    // Each round r is a lock name; every process tries to take it at the same logical instant.
    writeFileSync(
      script,
      `import { openSqlite } from ${JSON.stringify(openUrl)};
       import { createSqliteLock } from ${JSON.stringify(lockUrl)};
       const [file, owner] = process.argv.slice(2) as [string, string];
       const db = openSqlite({ file }, { busyTimeoutMs: 20_000 });
       const lock = createSqliteLock(db);
       // Ready, then wait for the parent's "go", so that all racers start together.
       process.stdout.write("ready\\n");
       await new Promise((resolve) => process.stdin.once("data", resolve));
       const won: number[] = [];
       for (let round = 0; round < ${ROUNDS}; round++) if (await lock.acquire("round-" + round, owner, 60_000, ${T0})) won.push(round);
       db.close();
       process.stdout.write(JSON.stringify(won) + "\\n");
       process.exit(0);`,
    );
    const racers = ["p1", "p2", "p3"].map((owner) => {
      const child = spawn(process.execPath, ["--import", "tsx", script, file, owner], { cwd: projectRoot });
      let out = "";
      let err = "";
      let markReady: () => void = () => {};
      const ready = new Promise<void>((resolve) => (markReady = resolve));
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.startsWith("ready\n")) markReady();
      });
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const done = new Promise<number[]>((resolve, reject) =>
        child.on("exit", (code) =>
          code === 0 ? resolve(JSON.parse(out.slice("ready\n".length)) as number[]) : reject(new Error(`${owner}: ${err}`)),
        ),
      );
      return { child, ready, done };
    });
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.child.stdin.write("go\n");
    const wins = await Promise.all(racers.map((r) => r.done));
    const all = wins.flat().sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: ROUNDS }, (_, i) => i));
    console.info(`[lock sqlite] ${ROUNDS} rounds, wins per process: ${wins.map((w) => w.length).join(" / ")}`);
  }, 60_000);
});
