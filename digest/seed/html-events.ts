/**
 * HTML → open-tag / close-tag / text events, for one whole document held in a string.
 *
 * This is htmlparser2's `Parser` (10.x) as configured for seed bodies (HTML mode, entities
 * decoded, tag and attribute names lower-cased), cut down to what the body walker uses, because
 * the stock one was a large part of parsing time:
 * - only the attributes the caller names are collected; the others are tokenised and dropped
 *   without building their name or value strings;
 * - the whole document is one buffer, so a token's text is one `slice`;
 * - the open-element stack keeps its innermost element last (push/pop, not unshift/shift).
 * Which events fire, in which order, with which names, text and source positions, is the
 * stock parser's: implied closes (`<p>` closed by `<div>`, `<li>` by `<li>`, …), void
 * elements, `</br>`, a stray `</p>`, self-closing tags only inside `<svg>`/`<math>`, and every
 * still-open element closed (innermost first) at the end.
 */
import type { TokenizerCallbacks } from "htmlparser2";
import type { QuoteType } from "htmlparser2";
import { ScanningTokenizer } from "./scanning-tokenizer.js";

/** What the walker hears. `attributes` holds only the wanted ones, first occurrence winning. */
export interface HtmlEventHandler {
  openTag(name: string, attributes: Record<string, string>): void;
  closeTag(name: string, isImplied: boolean): void;
  text(data: string): void;
}

// The tables below are htmlparser2's own (Parser.js), for HTML mode.
const formTags = new Set(["input", "option", "optgroup", "select", "button", "datalist", "textarea"]);
const pTag = new Set(["p"]);
const tableSectionTags = new Set(["thead", "tbody"]);
const ddtTags = new Set(["dd", "dt"]);
const rtpTags = new Set(["rt", "rp"]);
const openImpliesClose = new Map<string, ReadonlySet<string>>([
  ["tr", new Set(["tr", "th", "td"])],
  ["th", new Set(["th"])],
  ["td", new Set(["thead", "th", "td"])],
  ["body", new Set(["head", "link", "script"])],
  ["li", new Set(["li"])],
  ["p", pTag],
  ["h1", pTag],
  ["h2", pTag],
  ["h3", pTag],
  ["h4", pTag],
  ["h5", pTag],
  ["h6", pTag],
  ["select", formTags],
  ["input", formTags],
  ["output", formTags],
  ["button", formTags],
  ["datalist", formTags],
  ["textarea", formTags],
  ["option", new Set(["option"])],
  ["optgroup", new Set(["optgroup", "option"])],
  ["dd", ddtTags],
  ["dt", ddtTags],
  ["address", pTag],
  ["article", pTag],
  ["aside", pTag],
  ["blockquote", pTag],
  ["details", pTag],
  ["div", pTag],
  ["dl", pTag],
  ["fieldset", pTag],
  ["figcaption", pTag],
  ["figure", pTag],
  ["footer", pTag],
  ["form", pTag],
  ["header", pTag],
  ["hr", pTag],
  ["main", pTag],
  ["nav", pTag],
  ["ol", pTag],
  ["pre", pTag],
  ["section", pTag],
  ["table", pTag],
  ["ul", pTag],
  ["rt", rtpTags],
  ["rp", rtpTags],
  ["tbody", tableSectionTags],
  ["tfoot", tableSectionTags],
]);
const voidElements = new Set([
  "area", "base", "basefont", "br", "col", "command", "embed", "frame", "hr", "img", "input", "isindex", "keygen",
  "link", "meta", "param", "source", "track", "wbr",
]);
const foreignContextElements = new Set(["math", "svg"]);
const htmlIntegrationElements = new Set(["mi", "mo", "mn", "ms", "mtext", "annotation-xml", "foreignobject", "desc", "title"]);

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

export class HtmlEvents implements TokenizerCallbacks {
  /** Start of the source range of the event being reported. */
  startIndex = 0;
  /** End (inclusive) of the source range of the event being reported. */
  endIndex = 0;

  private source = "";
  private openTagStart = 0;
  private tagName = "";
  private attributeName = "";
  /** The attribute being read is one the caller wants. */
  private keepAttribute = false;
  private attributeValue = "";
  private attributes: Record<string, string> | null = null;
  /** Open elements, innermost last. */
  private readonly stack: string[] = [];
  /** Whether each foreign/integration level is foreign content, innermost last. */
  private readonly foreignContext: boolean[] = [false];
  private readonly tokenizer = new ScanningTokenizer({ decodeEntities: true }, this);
  private readonly wantedLengths: ReadonlySet<number>;

  constructor(
    private readonly handler: HtmlEventHandler,
    /** Lower-case names of the attributes `openTag` receives. */
    private readonly wantedAttributes: ReadonlySet<string>,
  ) {
    this.wantedLengths = new Set([...wantedAttributes].map((name) => name.length));
  }

  /** Parses a whole document; events fire during the call. */
  parse(source: string): void {
    this.source = source;
    if (source) this.tokenizer.write(source);
    this.tokenizer.end();
  }

  /** @internal */
  ontext(start: number, endIndex: number): void {
    const data = this.source.slice(start, endIndex);
    this.endIndex = endIndex - 1;
    this.handler.text(data);
    this.startIndex = endIndex;
  }

