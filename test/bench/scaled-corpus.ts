/**
 * The corpus scaled up for benchmarks: every annotated and archive article copied with a distinct
 * URL (so each copy is a distinct article) until there are `count` seed files.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArticle } from "../../digest/article.js";
import { ARCHIVE_DIR, CORPUS_DIR } from "../helpers/corpus.js";

interface Template {
  name: string;
  text: string;
  url: string;
}

function loadTemplates(): Template[] {
  const files = [
    ...readdirSync(CORPUS_DIR).filter((f) => f.endsWith(".txt")).map((f) => join(CORPUS_DIR, f)),
    ...readdirSync(ARCHIVE_DIR).filter((f) => f.endsWith(".md")).map((f) => join(ARCHIVE_DIR, f)),
  ];
  const templates: Template[] = [];
  for (const path of files) {
    const text = readFileSync(path, "utf8");
    try {
      templates.push({ name: path.split("/").pop()!, text, url: parseArticle(text, path).url });
    } catch {
      // A template the parser rejects would only measure rejection: leave it out.
    }
  }
  return templates;
}

/** `count` seed texts, each a corpus article under a URL of its own. */
export function scaledSeeds(count: number): Array<{ name: string; text: string }> {
  const templates = loadTemplates();
  return Array.from({ length: count }, (_, i) => {
    const t = templates[i % templates.length]!;
    const copyUrl = `${t.url}${t.url.includes("?") ? "&" : "?"}copy=${i}`;
    return { name: `${String(i).padStart(5, "0")}-${t.name}`, text: t.text.split(t.url).join(copyUrl) };
  });
}

/** Writes `scaledSeeds(count)` into `dir`, 500 files per subfolder. */
export function writeScaledSeeds(dir: string, count: number): void {
  for (const [i, seed] of scaledSeeds(count).entries()) {
    const sub = join(dir, String(Math.floor(i / 500)).padStart(3, "0"));
    if (i % 500 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, seed.name), seed.text);
  }
}
