// Fuzzes signature verification with the configs vendors really use: every signature_verification (and
// timestamp_tolerance) of the catalog (integrations/*.json: Stripe's `t=..,v1=..`, Standard Webhooks'
// `v1,<base64> v1,<base64>`, GitHub's `sha256=<hex>`, Slack's `v0=`, Paddle's `ts=..;h1=..`, JWTs, ECDSA and
// Ed25519 keys, digests, Basic credentials) plus the encodings no catalog entry uses. The request's headers,
// query, account context and body come from the input. Any input must end with a verdict, never a crash, UB,
// leak or hang, and a failure's detail must never carry the account's secrets (they are logged and answered).
//
// Input: the first byte picks a config; then lines up to an empty line: `name: value` is a request header,
// `$name: value` sets an account-context field (defaults below hold valid secrets and keys), `?query` is the
// query string; the rest is the body.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "http/message.h"
#include "ingest/signature.h"

namespace {

namespace json = hookd::json;
namespace ingest = hookd::ingest;

// Formats and encodings the catalog does not use.
constexpr std::string_view kExtraConfigs[] = {
    R"c({"format":"basic","config":{"username":"{{context.user}}","password":"{{context.password}}"}})c",
    R"c({"format":"hmac","config":{"secret":"{{context.webhook_secret}}","algorithm":"sha512","string_type":"base64url",
        "secret_encoding":"hex","compare_with":["{{headers.x-sig}}","{{$header.x-sig-2}}"],"separator":"","parts":["$body"]}})c",
    R"c({"format":"hmac","config":{"secret":"{{credentials.webhook_secret}}","algorithm":"md5","compare_with":"{{headers.x-sig}}",
        "prefix":"sha1=","parts":["{{body.id}}",":","{{query.a}}",":",{"jsonata":"$string(body.n)"}]}})c",
    R"c({"format":"ecdsa","config":{"public_key":"{{context.verification_key}}","signature_encoding":"raw",
        "string_type":"base64url","compare_with":"{{headers.x-sig}}"}})c",
    R"c({"format":"equals","config":{"secret":"{{context.webhook_secret}}","compare_with":"{{headers.authorization}}",
        "prefix":"Bearer "}})c",
    R"c({"format":"jwt","config":{"algorithms":["HS256","ES256"],"secret":"{{context.shared_secret}}","public_key":"{{context.verification_key}}",
        "compare_with":"{{headers.authorization}}","prefix":"JWT ","claims":{"aud":"hookd"}}})c",
};
constexpr std::string_view kExtraTolerances[] = {
    R"({"value":"{{headers.x-ts}}","format":"iso8601","max_age_seconds":60})",
    R"({"value":"{{headers.x-ts}}","format":"unix_ms","max_age_seconds":300,"max_future_seconds":5})",
};

// A context with a valid value for every secret field a catalog entry reads: a config whose secret is
// missing would stop before it parses the request.
constexpr std::string_view kContext = R"({
  "webhook_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "webhook_secret_previous": "whsec_plJ3nmyCDGBKInavdOK15jsl",
  "primary_key": "SamplePrimaryKey", "secondary_key": "SampleSecondaryKey", "signing_key": "calendly-signing-key",
  "public_key": "d1ed679fa7a994a08d3f7c508e02dfe93ce170eedfbba4ae9a992036e1c77770",
  "hmac_key": "docusign-connect-key", "app_secret": "dropbox-app-secret", "client_secret": "hubspot-client-secret",
  "shared_secret": "jira-shared-secret", "client_key": "jira:1234", "client_state": "graph-client-state",
  "verification_token": "notion-verification-token", "authorization_secret": "okta-authorization-secret",
  "secret_key": "pdl_ntfset_01gkpjp8bkh3ym8j2v4m6b3gm5_secretvalue", "signature_key": "square-signature-key",
  "verification_key": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEnzyETT5noePOEMb8yjR2fN5N5yeAgik9CKbRlFruhJAAZQk7JpzpXjqPdFrItZ1H7L7ojLbjwViy0IyeyglpsA==",
  "signing_secret": "slack-signing-secret", "auth_token": "twilio-auth-token", "auth_token_secondary": "twilio-auth-token-2",
  "webhook_key": "xero-webhook-key", "secret_token": "zoom-secret-token", "user": "vendor-user", "password": "vendor-password"
})";

