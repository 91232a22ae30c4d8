/** The gold annotations of the shared corpus, as the evaluation tests read them. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseGold, type GoldFile } from "../../digest/gold.js";
import { CORPUS_DIR } from "./corpus.js";

/** Every gold file (the *.json beside each annotated article), parsed, in file-name order. */
export function corpusGolds(): GoldFile[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => parseGold(JSON.parse(readFileSync(join(CORPUS_DIR, f), "utf8")), f));
}
