// $formatNumber: F&O 3.1 fn:format-number (4.7) as jsonata-js implements it, step for step, so pictures with
// prefixes, suffixes, exponents and custom decimal formats give jsonata-js's exact text.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "jsonata/format/format.h"
#include "jsonata/format/js.h"

namespace hookd::jsonata::format {

namespace {

using js::u16;
using js::u16v;

double gcd(double a, double b) {
  return b == 0 ? a : gcd(b, std::fmod(a, b));
}

// String(v) for an option value that is not a string.
u16 option_text(const json::Value& v) {
  switch (v.type()) {
    case json::Type::string:
      return js::to_utf16(v.as_string());
    case json::Type::number:
      return js::number_to_u16(v.as_number());
    case json::Type::boolean:
      return v.as_bool() ? u"true" : u"false";
    case json::Type::null:
      return u"null";
    case json::Type::array: {
      std::vector<u16> parts;
      for (const auto& item : v.as_array())
        parts.push_back(item.is_null() || item.is_undefined() ? u16() : option_text(item));
      return js::join(parts, u",");
    }
    case json::Type::object:
      return u"[object Object]";
    default:
      return u"undefined";
  }
}

struct Properties {
  u16 decimal_separator = u".";
  u16 grouping_separator = u",";
  u16 exponent_separator = u"e";
  u16 minus_sign = u"-";
  u16 percent = u"%";
  u16 per_mille = u"\u2030";
  u16 zero_digit = u"0";
  u16 digit = u"#";
  u16 pattern_separator = u";";

  void set(std::string_view key, u16 value) {
    if (key == "decimal-separator")
      decimal_separator = std::move(value);
    else if (key == "grouping-separator")
      grouping_separator = std::move(value);
    else if (key == "exponent-separator")
      exponent_separator = std::move(value);
    else if (key == "minus-sign")
      minus_sign = std::move(value);
    else if (key == "percent")
      percent = std::move(value);
    else if (key == "per-mille")
      per_mille = std::move(value);
    else if (key == "zero-digit")
      zero_digit = std::move(value);
    else if (key == "digit")
      digit = std::move(value);
    else if (key == "pattern-separator")
      pattern_separator = std::move(value);
    // "infinity" and "NaN" are accepted and unused, as in jsonata-js (its input is always finite).
  }
};

struct Parts {
  u16 prefix, suffix, active, mantissa, integer, fractional, subpicture;
  std::optional<u16> exponent;
};

struct Variables {
  std::vector<double> integer_grouping, fractional_grouping;
  double regular_grouping = 0;
  double min_integer = 0, scaling_factor = 0, min_fractional = 0, max_fractional = 0, min_exponent = 0;
  u16 prefix, suffix, picture;
};

class Formatter {
 public:
  explicit Formatter(Properties p) : p_(std::move(p)) {
    double zero = p_.zero_digit.empty() ? NAN : p_.zero_digit[0];
    // `for (ii = zero; ii < zero + 10; ii++)`: no digits at all when zero-digit is empty (NaN).
    for (double ii = zero; ii < zero + 10; ++ii)
      family_.push_back(u16(1, static_cast<char16_t>(ii)));
    active_ = family_;
    for (const u16* s : {&p_.decimal_separator, &p_.exponent_separator, &p_.grouping_separator, &p_.digit,
                         &p_.pattern_separator})
      active_.push_back(*s);
  }

