// The formatting and date/time built-ins, adapted onto the format library (src/jsonata/format):
// $formatNumber, $formatInteger, $parseInteger, $fromMillis, $toMillis, $now, and $millis.
#include <optional>

#include "jsonata/format/format.h"
#include "jsonata/functions.h"

namespace hookd::jsonata::detail {

namespace {

[[noreturn]] void fail(const format::Error& error) {
  JError e(error.code);
  e.message = error.message;
  e.message_is_final = true;
  if (!error.value.is_undefined()) {
    e.value = error.value;
    e.has_value = true;
  }
  throw e;
}

template <class T>
T take(format::Result<T> r) {
  if (!r.ok()) fail(r.error());
  return std::move(r).value();
}

std::optional<std::string_view> optional_string(const Value& v) {
  if (v.is_string()) return v.as_string();
  return std::nullopt;
}

Value fn_format_number(Call&, Args& args) {
  const Value& v = arg(args, 0);
  if (v.is_undefined()) return Value();
  return Value(take(format::format_number(v.as_number(), required_string(args, 1), arg(args, 2))));
}

Value fn_format_integer(Call&, Args& args) {
  const Value& v = arg(args, 0);
  if (v.is_undefined()) return Value();
  return Value(take(format::format_integer(v.as_number(), required_string(args, 1))));
}

Value fn_parse_integer(Call&, Args& args) {
  const Value& v = arg(args, 0);
  if (v.is_undefined()) return Value();
  return Value(take(format::parse_integer(v.as_string(), required_string(args, 1))));
}

Value fn_from_millis(Call&, Args& args) {
  const Value& v = arg(args, 0);
  if (v.is_undefined()) return Value();
  return Value(
      take(format::from_millis(v.as_number(), optional_string(arg(args, 1)), optional_string(arg(args, 2)))));
}

Value fn_to_millis(Call& call, Args& args) {
  const Value& v = arg(args, 0);
  if (v.is_undefined()) return Value();
  std::optional<double> ms =
      take(format::to_millis(v.as_string(), optional_string(arg(args, 1)), call.ev.now_millis()));
  return ms ? Value(*ms) : Value();
}

Value fn_now(Call& call, Args& args) {
  return Value(take(format::from_millis(call.ev.now_millis(), optional_string(arg(args, 0)),
                                        optional_string(arg(args, 1)))));
}

Value fn_millis(Call& call, Args&) {
  return Value(call.ev.now_millis());
}

}  // namespace

void register_format_functions(FunctionTable& t) {
  t.add("formatNumber", fn_format_number, 3, "<n-so?:s>");
  t.add("formatInteger", fn_format_integer, 2, "<n-s:s>");
  t.add("parseInteger", fn_parse_integer, 2, "<s-s:n>");
  t.add("toMillis", fn_to_millis, 2, "<s-s?:n>");
  t.add("fromMillis", fn_from_millis, 3, "<n-s?s?:s>");
  t.add("now", fn_now, 2, "<s?s?:s>");
  t.add("millis", fn_millis, 0, "<:n>");
}

}  // namespace hookd::jsonata::detail
