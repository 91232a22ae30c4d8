/**
 * Request parameters as the Bot API reads them: a JSON body, a form-urlencoded body, a multipart
 * body (files included) or the query string. In form bodies every value is a string, so numbers
 * and JSON objects are decoded on access, like Telegram does.
 */
import type { IncomingMessage } from "node:http";
import { badRequest } from "./errors.js";

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface RequestParams {
  values: Record<string, unknown>;
  files: Map<string, UploadedFile>;
}

const MAX_BODY_BYTES = 60 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RequestBodyError("request body exceeds 60 MB");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export class RequestBodyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RequestBodyError";
  }
}

export function parseParams(contentType: string | undefined, body: Buffer, query: URLSearchParams): RequestParams {
  const values: Record<string, unknown> = Object.fromEntries(query);
  const files = new Map<string, UploadedFile>();
  const type = (contentType ?? "").toLowerCase();
  if (body.length === 0) return { values, files };
  if (type.startsWith("application/json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch (error) {
      throw new RequestBodyError("request body is not valid JSON", { cause: error });
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new RequestBodyError("JSON request body must be an object");
    }
    Object.assign(values, parsed);
  } else if (type.startsWith("application/x-www-form-urlencoded")) {
    Object.assign(values, Object.fromEntries(new URLSearchParams(body.toString("utf8"))));
  } else if (type.startsWith("multipart/form-data")) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? "");
    const marker = boundary?.[1] ?? boundary?.[2];
    if (!marker) throw new RequestBodyError("multipart body without boundary");
    parseMultipart(body, marker.trim(), values, files);
  }
  return { values, files };
}

/** Minimal multipart/form-data: text fields become values, parts with a filename become files. */
function parseMultipart(body: Buffer, boundary: string, values: Record<string, unknown>, files: Map<string, UploadedFile>): void {
  const delimiter = Buffer.from(`--${boundary}`);
  let position = body.indexOf(delimiter);
  while (position !== -1) {
    const partStart = position + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      const content = part.subarray(headerEnd + 4);
      const name = /[;\s]name="([^"]*)"/i.exec(headers)?.[1];
      // grammY writes filename=unquoted; browsers quote it.
      const filenameMatch = /[;\s]filename=(?:"([^"]*)"|([^;\r\n]*))/i.exec(headers);
      const filename = filenameMatch ? (filenameMatch[1] ?? filenameMatch[2] ?? "") : undefined;
      if (name !== undefined) {
        if (filename !== undefined) {
          const contentType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? "application/octet-stream";
          files.set(name, { field: name, filename, contentType, size: content.length });
        } else {
          values[name] = content.toString("utf8");
        }
      }
    }
    position = next;
  }
}

// ---- typed access ----

export function optionalString(params: RequestParams, name: string): string | undefined {
  const value = params.values[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw badRequest(`parameter "${name}" must be a string`);
}

export function optionalInteger(params: RequestParams, name: string): number | undefined {
  const value = params.values[name];
  if (value === undefined || value === null || value === "") return undefined;
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isSafeInteger(number)) {
    throw badRequest(`parameter "${name}" must be an integer, got ${JSON.stringify(value)}`);
  }
  return number;
}

export function optionalBoolean(params: RequestParams, name: string): boolean | undefined {
  const value = params.values[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw badRequest(`parameter "${name}" must be a boolean`);
}

/** A JSON-object parameter; form bodies carry it as a JSON string. */
export function optionalJson(params: RequestParams, name: string, what: string): unknown {
  const value = params.values[name];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    throw badRequest(`can't parse ${what} JSON object`);
  }
}

/** chat_id: an integer (or its decimal string) or an @username string. */
export function requireChatId(params: RequestParams): number | string {
  const value = params.values.chat_id;
  if (value === undefined || value === null || value === "") throw badRequest("chat_id is empty");
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string") return /^-?\d+$/.test(value) ? Number(value) : value;
  throw badRequest("chat_id must be an integer or a string");
}
