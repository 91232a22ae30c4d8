/** Button data: round trips, Telegram's 64-byte limit, and data from elsewhere rejected. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CallbackDataError,
  createQueryTokens,
  decodeAction,
  encodeAction,
  type ButtonAction,
} from "../../bot/views/callback-data.js";

const id = fc.stringMatching(/^[0-9a-z]{8}$/);
const offset = fc.nat({ max: 9_999_999 });
const action: fc.Arbitrary<ButtonAction> = fc.oneof(
  id.map((articleId) => ({ kind: "full" as const, articleId })),
  fc.record({ kind: fc.constant("article-quotes" as const), articleId: id, offset, open: fc.boolean() }),
  fc.record({ kind: fc.constant("person-quotes" as const), personId: id, offset, open: fc.boolean() }),
  fc.record({ kind: fc.constant("query-quotes" as const), token: id, offset }),
  fc.constant({ kind: "subscribe" as const }),
  fc.constantFrom("en" as const, "zh" as const).map((lang) => ({ kind: "lang" as const, lang })),
);

describe("callback data", () => {
  it("round-trips every action within 64 bytes", () => {
    fc.assert(
      fc.property(action, (a) => {
        const data = encodeAction(a);
        expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
        expect(decodeAction(data)).toEqual(a);
      }),
    );
  });

  it("refuses to encode ids that are not ids", () => {
    expect(() => encodeAction({ kind: "full", articleId: "../etc" })).toThrow(CallbackDataError);
    expect(() => encodeAction({ kind: "full", articleId: "x".repeat(70) })).toThrow(CallbackDataError);
  });

  it("decodes foreign or damaged data to null", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (data) => {
        const decoded = decodeAction(data);
        if (decoded !== null) expect(encodeAction(decoded)).toBe(data);
      }),
    );
    for (const data of ["", "f:", "qa:abc", "qp:abc:-1", "qp:abc:01", "lang:fr", "sub ", "F:abc"]) expect(decodeAction(data)).toBeNull();
  });

  it("keeps free-text queries behind short tokens, forgetting the least recently used", () => {
    const tokens = createQueryTokens(2);
    const a = tokens.tokenFor("曹良铉");
    const b = tokens.tokenFor("supply chain");
    expect(tokens.queryOf(a)).toBe("曹良铉");
    tokens.tokenFor("曹良铉"); // used again: now b is the oldest
    tokens.tokenFor("半导体");
    expect(tokens.queryOf(b)).toBeUndefined();
    expect(tokens.queryOf(a)).toBe("曹良铉");
    expect(encodeAction({ kind: "query-quotes", token: a, offset: 5 })).toMatch(/^qs:[0-9a-z]+:5$/);
  });
});
