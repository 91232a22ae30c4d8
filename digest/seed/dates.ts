/**
 * Reading the dates seeds carry: the body's date line, front matter `date:` and the archive's
 * `<!--ms-->` comment. Pure functions of their text; no clock, no locale, no Date.parse
 * (whose leniency differs between engines).
 */

/** Dates outside [1990, 2100) are corruption, not news: a seed needs a believable instant. */
const EARLIEST = Date.UTC(1990, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

export function isPlausibleInstant(ms: number): boolean {
  return Number.isFinite(ms) && ms >= EARLIEST && ms < LATEST;
}

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

// "Sun, 19 Nov 2023 05:15:52 GMT" (RFC 1123 / 2822).
const RFC_1123 =
  /^(?:[a-z]{3},?\s+)?(\d{1,2})\s+([a-z]{3})[a-z]*\.?\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(gmt|utc|ut|z|[+-]\d{2}:?\d{2})?$/i;
// "2020-10-22T03:44:34.000Z", "2020-02-20T13:24:26+00:00", "2020-10-22 11:44:11", "2020-10-20".
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(z|[+-]\d{2}(?::?\d{2})?)?$/i;
// "24/12/2020 - 09:44" (day first, as RFI prints it).
const DAY_MONTH_YEAR = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s*-?\s*(\d{1,2}):(\d{2})$/;

/**
 * Zone-less date lines, and where they come from (measured on the archive against each post's
 * front matter `date:`): "YYYY-MM-DD hh:mm:ss" bylines are NYT Chinese, printed in China
 * Standard Time (UTC+8 puts all of them 0-55 min before archiving, UTC would put them 7-8 h
 * after); "DD/MM/YYYY - hh:mm" is RFI, printed in Paris time (with CET/CEST every one falls
 * before archiving; read as UTC, half of them would be published after being archived).
 */
const CHINA_STANDARD_TIME_MINUTES = 8 * 60;

/**
 * Reads a body date line: RFC 1123, ISO 8601, "YYYY-MM-DD hh:mm:ss" or "DD/MM/YYYY - hh:mm".
 * A line without a time of day is not precise enough to be the publication time: null.
 */
export function parseDateLine(text: string): number | null {
  const line = text.trim();
  const rfc = RFC_1123.exec(line);
  if (rfc) return fromRfc1123(rfc);
  const iso = ISO_8601.exec(line);
  if (iso) {
    if (iso[4] === undefined) return null;
    return fromIso8601(iso, iso[4] === " " ? CHINA_STANDARD_TIME_MINUTES : 0);
  }
  const dmy = DAY_MONTH_YEAR.exec(line);
  if (dmy) return fromParisWallClock(num(dmy[3]), num(dmy[2]), num(dmy[1]), num(dmy[4]), num(dmy[5]));
  return null;
}

/** Front matter `date:`: ISO 8601 (zone-less means UTC; a bare day means its midnight UTC) or RFC 1123. */
export function parseFrontMatterDate(text: string): number | null {
  const value = text.trim();
  const iso = ISO_8601.exec(value);
  if (iso) return fromIso8601(iso, 0);
  const rfc = RFC_1123.exec(value);
  return rfc ? fromRfc1123(rfc) : null;
}

/** The `<!--1700372342000-->` comment: epoch milliseconds (10 digits are read as seconds). */
export function parseArchiveStamp(comment: string): number | null {
  const digits = comment.trim();
  if (!/^\d{9,14}$/.test(digits)) return null;
  const ms = digits.length <= 10 ? Number(digits) * 1000 : Number(digits);
  return isPlausibleInstant(ms) ? ms : null;
}

const num = (s: string | undefined): number => (s === undefined ? 0 : Number(s));

function fromRfc1123(m: RegExpExecArray): number | null {
  const month = MONTHS[(m[2] ?? "").toLowerCase()];
  if (month === undefined) return null;
  const zone = (m[7] ?? "gmt").toLowerCase();
  const offset = zone === "gmt" || zone === "utc" || zone === "ut" || zone === "z" ? 0 : zoneOffsetMinutes(zone);
  return utc(num(m[3]), month, num(m[1]), num(m[4]), num(m[5]), num(m[6]), 0, offset);
}

function fromIso8601(m: RegExpExecArray, zonelessOffsetMinutes: number): number | null {
  const zone = m[9];
  const offset = zone === undefined ? zonelessOffsetMinutes : zone.toLowerCase() === "z" ? 0 : zoneOffsetMinutes(zone);
  const millis = m[8] === undefined ? 0 : Math.floor(Number(`0.${m[8]}`) * 1000);
  return utc(num(m[1]), num(m[2]), num(m[3]), num(m[5]), num(m[6]), num(m[7]), millis, offset);
}

/** "+08:00", "+0800", "-05" → minutes east of UTC. */
function zoneOffsetMinutes(zone: string): number {
  const digits = zone.slice(1).replace(":", "");
  const minutes = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0);
  return zone.startsWith("-") ? -minutes : minutes;
}

/** Validated calendar fields → epoch ms; null for impossible fields or an implausible instant. */
function utc(
  year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number,
  offsetMinutes: number,
): number | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  if (Math.abs(offsetMinutes) > 14 * 60) return null;
  const local = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), millis);
  // Date.UTC rolls 31 April over to 1 May: reject instead of guessing.
  if (new Date(local).getUTCDate() !== day) return null;
  const ms = local - offsetMinutes * 60_000;
  return isPlausibleInstant(ms) ? ms : null;
}

/**
 * Paris wall-clock time → epoch ms: CET (UTC+1), or CEST (UTC+2) between the last Sundays of
 * March and October at 01:00 UTC (the EU rule since 1996).
 */
function fromParisWallClock(year: number, month: number, day: number, hour: number, minute: number): number | null {
  const asCet = utc(year, month, day, hour, minute, 0, 0, 60);
  if (asCet === null) return null;
  const summerStart = Date.UTC(year, 2, lastSunday(year, 3), 1);
  const summerEnd = Date.UTC(year, 9, lastSunday(year, 10), 1);
  return asCet >= summerStart && asCet < summerEnd ? asCet - 3_600_000 : asCet;
}

/** Day of month of the last Sunday of `month` (1-12). */
function lastSunday(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month, 0));
  return lastDay.getUTCDate() - lastDay.getUTCDay();
}
