/**
 * What the Redis-mode app tests share: a test Redis with a key prefix of their own, a temp seeds
 * folder holding three corpus articles, and a temp data folder; all cleaned up after the file.
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { CORPUS_DIR, tempDir } from "./corpus.js";
import { deleteKeysUnder, uniqueKeyPrefix, useTestRedis, type TestRedis } from "./redis-server.js";

export interface RedisAppBed {
  /** Set once beforeAll has run. */
  redis: TestRedis;
  keyPrefix: string;
  seedsDir: string;
  dataDir: string;
}

export function useRedisAppBed(label: string, seedFiles = ["seed.txt", "zh_045.txt", "en_001.txt"]): RedisAppBed {
  const seeds = tempDir(`${label}-seeds`);
  const data = tempDir(`${label}-data`);
  const bed = { keyPrefix: uniqueKeyPrefix(label), seedsDir: seeds.dir, dataDir: data.dir } as RedisAppBed;
  beforeAll(async () => {
    bed.redis = await useTestRedis();
    for (const file of seedFiles) copyFileSync(join(CORPUS_DIR, file), join(seeds.dir, file));
  }, 30_000);
  afterAll(async () => {
    if (bed.redis?.available) {
      await deleteKeysUnder(bed.redis.url, bed.keyPrefix);
      await bed.redis.stop();
    }
    seeds.remove();
    data.remove();
  });
  return bed;
}
