#include "sdk_vectors.h"

#include <cctype>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/crypto.h"
#include "core/event.h"
#include "dispatch/signer.h"
#include "hookd/json.h"

namespace hookd::sdk_vectors {
namespace {

// Every vector is signed at this time (2026-01-01T00:00:00Z) and, unless it says otherwise, checked at it.
constexpr int64_t kSignedAt = 1767225600;
constexpr int64_t kCreatedAtMs = 1767225599250;
constexpr int64_t kDefaultTolerance = 300;
constexpr const char* kEnvironmentId = "env_0b6f7e3c";
constexpr const char* kWebhookId = "wh_5d2a9c41";

std::string whsec(std::string_view key) {
  return "whsec_" + crypto::base64(key);
}

// Secrets as hookd issues them ("whsec_" + base64 of 32 bytes), one plain (used as is), and one rotated out.
const std::string kSecret = whsec("hookd sdk vectors: current key!!");
const std::string kPreviousSecret = whsec("hookd sdk vectors: previous key!");
const std::string kUnrelatedSecret = whsec("hookd sdk vectors: someone else.");
const std::string kPlainSecret = "plain-secret-used-as-is";

using Headers = std::vector<std::pair<std::string, std::string>>;

struct ExpectedEvent {
  std::string id;
  std::string type;
  std::string payload_json;
  bool known_type = true;
};

struct Case {
  std::string name;
  std::string secret;  // what the receiver verifies with
  std::string body;    // what the receiver got
  Headers headers;
  int64_t now = kSignedAt;
  std::optional<int64_t> tolerance;  // absent: the library's default must be 300 s
  std::string standard = "ok";       // outcome with the Standard Webhooks headers: "ok" or an error kind
  std::string truto = "ok";          // outcome with X-Truto-Signature
  std::optional<ExpectedEvent> event;
};

Headers sign_headers(std::string_view body, std::string_view event_id, int64_t at, std::string_view secret,
                     std::string_view previous = {}) {
  dispatch::SignedHeaders h = dispatch::sign(body, event_id, at, secret, previous);
  return {{"X-Truto-Signature", h.truto_signature},
          {"webhook-id", h.webhook_id},
          {"webhook-timestamp", h.webhook_timestamp},
          {"webhook-signature", h.webhook_signature}};
}

// The envelope hookd's dispatcher sends for an event record (the same function, not a copy of its format).
std::string envelope_body(std::string_view id, std::string_view type, std::string_view payload_json) {
  std::string record = "{\"id\":";
  json::write_string(record, id);
  record += ",\"event\":";
  json::write_string(record, type);
  record += ",\"payload\":";
  record += payload_json;
  record += ",\"environment_id\":";
  json::write_string(record, kEnvironmentId);
  record += ",\"created_at\":";
  json::write_string(record, clock::iso8601(kCreatedAtMs));
  record += '}';
  auto r = read_event_record(record);
  if (!r.ok()) throw std::runtime_error("bad event record: " + record);
  return envelope_json(*r, kWebhookId);
}

std::string event_id(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "019b7a3e-4c00-7000-8000-%012d", n);
  return buf;
}

// A genuine delivery of an envelope, verified with `secret` (its own, unless the case says otherwise).
Case delivery(std::string name, int n, std::string_view type, std::string payload_json,
              const std::string& secret = kSecret, const std::string& previous = {}) {
  Case c;
  c.name = std::move(name);
  c.secret = secret;
  c.body = envelope_body(event_id(n), type, payload_json);
  c.headers = sign_headers(c.body, event_id(n), kSignedAt, secret, previous);
  c.event = ExpectedEvent{event_id(n), std::string(type), std::move(payload_json), is_event_type(type)};
  return c;
}

// A genuine signature over a body that is not an envelope: verification passes, parsing must not.
Case not_an_envelope(std::string name, std::string body) {
  Case c;
  c.name = std::move(name);
  c.secret = kSecret;
  c.body = std::move(body);
  c.headers = sign_headers(c.body, event_id(900), kSignedAt, kSecret);
  c.standard = c.truto = "invalid_payload";
  return c;
}

void set_header(Case& c, std::string_view name, std::string value) {
  for (auto& [n, v] : c.headers)
    if (n == name) v = std::move(value);
}

void drop_header(Case& c, std::string_view name) {
  std::erase_if(c.headers, [&](const auto& h) { return h.first == name; });
}

Case failing(Case c, std::string name, std::string standard, std::string truto) {
  c.name = std::move(name);
  c.standard = std::move(standard);
  c.truto = std::move(truto);
  if (c.standard != "ok" && c.truto != "ok") c.event.reset();  // nothing parses
  return c;
}

std::string large_payload() {
  std::string p = "{\"records\":[";
  for (int i = 0; p.size() < 70000; ++i) {  // past 64 KiB, where buffered readers split
    if (i) p += ',';
    p += "{\"i\":" + std::to_string(i) + ",\"name\":\"record number " + std::to_string(i) + "\"}";
  }
  return p + "]}";
}

std::vector<Case> positive_cases() {
  std::vector<Case> cases;
  int n = 0;
  for (std::string_view type : event_types()) {
    std::string payload = "{\"n\":" + std::to_string(n) + ",\"type\":\"" + std::string(type) + "\"}";
    cases.push_back(delivery("event type " + std::string(type), ++n, type, payload));
  }
  cases.push_back(delivery("plain secret (not whsec_): the key is its bytes", 101, "record:created",
                           R"({"id":"r1"})", kPlainSecret));
  Case rotated_new = delivery("rotation: verified with the new secret", 102, "record:updated",
                              R"({"id":"r2"})", kSecret, kPreviousSecret);
  cases.push_back(rotated_new);
  Case rotated_old = rotated_new;
  rotated_old.name = "rotation: verified with the previous secret (the second signature)";
  rotated_old.secret = kPreviousSecret;
  cases.push_back(rotated_old);
  cases.push_back(delivery("unicode in the body", 103, "record:created",
                           "{\"name\":\"Zoë Łukasz 日本語 🎉\",\"note\":\"tab\\tquote\\\" \\u00e9\"}"));
  cases.push_back(delivery("large body (over 64 KiB)", 104, "sync_job_run:record", large_payload()));
  cases.push_back(delivery("null payload", 105, "test", "null"));
  cases.push_back(
      delivery("unknown future event type is accepted", 106, "record:archived", R"({"id":"r3"})"));
  cases.push_back(delivery("whsec_ secret without base64 padding", 107, "record:created", "{}",
                           "whsec_" + crypto::base64("thirty-one bytes of key material", false, false)));
  cases.push_back(delivery("whsec_ secret in the URL-safe alphabet", 108, "record:created", "{}",
                           "whsec_" + crypto::base64("\xfb\xff\xfe key bytes that need -_ \xfb\xef", true)));

  Case names = delivery("header names in other cases", 109, "record:deleted", R"({"id":"r4"})");
  names.headers = {{"x-truto-signature", names.headers[0].second},
                   {"Webhook-Id", names.headers[1].second},
                   {"WEBHOOK-TIMESTAMP", names.headers[2].second},
                   {"Webhook-Signature", names.headers[3].second}};
  cases.push_back(names);

  Case past = delivery("timestamp 300 s in the past (the edge of the default tolerance)", 110, "test", "{}");
  past.now = kSignedAt + kDefaultTolerance;
  cases.push_back(past);
  Case future =
      delivery("timestamp 300 s in the future (the edge of the default tolerance)", 111, "test", "{}");
  future.now = kSignedAt - kDefaultTolerance;
  cases.push_back(future);
  Case wide = delivery("custom tolerance of 600 s accepts 400 s old", 112, "test", "{}");
  wide.now = kSignedAt + 400;
  wide.tolerance = 600;
  cases.push_back(wide);

  Case upper = delivery("X-Truto-Signature in upper-case hex", 113, "test", "{}");
  std::string& truto = upper.headers[0].second;
  for (size_t i = std::string_view("format=sha256,v=").size(); i < truto.size(); ++i)
    truto[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(truto[i])));
  cases.push_back(upper);
  return cases;
}

