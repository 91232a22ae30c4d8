/**
 * Structured logs (pino). The bot token never reaches a log line: it is redacted from the
 * fields where it could appear and scrubbed from URLs and messages.
 */
import { pino, type Logger } from "pino";

export type { Logger } from "pino";

const TOKEN_IN_TEXT = /\d{5,}:[A-Za-z0-9_-]{30,}/g;

/** Removes anything shaped like a bot token from a string (URLs of the Bot API carry it). */
export function scrubToken(text: string): string {
  return text.replace(TOKEN_IN_TEXT, "<token>");
}

export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      redact: { paths: ["token", "botToken", "config.botToken", "*.token"], censor: "<token>" },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === "string" ? scrubToken(a) : a)) as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (err: Error) => ({ ...pino.stdSerializers.err(err), message: scrubToken(err.message), stack: scrubToken(err.stack ?? "") }),
      },
    },
    destination as pino.DestinationStream,
  );
}
