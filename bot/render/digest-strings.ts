/**
 * The words of a digest message in the bot's two interface languages. Kept apart from the .ftl
 * files only until the lead moves them there; the Fluent form of each entry is in its comment,
 * under the key it should get.
 */

export type DigestLang = "en" | "zh";

export interface DigestStrings {
  /** digest-header = { $count -> [one] Digest · { $date } · 1 new article *[other] Digest · { $date } · { $count } new articles } */
  header(date: string, count: number): string;
  /** digest-more = …and { $count } more → /latest */
  more(count: number): string;
  /** digest-full-button = { $n } · Full text */
  fullButton(n: number): string;
  /** digest-quotes-button = { $n } · Quotes */
  quotesButton(n: number): string;
}

export const DIGEST_STRINGS: Readonly<Record<DigestLang, DigestStrings>> = {
  en: {
    header: (date, count) => `📰 Digest · ${date} · ${count === 1 ? "1 new article" : `${count} new articles`}`,
    more: (count) => `…and ${count} more → /latest`,
    fullButton: (n) => `${n} · Full text`,
    quotesButton: (n) => `${n} · Quotes`,
  },
  zh: {
    // digest-header = 新闻摘要 · { $date } · { $count } 篇新文章
    header: (date, count) => `📰 新闻摘要 · ${date} · ${count} 篇新文章`,
    // digest-more = ……另有 { $count } 篇 → /latest
    more: (count) => `……另有 ${count} 篇 → /latest`,
    // digest-full-button = { $n } · 全文
    fullButton: (n) => `${n} · 全文`,
    // digest-quotes-button = { $n } · 引语
    quotesButton: (n) => `${n} · 引语`,
  },
};

/** Replies to an admin's /digest (admin-only, so English is enough until the lead moves them to .ftl). */
export const DIGEST_ADMIN_STRINGS = {
  /** digest-admin-busy = A digest run is already going; try again in a moment. */
  busy: "A digest run is already going; try again in a moment.",
  /** digest-admin-nothing = Nothing new for any of the { $subscribers } active subscribers: no digest queued. */
  nothing: (subscribers: number) => `Nothing new for any of the ${subscribers} active subscribers: no digest queued.`,
  /** digest-admin-done = Queued { $digests } digest(s) for { $chats } chats ({ $already } were queued before). */
  done: (digests: number, chats: number, already: number) =>
    `Queued ${digests} digest${digests === 1 ? "" : "s"} for ${chats} chat${chats === 1 ? "" : "s"}` +
    (already > 0 ? ` (${already} were queued before).` : "."),
  /** digest-admin-failed = The digest run failed: { $error } */
  failed: (error: string) => `The digest run failed: ${error}`,
  /** stats-outbox = Outbox: { $pending } pending, { $claimed } sending, { $sent } sent, { $failed } failed */
  outbox: (c: { pending: number; claimed: number; sent: number; failed: number }) =>
    `Outbox: ${c.pending} pending, ${c.claimed} sending, ${c.sent} sent, ${c.failed} failed`,
  /** stats-paused = Paused subscriptions: { $paused } */
  paused: (paused: number) => `Paused subscriptions: ${paused}`,
  /** stats-last-digest = Last digest run: { $time } — { $digests } digest(s), { $enqueued } queued */
  lastRun: (time: string, digests: number, enqueued: number) => `Last digest run: ${time} — ${digests} digest(s), ${enqueued} queued`,
  /** stats-last-digest-failed = Last digest run: { $time } — failed: { $error } */
  lastRunFailed: (time: string, error: string) => `Last digest run: ${time} — failed: ${error}`,
  /** stats-no-digest = No digest run yet. */
  noRun: "No digest run yet.",
  /** stats-next-digest = Next digest: { $time } */
  nextRun: (time: string) => `Next digest: ${time}`,
} as const;
