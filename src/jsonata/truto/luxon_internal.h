// Helpers the luxon*.cpp files share. Internal.
#pragma once

#include <string>
#include <vector>

namespace hookd::jsonata::truto::luxon::detail {

// Luxon's duration units, largest first.
const std::vector<std::string>& ordered_units();
// Milliseconds per unit in Luxon's casual conversion matrix (a year is 365 days, a month 30).
double casual_ms(const std::string& unit);
// The casual matrix entry: how many `to` in one `from`.
double matrix(const std::string& from, const std::string& to);

}  // namespace hookd::jsonata::truto::luxon::detail
