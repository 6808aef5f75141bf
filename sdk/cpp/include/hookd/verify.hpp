// hookd/verify.hpp: verifies webhook deliveries from hookd and parses their events. One header, C++17, OpenSSL
// (libcrypto) only: copy it into your project, or use the CMake target hookd::verify.
//
//   hookd::verify::Webhook webhook(std::getenv("HOOKD_WEBHOOK_SECRET"));   // "whsec_..."
//   hookd::verify::Event event = webhook.verify(raw_body, headers);          // throws VerificationError
//
// verify() checks the Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature): an HMAC-SHA256
// over "<id>.<timestamp>.<body>", and a timestamp within the tolerance (default 5 minutes) of the clock either
// way. Scheme::truto_signature checks X-Truto-Signature instead (an HMAC-SHA256 of the body, no timestamp). During
// a secret rotation hookd signs with both the new and the previous secret, so either verifies.
#pragma once

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookd::verify {

// Why a delivery was refused; the same names in every hookd verification library.
enum class ErrorKind {
  missing_header,
  malformed_header,
  bad_timestamp,
  timestamp_too_old,
  timestamp_too_new,
  no_matching_signature,
  bad_secret,
  invalid_payload,
};

inline std::string_view to_string(ErrorKind k) noexcept {
  constexpr std::string_view names[] = {"missing_header",    "malformed_header",  "bad_timestamp",
                                        "timestamp_too_old", "timestamp_too_new", "no_matching_signature",
                                        "bad_secret",        "invalid_payload"};
  return names[static_cast<int>(k)];
}

// A delivery that must not be trusted (or a secret that cannot verify anything). Answer 4xx.
class VerificationError : public std::runtime_error {
 public:
  VerificationError(ErrorKind kind, const std::string& message)
      : std::runtime_error("hookd: " + message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

// Which of hookd's signature headers to check.
enum class Scheme {
  standard_webhooks,  // webhook-id, webhook-timestamp, webhook-signature: replay-safe
  truto_signature,    // X-Truto-Signature: the body only, no timestamp
};

// Every event type hookd sends today; `unknown` for a newer one (Event::event still holds its name).
enum class EventType {
  unknown,
  integrated_account_created,
  integrated_account_updated,
  integrated_account_deleted,
  integrated_account_active,
  integrated_account_reactivated,
  integrated_account_authentication_error,
  integrated_account_forbidden_error,
  integrated_account_post_install_error,
  integrated_account_validation_error,
  integrated_account_post_connect_form_submitted,
  sync_job_run_created,
  sync_job_run_updated,
  sync_job_run_started,
  sync_job_run_completed,
  sync_job_run_failed,
  sync_job_run_deleted,
  sync_job_run_record,
  sync_job_run_record_error,
  sync_job_run_rate_limited,
  record_created,
  record_updated,
  record_deleted,
  record_meta,
  environment_integration_created,
  environment_integration_updated,
  environment_integration_deleted,
  api_token_created,
  api_token_deleted,
  sync_job_cron_trigger_failed,
  batch_job_created,
  batch_job_updated,
  batch_job_started,
  batch_job_completed,
  batch_job_failed,
  batch_job_deleted,
  test,
  webhook_disabled,
};

// The names of the EventType values after `unknown`, in order.
inline constexpr std::array<std::string_view, 37> kEventTypeNames = {
    "integrated_account:created",
    "integrated_account:updated",
    "integrated_account:deleted",
    "integrated_account:active",
    "integrated_account:reactivated",
    "integrated_account:authentication_error",
    "integrated_account:forbidden_error",
    "integrated_account:post_install_error",
    "integrated_account:validation_error",
    "integrated_account:post_connect_form_submitted",
    "sync_job_run:created",
    "sync_job_run:updated",
    "sync_job_run:started",
    "sync_job_run:completed",
    "sync_job_run:failed",
    "sync_job_run:deleted",
    "sync_job_run:record",
    "sync_job_run:record_error",
    "sync_job_run:rate_limited",
    "record:created",
    "record:updated",
    "record:deleted",
    "record:meta",
    "environment_integration:created",
    "environment_integration:updated",
    "environment_integration:deleted",
    "api_token:created",
    "api_token:deleted",
    "sync_job_cron_trigger:failed",
    "batch_job:created",
    "batch_job:updated",
    "batch_job:started",
    "batch_job:completed",
    "batch_job:failed",
    "batch_job:deleted",
    "test",
    "webhook:disabled",
};

inline EventType event_type_from_string(std::string_view name) noexcept {
  for (size_t i = 0; i < kEventTypeNames.size(); ++i)
    if (kEventTypeNames[i] == name) return static_cast<EventType>(i + 1);
  return EventType::unknown;
}

// A delivery's envelope.
struct Event {
  std::string id;     // the same on every retry and replay: de-duplicate by it
  std::string event;  // the type's name, as sent (also for types newer than this header)
  EventType type = EventType::unknown;
  std::string payload_json;  // the payload's JSON text, for the JSON library of your choice
  std::string environment_id;
  std::string created_at;  // ISO 8601, UTC, milliseconds
  std::string webhook_id;

  bool is_known_type() const noexcept { return type != EventType::unknown; }
};

// The headers a delivery carries; empty when absent. Fill it from any HTTP library, or use the map overloads.
struct DeliveryHeaders {
  std::string_view webhook_id;
  std::string_view webhook_timestamp;
  std::string_view webhook_signature;
  std::string_view truto_signature;  // X-Truto-Signature
};

namespace detail {

inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

inline std::string base64(const unsigned char* data, size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = static_cast<uint32_t>(data[i]) << 16;
    if (i + 1 < n) v |= static_cast<uint32_t>(data[i + 1]) << 8;
    if (i + 2 < n) v |= data[i + 2];
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += i + 1 < n ? kAlphabet[v >> 6 & 63] : '=';
    out += i + 2 < n ? kAlphabet[v & 63] : '=';
  }
  return out;
}

// As hookd decodes secrets: either alphabet, padding optional.
inline std::optional<std::string> from_base64(std::string_view text) {
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+' || c == '-' ? 62
            : c == '/' || c == '_' ? 63
                                   : -1;
    if (v < 0) return std::nullopt;
    acc = (acc << 6 | static_cast<uint32_t>(v)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(acc >> bits & 0xff);
    }
  }
  return out;
}

inline std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len))
    throw std::runtime_error("hookd: OpenSSL HMAC failed");
  return std::string(reinterpret_cast<const char*>(mac), len);
}

