import { createHmac, timingSafeEqual } from "node:crypto";

import {
  BadSecretError,
  BadTimestampError,
  MalformedHeaderError,
  MissingHeaderError,
  NoMatchingSignatureError,
  TimestampTooNewError,
  TimestampTooOldError,
} from "./errors.js";
import { parseEvent, type WebhookEvent } from "./event.js";

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Which of hookd's signature headers to check. */
export type Scheme =
  | "standard_webhooks" // webhook-id, webhook-timestamp, webhook-signature: replay-safe (the default)
  | "truto_signature"; // X-Truto-Signature: the body only, no timestamp

/** Node's IncomingHttpHeaders, a plain object, or a fetch Headers. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/** The raw body as received. A string must be the body's own text, never JSON.stringify of a parsed body. */
export type Body = Uint8Array | ArrayBuffer | string;

export interface WebhookOptions {
  /** How old or how far ahead webhook-timestamp may be, in seconds (default 300). */
  toleranceSeconds?: number;
}

export interface VerifyOptions {
  scheme?: Scheme;
  /** The receiver's clock (default: now). */
  now?: Date | number;
}

const WHSEC_PREFIX = "whsec_";
// Digits only: Number() would also take " 5", "5.0" and "0x5". 15 digits are far past any real time.
const TIMESTAMP = /^[0-9]{1,15}$/;
const BASE64 = /^[A-Za-z0-9+/_-]*$/;

// As hookd decodes secrets: either alphabet, padding optional. (Buffer's base64 decoder takes both alphabets.)
function decodeBase64(text: string): Buffer | undefined {
  const t = text.replace(/=+$/, "");
  if (t.length % 4 === 1 || !BASE64.test(t)) return undefined;
  return Buffer.from(t, "base64");
}

function header(headers: HeaderSource, name: string): string {
  let value: string | string[] | null | undefined;
  if (typeof (headers as Headers).get === "function") {
    value = (headers as Headers).get(name);
  } else {
    // Node lower-cases names; a hand-built object may not.
    const record = headers as Record<string, string | string[] | undefined>;
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  if (Array.isArray(value)) value = value[0];
  if (!value) throw new MissingHeaderError(`missing ${name} header`);
  return value;
}

function bytes(body: Body): Buffer {
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

// Constant time for equal lengths; the length of a signature is public.
function equal(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies deliveries to one endpoint, signed with its secret (`whsec_...`, as hookd shows it). During a secret
 * rotation hookd signs with both the new and the previous secret, so either verifies.
 */
export class Webhook {
  readonly #trutoKey: Buffer;
  readonly #standardKey: Buffer;
  readonly #tolerance: number;

  constructor(secret: string, options: WebhookOptions = {}) {
    if (!secret) throw new BadSecretError("the secret is empty");
    this.#trutoKey = Buffer.from(secret, "utf8");
    if (secret.startsWith(WHSEC_PREFIX)) {
      const key = decodeBase64(secret.slice(WHSEC_PREFIX.length));
      if (!key || key.length === 0) throw new BadSecretError("the part after whsec_ is not a non-empty base64 key");
      this.#standardKey = key;
    } else {
      this.#standardKey = this.#trutoKey;
    }
    this.#tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    if (!(this.#tolerance >= 0)) throw new RangeError("toleranceSeconds must be a number >= 0");
  }

  /** Verifies the delivery and returns its event; throws a WebhookVerificationError subclass. */
  verify<Payload = unknown>(body: Body, headers: HeaderSource, options: VerifyOptions = {}): WebhookEvent<Payload> {
    const raw = bytes(body);
    this.#verifySignature(raw, headers, options);
    return parseEvent<Payload>(raw);
  }

  /** Verifies the signature only, for bodies you parse yourself. */
  verifySignature(body: Body, headers: HeaderSource, options: VerifyOptions = {}): void {
    this.#verifySignature(bytes(body), headers, options);
  }

  #verifySignature(body: Buffer, headers: HeaderSource, options: VerifyOptions): void {
    if ((options.scheme ?? "standard_webhooks") === "truto_signature") {
      this.#verifyTruto(body, headers);
    } else {
      const now = options.now ?? Date.now();
      this.#verifyStandard(body, headers, (typeof now === "number" ? now : now.getTime()) / 1000);
    }
  }

  #verifyStandard(body: Buffer, headers: HeaderSource, nowSeconds: number): void {
    const id = header(headers, "webhook-id");
    const timestamp = header(headers, "webhook-timestamp");
    const signatures = header(headers, "webhook-signature");
    if (!TIMESTAMP.test(timestamp)) throw new BadTimestampError(`webhook-timestamp "${timestamp}" is not unix seconds`);
    const age = nowSeconds - Number(timestamp);
    if (age > this.#tolerance) throw new TimestampTooOldError(`webhook-timestamp is ${Math.round(age)} s old`);
    if (-age > this.#tolerance) throw new TimestampTooNewError(`webhook-timestamp is ${Math.round(-age)} s ahead`);
    const entries = signatures.split(" ").filter((e) => e !== "");
    if (entries.length === 0 || entries.some((e) => !e.includes(","))) {
      throw new MalformedHeaderError("webhook-signature is not a list of '<version>,<signature>'");
    }
    const expected = createHmac("sha256", this.#standardKey)
      .update(`${id}.${timestamp}.`, "utf8")
      .update(body)
      .digest("base64");
    for (const entry of entries) {
      const comma = entry.indexOf(",");
      if (entry.slice(0, comma) === "v1" && equal(entry.slice(comma + 1), expected)) return;
    }
    throw new NoMatchingSignatureError("no webhook-signature matches the secret");
  }

  #verifyTruto(body: Buffer, headers: HeaderSource): void {
    const items = header(headers, "x-truto-signature").split(",");
    if (items[0] !== "format=sha256" || items.length < 2 || items.slice(1).some((i) => !i.startsWith("v="))) {
      throw new MalformedHeaderError("X-Truto-Signature is not 'format=sha256,v=<hex>[,v=<hex>]'");
    }
    const expected = createHmac("sha256", this.#trutoKey).update(body).digest("hex");
    for (const item of items.slice(1)) {
      if (equal(item.slice(2).toLowerCase(), expected)) return;
    }
    throw new NoMatchingSignatureError("no X-Truto-Signature matches the secret");
  }
}
