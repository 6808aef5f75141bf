// Function signatures ("<s-n?:s>"): jsonata-js turns one into a regular expression over the arguments' type
// letters; this does the same matching with a tiny backtracking matcher, so which argument is blamed (T0410),
// when the context is substituted (T0411) and when a value is wrapped into an array come out the same.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hookd/json.h"
#include "jsonata/small_vec.h"

namespace hookd::jsonata::detail {

using Args = SmallVec<json::Value, 6>;

class Signature {
 public:
  struct Param {
    std::string chars;          // the type letters this parameter accepts ("sm", "asnblfom", "f")
    char type = 0;              // s n b l o a f j x, or '(' for a choice
    bool optional = false;      // ? (or - : the context stands in)
    bool repeat = false;        // +
    bool lazy = false;          // a second modifier ("??", "+?")
    bool context = false;       // -
    std::string context_chars;  // what the context must be to stand in
    std::string subtype;        // a<n>: "n"
  };

  std::string definition;
  std::vector<Param> params;

  // jsonata-js's validate(): checks `args` and returns them fixed up (context substituted for a missing first
  // argument, non-arrays wrapped for array parameters). Throws JError T0410/T0411/T0412 with index and value
  // set.
  void validate(std::span<const json::Value> args, const json::Value& context, Args& out) const;

  bool has_repeat_ = false;  // a `+` parameter (the quick path in validate() does not apply)
};

// Throws JError S0401/S0402 with `position` holding the offset within the signature.
std::shared_ptr<const Signature> parse_signature(std::string_view text);

// The type letter jsonata-js's signatures use for a value (m for undefined).
char type_letter(const json::Value& v) noexcept;

}  // namespace hookd::jsonata::detail