// Constant time for equal lengths; the length of a signature is public.
inline bool equal(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

[[noreturn]] inline void fail(ErrorKind kind, const std::string& message) {
  throw VerificationError(kind, message);
}

// A strict JSON (RFC 8259) scanner: enough to read an envelope's members without a JSON library.
namespace json {

inline size_t skip_ws(std::string_view s, size_t i) noexcept {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
    ++i;
  return i;
}

inline bool is_digit(std::string_view s, size_t i) noexcept {
  return i < s.size() && s[i] >= '0' && s[i] <= '9';
}

inline bool scan_string(std::string_view s, size_t& i) noexcept {
  if (i >= s.size() || s[i] != '"') return false;
  for (++i; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      ++i;
      return true;
    }
    if (c < 0x20) return false;
    if (c != '\\') continue;
    if (++i >= s.size()) return false;
    if (s[i] == 'u') {
      for (int k = 0; k < 4; ++k) {
        char h = ++i < s.size() ? s[i] : '\0';
        if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) return false;
      }
    } else if (std::string_view("\"\\/bfnrt").find(s[i]) == std::string_view::npos) {
      return false;
    }
  }
  return false;
}

inline bool scan_number(std::string_view s, size_t& i) noexcept {
  if (i < s.size() && s[i] == '-') ++i;
  if (!is_digit(s, i)) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (is_digit(s, i))
      ++i;
  }
  if (i < s.size() && s[i] == '.') {
    if (!is_digit(s, ++i)) return false;
    while (is_digit(s, i))
      ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!is_digit(s, i)) return false;
    while (is_digit(s, i))
      ++i;
  }
  return true;
}

