/**
 * The outlet an article comes from, when the seed does not name it: from the URL's host.
 * Names follow the gold annotations of ../shared/corpus (`source`).
 */

/** Host suffix → outlet. Matched on whole labels, so "voachinese.com" covers "www.voachinese.com". */
const OUTLETS: ReadonlyArray<readonly [string, string]> = [
  ["voachinese.com", "VOA Chinese"],
  ["voacantonese.com", "VOA Cantonese"],
  ["voanews.com", "VOA"],
  ["rfa.org", "RFA Mandarin"],
  ["pao-pao.net", "Pao-Pao (RFA)"],
  ["dw.com", "DW Chinese"],
  ["bbc.com", "BBC Chinese"],
  ["bbc.co.uk", "BBC"],
  ["cn.nytimes.com", "NYT Chinese"],
  ["nytimes.com", "The New York Times"],
  ["rfi.fr", "RFI Chinese"],
  ["zaobao.com", "Lianhe Zaobao"],
  ["zaobao.com.sg", "Lianhe Zaobao"],
  ["cn.reuters.com", "Reuters Chinese"],
  ["reuters.com", "Reuters"],
  ["cna.com.tw", "CNA (Central News Agency, Taiwan)"],
  ["rti.org.tw", "RTI"],
  ["economist.com", "The Economist"],
  ["chinafile.com", "ChinaFile"],
  ["epochtimes.com", "The Epoch Times"],
  ["solidot.org", "Solidot"],
  ["chinadigitaltimes.net", "China Digital Times"],
  ["nei.st", "Nei.st"],
  ["bitterwinter.org", "Bitter Winter"],
  ["theinitium.com", "Initium Media"],
];

/** The outlet's name for `host`, else the host itself without "www.". */
export function outletFromHost(host: string): string {
  const bare = host.toLowerCase().replace(/\.$/, "");
  for (const [suffix, name] of OUTLETS) {
    if (bare === suffix || bare.endsWith(`.${suffix}`)) return name;
  }
  return bare.replace(/^www\./, "");
}
