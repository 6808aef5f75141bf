// Fuzzes the parsers that see a vendor's bytes before its signature is checked: the body by content type (JSON,
// form fields, text) and the query string. Any input must parse or fail with a coded error, never crash, hang or
// leak; what parses must serialize and read back the same; a JSON error's offset lies inside the body.
//
// Input: the first byte picks the content type (JSON, form, text, a JSON suffix type), the rest is the body; the
// body is also read as a query string.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hookd/json.h"
#include "http/message.h"
#include "ingest/errc.h"
#include "ingest/payload_context.h"

namespace {

constexpr std::string_view kContentTypes[] = {"application/json", "application/x-www-form-urlencoded",
                                              "text/plain", "application/vnd.api+json; charset=utf-8"};

// What is written is JSON, and writing what was read back is stable. (Not always the same text: names that
// differ only in bytes that are not UTF-8 both become U+FFFD, and the second of two equal names wins.)
void check_round_trip(const hookd::json::Value& v) {
  if (v.is_undefined()) return;  // an empty body: nothing to write
  std::string text = hookd::json::dump(v);
  hookd::json::Value again, third;
  if (!hookd::json::parse(text, again)) __builtin_trap();
  std::string normalized = hookd::json::dump(again);
  if (!hookd::json::parse(normalized, third) || hookd::json::dump(third) != normalized) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view content_type = kContentTypes[data[0] % 4];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  // Small limits, so the fuzzer reaches the limit paths too.
  hookd::ingest::BodyLimits limits{.max_form_fields = 64};
  auto parsed = hookd::ingest::parse_body(content_type, body, limits);
  if (parsed.ok()) {
    check_round_trip(*parsed);
  } else {
    const auto& e = parsed.error();
    if (e.code != hookd::ingest::IngestErrc::malformed_json &&
        e.code != hookd::ingest::IngestErrc::too_many_fields)
      __builtin_trap();
    if (e.message.empty()) __builtin_trap();
  }
  hookd::json::Value v;
  hookd::json::ParseError error;
  if (!hookd::json::parse(body, v, &error) && (error.message.empty() || error.offset > body.size()))
    __builtin_trap();
  check_round_trip(hookd::ingest::query_object(hookd::http::parse_query(body)));
  return 0;
}