json::Value parse(std::string_view text) {
  json::Value v;
  if (!json::parse(text, v)) __builtin_trap();  // the fixed configs above are JSON
  return v;
}

std::vector<ingest::SignatureVerifier>& verifiers() {
  static std::vector<ingest::SignatureVerifier> all = [] {
    std::vector<ingest::SignatureVerifier> out;
    auto add = [&out](const json::Value& config, const json::Value& tolerance) {
      auto v = ingest::SignatureVerifier::create(config, tolerance);
      if (!v.ok()) {  // a catalog config that does not load is a bug of its own
        std::fprintf(stderr, "config refused: %s\n", v.error().message.c_str());
        std::abort();
      }
      out.push_back(std::move(*v));
    };
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(HOOKD_SOURCE_DIR "/integrations"))
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());  // stable config numbers, so that corpus files keep their meaning
    for (const auto& file : files) {
      std::ifstream in(file);
      std::stringstream text;
      text << in.rdbuf();
      const json::Value webhook = parse(text.str()).get("config").get("webhook");
      if (!webhook.get("signature_verification").is_undefined())
        add(webhook.get("signature_verification"), webhook.get("timestamp_tolerance"));
    }
    for (auto config : kExtraConfigs)
      for (auto tolerance : kExtraTolerances)
        add(parse(config), parse(tolerance));
    return out;
  }();
  return all;
}

struct Input {
  json::ObjectBuilder headers;
  json::Value context = parse(kContext);
  std::string query;
  std::string_view body;
};

Input read_input(std::string_view text) {
  Input in;
  json::ObjectBuilder context(in.context);
  for (;;) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.empty()) break;
    if (line.front() == '?') {
      in.query = std::string(line.substr(1));
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (line.front() == '$') {
      context.set(line.substr(1, colon - 1), json::Value(value));
    } else {
      std::string name(line.substr(0, colon));
      for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      in.headers.set(name, json::Value(value));
    }
  }
  in.context = std::move(context).build();
  in.body = text;
  return in;
}

// A secret appears in a verdict's detail only if the request itself carried it (a header echoed back).
void check_no_secret(const ingest::SignatureVerdict& verdict, const json::Value& context,
                     std::string_view input) {
  for (const auto& member : context.members()) {
    std::string_view secret = member.value.string_or("");
    if (secret.size() < 8 || input.find(secret) != std::string_view::npos) continue;
    if (verdict.detail.find(secret) != std::string::npos) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto& all = verifiers();
  const ingest::SignatureVerifier& verifier = all[data[0] % all.size()];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  Input in = read_input(text);
  json::Value headers = std::move(in.headers).build();
  json::Value body;
  if (!json::parse(in.body, body)) body = json::Value(in.body);
  json::ObjectBuilder payload;
  payload.set("headers", headers).set("body", body).set("context", in.context);
  json::ObjectBuilder query;
  for (const auto& [name, value] : hookd::http::parse_query(in.query))
    query.set(name, json::Value(value));
  payload.set("query", std::move(query).build()).set("method", "POST");
  payload.set("url", "https://hooks.example.com/integrated-account-webhook/a?" + in.query);
  json::Value payload_context = std::move(payload).build();

  hookd::http::Request request{boost::beast::http::verb::post, "/integrated-account-webhook/a?" + in.query,
                               11};
  hookd::http::RequestContext ctx{
      request, "/integrated-account-webhook/a", hookd::http::parse_query(in.query), {}, "127.0.0.1", {}};
  ingest::VerifyScope scope{{payload_context, headers, in.body}, &ctx, 1'700'000'000'000, nullptr};
  ingest::SignatureVerdict verdict = verifier.verify(scope);
  if (!verdict.ok() && ingest::failure_code(verdict.failure).empty()) __builtin_trap();
  check_no_secret(verdict, in.context, text);
  if (std::getenv(
          "FUZZ_SIGNATURE_PRINT"))  // what a corpus file gets: FUZZ_SIGNATURE_PRINT=1 fuzz_signature FILE
    std::fprintf(stderr, "config %zu: %s %s\n", data[0] % all.size(),
                 verdict.ok() ? "ok" : std::string(ingest::failure_code(verdict.failure)).c_str(),
                 verdict.detail.c_str());
  return 0;
}