  Result<std::string> format(double value, u16v picture) {
    auto sub_pictures = js::split(picture, p_.pattern_separator);
    if (sub_pictures.size() > 2) return make_error("D3080");
    std::vector<Parts> parts;
    for (const auto& sp : sub_pictures)
      parts.push_back(split_parts(sp));
    for (const auto& part : parts)
      if (auto code = validate(part); !code.empty()) return make_error(code);
    std::vector<Variables> vars;
    for (const auto& part : parts)
      vars.push_back(analyse(part));
    if (vars.size() == 1) {
      vars.push_back(vars[0]);
      vars[1].prefix = p_.minus_sign + vars[1].prefix;
    }
    // "".split("") is []: jsonata-js then reads a property of undefined.
    if (vars.empty()) {
      Error e = make_error("TypeError");
      e.message = "Cannot read properties of undefined (reading 'picture')";
      return e;
    }
    const Variables& pic = value >= 0 ? vars[0] : vars[1];

    double adjusted = value;
    if (js::index_of(pic.picture, p_.percent) != -1) {
      adjusted = value * 100;
    } else if (js::index_of(pic.picture, p_.per_mille) != -1) {
      adjusted = value * 1000;
    }

    double mantissa = adjusted;
    std::optional<double> exponent;
    if (pic.min_exponent != 0) {
      // jsonata-js divides Infinity by ten forever here; JSON has no Infinity, but do not hang on one.
      if (std::isinf(value)) return make_error("D3001");
      double max_mantissa = std::pow(10, pic.scaling_factor);
      double min_mantissa = std::pow(10, pic.scaling_factor - 1);
      exponent = 0;
      if (mantissa != 0) {
        while (std::fabs(mantissa) < min_mantissa) {
          mantissa *= 10;
          *exponent -= 1;
        }
        while (std::fabs(mantissa) > max_mantissa) {
          mantissa /= 10;
          *exponent += 1;
        }
      }
    }

    double rounded = js::round_half_even(mantissa, static_cast<int>(pic.max_fractional));
    auto made = make_string(rounded, pic.max_fractional);
    if (!made) return make_error("RangeError");
    u16 s = std::move(*made);
    if (js::index_of(s, u".") == -1) {
      s += p_.decimal_separator;
    } else {
      s = js::replace_first(s, u".", p_.decimal_separator);
    }
    // jsonata-js compares one character with the whole zero-digit string, so a multi-character zero-digit
    // never strips anything (and an empty one would loop forever: stop at the empty string).
    while (!s.empty() && js::char_at(s, 0) == p_.zero_digit)
      s = js::substring(s, 1);
    while (!s.empty() && js::char_at(s, static_cast<double>(s.size()) - 1) == p_.zero_digit)
      s = js::substring(s, 0, static_cast<double>(s.size()) - 1);

    double decimal_pos = js::index_of(s, p_.decimal_separator);
    double pad_left = pic.min_integer - decimal_pos;
    double pad_right = pic.min_fractional - (static_cast<double>(s.size()) - decimal_pos - 1);
    if (pad_left > 0) s = repeat(p_.zero_digit, pad_left) + s;
    if (pad_right > 0) s += repeat(p_.zero_digit, pad_right);

    decimal_pos = js::index_of(s, p_.decimal_separator);
    if (pic.regular_grouping > 0) {
      double groups = std::floor((decimal_pos - 1) / pic.regular_grouping);
      for (double group = 1; group <= groups; ++group) {
        double at = decimal_pos - group * pic.regular_grouping;
        s = js::slice(s, 0, at) + p_.grouping_separator + js::slice(s, at);
      }
    } else {
      for (double pos : pic.integer_grouping) {
        s = js::slice(s, 0, decimal_pos - pos) + p_.grouping_separator + js::slice(s, decimal_pos - pos);
        ++decimal_pos;
      }
    }

    decimal_pos = js::index_of(s, p_.decimal_separator);
    for (double pos : pic.fractional_grouping)
      s = js::slice(s, 0, pos + decimal_pos + 1) + p_.grouping_separator +
          js::slice(s, pos + decimal_pos + 1);

    decimal_pos = js::index_of(s, p_.decimal_separator);
    if (js::index_of(pic.picture, p_.decimal_separator) == -1 ||
        decimal_pos == static_cast<double>(s.size()) - 1)
      s = js::substring(s, 0, static_cast<double>(s.size()) - 1);

    if (exponent) {
      u16 exp_text = *make_string(*exponent, 0);
      double pad = pic.min_exponent - static_cast<double>(exp_text.size());
      if (pad > 0) exp_text = repeat(p_.zero_digit, pad) + exp_text;
      s += p_.exponent_separator + (*exponent < 0 ? p_.minus_sign : u16()) + exp_text;
    }
    return js::to_utf8(pic.prefix + s + pic.suffix);
  }

 private:
  bool in_family(u16v ch) const { return std::find(family_.begin(), family_.end(), ch) != family_.end(); }
  bool is_active(u16v ch) const { return std::find(active_.begin(), active_.end(), ch) != active_.end(); }

  static u16 repeat(u16v s, double n) {
    u16 out;
    for (double i = 0; i < n; ++i)
      out += s;
    return out;
  }