// Moves i past one value (and the whitespace before it); false when there is no valid value there.
inline bool scan_value(std::string_view s, size_t& i, int depth = 0) noexcept {
  if (depth > 512) return false;  // a bound on recursion, far above any envelope
  i = skip_ws(s, i);
  if (i >= s.size()) return false;
  char c = s[i];
  if (c == '"') return scan_string(s, i);
  if (c == '{' || c == '[') {
    const char close = c == '{' ? '}' : ']';
    i = skip_ws(s, i + 1);
    if (i < s.size() && s[i] == close) return ++i, true;
    for (;;) {
      if (c == '{') {
        i = skip_ws(s, i);
        if (!scan_string(s, i)) return false;
        i = skip_ws(s, i);
        if (i >= s.size() || s[i++] != ':') return false;
      }
      if (!scan_value(s, i, depth + 1)) return false;
      i = skip_ws(s, i);
      if (i >= s.size()) return false;
      if (s[i] == close) return ++i, true;
      if (s[i++] != ',') return false;
    }
  }
  for (std::string_view literal : {"true", "false", "null"})
    if (s.substr(i, literal.size()) == literal) return i += literal.size(), true;
  return scan_number(s, i);
}

inline void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | cp >> 18);
    out += static_cast<char>(0x80 | (cp >> 12 & 0x3f));
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// The text of a JSON string literal (`raw` includes the quotes), escapes resolved; nullopt if it is not one.
inline std::optional<std::string> string_value(std::string_view raw) {
  size_t end = 0;
  if (!scan_string(raw, end) || end != raw.size()) return std::nullopt;
  std::string out;
  auto hex4 = [&](size_t at) {
    return static_cast<uint32_t>(std::stoul(std::string(raw.substr(at, 4)), nullptr, 16));
  };
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out += raw[i];
      continue;
    }
    char e = raw[++i];
    if (e != 'u') {
      out += e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
      continue;
    }
    uint32_t cp = hex4(i + 1);
    i += 4;
    // A surrogate pair is one code point; a lone surrogate becomes U+FFFD, as JavaScript's TextEncoder writes it.
    if (cp >= 0xd800 && cp < 0xdc00 && raw.substr(i + 1, 2) == "\\u") {
      uint32_t low = hex4(i + 3);
      if (low >= 0xdc00 && low < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i += 6;
      }
    }
    append_utf8(out, cp >= 0xd800 && cp < 0xe000 ? 0xfffd : cp);
  }
  return out;
}

// A whole document that is one object: its members' names and raw values (views into `text`); nullopt otherwise.
inline std::optional<std::vector<std::pair<std::string, std::string_view>>> object_members(
    std::string_view text) {
  size_t i = skip_ws(text, 0);
  if (i >= text.size() || text[i] != '{') return std::nullopt;
  size_t end = i;
  if (!scan_value(text, end) || skip_ws(text, end) != text.size()) return std::nullopt;
  std::vector<std::pair<std::string, std::string_view>> members;
  i = skip_ws(text, i + 1);
  while (text[i] != '}') {  // the scan above proved the structure: no bounds checks needed
    size_t name_start = i;
    scan_string(text, i);
    std::string name = *string_value(text.substr(name_start, i - name_start));
    i = skip_ws(text, skip_ws(text, i) + 1);  // past ':'
    size_t value_start = i;
    scan_value(text, i);
    members.emplace_back(std::move(name), text.substr(value_start, i - value_start));
    i = skip_ws(text, i);
    if (text[i] == ',') i = skip_ws(text, i + 1);
  }
  return members;
}

// A whole document that is one array: its elements' raw texts; nullopt otherwise.
inline std::optional<std::vector<std::string_view>> array_elements(std::string_view text) {
  size_t i = skip_ws(text, 0);
  if (i >= text.size() || text[i] != '[') return std::nullopt;
  size_t end = i;
  if (!scan_value(text, end) || skip_ws(text, end) != text.size()) return std::nullopt;
  std::vector<std::string_view> items;
  i = skip_ws(text, i + 1);
  while (text[i] != ']') {
    size_t start = i;
    scan_value(text, i);
    items.push_back(text.substr(start, i - start));
    i = skip_ws(text, i);
    if (text[i] == ',') i = skip_ws(text, i + 1);
  }
  return items;
}

}  // namespace json
}  // namespace detail

