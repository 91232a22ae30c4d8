/**
 * The real app as the end-to-end tests run it: a fresh strict Bot API emulator, the chosen corpus
 * files copied into a temp SEEDS_DIR, a temp DATA_DIR, and the config read from env as in
 * production. One setup for every e2e file, so that they differ only in what they check.
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { createApp, type App } from "../../../bot/app.js";
import { loadConfig, type Config } from "../../../bot/config.js";
import { startBotApiEmulator, type BotApiEmulator } from "../../../bot/emulator/index.js";
import type { Logger } from "../../../bot/logger.js";
import { CORPUS_DIR, tempDir } from "../../helpers/corpus.js";

export interface RunningApp {
  emulator: BotApiEmulator;
  /** The app now running; restart() replaces it. */
  app: App;
  config: Config;
  seedsDir: string;
  /** Stops the app and starts a new one on the same config and data, as a process restart would. */
  restart(): Promise<App>;
  /** Stops the app and the emulator and removes the temp folders. */
  close(): Promise<void>;
}

export interface RunningAppOptions {
  /** Prefix of the temp folders (`<name>-seeds`, `<name>-data`). */
  name: string;
  token: string;
  /** Corpus files in SEEDS_DIR before the app starts. */
  seeds: readonly string[];
  /** Env beyond BOT_TOKEN, TELEGRAM_API_ROOT, SEEDS_DIR and DATA_DIR. */
  env?: Record<string, string>;
  logger: Logger;
  onUpdateHandled?: (updateId: number) => void;
}

export async function startRunningApp(options: RunningAppOptions): Promise<RunningApp> {
  const emulator = await startBotApiEmulator();
  const seeds = tempDir(`${options.name}-seeds`);
  const data = tempDir(`${options.name}-data`);
  let app: App | undefined;
  const close = async () => {
    await app?.stop();
    await emulator.close();
    seeds.remove();
    data.remove();
  };
  try {
    for (const file of options.seeds) copyFileSync(join(CORPUS_DIR, file), join(seeds.dir, file));
    const config = loadConfig({
      BOT_TOKEN: options.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
      SEEDS_DIR: seeds.dir,
      DATA_DIR: data.dir,
      ...options.env,
    });
    const create = () => createApp({ config, logger: options.logger, onUpdateHandled: options.onUpdateHandled });
    app = create();
    await app.start();
    const running: RunningApp = {
      emulator,
      app,
      config,
      seedsDir: seeds.dir,
      async restart() {
        await app?.stop();
        app = create();
        running.app = app;
        await app.start();
        return app;
      },
      close,
    };
    return running;
  } catch (error) {
    // A failed start still leaves no emulator, server or temp folder behind.
    await close().catch(() => {});
    throw error;
  }
}
