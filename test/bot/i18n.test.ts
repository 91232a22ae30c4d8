/**
 * The two locale files hold the same keys, every key the code asks for exists in both, and
 * translations come out without bidi isolation marks or unresolved placeholders.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createI18n, langFromLanguageCode, localeFile } from "../../bot/i18n.js";
import { memoryPrefs } from "./harness.js";

const BOT_DIR = fileURLToPath(new URL("../../bot/", import.meta.url));
const keysOf = (source: string) => [...source.matchAll(/^([a-z][a-z0-9-]*)\s*=/gm)].map((m) => m[1]!).sort();
const placeholdersOf = (source: string, key: string) => {
  const start = source.search(new RegExp(`^${key}\\s*=`, "m"));
  const rest = source.slice(start).split(/\n(?=[a-z#])/)[0]!;
  return [...new Set([...rest.matchAll(/\{\s*\$([a-z]+)/g)].map((m) => m[1]))].sort();
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "emulator" || name === "render" || name === "cli" ? [] : sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

describe("locales", () => {
  const en = readFileSync(localeFile("en"), "utf8");
  const zh = readFileSync(localeFile("zh"), "utf8");

  it("en and zh define the same keys with the same placeholders", () => {
    expect(keysOf(zh)).toEqual(keysOf(en));
    for (const key of keysOf(en)) expect(placeholdersOf(zh, key), key).toEqual(placeholdersOf(en, key));
  });

  it("every key the code uses exists", () => {
    const known = new Set(keysOf(en));
    const used = new Set<string>();
    for (const file of sourceFiles(BOT_DIR)) {
      const code = readFileSync(file, "utf8");
      for (const m of code.matchAll(/\bt\(\s*"([a-z][a-z0-9-]+)"/g)) used.add(m[1]!);
      // Keys held in tables (menu, help lines, result → key maps).
      for (const m of code.matchAll(/"((?:cmd|help|subscribe|unsubscribe|schedule)-[a-z-]+)"/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(30);
    expect([...used].filter((k) => !known.has(k))).toEqual([]);
  });

  it("translates without bidi marks or unresolved placeholders", () => {
    const i18n = createI18n(memoryPrefs());
    const vars = { name: "Ada", id: "k3x9a2mq", count: 3, query: "x", from: 1, to: 5, total: 9, title: "T", quotes: 1, articles: 2,
      schedule: "s", time: "08:00", tz: "UTC", cron: "0 8 * * *", command: "/x", example: "k3x9a2mq", n: 1, active: 1, paused: 0,
      files: 1, added: 1, updated: 0, failed: 0, date: "2026-11-26", subscribers: 3, digests: 1, chats: 3, already: 0,
      error: "e", pending: 1, claimed: 0, sent: 2, enqueued: 3 };
    for (const lang of ["en", "zh"] as const) {
      for (const key of keysOf(en)) {
        const text = i18n.t(lang, key, vars);
        expect(text, `${lang}:${key}`).not.toMatch(/[\u2068\u2069{}]/);
        expect(text.length).toBeGreaterThan(0);
      }
    }
    expect(i18n.t("en", "experts-count", { quotes: 1, articles: 1 })).toBe("one quote in one article");
    expect(i18n.t("zh", "experts-count", { quotes: 3, articles: 2 })).toBe("3 条引语，2 篇文章");
  });

  it("picks Chinese for every zh client language code, English otherwise", () => {
    expect(["zh", "zh-hans", "zh-TW", "zh-hant-hk"].map(langFromLanguageCode)).toEqual(["zh", "zh", "zh", "zh"]);
    expect(["en", "de", undefined, "", "ko"].map(langFromLanguageCode)).toEqual(["en", "en", "en", "en", "en"]);
  });
});