// Parses a (verified) body into its event; throws VerificationError(invalid_payload) when it is not an envelope.
inline Event parse_event(std::string_view body) {
  auto members = detail::json::object_members(body);
  if (!members) detail::fail(ErrorKind::invalid_payload, "the body is not a JSON object");
  Event e;
  std::pair<const char*, std::string*> fields[] = {{"id", &e.id},
                                                   {"event", &e.event},
                                                   {"environment_id", &e.environment_id},
                                                   {"created_at", &e.created_at},
                                                   {"webhook_id", &e.webhook_id}};
  bool has_payload = false;
  for (const auto& [name, raw] : *members) {  // a repeated member: the last one counts, as in JSON.parse
    if (name == "payload") {
      e.payload_json = std::string(raw);
      has_payload = true;
    }
    for (auto& [field, to] : fields)
      if (name == field) {
        auto text = detail::json::string_value(raw);
        if (!text)
          detail::fail(ErrorKind::invalid_payload,
                       std::string("the envelope's ") + field + " is not a string");
        *to = std::move(*text);
      }
  }
  for (const auto& [field, to] : fields) {
    bool present = false;
    for (const auto& m : *members)
      present = present || m.first == field;
    if (!present) detail::fail(ErrorKind::invalid_payload, std::string("the envelope lacks ") + field);
  }
  if (!has_payload) detail::fail(ErrorKind::invalid_payload, "the envelope lacks payload");
  e.type = event_type_from_string(e.event);
  return e;
}

// Verifies deliveries to one endpoint, signed with its secret ("whsec_...", as hookd shows it).
class Webhook {
 public:
  static constexpr std::chrono::seconds kDefaultTolerance{300};

