#include "store/redis/slot_map.h"

#include <algorithm>
#include <charconv>

#include "store/redis/slots.h"

namespace hookd::store::detail {

namespace {

template <typename T>
std::optional<T> number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string host_or(std::string_view announced, const RedisEndpoint& asked) {
  if (announced.empty() || announced == "?") return asked.host;
  return std::string(announced);
}

}  // namespace

std::optional<SlotMap> SlotMap::parse(const RedisReply& reply, const RedisEndpoint& asked,
                                      std::string* error) {
  auto bad = [&](std::string what) -> std::optional<SlotMap> {
    *error = "CLUSTER SLOTS: " + std::move(what);
    return std::nullopt;
  };
  if (reply.is_error()) return bad(std::string(reply.str()));
  if (!reply.is_array()) return bad("not an array: " + reply.to_string());
  SlotMap map;
  for (const RedisReply& range : reply.elements()) {
    if (!range.is_array() || range.size() < 3 || !range[0].is_integer() || !range[1].is_integer())
      return bad("malformed range: " + range.to_string());
    const int64_t first = range[0].integer();
    const int64_t last = range[1].integer();
    if (first < 0 || last < first || last >= kClusterSlots)
      return bad("bad slot range: " + range.to_string());
    const RedisReply& master = range[2];
    if (!master.is_array() || master.size() < 2 || !master[0].is_string() || !master[1].is_integer() ||
        master[1].integer() <= 0 || master[1].integer() > 65535)
      return bad("malformed node: " + master.to_string());
    map.ranges.push_back(SlotRange{
        static_cast<uint16_t>(first), static_cast<uint16_t>(last),
        RedisEndpoint{host_or(master[0].str(), asked), static_cast<uint16_t>(master[1].integer())}});
  }
  return map;
}

size_t SlotMap::uncovered() const {
  std::vector<bool> covered(kClusterSlots, false);
  for (const SlotRange& r : ranges)
    std::fill(covered.begin() + r.first, covered.begin() + r.last + 1, true);
  return static_cast<size_t>(std::count(covered.begin(), covered.end(), false));
}

std::vector<RedisEndpoint> SlotMap::masters() const {
  std::vector<RedisEndpoint> out;
  for (const SlotRange& r : ranges)
    if (std::find(out.begin(), out.end(), r.master) == out.end()) out.push_back(r.master);
  return out;
}

std::string endpoint_name(const RedisEndpoint& endpoint) {
  const bool v6 = endpoint.host.find(':') != std::string::npos;
  std::string name = v6 ? "[" + endpoint.host + "]" : endpoint.host;
  return name + ":" + std::to_string(endpoint.port);
}

std::optional<Redirect> parse_redirect(const RedisReply& reply, const RedisEndpoint& from) {
  Redirect redirect{};
  std::string_view text = reply.str();
  if (reply.is_error("MOVED"))
    redirect.kind = Redirect::Kind::moved;
  else if (reply.is_error("ASK"))
    redirect.kind = Redirect::Kind::ask;
  else
    return std::nullopt;
  // "MOVED <slot> <host>:<port>": the port is after the last ':' (the host may be an IPv6 address).
  const size_t first_space = text.find(' ');
  const size_t second_space = text.find(' ', first_space + 1);
  if (first_space == std::string_view::npos || second_space == std::string_view::npos) return std::nullopt;
  auto slot = number<uint16_t>(text.substr(first_space + 1, second_space - first_space - 1));
  std::string_view address = text.substr(second_space + 1);
  const size_t colon = address.rfind(':');
  if (!slot || *slot >= kClusterSlots || colon == std::string_view::npos) return std::nullopt;
  auto port = number<uint16_t>(address.substr(colon + 1));
  if (!port || *port == 0) return std::nullopt;
  std::string_view host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  redirect.slot = *slot;
  redirect.target = RedisEndpoint{host.empty() ? from.host : std::string(host), *port};
  return redirect;
}

}  // namespace hookd::store::detail
