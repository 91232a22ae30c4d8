/**
 * The seed body (HTML) → blocks, lead image and date line, in one streaming pass of htmlparser2's
 * tokenizer (events from ./html-events.ts).
 *
 * Rules, in the order they matter:
 * - Every `<p>` and `<h1>`…`<h6>` with text is one block, in document order. Gold quote
 *   annotations index paragraphs by their position among the body's `<p>` elements, so a `<p>`
 *   never merges with or splits into anything else.
 * - Text outside those elements (bare `<div>` text, `<li>`, table cells, text after `<br>`) is
 *   body text too: each run between block-level boundaries (and `<br>`s) becomes a paragraph.
 * - Not body: the date line (the first `<div><i>` or bare date before any block), the lead
 *   image's caption (`<small>` right after it, `<figcaption>`, caption/credit classes), scripts,
 *   styles, comments, forms, media, `<nav>`/`<header>`/`<footer>`/`<aside>` and elements whose
 *   class marks them as chrome (share bars, ads, bylines, screen-reader text).
 * - A block's `html` is its inner HTML exactly as written, minus whatever was skipped.
 */
import type { ArticleImage, Block } from "../types.js";
import { parseDateLine } from "./dates.js";
import { HtmlEvents, type HtmlEventHandler } from "./html-events.js";
import { hasNonSpace, normaliseText } from "./whitespace.js";

export { normaliseText } from "./whitespace.js";

export interface BodyContent {
  blocks: Block[];
  image: ArticleImage | null;
  /** The date line's text (after a byline's `<br>`), or null when the body has none. */
  dateLine: string | null;
}

export interface BodyOptions {
  /** Resolves relative image URLs. */
  baseUrl: string;
  /**
   * A whole scraped page (`<article class=…>` layout): only the first element with class
   * `entry-content` is the article; the rest is the site around it.
   */
  pageLayout: boolean;
  /** The article's title: a page that repeats it as its first `<h1>`…`<h6>` does not get it as a block. */
  title: string;
}

/**
 * A whole-bold `<p>` is a sub-heading, unless it reads as an emphasised lede: longer than this,
 * or ending in a full stop (the corpus has dozens of bold one-sentence ledes; its headings, like
 * "日韩合作对经济安保格外重要", never end in 。).
 */
export const MAX_BOLD_HEADING_CHARS = 100;
const SENTENCE_END = /[。.．][”」』"'’)）]*$/;

const BLOCK_TAGS = new Set(["p", "h1", "h2", "h3", "h4", "h5", "h6"]);
const HEADING_TAGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);
const BOLD_TAGS = new Set(["b", "strong"]);
/** Void elements that matter to the text flow; htmlparser2 closes them right after opening. */
const VOID_FLOW_TAGS = new Set(["br", "img", "wbr", "hr"]);
/** Players whose caption (a `<small>` right after them) is not body text. */
const MEDIA_TAGS = new Set(["video", "audio", "iframe", "embed", "object"]);
/** Elements that flow inside text; every other element starts a new run of loose text. */
const INLINE_TAGS = new Set([
  "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "dfn", "del", "em", "font", "i", "img", "ins",
  "kbd", "label", "mark", "nobr", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strike", "strong",
  "sub", "sup", "time", "tt", "u", "var", "wbr", "br",
]);
/** Never article text, nor anything inside them. */
const SKIPPED_TAGS = new Set([
  "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "canvas", "video",
  "audio", "select", "button", "form", "textarea", "input", "nav", "header", "footer", "aside", "head", "title",
  "meta", "link", "map", "dialog", "source", "track",
]);
/** Class words (whole `-`/`_`-separated parts of a class name) of site chrome. */
const CHROME_CLASS =
  /(?:^|[\s_-])(?:nav|navbar|navigation|menu|breadcrumbs?|share|sharing|social|related|advert|advertisement|ads?|dfp|sponsor|newsletter|subscribe|comments?|footer|header|byline|toolbar|sidebar|off-screen|offscreen|visually-hidden|sr-only|screen-reader-text|postmetalockup)(?=$|[\s_-])/;
/** Class names ending in these words hold image captions or credits. */
const CAPTION_CLASS = /(?:^|[\s_-])(?:caption|picinfo|copyright|credit|cap-cred|cap-description)(?=$|\s)/;
/** The attributes the rules below read; the parser does not collect any other. */
const READ_ATTRIBUTES: ReadonlySet<string> = new Set(["class", "hidden", "style", "src", "data-src", "data-original", "poster"]);
const HIDDEN_STYLE = /display\s*:\s*none|visibility\s*:\s*hidden/i;
/** A line that is a date but not readable ("2020年 7月 20日"): short, with a year in it. */
const UNREADABLE_DATE_LINE = /^.{0,40}(?:19|20)\d\d.{0,40}$/;