  // Math.abs(value).toFixed(dp) with the digits mapped onto the zero-digit's family.
  std::optional<u16> make_string(double value, double dp) const {
    auto fixed = js::to_fixed(std::fabs(value), static_cast<int>(std::min(dp, 1000.0)));
    if (!fixed) return std::nullopt;
    u16 s = js::to_utf16(*fixed);
    if (p_.zero_digit != u"0") {
      u16 mapped;
      for (char16_t c : s) {
        if (c >= '0' && c <= '9') {
          size_t i = static_cast<size_t>(c - '0');
          if (i < family_.size()) mapped += family_[i];  // an undefined entry joins as nothing
        } else {
          mapped.push_back(c);
        }
      }
      s = std::move(mapped);
    }
    return s;
  }

  Parts split_parts(u16v sub) const {
    Parts parts;
    parts.subpicture = u16(sub);
    auto counts = [&](double i) {
      u16 ch = js::char_at(sub, i);
      return is_active(ch) && ch != p_.exponent_separator;
    };
    for (size_t i = 0; i < sub.size(); ++i) {
      if (counts(static_cast<double>(i))) {
        parts.prefix = js::substring(sub, 0, static_cast<double>(i));
        break;
      }
    }
    for (size_t i = sub.size(); i-- > 0;) {
      if (counts(static_cast<double>(i))) {
        parts.suffix = js::substring(sub, static_cast<double>(i) + 1);
        break;
      }
    }
    double len = static_cast<double>(sub.size());
    double prefix_len = static_cast<double>(parts.prefix.size());
    double suffix_len = static_cast<double>(parts.suffix.size());
    parts.active = js::substring(sub, prefix_len, len - suffix_len);
    // jsonata-js finds the exponent separator in the sub-picture but cuts the active part with that position.
    double exponent_pos = js::index_of(sub, p_.exponent_separator, prefix_len);
    if (exponent_pos == -1 || exponent_pos > len - suffix_len) {
      parts.mantissa = parts.active;
    } else {
      parts.mantissa = js::substring(parts.active, 0, exponent_pos);
      parts.exponent = js::substring(parts.active, exponent_pos + 1);
    }
    double decimal_pos = js::index_of(parts.mantissa, p_.decimal_separator);
    if (decimal_pos == -1) {
      parts.integer = parts.mantissa;
      parts.fractional = parts.suffix;
    } else {
      parts.integer = js::substring(parts.mantissa, 0, decimal_pos);
      parts.fractional = js::substring(parts.mantissa, decimal_pos + 1);
    }
    return parts;
  }

  // F&O 4.7.3; like jsonata-js, the last failing rule decides the code.
  std::string validate(const Parts& parts) const {
    std::string error;
    const u16& sub = parts.subpicture;
    auto occurs_more_than_once = [&](u16v s) { return js::index_of(sub, s) != js::last_index_of(sub, s); };
    double decimal_pos = js::index_of(sub, p_.decimal_separator);
    if (occurs_more_than_once(p_.decimal_separator)) error = "D3081";
    if (occurs_more_than_once(p_.percent)) error = "D3082";
    if (occurs_more_than_once(p_.per_mille)) error = "D3083";
    if (js::index_of(sub, p_.percent) != -1 && js::index_of(sub, p_.per_mille) != -1) error = "D3084";
    bool valid = false;
    for (char16_t c : parts.mantissa) {
      u16 ch(1, c);
      if (in_family(ch) || ch == p_.digit) {
        valid = true;
        break;
      }
    }
    if (!valid) error = "D3085";
    for (char16_t c : parts.active)
      if (!is_active(u16(1, c))) error = "D3086";
    if (decimal_pos != -1) {
      if (js::char_at(sub, decimal_pos - 1) == p_.grouping_separator ||
          js::char_at(sub, decimal_pos + 1) == p_.grouping_separator)
        error = "D3087";
    } else if (js::char_at(parts.integer, static_cast<double>(parts.integer.size()) - 1) ==
               p_.grouping_separator) {
      error = "D3088";
    }
    if (js::index_of(sub, p_.grouping_separator + p_.grouping_separator) != -1) error = "D3089";
    double optional_pos = js::index_of(parts.integer, p_.digit);
    if (optional_pos != -1 && count_family(js::substring(parts.integer, 0, optional_pos)) > 0)
      error = "D3090";
    optional_pos = js::last_index_of(parts.fractional, p_.digit);
    if (optional_pos != -1 && count_family(js::substring(parts.fractional, optional_pos)) > 0)
      error = "D3091";
    if (parts.exponent && !parts.exponent->empty() &&
        (js::index_of(sub, p_.percent) != -1 || js::index_of(sub, p_.per_mille) != -1))
      error = "D3092";
    if (parts.exponent &&
        (parts.exponent->empty() || count_family(*parts.exponent) != parts.exponent->size()))
      error = "D3093";
    return error;
  }

