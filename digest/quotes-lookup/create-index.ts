/**
 * The in-memory quote index: articles' quotes in, persons and newest-first hits out. This file
 * keeps the articles and wires the parts; each part lives in a file of its own.
 */
import { normalizeName } from "../names.js";
import type { Expert, QuoteSet } from "../types.js";
import { ExpertShapes } from "./expert-shape.js";
import type { ArticleEntry, Mention, PersonEntry, QuoteEntry } from "./model.js";
import { NameKeyIndex } from "./name-keys.js";
import { personTiers } from "./name-match.js";
import { markStale, quotesOf } from "./person-views.js";
import { PersonRegistry } from "./persons.js";
import { clampPage, MAX_QUERY_LENGTH, stripQueryFraming } from "./query.js";
import { mostQuotedFirst, pageAcrossTiers, readingOrder, type ExpertRow, type TierGroup } from "./ranking.js";
import { suggestionsFor } from "./suggestions.js";
import { TextTable } from "./text-index.js";
import { topicGroup } from "./topics.js";
import type { IndexedArticle, MatchKind, QuoteHit, QuoteIndex, QuotePage, QuoteSearchResult } from "./types.js";

export function createQuoteIndex(): QuoteIndex {
  const articles = new Map<string, ArticleEntry>();
  const shapes = new ExpertShapes();
  const names = new NameKeyIndex();
  const registry = new PersonRegistry(names);
  const texts = new TextTable();
  let quoteCount = 0;

  function hitOf(entry: QuoteEntry, match: MatchKind): QuoteHit {
    return {
      person: registry.view(entry.mention.person),
      role: entry.mention.expert.role,
      quote: entry.quote,
      article: entry.mention.article.article,
      match,
    };
  }

  // -- writes --

  function remove(articleId: string): void {
    const entry = articles.get(articleId);
    if (!entry) return;
    articles.delete(articleId);
    const textIds = new Set<number>();
    for (const q of entry.quotes) {
      q.dead = true;
      textIds.add(q.textId);
    }
    quoteCount -= entry.quotes.length;
    for (const id of textIds) texts.release(id);
    registry.detach(entry.mentions);
  }

  function upsert(article: IndexedArticle, quoteSet: QuoteSet): void {
    remove(article.id);
    const entry: ArticleEntry = { article, mentions: [], quotes: [] };
    const bySpeaker = new Map<string, Mention>();
    const mentionFor = (expert: Expert): Mention => {
      const { nameKey, aliasKeys, linkKeys, roleKey } = shapes.of(expert);
      const mention: Mention = {
        article: entry,
        expert,
        nameKey,
        linkKeys: linkKeys.length > 0 ? linkKeys : [`@${article.id}:${nameKey}`],
        aliasKeys,
        roleKey,
        person: undefined as unknown as PersonEntry, // set by attach() right below
        quotes: [],
      };
      registry.attach(mention);
      entry.mentions.push(mention);
      return mention;
    };
    for (const expert of quoteSet.experts) {
      if (!bySpeaker.has(expert.key)) bySpeaker.set(expert.key, mentionFor(expert));
    }
    quoteSet.quotes.forEach((quote, order) => {
      const mention =
        bySpeaker.get(quote.speaker) ??
        // A quote whose speaker the expert list lacks still belongs to someone: keep it.
        mentionFor({ key: quote.speaker, name: quote.speaker, aliases: [], role: "" });
      bySpeaker.set(quote.speaker, mention);
      const q: QuoteEntry = { mention, quote, order, textId: -1, dead: false };
      q.textId = texts.add(q);
      mention.quotes.push(q);
      entry.quotes.push(q);
      markStale(mention.person);
    });
    quoteCount += entry.quotes.length;
    articles.set(article.id, entry);
  }

  // -- reads --

  function search(query: string, page: QuotePage): QuoteSearchResult {
    const empty: QuoteSearchResult = { total: 0, hits: [], match: null, suggestions: [] };
    if (query.length > MAX_QUERY_LENGTH) return empty;
    const stripped = stripQueryFraming(query);
    if (!stripped) return empty;
    const key = normalizeName(stripped);
    const { offset, limit } = clampPage(page);

    const groups: TierGroup[] = [];
    const matched = new Set<PersonEntry>();
    if (key) {
      for (const tier of personTiers(names, key)) {
        if (tier.persons.length === 0) continue;
        for (const p of tier.persons) matched.add(p);
        const lists = tier.persons.map(quotesOf);
        groups.push({ match: tier.match, lists, size: lists.reduce((n, l) => n + l.length, 0) });
      }
    }
    const topic = topicGroup(texts, stripped, [...matched]);
    if (topic.total > 0) groups.push({ match: "topic", lists: topic.lists, size: topic.total, excluded: matched });

    const { total, hits } = pageAcrossTiers(groups, offset, limit, hitOf);
    const match = groups[0]?.match ?? null;
    const suggestions = total === 0 ? suggestionsFor(names, key, (p) => registry.view(p).name) : [];
    return { total, hits, match, suggestions };
  }

  return {
    upsert,
    remove,
    search,
    person(id) {
      const p = registry.byId(id);
      return p ? registry.view(p) : undefined;
    },
    personQuotes(id, page) {
      const p = registry.byId(id);
      if (!p) return { total: 0, hits: [] };
      const { offset, limit } = clampPage(page);
      const all = quotesOf(p);
      return { total: all.length, hits: all.slice(offset, offset + limit).map((e) => hitOf(e, "name")) };
    },
    articleQuotes(articleId) {
      const entry = articles.get(articleId);
      if (!entry) return [];
      return [...entry.quotes].sort(readingOrder).map((e) => hitOf(e, "name"));
    },
    topExperts(limit) {
      const rows: Array<{ person: PersonEntry; quotes: number; articles: number }> = [];
      for (const p of registry.persons) {
        let quotes = 0;
        const withQuotes = new Set<ArticleEntry>();
        for (const m of p.mentions) {
          quotes += m.quotes.length;
          if (m.quotes.length > 0) withQuotes.add(m.article);
        }
        if (quotes > 0) rows.push({ person: p, quotes, articles: withQuotes.size });
      }
      const ranked: ExpertRow[] = rows.map((r) => ({ person: registry.view(r.person), quotes: r.quotes, articles: r.articles }));
      return ranked.sort(mostQuotedFirst).slice(0, Math.max(0, limit));
    },
    stats() {
      return { articles: articles.size, persons: registry.persons.size, quotes: quoteCount };
    },
  };
}