  // Throws VerificationError(bad_secret) for an empty secret or a "whsec_" one without a base64 key.
  explicit Webhook(std::string_view secret, std::chrono::seconds tolerance = kDefaultTolerance)
      : truto_key_(secret), standard_key_(secret) {
    if (tolerance.count() < 0) throw std::invalid_argument("hookd: the tolerance must not be negative");
    // Capped at 10^15 s (past any time a timestamp can name) so that the milliseconds fit in int64.
    tolerance_ms_ = std::min<int64_t>(tolerance.count(), 1'000'000'000'000'000) * 1000;
    if (secret.empty()) detail::fail(ErrorKind::bad_secret, "the secret is empty");
    constexpr std::string_view kPrefix = "whsec_";
    if (secret.substr(0, kPrefix.size()) == kPrefix) {
      auto key = detail::from_base64(secret.substr(kPrefix.size()));
      if (!key || key->empty())
        detail::fail(ErrorKind::bad_secret, "the part after whsec_ is not a non-empty base64 key");
      standard_key_ = std::move(*key);
    }
  }

  // Verifies a delivery and returns its event. `body` is the raw request body, byte for byte.
  Event verify(std::string_view body, const DeliveryHeaders& headers,
               Scheme scheme = Scheme::standard_webhooks,
               std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const {
    verify_signature(body, headers, scheme, now);
    return parse_event(body);
  }

  // The same with headers from any container of (name, value) pairs: std::map, std::vector<std::pair>, ...
  template <class HeaderMap, class = decltype(std::declval<const HeaderMap&>().begin())>
  Event verify(std::string_view body, const HeaderMap& headers, Scheme scheme = Scheme::standard_webhooks,
               std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const {
    return verify(body, headers_from(headers), scheme, now);
  }

  // Checks the signature only, for bodies you parse yourself. Throws VerificationError.
  void verify_signature(std::string_view body, const DeliveryHeaders& h,
                        Scheme scheme = Scheme::standard_webhooks,
                        std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const {
    if (scheme == Scheme::truto_signature)
      verify_truto(body, h.truto_signature);
    else
      verify_standard(body, h, now);
  }

  template <class HeaderMap, class = decltype(std::declval<const HeaderMap&>().begin())>
  void verify_signature(std::string_view body, const HeaderMap& headers,
                        Scheme scheme = Scheme::standard_webhooks,
                        std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const {
    verify_signature(body, headers_from(headers), scheme, now);
  }

  // Finds hookd's headers in a container of (name, value) pairs, whatever the names' case.
  template <class HeaderMap>
  static DeliveryHeaders headers_from(const HeaderMap& headers) {
    DeliveryHeaders h;
    for (const auto& [name, value] : headers) {
      std::string_view n(name), v(value);
      std::string_view* to = detail::iequals(n, "webhook-id")          ? &h.webhook_id
                             : detail::iequals(n, "webhook-timestamp") ? &h.webhook_timestamp
                             : detail::iequals(n, "webhook-signature") ? &h.webhook_signature
                             : detail::iequals(n, "x-truto-signature") ? &h.truto_signature
                                                                       : nullptr;
      if (to && to->empty()) *to = v;
    }
    return h;
  }

 private:
  static std::string_view required(std::string_view value, const char* name) {
    if (value.empty()) detail::fail(ErrorKind::missing_header, std::string("missing ") + name + " header");
    return value;
  }

  void verify_standard(std::string_view body, const DeliveryHeaders& h,
                       std::chrono::system_clock::time_point now) const {
    std::string_view id = required(h.webhook_id, "webhook-id");
    std::string_view timestamp = required(h.webhook_timestamp, "webhook-timestamp");
    std::string_view signatures = required(h.webhook_signature, "webhook-signature");
    // Digits only (no sign, space or fraction); 15 digits are far past any real time.
    int64_t seconds = 0;
    if (timestamp.size() > 15)
      detail::fail(ErrorKind::bad_timestamp, "webhook-timestamp is not unix seconds");
    for (char c : timestamp) {
      if (c < '0' || c > '9') detail::fail(ErrorKind::bad_timestamp, "webhook-timestamp is not unix seconds");
      seconds = seconds * 10 + (c - '0');
    }
    // In milliseconds of int64: a 15-digit timestamp fits (10^18), where system_clock's nanoseconds would overflow.
    const int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const int64_t age_ms = now_ms - seconds * 1000;
    if (age_ms > tolerance_ms_) detail::fail(ErrorKind::timestamp_too_old, "webhook-timestamp is too old");
    if (-age_ms > tolerance_ms_)
      detail::fail(ErrorKind::timestamp_too_new, "webhook-timestamp is too far ahead");

    std::vector<std::string_view> entries;
    for (size_t start = 0; start <= signatures.size();) {
      size_t space = std::min(signatures.find(' ', start), signatures.size());
      std::string_view entry = signatures.substr(start, space - start);
      if (!entry.empty()) {
        if (entry.find(',') == std::string_view::npos)
          detail::fail(ErrorKind::malformed_header,
                       "webhook-signature is not a list of '<version>,<signature>'");
        entries.push_back(entry);
      }
      start = space + 1;
    }
    if (entries.empty()) detail::fail(ErrorKind::malformed_header, "webhook-signature is blank");

    std::string message;
    message.reserve(id.size() + timestamp.size() + body.size() + 2);
    message.append(id).append(".").append(timestamp).append(".").append(body);
    std::string mac = detail::hmac_sha256(standard_key_, message);
    std::string expected = detail::base64(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
    for (std::string_view entry : entries) {
      size_t comma = entry.find(',');
      if (entry.substr(0, comma) == "v1" && detail::equal(entry.substr(comma + 1), expected)) return;
    }
    detail::fail(ErrorKind::no_matching_signature, "no webhook-signature matches the secret");
  }

  void verify_truto(std::string_view body, std::string_view header) const {
    header = required(header, "X-Truto-Signature");
    std::vector<std::string_view> items;
    for (size_t start = 0; start <= header.size();) {
      size_t comma = std::min(header.find(',', start), header.size());
      items.push_back(header.substr(start, comma - start));
      start = comma + 1;
    }
    bool well_formed = items[0] == "format=sha256" && items.size() >= 2;
    std::vector<std::string> candidates;
    for (size_t i = 1; i < items.size() && well_formed; ++i) {
      well_formed = items[i].substr(0, 2) == "v=";
      std::string lower(items[i].substr(2 < items[i].size() ? 2 : items[i].size()));
      for (char& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      candidates.push_back(std::move(lower));
    }
    if (!well_formed)
      detail::fail(ErrorKind::malformed_header, "X-Truto-Signature is not 'format=sha256,v=<hex>[,v=<hex>]'");
    std::string mac = detail::hmac_sha256(truto_key_, body);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string expected;
    for (unsigned char c : mac) {
      expected += kHex[c >> 4];
      expected += kHex[c & 15];
    }
    for (const std::string& candidate : candidates)
      if (detail::equal(candidate, expected)) return;
    detail::fail(ErrorKind::no_matching_signature, "no X-Truto-Signature matches the secret");
  }

  std::string truto_key_;
  std::string standard_key_;
  int64_t tolerance_ms_ = 0;
};

}  // namespace hookd::verify
