/** Errors of the Bot API emulator. */

/**
 * A Bot API error response. `violation` marks a broken rule (a bug in the bot); false for the
 * conditions a correct bot meets in normal traffic (429, 403, chat not found).
 */
export class ApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly violation: boolean,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(`${errorCode} ${description}`);
    this.name = "ApiError";
  }
}

export function badRequest(description: string): ApiError {
  return new ApiError(400, `Bad Request: ${description}`, true);
}

/** A test or console driver misused the emulator (e.g. pressed a button that does not exist). */
export class EmulatorUsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EmulatorUsageError";
  }
}

/** `waitFor` ran out of time. */
export class EmulatorTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmulatorTimeoutError";
  }
}
