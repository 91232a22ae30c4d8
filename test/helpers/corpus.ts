/** Paths to the shared corpus and temp folders for tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** ../shared/corpus beside the project (present on developer machines and in CI). */
export const CORPUS_DIR = fileURLToPath(new URL("../../../shared/corpus/", import.meta.url));
export const ARCHIVE_DIR = join(CORPUS_DIR, "archive");
export const SEEDS_DIR = fileURLToPath(new URL("../../seeds/", import.meta.url));

/** A fresh temp folder; the returned function removes it. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
