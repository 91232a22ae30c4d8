/**
 * The digest payload as the outbox stores it (see bot/render/digest.ts) and its validation: a
 * payload that is not `{ messages: [...] }` can never be sent.
 */
import type { InlineKeyboardMarkup, MessageEntity } from "grammy/types";

/** One message as the outbox stores it (see bot/render/digest.ts). */
export interface OutboxMessage {
  text: string;
  entities?: MessageEntity[];
  reply_markup?: InlineKeyboardMarkup;
}

/** A stored payload that is not `{ messages: [...] }`: the item can never be sent. */
export class DigestPayloadError extends Error {
  override name = "DigestPayloadError";
  constructor(
    readonly digestId: string,
    problem: string,
  ) {
    super(`digest ${digestId}: the outbox payload ${problem}`);
  }
}

export function messagesOfPayload(digestId: string, payload: unknown): OutboxMessage[] {
  if (payload === undefined) throw new DigestPayloadError(digestId, "is missing");
  const messages = (payload as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new DigestPayloadError(digestId, "has no messages");
  for (const [i, message] of messages.entries()) {
    if (typeof (message as { text?: unknown } | null)?.text !== "string") {
      throw new DigestPayloadError(digestId, `message ${i + 1} has no text`);
    }
  }
  return messages as OutboxMessage[];
}
