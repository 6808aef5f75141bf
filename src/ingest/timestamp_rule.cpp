#include "ingest/timestamp_rule.h"

#include <charconv>
#include <cmath>

#include "core/clock.h"

namespace hookd::ingest {

namespace {

Error config_error(std::string_view field, std::string_view message) {
  return make_error(IngestErrc::invalid_config, std::string(field) + ": " + std::string(message));
}

// A whole number of seconds or milliseconds, as vendors print them (digits, possibly a fraction of seconds:
// some send "1700000000.123").
std::optional<int64_t> parse_unix(std::string_view text, bool millis) {
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ')
    text.remove_suffix(1);
  if (text.empty() || text.size() > 24) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0)
    return std::nullopt;
  double ms = millis ? value : value * 1000.0;
  if (ms > 9.0e15) return std::nullopt;  // beyond year 287,000: not a timestamp
  return static_cast<int64_t>(ms);
}

}  // namespace

Result<std::shared_ptr<const TimestampRule>> TimestampRule::create(const json::Value& spec,
                                                                   std::string_view field) {
  std::string f(field);
  if (!spec.is_object()) return config_error(f, "must be an object with value, format and max_age_seconds");
  for (const auto& m : spec.members())
    if (m.name() != "value" && m.name() != "format" && m.name() != "max_age_seconds" &&
        m.name() != "max_future_seconds")
      return config_error(f + "." + std::string(m.name()),
                          "unknown field (value, format, max_age_seconds, max_future_seconds)");
  auto rule = std::make_shared<TimestampRule>();
  if (spec.get("value").is_undefined()) return config_error(f + ".value", "is required");
  auto value = SignedValue::compile(spec.get("value"), f + ".value");
  if (!value.ok()) return value.error();
  rule->value_ = std::move(value).value();

  const json::Value& format = spec.get("format");
  if (!format.is_undefined()) {
    std::string_view name = format.string_or("");
    if (name == "unix_seconds")
      rule->format_ = Format::unix_seconds;
    else if (name == "unix_ms")
      rule->format_ = Format::unix_ms;
    else if (name == "iso8601")
      rule->format_ = Format::iso8601;
    else
      return config_error(f + ".format", "must be unix_seconds, unix_ms or iso8601");
  }
  auto seconds = [&](const char* name, bool required) -> Result<int64_t> {
    const json::Value& v = spec.get(name);
    if (v.is_undefined()) {
      if (required) return config_error(f + "." + name, "is required");
      return int64_t{-1};
    }
    if (!v.is_number() || v.as_number() < 1 || v.as_number() > 366.0 * 86400 ||
        v.as_number() != std::floor(v.as_number()))
      return config_error(f + "." + name, "must be a whole number of seconds from 1 to 31622400");
    return static_cast<int64_t>(v.as_number());
  };
  auto age = seconds("max_age_seconds", true);
  if (!age.ok()) return age.error();
  auto future = seconds("max_future_seconds", false);
  if (!future.ok()) return future.error();
  rule->max_age_ms_ = *age * 1000;
  rule->max_future_ms_ = (*future < 0 ? *age : *future) * 1000;
  return std::shared_ptr<const TimestampRule>(std::move(rule));
}

SignatureVerdict TimestampRule::check(const VerifyScope& scope) const {
  std::string text;
  if (Status s = value_.render(scope, text); !s.ok()) {
    if (s.error().code == IngestErrc::missing_value)
      return {SignatureFailure::timestamp_missing, "no timestamp: " + s.error().message};
    return {SignatureFailure::expression_failed, "timestamp_tolerance.value: " + s.error().message};
  }
  std::optional<int64_t> at;
  switch (format_) {
    case Format::unix_seconds:
      at = parse_unix(text, false);
      break;
    case Format::unix_ms:
      at = parse_unix(text, true);
      break;
    case Format::iso8601:
      at = clock::parse_iso8601(text);
      break;
  }
  if (!at) return {SignatureFailure::timestamp_invalid, "the timestamp is not in the configured format"};
  int64_t now = scope.now_millis;
  if (*at < now - max_age_ms_)
    return {SignatureFailure::timestamp_outside_tolerance,
            "the request is " + std::to_string((now - *at) / 1000) + " s old; at most " +
                std::to_string(max_age_ms_ / 1000) + " s are accepted"};
  if (*at > now + max_future_ms_)
    return {SignatureFailure::timestamp_outside_tolerance,
            "the request is dated " + std::to_string((*at - now) / 1000) + " s in the future; at most " +
                std::to_string(max_future_ms_ / 1000) + " s are accepted"};
  return {};
}

}  // namespace hookd::ingest
