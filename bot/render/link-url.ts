/**
 * Which hrefs may become a Telegram `text_link`. Telegram answers 400 to the whole message when an
 * entity URL is invalid ("URL host is empty", "Wrong HTTP URL"), so a doubtful link is better
 * dropped (its text stays) than sent.
 */

/** Long enough for real article links; far beyond it is junk or an attack. */
const MAX_LINK_URL_LENGTH = 2048;

/**
 * The normalised absolute http(s) URL for `href`, or null when Telegram might reject it:
 * not http(s), relative, no host, or a host without a dot (Telegram refuses `localhost`-style hosts).
 */
export function telegramLinkUrl(href: string | undefined): string | null {
  if (href === undefined) return null;
  const trimmed = href.trim();
  if (trimmed === "" || trimmed.length > MAX_LINK_URL_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  const host = url.hostname;
  const isIpv6 = host.startsWith("[");
  if (!isIpv6 && !/^[^.]+(\.[^.]+)+$/.test(host)) return null;
  // URL.href is percent-encoded and punycoded, so it never carries spaces or raw control characters.
  return url.href.length > MAX_LINK_URL_LENGTH ? null : url.href;
}