  size_t count_family(u16v s) const {
    size_t n = 0;
    for (char16_t c : s)
      n += in_family(u16(1, c));
    return n;
  }
  size_t count_digits(u16v s) const {
    size_t n = 0;
    for (char16_t c : s) {
      u16 ch(1, c);
      n += in_family(ch) || ch == p_.digit;
    }
    return n;
  }

  // F&O 4.7.4.
  Variables analyse(const Parts& parts) const {
    // jsonata-js continues the search for further separators in the integer part even for the fractional
    // part.
    auto grouping_positions = [&](const u16& part, bool to_left) {
      // digits_before[i]: digit characters in part[0, i) (prefix sums keep long pictures linear).
      std::vector<size_t> digits_before(part.size() + 1, 0);
      for (size_t i = 0; i < part.size(); ++i)
        digits_before[i + 1] = digits_before[i] + count_digits(part.substr(i, 1));
      std::vector<double> positions;
      double at = js::index_of(part, p_.grouping_separator);
      while (at != -1) {
        size_t i = std::min(static_cast<size_t>(at), part.size());
        size_t n = to_left ? digits_before[i] : digits_before.back() - digits_before[i];
        positions.push_back(static_cast<double>(n));
        at = js::index_of(parts.integer, p_.grouping_separator, at + 1);
      }
      return positions;
    };
    Variables v;
    v.integer_grouping = grouping_positions(parts.integer, false);
    if (!v.integer_grouping.empty()) {
      double factor = v.integer_grouping[0];
      for (size_t i = 1; i < v.integer_grouping.size(); ++i)
        factor = gcd(factor, v.integer_grouping[i]);
      v.regular_grouping = factor;
      std::set<double> positions(v.integer_grouping.begin(), v.integer_grouping.end());
      for (size_t index = 1; index <= v.integer_grouping.size(); ++index) {
        if (!positions.count(static_cast<double>(index) * factor)) {
          v.regular_grouping = 0;
          break;
        }
      }
    }
    v.fractional_grouping = grouping_positions(parts.fractional, true);
    v.min_integer = static_cast<double>(count_family(parts.integer));
    v.scaling_factor = v.min_integer;
    v.min_fractional = static_cast<double>(count_family(parts.fractional));
    v.max_fractional = static_cast<double>(count_digits(parts.fractional));
    bool exponent_present = parts.exponent.has_value();
    if (v.min_integer == 0 && v.max_fractional == 0) {
      if (exponent_present) {
        v.min_fractional = 1;
        v.max_fractional = 1;
      } else {
        v.min_integer = 1;
      }
    }
    if (exponent_present && v.min_integer == 0 && js::index_of(parts.integer, p_.digit) != -1)
      v.min_integer = 1;
    if (v.min_integer == 0 && v.min_fractional == 0) v.min_fractional = 1;
    if (exponent_present) v.min_exponent = static_cast<double>(count_family(*parts.exponent));
    v.prefix = parts.prefix;
    v.suffix = parts.suffix;
    v.picture = parts.subpicture;
    return v;
  }

  Properties p_;
  std::vector<u16> family_;
  std::vector<u16> active_;
};

}  // namespace

Result<std::string> format_number(double value, std::string_view picture, const json::Value& options) {
  Properties p;
  if (options.is_object()) {
    for (const auto& m : options.members()) {
      // jsonata-js calls zero-digit's charCodeAt(): anything but a string throws.
      if (m.name() == "zero-digit" && !m.value.is_string()) {
        Error e = make_error("TypeError");
        e.message = "properties.zero-digit.charCodeAt is not a function";
        return e;
      }
      p.set(m.name(), option_text(m.value));
    }
  }
  return Formatter(std::move(p)).format(value, js::to_utf16(picture));
}

}  // namespace hookd::jsonata::format