std::vector<Case> negative_cases() {
  std::vector<Case> cases;
  const Case base = delivery("base", 200, "record:created", R"({"id":"r9","amount":10})");
  const std::string ts = std::to_string(kSignedAt);

  Case tampered = failing(base, "tampered body", "no_matching_signature", "no_matching_signature");
  tampered.body.replace(tampered.body.find("10"), 2, "99");
  cases.push_back(tampered);
  Case trailing =
      failing(base, "body with a trailing newline", "no_matching_signature", "no_matching_signature");
  trailing.body += '\n';
  cases.push_back(trailing);
  Case wrong = failing(base, "wrong secret", "no_matching_signature", "no_matching_signature");
  wrong.secret = kUnrelatedSecret;
  cases.push_back(wrong);
  Case rotated = delivery("rotation", 201, "record:updated", "{}", kSecret, kPreviousSecret);
  Case neither = failing(rotated, "rotation: a secret that is neither", "no_matching_signature",
                         "no_matching_signature");
  neither.secret = kUnrelatedSecret;
  cases.push_back(neither);
  Case plain_as_whsec = failing(base, "whsec_ secret given without its prefix", "no_matching_signature",
                                "no_matching_signature");
  plain_as_whsec.secret = kSecret.substr(6);
  cases.push_back(plain_as_whsec);

  Case old = failing(base, "timestamp 301 s in the past", "timestamp_too_old", "ok");
  old.now = kSignedAt + kDefaultTolerance + 1;
  cases.push_back(old);
  Case young = failing(base, "timestamp 301 s in the future", "timestamp_too_new", "ok");
  young.now = kSignedAt - kDefaultTolerance - 1;
  cases.push_back(young);
  Case narrow_old = failing(base, "custom tolerance of 60 s refuses 61 s old", "timestamp_too_old", "ok");
  narrow_old.now = kSignedAt + 61;
  narrow_old.tolerance = 60;
  cases.push_back(narrow_old);
  Case narrow_new = failing(base, "custom tolerance of 60 s refuses 61 s ahead", "timestamp_too_new", "ok");
  narrow_new.now = kSignedAt - 61;
  narrow_new.tolerance = 60;
  cases.push_back(narrow_new);

  for (const char* h : {"webhook-id", "webhook-timestamp", "webhook-signature"}) {
    Case c = failing(base, std::string("missing ") + h, "missing_header", "ok");
    drop_header(c, h);
    cases.push_back(c);
    Case e = failing(base, std::string("empty ") + h, "missing_header", "ok");
    set_header(e, h, "");
    cases.push_back(e);
  }
  Case no_truto = failing(base, "missing X-Truto-Signature", "ok", "missing_header");
  drop_header(no_truto, "X-Truto-Signature");
  cases.push_back(no_truto);
  Case none = failing(base, "no headers at all", "missing_header", "missing_header");
  none.headers.clear();
  cases.push_back(none);

  for (const char* bad : {"abc", "-1767225600", "1767225600.0", " 1767225600", "+1767225600", "0x6954b380",
                          "99999999999999999999"}) {
    Case c = failing(base, std::string("malformed webhook-timestamp '") + bad + "'", "bad_timestamp", "ok");
    set_header(c, "webhook-timestamp", bad);
    cases.push_back(c);
  }
  Case far = failing(base, "webhook-timestamp 15 digits ahead (no overflow)", "timestamp_too_new", "ok");
  set_header(far, "webhook-timestamp", "999999999999999");
  cases.push_back(far);
  Case zero = failing(base, "webhook-timestamp 0", "timestamp_too_old", "ok");
  set_header(zero, "webhook-timestamp", "0");
  cases.push_back(zero);
  Case moved = failing(base, "webhook-timestamp changed within the tolerance", "no_matching_signature", "ok");
  set_header(moved, "webhook-timestamp", std::to_string(kSignedAt + 1));
  moved.now = kSignedAt + 1;
  cases.push_back(moved);
  Case other_id = failing(base, "webhook-id changed", "no_matching_signature", "ok");
  set_header(other_id, "webhook-id", event_id(999));
  cases.push_back(other_id);

  const std::string v1 = base.headers[3].second;
  for (const char* bad : {"garbage", "v1", "v1 v1"}) {
    Case c =
        failing(base, std::string("malformed webhook-signature '") + bad + "'", "malformed_header", "ok");
    set_header(c, "webhook-signature", bad);
    cases.push_back(c);
  }
  Case empty_sig = failing(base, "webhook-signature 'v1,' (empty signature)", "no_matching_signature", "ok");
  set_header(empty_sig, "webhook-signature", "v1,");
  cases.push_back(empty_sig);
  Case v2 = failing(base, "the right signature under another version (v2,) is not used",
                    "no_matching_signature", "ok");
  set_header(v2, "webhook-signature", "v2," + v1.substr(3));
  cases.push_back(v2);
  Case truncated = failing(base, "truncated webhook-signature", "no_matching_signature", "ok");
  set_header(truncated, "webhook-signature", v1.substr(0, v1.size() - 4));
  cases.push_back(truncated);

  const std::string truto = base.headers[0].second;
  const std::string hex = truto.substr(truto.find("v=") + 2);
  for (std::string bad : {std::string("sha256=") + hex, "format=sha1,v=" + hex, std::string("format=sha256"),
                          "v=" + hex, "format=sha256, v=" + hex, "format=sha256,x=" + hex}) {
    Case c =
        failing(base, "malformed X-Truto-Signature '" + bad.substr(0, 24) + "…'", "ok", "malformed_header");
    set_header(c, "X-Truto-Signature", bad);
    cases.push_back(c);
  }
  Case empty_v = failing(base, "X-Truto-Signature with an empty v=", "ok", "no_matching_signature");
  set_header(empty_v, "X-Truto-Signature", "format=sha256,v=");
  cases.push_back(empty_v);
  Case short_v = failing(base, "X-Truto-Signature truncated", "ok", "no_matching_signature");
  set_header(short_v, "X-Truto-Signature", truto.substr(0, truto.size() - 2));
  cases.push_back(short_v);

  for (const char* bad : {"", "whsec_", "whsec_not*base64", "whsec_A"}) {
    Case c = failing(base, std::string("bad secret '") + bad + "'", "bad_secret", "bad_secret");
    c.secret = bad;
    cases.push_back(c);
  }

  cases.push_back(not_an_envelope("empty body (signed)", ""));
  cases.push_back(not_an_envelope("body is not JSON (signed)", "not json"));
  cases.push_back(not_an_envelope("body is a JSON array (signed)", "[1,2,3]"));
  cases.push_back(not_an_envelope("envelope without event (signed)",
                                  R"({"id":"e1","payload":{},"environment_id":"env","created_at":)"
                                  R"("2026-01-01T00:00:00.000Z","webhook_id":"wh"})"));
  cases.push_back(not_an_envelope("envelope whose id is a number (signed)",
                                  R"({"id":1,"event":"test","payload":{},"environment_id":"env",)"
                                  R"("created_at":"2026-01-01T00:00:00.000Z","webhook_id":"wh"})"));
  return cases;
}