/** Raw source ranges joined into HTML; consecutive ranges merge so most blocks are one slice. */
class HtmlRuns {
  private parts: string[] = [];
  private start = -1;
  private end = -1;
  constructor(private readonly source: string) {}

  add(start: number, end: number): void {
    if (end <= start) return;
    if (this.start < 0) {
      this.start = start;
      this.end = end;
    } else if (start === this.end) {
      this.end = end;
    } else {
      this.parts.push(this.source.slice(this.start, this.end));
      this.start = start;
      this.end = end;
    }
  }

  toString(): string {
    if (this.start >= 0) this.parts.push(this.source.slice(this.start, this.end));
    this.start = -1;
    return this.parts.join("");
  }
}

/** An open `<p>` or heading collecting its text. */
interface OpenBlock {
  tag: string;
  text: string[];
  html: HtmlRuns;
  /** Some non-space text sat outside `<b>`/`<strong>`. */
  hasPlainText: boolean;
}

/** A token of text outside any block: text, an inline tag, or a `<br>`. */
interface LooseToken {
  text: string;
  start: number;
  end: number;
  isBreak: boolean;
}

const enum Role {
  Plain,
  Skip,
  Caption,
  Block,
  Bold,
  DateCandidate,
  ContentRoot,
}


class BodyWalker implements HtmlEventHandler {
  readonly blocks: Block[] = [];
  image: ArticleImage | null = null;
  dateLine: string | null = null;

  private readonly parser = new HtmlEvents(this, READ_ATTRIBUTES);
  /** One role per open element (a stack parallel to htmlparser2's own). */
  private readonly roles: Role[] = [];
  /** Per open element: for Role.DateCandidate, where its tokens start in the loose run. */
  private readonly looseMarks: number[] = [];
  private skipDepth = 0;
  private boldDepth = 0;
  private captionDepth = 0;
  /** Capturing the lead image's caption (the caption element follows that image). */
  private captionText: string[] | null = null;
  private readonly openBlocks: OpenBlock[] = [];
  private loose: LooseToken[] = [];
  /** Blocks emitted when the last image/video/audio was seen (-1: none): a caption must follow it directly. */
  private blocksAtLastMedia = -1;
  /** The last image (or video poster) seen became the lead image. */
  private lastMediaIsLead = false;
  private insideContentRoot: boolean;
  private contentRootDone = false;

  constructor(
    private readonly source: string,
    private readonly options: BodyOptions,
  ) {
    this.insideContentRoot = !options.pageLayout;
  }

  run(): void {
    this.parser.parse(this.source);
    this.flushLoose();
    while (this.openBlocks.length > 0) this.finishBlock();
  }

  /** Start of the raw range of the token being reported. */
  private tokenStart(): number {
    return Math.min(this.parser.startIndex, this.source.length);
  }

  /** End (exclusive) of the raw range of the token being reported. */
  private tokenEnd(start: number): number {
    return Math.min(Math.max(this.parser.endIndex + 1, start), this.source.length);
  }

  private get collecting(): boolean {
    return this.skipDepth === 0 && this.insideContentRoot;
  }

  openTag(tag: string, attribs: Record<string, string>): void {
    if (VOID_FLOW_TAGS.has(tag)) {
      this.voidTag(tag, attribs);
      return;
    }
    const role = this.roleOf(tag, attribs);
    this.roles.push(role);
    this.looseMarks.push(role === Role.DateCandidate ? this.loose.length : -1);
    if (role === Role.Block) {
      this.flushLoose();
      // A block inside a block (<h2><p>…): what the outer one holds so far comes first.
      if (this.openBlocks.length > 0) this.finishBlock(true);
      this.openBlocks.push({ tag, text: [], html: new HtmlRuns(this.source), hasPlainText: false });
    } else if (role === Role.Plain || role === Role.Bold || role === Role.DateCandidate) {
      if (!this.collecting || this.captionDepth > 0) return;
      if (!INLINE_TAGS.has(tag)) {
        this.flushLoose();
        return;
      }
      const start = this.tokenStart();
      this.addInline("", start, this.tokenEnd(start), false);
    }
  }

