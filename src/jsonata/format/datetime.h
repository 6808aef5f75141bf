// Date/time pictures (F&O 9.8.4 as jsonata-js reads them), shared by $fromMillis and $toMillis. Internal.
#pragma once

#include <optional>
#include <vector>

#include "jsonata/format/integer.h"

namespace hookd::jsonata::format::detail {

enum class Names { none, lower, upper, title };

struct PicturePart {
  bool literal = false;
  js::u16 text;       // literal text ("]]" already unescaped)
  js::u16 component;  // marker: one UTF-16 unit ("Y", "M", ...)
  // Width modifier: absent when not written or "*"; NaN when written but not a number (jsonata-js's
  // parseInt).
  bool has_width = false;
  std::optional<double> min_width, max_width;
  js::u16 presentation1;
  js::u16 presentation2;  // "", or one of a t c o
  Names names = Names::none;
  std::optional<IntegerFormat> integer_format;
  double year_digits = -1;  // Y only: keep the year modulo 10^n (-1: the whole year)
};

// analyseDateTimePicture. Errors: D3131, D3132, D3135.
Result<std::vector<PicturePart>> analyse_datetime_picture(js::u16v picture);

// getDateTimeFragment: the value of a component (names and am/pm are handled by callers) at time value `t`
// (NaN propagates). Returns NaN for components without a numeric value.
double date_time_fragment(double t, char16_t component);

extern const char* const kMonths[12];
extern const char* const kDays[8];  // kDays[0] is "", Monday is 1

}  // namespace hookd::jsonata::format::detail