  /** @internal */
  ontextentity(codePoint: number, endIndex: number): void {
    this.endIndex = endIndex - 1;
    this.handler.text(String.fromCodePoint(codePoint));
    this.startIndex = endIndex;
  }

  /** @internal */
  onopentagname(start: number, endIndex: number): void {
    this.endIndex = endIndex;
    this.emitOpenTag(this.source.slice(start, endIndex).toLowerCase());
  }

  private emitOpenTag(name: string): void {
    this.openTagStart = this.startIndex;
    this.tagName = name;
    const impliesClose = openImpliesClose.get(name);
    if (impliesClose) {
      while (this.stack.length > 0 && impliesClose.has(this.stack[this.stack.length - 1] as string)) {
        this.handler.closeTag(this.stack.pop() as string, true);
      }
    }
    if (!voidElements.has(name)) {
      this.stack.push(name);
      if (foreignContextElements.has(name)) this.foreignContext.push(true);
      else if (htmlIntegrationElements.has(name)) this.foreignContext.push(false);
    }
    this.attributes = {};
  }

  private endOpenTag(): void {
    this.startIndex = this.openTagStart;
    if (this.attributes) {
      this.handler.openTag(this.tagName, this.attributes);
      this.attributes = null;
    }
    if (voidElements.has(this.tagName)) this.handler.closeTag(this.tagName, true);
    this.tagName = "";
  }

  /** @internal */
  onopentagend(endIndex: number): void {
    this.endIndex = endIndex;
    this.endOpenTag();
    this.startIndex = endIndex + 1;
  }

  /** @internal */
  onclosetag(start: number, endIndex: number): void {
    this.endIndex = endIndex;
    const name = this.source.slice(start, endIndex).toLowerCase();
    if (foreignContextElements.has(name) || htmlIntegrationElements.has(name)) this.foreignContext.pop();
    if (!voidElements.has(name)) {
      const at = this.stack.lastIndexOf(name);
      if (at !== -1) {
        // Everything opened inside it closes first, implied.
        while (this.stack.length > at + 1) this.handler.closeTag(this.stack.pop() as string, true);
        this.handler.closeTag(this.stack.pop() as string, false);
      } else if (name === "p") {
        // A `</p>` with no open `<p>` is an empty paragraph.
        this.emitOpenTag("p");
        this.closeCurrentTag(true);
      }
    } else if (name === "br") {
      // `</br>` is a `<br>`.
      this.handler.openTag("br", {});
      this.handler.closeTag("br", false);
    }
    this.startIndex = endIndex + 1;
  }

  /** @internal */
  onselfclosingtag(endIndex: number): void {
    this.endIndex = endIndex;
    if (this.foreignContext[this.foreignContext.length - 1]) {
      this.closeCurrentTag(false);
      this.startIndex = endIndex + 1;
    } else {
      // In HTML, `<div/>` is just `<div>`.
      this.onopentagend(endIndex);
    }
  }

  private closeCurrentTag(isOpenImplied: boolean): void {
    const name = this.tagName;
    this.endOpenTag();
    if (this.stack[this.stack.length - 1] === name) {
      // If the opening tag isn't implied, the closing tag has to be implied.
      this.handler.closeTag(name, !isOpenImplied);
      this.stack.pop();
    }
  }

  /** @internal */
  onattribname(start: number, endIndex: number): void {
    this.startIndex = start;
    // Most attributes (href, alt, width, id, …) are ruled out by length alone, with no string
    // made. Lower-casing keeps an ASCII name's length; the non-ASCII letters whose lower case
    // is longer (İ) never lower-case to plain ASCII.
    if (!this.wantedLengths.has(endIndex - start)) {
      this.keepAttribute = false;
      return;
    }
    const name = this.source.slice(start, endIndex).toLowerCase();
    this.keepAttribute = this.wantedAttributes.has(name);
    this.attributeName = name;
  }

  /** @internal */
  onattribdata(start: number, endIndex: number): void {
    if (this.keepAttribute) this.attributeValue += this.source.slice(start, endIndex);
  }

  /** @internal */
  onattribentity(codePoint: number): void {
    if (this.keepAttribute) this.attributeValue += String.fromCodePoint(codePoint);
  }

  /** @internal */
  onattribend(_quote: QuoteType, endIndex: number): void {
    this.endIndex = endIndex;
    if (this.keepAttribute && this.attributes && !hasOwn(this.attributes, this.attributeName)) {
      this.attributes[this.attributeName] = this.attributeValue;
    }
    this.attributeValue = "";
  }

  /** @internal */
  ondeclaration(_start: number, endIndex: number): void {
    this.endIndex = endIndex;
    this.startIndex = endIndex + 1;
  }

  /** @internal */
  onprocessinginstruction(_start: number, endIndex: number): void {
    this.endIndex = endIndex;
    this.startIndex = endIndex + 1;
  }

  /** @internal */
  oncomment(_start: number, endIndex: number, _endOffset: number): void {
    this.endIndex = endIndex;
    this.startIndex = endIndex + 1;
  }

  /** @internal */
  oncdata(_start: number, endIndex: number, _endOffset: number): void {
    // In HTML mode CDATA is a comment.
    this.endIndex = endIndex;
    this.startIndex = endIndex + 1;
  }

  /** @internal */
  onend(): void {
    this.endIndex = this.startIndex;
    for (let i = this.stack.length - 1; i >= 0; i--) this.handler.closeTag(this.stack[i] as string, true);
  }
}
