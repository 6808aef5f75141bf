// How the library is meant to be used, beyond the vectors.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";

import {
  BadSecretError,
  NoMatchingSignatureError,
  TimestampTooOldError,
  Webhook,
  WebhookVerificationError,
  type WebhookEvent,
} from "../src/index.js";

const key = Buffer.alloc(32, 7);
const secret = `whsec_${key.toString("base64")}`;
const body =
  '{"id":"e1","event":"record:created","payload":{"a":1},"environment_id":"env",' +
  '"created_at":"2026-01-01T00:00:00.000Z","webhook_id":"wh"}';

function signed(ts: number): Record<string, string> {
  const sig = createHmac("sha256", key).update(`e1.${ts}.${body}`).digest("base64");
  return { "webhook-id": "e1", "webhook-timestamp": String(ts), "webhook-signature": `v1,${sig}` };
}
const nowSeconds = () => Math.floor(Date.now() / 1000);

test("verifies at the current time by default, with a typed payload", () => {
  const event: WebhookEvent<{ a: number }> = new Webhook(secret).verify<{ a: number }>(body, signed(nowSeconds()));
  assert.equal(event.event, "record:created");
  assert.equal(event.payload.a, 1);
});

test("accepts fetch Headers and Uint8Array bodies", () => {
  const headers = new Headers(signed(nowSeconds()));
  assert.equal(new Webhook(secret).verify(new TextEncoder().encode(body), headers).id, "e1");
});

test("errors are typed and share a base class", () => {
  assert.throws(
    () => new Webhook(secret).verify(body, signed(nowSeconds() - 3600)),
    (e: unknown) => e instanceof TimestampTooOldError && e instanceof WebhookVerificationError && e.kind === "timestamp_too_old",
  );
  assert.throws(() => new Webhook(secret).verify(body + " ", signed(nowSeconds())), NoMatchingSignatureError);
  assert.throws(() => new Webhook("whsec_!!"), BadSecretError);
});

test("the tolerance is configurable", () => {
  const webhook = new Webhook(secret, { toleranceSeconds: 7200 });
  assert.equal(webhook.verify(body, signed(nowSeconds() - 3600)).id, "e1");
});

test("Node's array-valued headers use the first value", () => {
  const h = signed(1000);
  const headers = { ...h, "webhook-signature": [h["webhook-signature"]!, "v1,other"] };
  assert.equal(new Webhook(secret).verify(body, headers, { now: 1000 * 1000 }).id, "e1");
});
