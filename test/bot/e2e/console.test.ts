/**
 * Console mode as an operator starts it: `npx tsx bot/main.ts` with BOT_TOKEN empty, lines piped
 * on stdin. The bot answers through the in-process emulator and the replies are printed readably.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { parseArticle } from "../../../digest/index.js";
import { SEEDS_DIR, tempDir } from "../../helpers/corpus.js";

const PROJECT = fileURLToPath(new URL("../../../", import.meta.url));
const data = tempDir("console-data");
afterAll(() => data.remove());

function runConsole(input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["tsx", "bot/main.ts"], {
      cwd: PROJECT,
      env: { ...process.env, BOT_TOKEN: "", DATA_DIR: data.dir, SEEDS_DIR: SEEDS_DIR, WEBHOOK_URL: "", LOG_LEVEL: "" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

it("shows /latest with titles, links and numbered buttons, then quits", async () => {
  const { code, stdout, stderr } = await runConsole("/latest\n/quit\n");
  expect(stderr).not.toMatch(/error/i);
  expect(code).toBe(0);
  const titles = readdirSync(SEEDS_DIR)
    .filter((f) => f.endsWith(".txt"))
    .flatMap((f) => {
      try {
        return [parseArticle(readFileSync(join(SEEDS_DIR, f)), f).title];
      } catch {
        return [];
      }
    });
  expect(titles.some((title) => stdout.includes(title))).toBe(true);
  expect(stdout).toMatch(/\*\*1\. |1\. \*\*/);
  expect(stdout).toMatch(/\[1\] 1 · Full text\s+\[2\] 1 · Quotes/);
  expect(stdout).toMatch(/<https?:\/\/[^>]+>/);
  expect(stdout).toContain("Bye.");
}, 120_000);

it("presses a button by its number and exits at the end of input", async () => {
  const { code, stdout } = await runConsole("/quotes 曹良铉\n1\n");
  expect(code).toBe(0);
  expect(stdout).toContain("曹良铉");
  expect(stdout).toContain("bot (edited) ›");
  expect(stdout).toMatch(/Quotes for “曹良铉”: 6–/);
}, 120_000);
