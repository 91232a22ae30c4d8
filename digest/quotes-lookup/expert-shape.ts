/** What an expert's forms reduce to, cached: many articles quote the same expert in the same forms. */
import { normalizeName, toSimplified } from "../names.js";
import type { Expert } from "../types.js";
import { globalLinkKeys } from "./persons.js";

export interface ExpertShape {
  nameKey: string;
  aliasKeys: string[];
  /** Link keys valid in any article; empty when the expert is known only by surname + title. */
  linkKeys: string[];
  /** The role in the form titles are matched against (Simplified, lower case). */
  roleKey: string;
}

const SHAPE_CACHE_LIMIT = 100_000;

export class ExpertShapes {
  private readonly cache = new Map<string, ExpertShape>();

  of(expert: Expert): ExpertShape {
    const signature = `${expert.name}\u0000${expert.key}\u0000${expert.role}\u0000${expert.aliases.join("\u0001")}`;
    let shape = this.cache.get(signature);
    if (shape) return shape;
    const nameKey = normalizeName(expert.name) || normalizeName(expert.key) || expert.key;
    shape = {
      nameKey,
      aliasKeys: [...new Set(expert.aliases.map((a) => normalizeName(a)).filter((k) => k && k !== nameKey))],
      linkKeys: globalLinkKeys(expert, nameKey),
      roleKey: toSimplified(expert.role.normalize("NFKC").toLowerCase()),
    };
    if (this.cache.size >= SHAPE_CACHE_LIMIT) this.cache.clear();
    this.cache.set(signature, shape);
    return shape;
  }
}