json::Value to_json(const Case& c) {
  json::ObjectBuilder headers;
  for (const auto& [name, value] : c.headers)
    headers.set(name, json::Value(value));
  json::ObjectBuilder expect;
  expect.set("standard_webhooks", json::Value(c.standard)).set("truto_signature", json::Value(c.truto));
  json::ObjectBuilder b;
  b.set("name", json::Value(c.name)).set("secret", json::Value(c.secret)).set("body", json::Value(c.body));
  b.set("headers", std::move(headers).build()).set("now", json::Value(c.now));
  if (c.tolerance) b.set("tolerance_seconds", json::Value(*c.tolerance));
  b.set("expect", std::move(expect).build());
  if (c.event) {
    json::ObjectBuilder e;
    e.set("id", json::Value(c.event->id)).set("event", json::Value(c.event->type));
    e.set("known_event_type", json::Value(c.event->known_type));
    e.set("environment_id", json::Value(kEnvironmentId)).set("webhook_id", json::Value(kWebhookId));
    e.set("created_at", json::Value(clock::iso8601(kCreatedAtMs)));
    e.set("payload_json", json::Value(c.event->payload_json));
    b.set("event", std::move(e).build());
  }
  return std::move(b).build();
}

}  // namespace

std::string build_vectors_json() {
  std::vector<json::Value> cases, types;
  for (const auto& c : positive_cases())
    cases.push_back(to_json(c));
  for (const auto& c : negative_cases())
    cases.push_back(to_json(c));
  for (std::string_view t : event_types())
    types.push_back(json::Value(t));
  std::vector<json::Value> kinds;
  for (const char* k : {"missing_header", "malformed_header", "bad_timestamp", "timestamp_too_old",
                        "timestamp_too_new", "no_matching_signature", "bad_secret", "invalid_payload"})
    kinds.push_back(json::Value(k));

  json::ObjectBuilder root;
  root.set(
      "about",
      json::Value("Test vectors for hookd's verification libraries (sdk/*), generated by "
                  "tests/sdk/vectors_test.cpp with hookd::dispatch::sign. Do not edit: run the test with "
                  "HOOKD_WRITE_SDK_VECTORS=1 to rewrite. For each case, verify `body` (UTF-8 bytes) and "
                  "`headers` with `secret` at unix time `now` (tolerance `tolerance_seconds`, or the "
                  "library's default when absent) once with the Standard Webhooks headers and once with "
                  "X-Truto-Signature; `expect` gives each outcome, `event` what a successful parse yields "
                  "(`payload_json` is the payload's JSON text)."));
  root.set("default_tolerance_seconds", json::Value(kDefaultTolerance));
  root.set("error_kinds", json::Value::array(std::move(kinds)));
  root.set("event_types", json::Value::array(std::move(types)));
  root.set("cases", json::Value::array(std::move(cases)));
  return json::dump_pretty(std::move(root).build()) + "\n";
}

}  // namespace hookd::sdk_vectors