  /** Decides what an opening element is, and updates the depth counters it affects. */
  private roleOf(tag: string, attribs: Record<string, string>): Role {
    const cls = attribs.class ? attribs.class.toLowerCase() : "";

    if (!this.insideContentRoot) {
      if (this.contentRootDone || !/(?:^|\s)entry-content(?:\s|$)/.test(cls)) return Role.Plain;
      this.insideContentRoot = true;
      return Role.ContentRoot;
    }
    if (this.skipDepth > 0) {
      this.skipDepth++;
      return Role.Skip;
    }
    if (MEDIA_TAGS.has(tag) && this.captionDepth === 0) {
      // A video's poster is its picture; the caption under a video or a player is not body text.
      this.lastMediaIsLead = tag === "video" && this.takeImage({ src: attribs.poster ?? "" });
      this.blocksAtLastMedia = this.blocks.length;
    }
    if (
      SKIPPED_TAGS.has(tag) ||
      (tag === "time" && this.openBlocks.length === 0) ||
      (cls !== "" && CHROME_CLASS.test(cls)) ||
      attribs.hidden !== undefined ||
      (attribs.style !== undefined && HIDDEN_STYLE.test(attribs.style))
    ) {
      this.skipDepth++;
      return Role.Skip;
    }
    if (
      tag === "figcaption" ||
      (cls !== "" && CAPTION_CLASS.test(cls)) ||
      (tag === "small" && this.captionDepth === 0 && this.blocksAtLastMedia === this.blocks.length && this.openBlocks.length === 0)
    ) {
      if (this.captionDepth === 0 && this.captionFollowsLeadImage()) this.captionText = [];
      this.captionDepth++;
      return Role.Caption;
    }
    if (this.captionDepth > 0) return Role.Plain;
    if (BLOCK_TAGS.has(tag)) return Role.Block;
    if (BOLD_TAGS.has(tag)) {
      this.boldDepth++;
      return Role.Bold;
    }
    // A date line is an <i> (its <div> is the boundary) before any block.
    if (tag === "i" && this.openBlocks.length === 0 && this.blocks.length === 0 && this.dateLine === null)
      return Role.DateCandidate;
    return Role.Plain;
  }

  /** `<br>`, `<img>`, `<wbr>`, `<hr>`: no content, closed at once. */
  private voidTag(tag: string, attribs: Record<string, string>): void {
    if (!this.collecting || this.captionDepth > 0) return;
    if (tag === "hr") {
      this.flushLoose();
      return;
    }
    if (tag === "img") {
      this.lastMediaIsLead = this.takeImage(attribs);
      this.blocksAtLastMedia = this.blocks.length;
    }
    const start = this.tokenStart();
    this.addInline(tag === "br" ? " " : "", start, this.tokenEnd(start), tag === "br");
  }

  closeTag(tag: string, isImplied: boolean): void {
    if (VOID_FLOW_TAGS.has(tag)) return;
    const role = this.roles.pop();
    const looseMark = this.looseMarks.pop() ?? -1;
    if (role === undefined) return;
    if (role === Role.ContentRoot) {
      this.flushLoose();
      while (this.openBlocks.length > 0) this.finishBlock();
      this.insideContentRoot = false;
      this.contentRootDone = true;
      return;
    }
    if (!this.insideContentRoot) return;
    if (role === Role.Skip) {
      this.skipDepth--;
      return;
    }
    if (role === Role.Caption) {
      this.captionDepth--;
      if (this.captionDepth === 0 && this.captionText !== null && this.image !== null) {
        const caption = normaliseText(this.captionText.join(""));
        this.image = { url: this.image.url, caption: caption === "" ? null : caption };
        this.captionText = null;
      }
      return;
    }
    if (this.captionDepth > 0) return;
    if (role === Role.Block) {
      this.finishBlock();
      return;
    }
    if (role === Role.Bold) this.boldDepth--;
    if (!INLINE_TAGS.has(tag)) {
      this.flushLoose();
      return;
    }
    if (!isImplied) {
      const start = this.tokenStart();
      this.addInline("", start, this.tokenEnd(start), false);
    }
    if (role === Role.DateCandidate) this.takeDateLine(looseMark);
  }

  text(data: string): void {
    if (!this.collecting) return;
    if (this.captionDepth > 0) {
      this.captionText?.push(data);
      return;
    }
    const start = this.tokenStart();
    const end = this.tokenEnd(start);
    const block = this.openBlocks[this.openBlocks.length - 1];
    if (block) {
      block.text.push(data);
      block.html.add(start, end);
      if (this.boldDepth === 0 && !block.hasPlainText && hasNonSpace(data)) block.hasPlainText = true;
    } else {
      this.loose.push({ text: data, start, end, isBreak: false });
    }
  }

