import { describe, expect, it } from "vitest";
import { checkEntities, trimFormattedText } from "../../../bot/emulator/index.js";

describe("checkEntities", () => {
  const text = "Hello 😀 world, see the link";

  it("accepts nested, disjoint and identical-range entities", () => {
    expect(checkEntities(text, [
      { type: "bold", offset: 0, length: 14 },
      { type: "italic", offset: 6, length: 2 }, // exactly the emoji's two code units
      { type: "text_link", offset: 24, length: 4, url: "https://example.com" },
      { type: "bold", offset: 24, length: 4 },
      { type: "blockquote", offset: 0, length: text.length },
      { type: "code", offset: 9, length: 5 },
    ])).toEqual([]);
  });

  it("rejects partial overlap", () => {
    expect(checkEntities(text, [
      { type: "bold", offset: 0, length: 8 },
      { type: "italic", offset: 5, length: 5 },
    ])).toEqual(['"italic" entity at offset 5 with length 5 partially overlaps "bold" entity at offset 0 with length 8']);
  });

  it("rejects entities that split a surrogate pair or leave the text", () => {
    expect(checkEntities(text, [{ type: "bold", offset: 7, length: 3 }])[0]).toMatch(/splits a surrogate pair/);
    expect(checkEntities(text, [{ type: "bold", offset: 0, length: 7 }])[0]).toMatch(/splits a surrogate pair/);
    expect(checkEntities(text, [{ type: "bold", offset: 20, length: 9 }])[0]).toMatch(/ends after the text end \(text length 28/);
    expect(checkEntities(text, [{ type: "bold", offset: -1, length: 2 }])[0]).toMatch(/starts before the text/);
    expect(checkEntities(text, [{ type: "bold", offset: 2, length: 0 }])[0]).toMatch(/is empty/);
    expect(checkEntities(text, [{ type: "bold", offset: 1.5, length: 2 }])[0]).toMatch(/needs integer offset and length/);
  });

  it("rejects anything inside pre or code, nested blockquotes, and other entities inside each other", () => {
    expect(checkEntities(text, [
      { type: "pre", offset: 0, length: 14 },
      { type: "bold", offset: 0, length: 5 },
    ])[0]).toMatch(/"bold" entity at offset 0 with length 5 can't be inside "pre"/);
    expect(checkEntities(text, [
      { type: "blockquote", offset: 0, length: 20 },
      { type: "expandable_blockquote", offset: 2, length: 4 },
    ])[0]).toMatch(/^blockquotes can't be nested/);
    expect(checkEntities(text, [
      { type: "text_link", offset: 0, length: 14, url: "https://example.com" },
      { type: "code", offset: 0, length: 5 },
    ])[0]).toMatch(/"code" entity .* can't be inside "text_link"/);
  });

  it("checks type-specific fields", () => {
    expect(checkEntities(text, [{ type: "shout", offset: 0, length: 1 }])).toEqual(['entity 0 has unsupported type "shout"']);
    expect(checkEntities(text, [{ type: "text_link", offset: 0, length: 5, url: "ftp://x.org" }])[0]).toMatch(/invalid URL "ftp:\/\/x.org"/);
    expect(checkEntities(text, [{ type: "text_link", offset: 0, length: 5, url: "example.com" }])[0]).toMatch(/invalid URL/);
    expect(checkEntities(text, [{ type: "text_link", offset: 0, length: 5, url: "tg://user?id=1" }])).toEqual([]);
    expect(checkEntities(text, [{ type: "text_mention", offset: 0, length: 5 }])[0]).toMatch(/needs a user/);
    expect(checkEntities(text, [{ type: "custom_emoji", offset: 6, length: 2 }])[0]).toMatch(/custom_emoji_id/);
  });

  it("flags text cut inside an emoji (an unpaired surrogate)", () => {
    const cut = "Hi 😀".slice(0, 4);
    expect(checkEntities(cut, [])).toEqual(["the text has an unpaired surrogate at offset 3 (not valid UTF-8)"]);
  });

  it("reports every problem, not just the first", () => {
    expect(checkEntities("abc", [
      { type: "bold", offset: 0, length: 9 },
      { type: "italic", offset: 0, length: 0 },
    ])).toHaveLength(2);
  });
});

describe("trimFormattedText", () => {
  it("strips outer whitespace, shifts and clips entities and drops emptied ones", () => {
    expect(trimFormattedText("  ab cd \n", [
      { type: "bold", offset: 0, length: 4 },
      { type: "italic", offset: 7, length: 2 },
      { type: "underline", offset: 5, length: 2 },
    ])).toEqual({
      text: "ab cd",
      entities: [{ type: "bold", offset: 0, length: 2 }, { type: "underline", offset: 3, length: 2 }],
    });
  });
});
