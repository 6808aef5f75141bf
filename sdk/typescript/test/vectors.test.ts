// Every vector of sdk/testdata: hookd's own (made by its signer) and the Standard Webhooks project's.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import {
  DEFAULT_TOLERANCE_SECONDS,
  EVENT_TYPES,
  isKnownEventType,
  Webhook,
  WebhookVerificationError,
  type Scheme,
} from "../src/index.js";

interface Case {
  name: string;
  secret: string;
  body: string;
  headers: Record<string, string>;
  now: number;
  tolerance_seconds?: number;
  expect: Record<string, string>;
  event?: {
    id: string;
    event: string;
    known_event_type: boolean;
    environment_id: string;
    created_at: string;
    webhook_id: string;
    payload_json: string;
  };
}

// Compiled to dist/test/: sdk/testdata is three levels up (HOOKD_SDK_TESTDATA overrides, for a copied library).
const testdata = process.env.HOOKD_SDK_TESTDATA ?? join(dirname(fileURLToPath(import.meta.url)), "../../../testdata");
const load = (name: string) => JSON.parse(readFileSync(join(testdata, name), "utf8"));
const hookd = load("vectors.json");
const standard = load("standard_webhooks_vectors.json");
const SCHEMES: Scheme[] = ["standard_webhooks", "truto_signature"];

function outcome(c: Case, scheme: Scheme, parse: boolean): string {
  try {
    const webhook =
      c.tolerance_seconds === undefined
        ? new Webhook(c.secret)
        : new Webhook(c.secret, { toleranceSeconds: c.tolerance_seconds });
    const body = new TextEncoder().encode(c.body);
    const options = { scheme, now: new Date(c.now * 1000) };
    if (parse) {
      const event = webhook.verify(body, c.headers, options);
      const want = c.event;
      assert.ok(want, `${c.name}: parsed, but the vector has no event`);
      const { payload_json, known_event_type, ...fields } = want;
      assert.deepEqual(event, { ...fields, payload: JSON.parse(payload_json) });
      assert.equal(isKnownEventType(event.event), known_event_type);
    } else {
      webhook.verifySignature(body, c.headers, options);
    }
    return "ok";
  } catch (e) {
    if (e instanceof WebhookVerificationError) return e.kind;
    throw e;
  }
}

test("hookd's vectors", async (t) => {
  for (const c of hookd.cases as Case[]) {
    for (const scheme of SCHEMES) {
      await t.test(`${c.name} (${scheme})`, () => {
        const want = c.expect[scheme];
        assert.equal(outcome(c, scheme, true), want);
        // The signature alone passes wherever only the parse fails.
        assert.equal(outcome(c, scheme, false), want === "invalid_payload" ? "ok" : want);
      });
    }
  }
});

test("the Standard Webhooks project's vectors", async (t) => {
  for (const c of standard.cases as Case[]) {
    await t.test(c.name, () => assert.equal(outcome(c, "standard_webhooks", false), c.expect.standard_webhooks));
  }
});

test("the vectors cover every outcome", () => {
  const seen = new Set((hookd.cases as Case[]).flatMap((c) => SCHEMES.map((s) => c.expect[s])));
  assert.deepEqual([...seen].sort(), [...hookd.error_kinds, "ok"].sort());
});

test("event types and the default tolerance match the server", () => {
  assert.deepEqual([...EVENT_TYPES], hookd.event_types);
  assert.equal(DEFAULT_TOLERANCE_SECONDS, hookd.default_tolerance_seconds);
});
