/** `npm run ingest` as an operator runs it: a real process, a real SQLite file, the shipped seeds. */
import { execFile } from "node:child_process";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listSeedFiles, type IngestReport } from "../../digest/index.js";
import { SEEDS_DIR, tempDir } from "../helpers/corpus.js";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;

async function ingestCli(args: string[], env: Record<string, string>) {
  return run(process.execPath, ["--import", "tsx", "bot/cli/ingest.ts", ...args], {
    cwd: root,
    env: { ...process.env, REDIS_URL: "", ...env },
    timeout: 60_000,
  });
}

describe("npm run ingest", () => {
  const seeds = tempDir("cli-seeds");
  const data = tempDir("cli-data");
  let shipped: string[];
  beforeAll(async () => {
    cpSync(SEEDS_DIR, seeds.dir, { recursive: true });
    shipped = await listSeedFiles(seeds.dir);
  });
  afterAll(() => {
    seeds.remove();
    data.remove();
  });

  it("adds the shipped seeds, then finds them unchanged, then reports a broken file and keeps the rest", async () => {
    expect(shipped.length).toBeGreaterThanOrEqual(11);
    const first = await ingestCli(["--json"], { SEEDS_DIR: seeds.dir, DATA_DIR: data.dir });
    const report1 = JSON.parse(first.stdout) as IngestReport;
    expect(report1).toMatchObject({ files: shipped.length, added: shipped.length, updated: 0, failed: [] });

    // A second process over the same database file: the data survived the restart.
    const second = await ingestCli(["--json", "--seeds", seeds.dir, "--data", data.dir], {});
    expect(JSON.parse(second.stdout)).toMatchObject({ added: 0, updated: 0, unchanged: shipped.length, failed: [] });

    writeFileSync(join(seeds.dir, "broken.txt"), "\u0000\u0001garbage\u00ff");
    const third = await ingestCli([], { SEEDS_DIR: seeds.dir, DATA_DIR: data.dir });
    expect(third.stdout).toMatch(new RegExp(`unchanged ${shipped.length}, rejected 1`));
    expect(third.stdout).toMatch(/rejected broken\.txt: .*broken\.txt/);
  }, 120_000);

  it("stops with a readable message, not a stack trace, when DATA_DIR holds a corrupt database", async () => {
    const bad = tempDir("cli-bad");
    writeFileSync(join(bad.dir, "digest.sqlite"), "this is not a database ".repeat(100));
    const failure = await ingestCli([], { SEEDS_DIR: seeds.dir, DATA_DIR: bad.dir }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    bad.remove();
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/^StoreOpenError: .*digest\.sqlite/);
    expect(failure?.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("stops with exit code 2 and names the variable when the configuration is invalid", async () => {
    const failure = await ingestCli([], { SEEDS_DIR: seeds.dir, DATA_DIR: data.dir, DIGEST_TZ: "Mars/Olympus" }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/DIGEST_TZ: is not an IANA time zone/);
  }, 60_000);
});
