// Fuzzes the `{{path}}` templates of signature configs (template.h) and the values built on them
// (signature_value.h: a template or {"jsonata"}, split into candidates): compile once, then render over a
// payload context. Any template must compile or be refused with an error naming its field, never crash, hang
// or leak; what compiles must render or fail with missing_value, and render the same twice.
//
// Input: the template text, optionally followed by `\n---\n` and a JSON payload context (a default one
// otherwise). The context's `headers` are the request's headers, `raw_body` its bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/errc.h"
#include "ingest/signature_value.h"

namespace {

namespace json = hookd::json;
namespace ingest = hookd::ingest;

constexpr std::string_view kDefaultContext = R"({
  "headers": {"x-signature": "sha256=abc", "x-ts": "1700000000", "stripe-signature": "t=1,v1=aa,v1=bb"},
  "body": {"id": "evt_1", "items": [{"id": 7}, {"id": 8.5}], "ok": true, "none": null, "text": ""},
  "query": {"a": ["1", "2"], "b": "x"}, "raw_body": "{\"id\":\"evt_1\"}",
  "context": {"webhook_secret": "whsec_abc", "nested": {"k": "v"}, "empty": ""},
  "environment_variables": {"WEBHOOK_SECRET": "env-secret"}})";

void check_error(const hookd::Error& e, bool compiling) {
  if (e.message.empty()) __builtin_trap();
  if (compiling) {
    // A refused template names the config field it came from.
    if (e.code != ingest::IngestErrc::invalid_config && e.code != ingest::IngestErrc::jsonata_error)
      __builtin_trap();
    if (e.message.find("cfg.field") == std::string::npos) __builtin_trap();
  } else if (e.code != ingest::IngestErrc::missing_value && e.code != ingest::IngestErrc::jsonata_error) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find("\n---\n");
  std::string_view text = input.substr(0, split);
  json::Value context;
  if (split == std::string_view::npos || !json::parse(input.substr(split + 5), context) ||
      !context.is_object())
    json::parse(kDefaultContext, context);
  const json::Value& headers = context.get("headers");
  std::string_view raw_body = context.get("raw_body").string_or("");
  ingest::TemplateScope scope{context, headers, raw_body};

  auto compiled = ingest::Template::compile(text, "cfg.field");
  if (!compiled.ok()) {
    check_error(compiled.error(), true);
  } else {
    std::vector<std::string> fields;
    compiled->context_fields(fields);
    for (bool refuse_empty : {false, true}) {
      std::string first, second;
      auto status = compiled->render(scope, first, refuse_empty);
      auto again = compiled->render(scope, second, refuse_empty);
      if (status.ok() != again.ok() || (status.ok() && first != second)) __builtin_trap();
      if (!status.ok()) check_error(status.error(), false);
    }
  }
  // The same text as a signed value, a string or a {"jsonata"} object (an expression when it is not a template).
  for (bool as_expression : {false, true}) {
    json::Value spec(text);
    if (as_expression) {
      json::ObjectBuilder b;
      b.set("jsonata", spec);
      spec = std::move(b).build();
    }
    auto value = ingest::SignedValue::compile(spec, "cfg.field");
    if (!value.ok()) {
      check_error(value.error(), true);
      continue;
    }
    ingest::VerifyScope verify{scope, nullptr, 1'700'000'000'000, nullptr};
    std::vector<std::string> candidates;
    auto status = value->candidates(verify, ", ", candidates);
    if (!status.ok()) check_error(status.error(), false);
    for (const auto& c : candidates)
      if (c.empty()) __builtin_trap();  // empty pieces are dropped
  }
  return 0;
}
