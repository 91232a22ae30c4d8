/**
 * Runs a command-line entry point: known errors become one readable line on stderr and exit
 * code 1 (or 2 for bad configuration); anything else keeps its stack, since it is a bug.
 */
import { ConfigError } from "../config.js";

const OPERATOR_ERRORS = new Set(["StoreOpenError", "IngestError", "SeedError", "GoldFormatError", "RedisConnectError"]);

export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof Error && OPERATOR_ERRORS.has(error.name)) {
      // These say what failed and where; a stack trace would only hide that.
      process.stderr.write(`${error.name}: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
