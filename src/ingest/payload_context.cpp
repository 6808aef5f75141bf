#include "ingest/payload_context.h"

#include <cctype>
#include <unordered_map>

namespace hookd::ingest {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "application/json; charset=utf-8" -> "application/json"
std::string media_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back())))
    t.remove_suffix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front())))
    t.remove_prefix(1);
  return lower(t);
}

bool is_json_type(std::string_view mt) {
  return mt == "application/json" || mt == "text/json" ||
         (mt.size() > 5 && mt.substr(mt.size() - 5) == "+json");
}

// Groups name=value pairs into an object, a repeated name becoming the array of its values in order. Linear
// in the number of pairs (a hash index by name, each value moved once): the input is a vendor's
// unauthenticated body.
json::Value group_pairs(std::vector<std::pair<std::string, std::string>> pairs) {
  std::unordered_map<std::string_view, size_t> slot_of;  // name -> its slot, in order of first appearance
  std::vector<std::vector<size_t>> slots;                // per name: the indexes of its pairs
  slot_of.reserve(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    auto [it, fresh] = slot_of.try_emplace(pairs[i].first, slots.size());
    if (fresh) slots.emplace_back();
    slots[it->second].push_back(i);
  }
  json::ObjectBuilder b(slots.size());
  for (const auto& indexes : slots) {
    json::Value key(pairs[indexes.front()].first);
    if (indexes.size() == 1) {
      b.append_unique(std::move(key), json::Value(pairs[indexes.front()].second));
      continue;
    }
    std::vector<json::Value> values;
    values.reserve(indexes.size());
    for (size_t i : indexes)
      values.emplace_back(pairs[i].second);
    b.append_unique(std::move(key), json::Value::array(std::move(values)));
  }
  return std::move(b).build();
}

}  // namespace

Result<json::Value> parse_form(std::string_view body, const BodyLimits& limits) {
  // Counted before anything is decoded or allocated, so that an oversized form costs one scan.
  size_t fields = 0;
  for (size_t at = 0; at <= body.size();) {
    size_t amp = body.find('&', at);
    size_t end = amp == std::string_view::npos ? body.size() : amp;
    if (end > at && ++fields > limits.max_form_fields)
      return make_error(IngestErrc::too_many_fields, "the form has more than " +
                                                         std::to_string(limits.max_form_fields) +
                                                         " fields (HOOKD_MAX_FORM_FIELDS)");
    at = end + 1;
  }
  return group_pairs(http::parse_query(body));
}

Result<json::Value> parse_body(std::string_view content_type, std::string_view body,
                               const BodyLimits& limits) {
  if (body.empty()) return json::Value();
  std::string mt = media_type(content_type);
  if (is_json_type(mt)) {
    json::Value v;
    json::ParseError err;
    if (!json::parse(body, v, &err))
      return make_error(IngestErrc::malformed_json, "the body is not valid JSON: " + err.describe());
    return v;
  }
  if (mt == "application/x-www-form-urlencoded") return parse_form(body, limits);
  if (mt.empty()) {
    // No Content-Type: JSON if it parses as JSON, otherwise the text.
    json::Value v;
    if (json::parse(body, v)) return v;
  }
  return json::Value(body);
}

json::Value headers_object(const http::Request& request) {
  json::ObjectBuilder b;
  for (const auto& field : request) {
    std::string name = lower(field.name_string());
    const json::Value* existing = b.find(name);
    if (existing) {
      std::string joined(existing->as_string());
      joined += ", ";
      joined += field.value();
      b.set(name, json::Value(joined));
    } else {
      b.append_unique(json::Value(name), json::Value(field.value()));
    }
  }
  return std::move(b).build();
}

json::Value query_object(const std::vector<std::pair<std::string, std::string>>& query) {
  return group_pairs(query);  // bounded by the header limit
}

json::Value build_payload_context(const ContextInputs& in) {
  // The member names, made once: a string node per name per request was a dozen allocations.
  static const json::Value kMethod("method"), kUrl("url"), kPath("path"), kQuery("query"),
      kHeaders("headers"), kBody("body"), kRawBody("raw_body"), kContext("context"),
      kVariables("environment_variables"), kAccountId("integrated_account_id"),
      kEnvironmentId("environment_id");
  json::ObjectBuilder b(11);
  b.append_unique(kMethod, json::Value(in.request.request.method_string()));
  if (in.url) b.append_unique(kUrl, json::Value(*in.url));
  b.append_unique(kPath, json::Value(in.request.path));
  b.append_unique(kQuery, query_object(in.request.query));
  b.append_unique(kHeaders, in.headers);
  b.append_unique(kBody, in.body);
  b.append_unique(kRawBody, in.raw_body.is_string()
                                ? in.raw_body
                                : json::Value(std::string_view(in.request.request.body())));
  b.append_unique(kContext,
                  in.account_context.is_undefined() ? json::Value::empty_object() : in.account_context);
  b.append_unique(kVariables, in.environment_variables.is_undefined() ? json::Value::empty_object()
                                                                      : in.environment_variables);
  // null before an account is known (the install-level chain of an environment integration's webhook)
  b.append_unique(kAccountId, in.integrated_account_id.empty() ? json::Value(nullptr)
                                                               : json::Value(in.integrated_account_id));
  b.append_unique(kEnvironmentId, json::Value(in.environment_id));
  return std::move(b).build();
}

}  // namespace hookd::ingest
