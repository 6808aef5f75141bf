// Every vector of sdk/testdata (hookd's own, made by its signer, and the Standard Webhooks project's), plus how the
// header is meant to be used. Reads the vectors with the header's own JSON scanner: no other dependency.
#include <hookd/verify.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace {

namespace hv = hookd::verify;
namespace json = hookd::verify::detail::json;
using std::chrono::seconds;
using std::chrono::system_clock;

std::string testdata(const std::string& name) {
  const char* dir = std::getenv("HOOKD_SDK_TESTDATA");  // for a copied library
  std::ifstream in(std::string(dir ? dir : HOOKD_SDK_TESTDATA_DIR) + "/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A JSON array's elements (a vector, not an optional: a range-for over *temporary would dangle).
std::vector<std::string_view> array(std::string_view text) {
  auto items = json::array_elements(text);
  if (!items) throw std::runtime_error("not a JSON array: " + std::string(text.substr(0, 80)));
  return *items;
}

// An object's members by name (the vectors have no repeated names).
std::map<std::string, std::string_view> object(std::string_view text) {
  auto members = json::object_members(text);
  if (!members) throw std::runtime_error("not a JSON object: " + std::string(text.substr(0, 80)));
  return {members->begin(), members->end()};
}

std::string str(std::string_view raw) {
  auto s = json::string_value(raw);
  if (!s) throw std::runtime_error("not a JSON string: " + std::string(raw.substr(0, 80)));
  return *s;
}

struct Vectors {
  std::string text;  // the views below point into it
  std::map<std::string, std::string_view> root;
  std::vector<std::string_view> cases;
};

Vectors load(const std::string& name) {
  Vectors v;
  v.text = testdata(name);
  v.root = object(v.text);
  v.cases = array(v.root.at("cases"));
  return v;
}

// "ok" or the error kind of one case; `parse` chooses verify (with the event) or verify_signature.
std::string outcome(std::string_view case_text, hv::Scheme scheme, bool parse) {
  auto c = object(case_text);
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : object(c.at("headers")))
    headers.emplace_back(name, str(value));
  const std::string body = str(c.at("body"));
  const auto now = system_clock::time_point(seconds(std::stoll(std::string(c.at("now")))));
  try {
    auto tolerance = c.find("tolerance_seconds");
    hv::Webhook webhook =
        tolerance == c.end()
            ? hv::Webhook(str(c.at("secret")))
            : hv::Webhook(str(c.at("secret")), seconds(std::stoll(std::string(tolerance->second))));
    if (!parse) {
      webhook.verify_signature(body, headers, scheme, now);
      return "ok";
    }
    hv::Event e = webhook.verify(body, headers, scheme, now);
    auto want = object(c.at("event"));
    EXPECT_EQ(e.id, str(want.at("id")));
    EXPECT_EQ(e.event, str(want.at("event")));
    EXPECT_EQ(e.is_known_type(), want.at("known_event_type") == "true");
    EXPECT_EQ(e.environment_id, str(want.at("environment_id")));
    EXPECT_EQ(e.created_at, str(want.at("created_at")));
    EXPECT_EQ(e.webhook_id, str(want.at("webhook_id")));
    EXPECT_EQ(e.payload_json, str(want.at("payload_json")));  // the envelope carries the payload's text as is
    return "ok";
  } catch (const hv::VerificationError& e) {
    return std::string(hv::to_string(e.kind()));
  }
}

TEST(Vectors, Hookd) {
  Vectors v = load("vectors.json");
  ASSERT_GT(v.cases.size(), 50u);
  std::set<std::string> seen;
  for (std::string_view c : v.cases) {
    auto expect = object(object(c).at("expect"));
    std::string name = str(object(c).at("name"));
    for (auto [scheme, key] : {std::pair{hv::Scheme::standard_webhooks, "standard_webhooks"},
                               std::pair{hv::Scheme::truto_signature, "truto_signature"}}) {
      std::string want = str(expect.at(key));
      seen.insert(want);
      EXPECT_EQ(outcome(c, scheme, true), want) << name << " (" << key << ")";
      // The signature alone passes wherever only the parse fails.
      EXPECT_EQ(outcome(c, scheme, false), want == "invalid_payload" ? "ok" : want)
          << name << " (" << key << ", signature only)";
    }
  }
  std::set<std::string> kinds{"ok"};
  for (std::string_view k : array(v.root.at("error_kinds")))
    kinds.insert(str(k));
  EXPECT_EQ(seen, kinds) << "every outcome has a vector";
}

TEST(Vectors, StandardWebhooks) {
  Vectors v = load("standard_webhooks_vectors.json");
  ASSERT_GT(v.cases.size(), 10u);
  for (std::string_view c : v.cases)
    EXPECT_EQ(outcome(c, hv::Scheme::standard_webhooks, false),
              str(object(object(c).at("expect")).at("standard_webhooks")))
        << str(object(c).at("name"));
}

TEST(Vectors, EventTypesAndToleranceMatchTheServer) {
  Vectors v = load("vectors.json");
  std::vector<std::string> server, ours(hv::kEventTypeNames.begin(), hv::kEventTypeNames.end());
  for (std::string_view t : array(v.root.at("event_types")))
    server.push_back(str(t));
  EXPECT_EQ(ours, server);
  EXPECT_EQ(hv::Webhook::kDefaultTolerance.count(),
            std::stoll(std::string(v.root.at("default_tolerance_seconds"))));
  EXPECT_EQ(hv::event_type_from_string("record:created"), hv::EventType::record_created);
  EXPECT_EQ(hv::event_type_from_string("record:archived"), hv::EventType::unknown);
}

const std::string kKey(32, 'k');
const std::string kSecret =
    "whsec_" + hv::detail::base64(reinterpret_cast<const unsigned char*>(kKey.data()), 32);
const std::string kBody = R"({"id":"e1","event":"test","payload":{"a":[1,"\u00e9"]},"environment_id":"env",)"
                          R"("created_at":"2026-01-01T00:00:00.000Z","webhook_id":"wh"})";

hv::DeliveryHeaders sign(const std::string& body, int64_t ts, std::string& storage) {
  std::string mac = hv::detail::hmac_sha256(kKey, "e1." + std::to_string(ts) + "." + body);
  storage = std::to_string(ts) + "\n" + "v1," +
            hv::detail::base64(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
  std::string_view s(storage);
  return {"e1", s.substr(0, s.find('\n')), s.substr(s.find('\n') + 1), {}};
}

TEST(Webhook, VerifiesAtTheCurrentTimeByDefault) {
  std::string storage;
  int64_t now = std::chrono::duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  hv::Event e = hv::Webhook(kSecret).verify(kBody, sign(kBody, now, storage));
  EXPECT_EQ(e.type, hv::EventType::test);
  EXPECT_EQ(e.payload_json, R"({"a":[1,"\u00e9"]})");
}

TEST(Webhook, ErrorsCarryTheirKind) {
  std::string storage;
  hv::DeliveryHeaders h = sign(kBody, 1000, storage);
  try {
    hv::Webhook(kSecret).verify(kBody, h);  // signed in 1970
    FAIL() << "verified";
  } catch (const hv::VerificationError& e) {
    EXPECT_EQ(e.kind(), hv::ErrorKind::timestamp_too_old);
    EXPECT_NE(std::string(e.what()).find("too old"), std::string::npos);
  }
  EXPECT_NO_THROW(hv::Webhook(kSecret, seconds(100000000000)).verify(kBody, h));
  EXPECT_THROW(hv::Webhook("whsec_!!"), hv::VerificationError);
}

TEST(JsonScanner, DecodesEscapesAndRefusesMalformedText) {
  EXPECT_EQ(json::string_value(R"("a\n\"\u00e9\ud83c\udf89")"), "a\n\"\xc3\xa9\xf0\x9f\x8e\x89");
  EXPECT_FALSE(json::object_members(R"({"a":1,})"));
  EXPECT_FALSE(json::object_members(R"({"a":01})"));
  EXPECT_FALSE(json::object_members(R"({"a":"x"} x)"));
  EXPECT_FALSE(json::object_members("{\"a\":\"\x01\"}"));
  EXPECT_TRUE(json::object_members(R"( {"a" : [1, -2.5e3, true, null, {}], "b": {"c": []}} )"));
}

}  // namespace
