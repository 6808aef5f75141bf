// Keeps sdk/testdata/vectors.json equal to what hookd's signer makes of the vectors' fixed inputs: a change to the
// signing scheme or the envelope fails here first, instead of in a customer's backend.
//
// To rewrite the file after an intended change:   HOOKD_WRITE_SDK_VECTORS=1 ctest -R SdkVectors
// then run the libraries' tests (ctest -L sdk), which all read the file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "dispatch/signer.h"
#include "hookd/json.h"
#include "sdk_vectors.h"

namespace {

const std::string kPath = HOOKD_SDK_TESTDATA_DIR "/vectors.json";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// "line 12: committed `...` / generated `...`", to find the difference without a diff tool.
std::string first_difference(const std::string& committed, const std::string& generated) {
  std::istringstream a(committed), b(generated);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool more_a = static_cast<bool>(std::getline(a, la));
    bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return "no line differs (line endings?)";
    if (!more_a || !more_b || la != lb)
      return "first difference at line " + std::to_string(line) + ":\n  committed: " + la.substr(0, 200) +
             "\n  generated: " + lb.substr(0, 200);
  }
}

TEST(SdkVectors, CommittedFileMatchesTheSigner) {
  const std::string generated = hookd::sdk_vectors::build_vectors_json();
  const char* write = std::getenv("HOOKD_WRITE_SDK_VECTORS");
  if (write && std::string(write) == "1") {
    std::ofstream(kPath, std::ios::binary | std::ios::trunc) << generated;
    ASSERT_EQ(read_file(kPath), generated) << "could not write " << kPath;
    return;
  }
  const std::string committed = read_file(kPath);
  ASSERT_FALSE(committed.empty()) << kPath << " is missing; run with HOOKD_WRITE_SDK_VECTORS=1 to create it";
  EXPECT_TRUE(committed == generated)
      << kPath << " differs from what hookd's signer produces now; the verification libraries in sdk/ test "
      << "against a stale file. If the change is intended, rewrite it with HOOKD_WRITE_SDK_VECTORS=1 ctest "
         "-R "
      << "SdkVectors and check that ctest -L sdk still passes.\n"
      << first_difference(committed, generated);
}

TEST(SdkVectors, AreDeterministic) {
  EXPECT_EQ(hookd::sdk_vectors::build_vectors_json(), hookd::sdk_vectors::build_vectors_json());
}

// The published vectors the libraries also run must agree with hookd's signer, or a library could not pass both.
TEST(SdkVectors, SignerReproducesTheStandardWebhooksVectors) {
  hookd::json::Value doc;
  ASSERT_TRUE(hookd::json::parse(read_file(HOOKD_SDK_TESTDATA_DIR "/standard_webhooks_vectors.json"), doc));
  int checked = 0;
  for (const hookd::json::Value& c : doc.get("cases").as_array()) {
    if (c.get("expect").get("standard_webhooks").string_or("") != "ok") continue;
    const hookd::json::Value& h = c.get("headers");
    auto signed_headers = hookd::dispatch::sign(
        c.get("body").as_string(), h.get("webhook-id").as_string(),
        std::stoll(std::string(h.get("webhook-timestamp").as_string())), c.get("secret").as_string());
    std::string entries = " " + std::string(h.get("webhook-signature").as_string()) + " ";
    EXPECT_NE(entries.find(" " + signed_headers.webhook_signature + " "), std::string::npos)
        << c.get("name").as_string();
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

}  // namespace
