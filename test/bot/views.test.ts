/** Text shaping for replies: truncation, leads, local times, the quote shown under an article. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeSchedule } from "../../bot/features/subscribe.js";
import { latestCount } from "../../bot/features/latest.js";
import { langOfArgument } from "../../bot/features/lang.js";
import { mostTellingQuote } from "../../bot/views/quote-page.js";
import { leadOf, localTime, truncate } from "../../bot/views/text.js";
import { createQuoteIndex, indexedArticleOf } from "../../digest/index.js";
import { corpusArticles } from "./harness.js";

describe("truncate", () => {
  it("never exceeds the limit, never leaves half a surrogate pair, keeps short text as is", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), fc.integer({ min: 2, max: 200 }), (text, max) => {
        const out = truncate(text, max);
        expect(out.length).toBeLessThanOrEqual(Math.max(max, text.length <= max ? text.length : 0));
        if (text.length <= max) expect(out).toBe(text);
        else {
          expect(out.endsWith("…")).toBe(true);
          const last = out.charCodeAt(out.length - 2);
          expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
        }
      }),
    );
  });
});

describe("leadOf", () => {
  it("gives one or two sentences of each corpus article's first paragraph", () => {
    for (const { article } of corpusArticles()) {
      const lead = leadOf(article);
      expect(lead.length, article.id).toBeGreaterThan(0);
      expect(lead.length).toBeLessThanOrEqual(280);
      const first = article.blocks.find((b) => b.kind === "paragraph" && b.text.length >= 15)!;
      expect(first.text.startsWith(lead.replace(/…$/, ""))).toBe(true);
    }
  });
});

describe("localTime", () => {
  it("shows the instant in the operator's time zone", () => {
    const instant = Date.parse("2023-11-19T05:15:52Z");
    expect(localTime(instant, "UTC")).toBe("2023-11-19 05:15");
    expect(localTime(instant, "Asia/Shanghai")).toBe("2023-11-19 13:15");
    expect(localTime(instant, "America/New_York")).toBe("2023-11-19 00:15");
  });
});

describe("command arguments", () => {
  it("reads /latest counts: default 5, clamped to 1..20", () => {
    expect(["", "abc", "  ", "7", "0", "500", "3 more", "-4"].map(latestCount)).toEqual([5, 5, 5, 7, 1, 20, 3, 5]);
  });

  it("reads /lang arguments in either language", () => {
    expect(["zh", "中文", "ZH-hant", "en", "English", "英文", "fr", ""].map(langOfArgument)).toEqual([
      "zh", "zh", "zh", "en", "en", "en", null, null,
    ]);
  });

  it("says a daily schedule as a time of day, anything else as the cron expression", () => {
    const t = (key: string, vars?: Record<string, string | number>) => `${key}:${JSON.stringify(vars)}`;
    expect(describeSchedule("0 8 * * *", "UTC", t as never)).toBe('schedule-daily:{"time":"08:00","tz":"UTC"}');
    expect(describeSchedule("0 30 7 * * *", "Asia/Shanghai", t as never)).toBe('schedule-daily:{"time":"07:30","tz":"Asia/Shanghai"}');
    expect(describeSchedule("0 8 * * 1-5", "UTC", t as never)).toBe('schedule-cron:{"cron":"0 8 * * 1-5","tz":"UTC"}');
  });
});

describe("mostTellingQuote", () => {
  it("prefers direct speech of readable length by a speaker with a role", () => {
    const index = createQuoteIndex();
    for (const { article, quotes } of corpusArticles()) index.upsert(indexedArticleOf(article), quotes);
    let preferredDirect = 0;
    for (const { article } of corpusArticles()) {
      const hits = index.articleQuotes(article.id);
      const best = mostTellingQuote(hits);
      if (hits.length === 0) {
        expect(best).toBeUndefined();
        continue;
      }
      const readableDirect = hits.filter((h) => h.quote.kind === "direct" && h.quote.text.length >= 20 && h.quote.text.length <= 200);
      if (readableDirect.length > 0) {
        expect(best!.quote.kind).toBe("direct");
        expect(best!.quote.text.length).toBeGreaterThanOrEqual(20);
        preferredDirect += 1;
      }
    }
    expect(preferredDirect).toBeGreaterThan(10);
  });
});