  /** An inline tag (or `<br>`) goes into the open block's HTML, or into the loose run. */
  private addInline(text: string, start: number, end: number, isBreak: boolean): void {
    const block = this.openBlocks[this.openBlocks.length - 1];
    if (block) {
      if (text) block.text.push(text);
      block.html.add(start, end);
    } else {
      this.loose.push({ text, start, end, isBreak });
    }
  }

  /** Takes the first usable image as the lead image; true when this one is it. */
  private takeImage(attribs: Record<string, string>): boolean {
    if (this.image !== null) return false;
    const src = (attribs.src || attribs["data-src"] || attribs["data-original"] || "").trim();
    if (src === "" || src.startsWith("data:")) return false;
    try {
      const url = new URL(src.startsWith("//") ? `https:${src}` : src, this.options.baseUrl);
      if (url.protocol !== "http:" && url.protocol !== "https:") return false;
      // An absolute src stays as written; only relative ones take the resolved form.
      this.image = { url: /^https?:\/\//i.test(src) ? src : url.href, caption: null };
      return true;
    } catch {
      // An unreadable src is no image; the article is still fine.
      return false;
    }
  }

  /** A caption starting now describes the lead image: it is the last image, with no block since. */
  private captionFollowsLeadImage(): boolean {
    return (
      this.lastMediaIsLead &&
      this.blocksAtLastMedia === this.blocks.length &&
      this.image !== null &&
      this.image.caption === null &&
      this.captionText === null
    );
  }

  /** Closes the innermost open block; `keepOpen` re-opens it empty (a nested block starts). */
  private finishBlock(keepOpen = false): void {
    const block = this.openBlocks.pop();
    if (!block) return;
    const text = normaliseText(block.text.join(""));
    const html = block.html.toString();
    const repeatsTitle = this.blocks.length === 0 && HEADING_TAGS.has(block.tag) && text === this.options.title;
    if (text !== "" && !repeatsTitle) {
      const wholeBold =
        block.tag === "p" && !block.hasPlainText && text.length <= MAX_BOLD_HEADING_CHARS && !SENTENCE_END.test(text);
      this.blocks.push({ kind: HEADING_TAGS.has(block.tag) || wholeBold ? "heading" : "paragraph", text, html });
    }
    if (keepOpen) this.openBlocks.push({ tag: block.tag, text: [], html: new HtmlRuns(this.source), hasPlainText: false });
  }

  /** The `<i>` that just closed is the date line if it reads as a date (or looks like one). */
  private takeDateLine(fromIndex: number): void {
    const tokens = this.loose.slice(fromIndex);
    const lines = splitAtBreaks(tokens).map((group) => normaliseText(group.map((t) => t.text).join("")));
    const nonEmpty = lines.filter((line) => line !== "");
    const last = nonEmpty[nonEmpty.length - 1];
    if (last === undefined) return;
    if (parseDateLine(last) !== null || (nonEmpty.length === 1 && UNREADABLE_DATE_LINE.test(last))) {
      this.dateLine = last;
      this.loose.length = fromIndex;
    }
  }

  /** Turns the loose run into paragraphs, one per stretch between `<br>`s. */
  private flushLoose(): void {
    if (this.loose.length === 0) return;
    const groups = splitAtBreaks(this.loose);
    this.loose = [];
    for (const group of groups) {
      const text = normaliseText(group.map((t) => t.text).join(""));
      if (text === "") continue;
      // A bare date before any block ("<div>24/12/2020 - 09:44</div>") is the date line.
      if (this.blocks.length === 0 && this.dateLine === null && parseDateLine(text) !== null) {
        this.dateLine = text;
        continue;
      }
      const html = new HtmlRuns(this.source);
      for (const token of group) html.add(token.start, token.end);
      this.blocks.push({ kind: "paragraph", text, html: html.toString().trim() });
    }
  }
}

function splitAtBreaks(tokens: readonly LooseToken[]): LooseToken[][] {
  const groups: LooseToken[][] = [[]];
  for (const token of tokens) {
    if (token.isBreak) groups.push([]);
    else groups[groups.length - 1]?.push(token);
  }
  return groups;
}

/** Extracts blocks, lead image and date line from a seed body. */
export function extractBody(html: string, options: BodyOptions): BodyContent {
  const walker = new BodyWalker(html, options);
  walker.run();
  if (options.pageLayout && walker.blocks.length === 0) {
    // No entry-content element: read the whole page (header/footer/nav are skipped anyway).
    return extractBody(html, { ...options, pageLayout: false });
  }
  return { blocks: walker.blocks, image: walker.image, dateLine: walker.dateLine };
}
