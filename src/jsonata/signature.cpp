#include "jsonata/signature.h"

#include "jsonata/error.h"

namespace hookd::jsonata::detail {

char type_letter(const json::Value& v) noexcept {
  switch (v.type()) {
    case json::Type::function:
      return 'f';
    case json::Type::string:
      return 's';
    case json::Type::number:
      return 'n';
    case json::Type::boolean:
      return 'b';
    case json::Type::null:
      return 'l';
    case json::Type::array:
      return 'a';
    case json::Type::object:
      return 'o';
    case json::Type::undefined:
      return 'm';
  }
  return 'm';
}

namespace {

using Span = std::pair<size_t, size_t>;

size_t closing(std::string_view s, size_t start, char open, char close) {
  int depth = 1;
  size_t pos = start;
  while (pos < s.size()) {
    ++pos;
    if (pos >= s.size()) break;
    if (s[pos] == close) {
      if (--depth == 0) break;
    } else if (s[pos] == open) {
      ++depth;
    }
  }
  return pos;
}

// Quantifier of a parameter as its regex suffix says: "" {1}, "?" {0,1}, "+" {1,}, a trailing "?" makes it
// lazy.
struct Quant {
  size_t min = 1, max = 1;
  bool lazy = false;
};

Quant quant_of(const Signature::Param& p) {
  Quant q;
  if (p.optional) q.min = 0;
  if (p.repeat) q.max = static_cast<size_t>(-1);
  q.lazy = p.lazy;
  return q;
}

bool accepts(const Signature::Param& p, char c) {
  return p.chars.find(c) != std::string::npos;
}

// Regex-style backtracking over the type letters, in the order a JavaScript regex tries alternatives. Records
// each parameter's span; with `anchored` the match must consume every letter, otherwise the first match found
// wins and `end` says where it stopped.
bool match_params(const std::vector<Signature::Param>& params, size_t count, size_t pi, std::string_view s,
                  size_t pos, bool anchored, Span* spans, size_t& end) {
  if (pi == count) {
    if (anchored && pos != s.size()) return false;
    end = pos;
    return true;
  }
  const Signature::Param& p = params[pi];
  Quant q = quant_of(p);
  size_t avail = 0;
  while (pos + avail < s.size() && avail < q.max && accepts(p, s[pos + avail]))
    ++avail;
  if (avail < q.min) return false;
  auto attempt = [&](size_t k) {
    spans[pi] = {pos, pos + k};
    return match_params(params, count, pi + 1, s, pos + k, anchored, spans, end);
  };
  if (q.lazy) {
    for (size_t k = q.min; k <= avail; ++k)
      if (attempt(k)) return true;
  } else {
    for (size_t k = avail + 1; k-- > q.min;)
      if (attempt(k)) return true;
  }
  return false;
}

const char* plural(char subtype) {
  switch (subtype) {
    case 'a':
      return "arrays";
    case 'b':
      return "booleans";
    case 'f':
      return "functions";
    case 'n':
      return "numbers";
    case 'o':
      return "objects";
    case 's':
      return "strings";
  }
  return "undefined";
}

JError arg_error(const char* code, const json::Value& value, size_t index) {
  JError e(code, value);
  e.has_value = !value.is_undefined();
  e.index = static_cast<int>(index);
  return e;
}

}  // namespace

std::shared_ptr<const Signature> parse_signature(std::string_view text) {
  auto sig = std::make_shared<Signature>();
  sig->definition = std::string(text);
  Signature::Param param;
  Signature::Param* prev = nullptr;
  auto push = [&] {
    sig->params.push_back(param);
    prev = &sig->params.back();
    param = Signature::Param();
  };
  auto modify = [&](char m) {
    if (!prev) return;  // jsonata-js modifies a placeholder object nobody reads
    if (m == '+') {
      prev->repeat = true;
    } else if (prev->optional || prev->repeat) {
      prev->lazy = true;
    } else {
      prev->optional = true;
    }
  };
  for (size_t pos = 1; pos < text.size(); ++pos) {
    char symbol = text[pos];
    if (symbol == ':') break;
    switch (symbol) {
      case 's':
      case 'n':
      case 'b':
      case 'l':
      case 'o':
        param.chars = std::string{symbol, 'm'};
        param.type = symbol;
        push();
        break;
      case 'a':
        param.chars = "asnblfom";
        param.type = 'a';
        push();
        break;
      case 'f':
        param.chars = "f";
        param.type = 'f';
        push();
        break;
      case 'j':
        param.chars = "asnblom";
        param.type = 'j';
        push();
        break;
      case 'x':
        param.chars = "asnblfom";
        param.type = 'x';
        push();
        break;
      case '-':
        if (prev) {
          prev->context = true;
          prev->context_chars = prev->chars;
        }
        modify('?');
        break;
      case '?':
      case '+':
        modify(symbol);
        break;
      case '(': {
        size_t end = closing(text, pos, '(', ')');
        std::string_view choice = text.substr(pos + 1, end > pos ? end - pos - 1 : 0);
        if (choice.find('<') != std::string_view::npos) {
          JError e("S0402", json::Value(choice));
          e.position = static_cast<int64_t>(pos);
          throw e;
        }
        param.chars = std::string(choice) + "m";
        param.type = '(';
        pos = end;
        push();
        break;
      }
      case '<': {
        if (prev && (prev->type == 'a' || prev->type == 'f')) {
          size_t end = closing(text, pos, '<', '>');
          prev->subtype = std::string(text.substr(pos + 1, end > pos ? end - pos - 1 : 0));
          pos = end;
        } else {
          JError e("S0401", json::Value(std::string(1, prev ? prev->type : '\0')));
          e.position = static_cast<int64_t>(pos);
          throw e;
        }
        break;
      }
      default:
        break;
    }
  }
  for (const Signature::Param& p : sig->params)
    sig->has_repeat_ = sig->has_repeat_ || p.repeat;
  return sig;
}

void Signature::validate(std::span<const json::Value> args, const json::Value& context, Args& out) const {
  // The common case: one argument per parameter, each of an accepted type, and no `+` to make the regex take
  // a different split. The regex would match each argument to its own parameter.
  if (args.size() == params.size() && !has_repeat_) {
    bool fits = true;
    for (size_t i = 0; i < args.size() && fits; ++i) {
      char c = type_letter(args[i]);
      const Param& p = params[i];
      fits = p.chars.find(c) != std::string::npos && (p.type != 'a' || p.subtype.empty() || c == 'm');
    }
    if (fits) {
      for (size_t i = 0; i < args.size(); ++i) {
        const json::Value& a = args[i];
        if (params[i].type == 'a' && !a.is_array() && !a.is_undefined())
          out.push_back(json::Value::array({a}));
        else
          out.push_back(a);
      }
      return;
    }
  }
  char letter_buf[16];
  std::string long_letters;
  std::string_view letters;
  if (args.size() <= sizeof letter_buf) {
    for (size_t i = 0; i < args.size(); ++i)
      letter_buf[i] = type_letter(args[i]);
    letters = std::string_view(letter_buf, args.size());
  } else {
    for (const json::Value& a : args)
      long_letters.push_back(type_letter(a));
    letters = long_letters;
  }
  Span span_buf[8];
  std::vector<Span> long_spans;
  Span* spans = span_buf;
  if (params.size() > 8) {
    long_spans.resize(params.size());
    spans = long_spans.data();
  }
  size_t end = 0;
  if (!match_params(params, params.size(), 0, letters, 0, true, spans, end)) {
    // Blame the first argument where a growing prefix of the pattern stops matching (jsonata-js's
    // throwValidationError), or the first extra argument.
    size_t good_to = 0;
    for (size_t i = 0; i < params.size(); ++i) {
      size_t stop = 0;
      if (!match_params(params, i + 1, 0, letters, 0, false, spans, stop))
        throw arg_error("T0410", good_to < args.size() ? args[good_to] : json::Value(), good_to + 1);
      good_to = stop;
    }
    throw arg_error("T0410", good_to < args.size() ? args[good_to] : json::Value(), good_to + 1);
  }
  size_t arg_index = 0;
  auto arg_at = [&](size_t i) { return i < args.size() ? args[i] : json::Value(); };
  for (size_t i = 0; i < params.size(); ++i) {
    const Param& p = params[i];
    std::string_view match(letters.data() + spans[i].first, spans[i].second - spans[i].first);
    if (match.empty()) {
      if (p.context) {
        char c = type_letter(context);
        if (p.context_chars.find(c) == std::string::npos) throw arg_error("T0411", context, arg_index + 1);
        out.push_back(context);
      } else {
        out.push_back(arg_at(arg_index));
        ++arg_index;
      }
      continue;
    }
    for (char single : match) {
      json::Value arg = arg_at(arg_index);
      if (p.type == 'a') {
        if (single == 'm') {
          arg = json::Value();
        } else {
          bool ok = true;
          if (!p.subtype.empty()) {
            if (single != 'a' && match != p.subtype) {
              ok = false;
            } else if (single == 'a' && arg.size() > 0) {
              char item_type = type_letter(arg.as_array()[0]);
              if (item_type != p.subtype[0]) {
                ok = false;
              } else {
                for (const json::Value& v : arg.as_array())
                  if (type_letter(v) != item_type) ok = false;
              }
            }
          }
          if (!ok) {
            JError e = arg_error("T0412", arg, arg_index + 1);
            e.type = plural(p.subtype[0]);
            throw e;
          }
          if (single != 'a') arg = json::Value::array({arg});
        }
      }
      out.push_back(std::move(arg));
      ++arg_index;
    }
  }
}

}  // namespace hookd::jsonata::detail
