/**
 * `HtmlEvents` is a cut-down copy of htmlparser2's Parser (for speed). This proves it still hears
 * exactly what the stock Parser hears — events, names, wanted attributes, text, source positions —
 * on random tag soup, so an upgrade of htmlparser2 or an edit of the copy cannot drift silently.
 */
import fc from "fast-check";
import { Parser } from "htmlparser2";
import { describe, expect, it } from "vitest";
import { HtmlEvents } from "../../../digest/seed/html-events.js";

const WANTED = new Set(["class", "hidden", "style", "src", "data-src", "data-original", "poster"]);

function stockEvents(html: string): string[] {
  const events: string[] = [];
  const parser: Parser = new Parser(
    {
      onopentag: (name, attributes) => {
        const wanted: Record<string, string> = {};
        for (const key of Object.keys(attributes)) if (WANTED.has(key)) wanted[key] = attributes[key]!;
        events.push(`open ${name} ${JSON.stringify(wanted)} ${parser.startIndex} ${parser.endIndex}`);
      },
      onclosetag: (name, implied) => events.push(`close ${name} ${implied} ${parser.startIndex} ${parser.endIndex}`),
      ontext: (text) => events.push(`text ${JSON.stringify(text)} ${parser.startIndex} ${parser.endIndex}`),
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return events;
}

function leanEvents(html: string): string[] {
  const events: string[] = [];
  const parser: HtmlEvents = new HtmlEvents(
    {
      openTag: (name, attributes) => events.push(`open ${name} ${JSON.stringify(attributes)} ${parser.startIndex} ${parser.endIndex}`),
      closeTag: (name, implied) => events.push(`close ${name} ${implied} ${parser.startIndex} ${parser.endIndex}`),
      text: (text) => events.push(`text ${JSON.stringify(text)} ${parser.startIndex} ${parser.endIndex}`),
    },
    WANTED,
  );
  parser.parse(html);
  return events;
}

const TOKENS = [
  "<", ">", "/", "</", "<!", "<!--", "-->", "<?", "?>", "<![CDATA[", "]]>", "=", '"', "'", " ", "\n", "\t", "\r",
  "&", "&amp;", "&amp", "&#x41;", "&#65", "&lt;", "&nbsp", "&nbsp;", "&notin;", "&not", "&#xD800;",
  "p", "P", "div", "br", "img", "svg", "math", "mi", "title", "script", "style", "textarea", "li", "td", "tr",
  "table", "select", "option", "h1", "b", "i", "a", "html", "body", "head",
  "class", "CLASS", "src", "data-src", "hidden", "poster", "href", "id", "data-original", "中文", "İ", "K", "text", "=x", "='y'", '="z"',
];

describe("HtmlEvents", () => {
  it("hears what htmlparser2's Parser hears on random tag soup", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 40 }), (tokens) => {
        const html = tokens.join("");
        expect(leanEvents(html)).toEqual(stockEvents(html));
      }),
      { numRuns: 3000 },
    );
  });

  it("hears what htmlparser2's Parser hears on well-formed article markup", () => {
    const html =
      '<div><i>Sun, 19 Nov 2023</i></div><img src="https://x.org/a.jpg" width="100%"><div><small style="color: #999;">cap</small></div>' +
      '<p class="lede">A &amp; B<br>C</p><p><strong>Head</strong></p><ul><li>one<li>two</ul><svg><path/></svg><p hidden>x</p>';
    expect(leanEvents(html)).toEqual(stockEvents(html));
  });
});
