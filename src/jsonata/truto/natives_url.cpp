// The object Truto's $parseUrl hands to JSONata: a WHATWG URL's parts as members, and searchParams with its
// methods (get, has, getAll, keys, values, entries, toString) as functions over this URL's parameters.
#include <memory>
#include <string>
#include <vector>

#include "jsonata/truto/js_value.h"
#include "jsonata/truto/natives.h"

namespace hookd::jsonata::truto {

namespace {

using Args = std::span<const json::Value>;

const json::Value& first(Args args) {
  static const json::Value undefined;
  return args.empty() ? undefined : args[0];
}

}  // namespace

json::Value wrap_url(const url::Url& u) {
  // searchParams' methods close over this URL's parameters: one small function set per call.
  auto params = std::make_shared<const std::vector<std::pair<std::string, std::string>>>(u.params);
  FunctionSet::Builder b;
  auto list = [](const std::vector<json::Value>& items) { return json::Value::array(items); };
  b.add(
      "get", "",
      [params](CallContext&, Args a) -> jsonata::Result<json::Value> {
        std::string name = js_string(first(a));
        for (const auto& [k, v] : *params)
          if (k == name) return json::Value(v);
        return json::Value::null();
      },
      1);
  b.add(
      "has", "",
      [params](CallContext&, Args a) -> jsonata::Result<json::Value> {
        std::string name = js_string(first(a));
        for (const auto& [k, v] : *params)
          if (k == name) return json::Value(true);
        return json::Value(false);
      },
      1);
  b.add(
      "getAll", "",
      [params, list](CallContext&, Args a) -> jsonata::Result<json::Value> {
        std::string name = js_string(first(a));
        std::vector<json::Value> out;
        for (const auto& [k, v] : *params)
          if (k == name) out.emplace_back(v);
        return list(out);
      },
      1);
  b.add(
      "keys", "",
      [params, list](CallContext&, Args) -> jsonata::Result<json::Value> {
        std::vector<json::Value> out;
        for (const auto& [k, v] : *params)
          out.emplace_back(k);
        return list(out);
      },
      0);
  b.add(
      "values", "",
      [params, list](CallContext&, Args) -> jsonata::Result<json::Value> {
        std::vector<json::Value> out;
        for (const auto& [k, v] : *params)
          out.emplace_back(v);
        return list(out);
      },
      0);
  b.add(
      "entries", "",
      [params, list](CallContext&, Args) -> jsonata::Result<json::Value> {
        std::vector<json::Value> out;
        for (const auto& [k, v] : *params)
          out.push_back(list({json::Value(k), json::Value(v)}));
        return list(out);
      },
      0);
  b.add(
      "toString", "",
      [params](CallContext&, Args) -> jsonata::Result<json::Value> {
        return json::Value(url::serialize_params(*params));
      },
      0);
  auto fns = std::move(b).build();
  json::ObjectBuilder sp;
  if (fns.ok()) {
    for (const char* n : {"get", "has", "getAll", "keys", "values", "entries"})
      sp.set(n, *fns.value().find(n));
    sp.set("size", json::Value(static_cast<double>(u.params.size())));
    sp.set("toString", *fns.value().find("toString"));
  }
  json::ObjectBuilder o;
  o.set("href", json::Value(u.href));
  o.set("origin", json::Value(u.origin));
  o.set("protocol", json::Value(u.protocol));
  o.set("username", json::Value(u.username));
  o.set("password", json::Value(u.password));
  o.set("host", json::Value(u.host));
  o.set("hostname", json::Value(u.hostname));
  o.set("port", json::Value(u.port));
  o.set("pathname", json::Value(u.pathname));
  o.set("hash", json::Value(u.hash));
  o.set("search", json::Value(u.search));
  o.set("searchParams", std::move(sp).build());
  return std::move(o).build();
}

}  // namespace hookd::jsonata::truto
