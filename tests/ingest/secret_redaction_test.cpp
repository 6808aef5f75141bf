// What ingest says when a config fails at request time goes into the log and the vendor's 500: it must never
// carry a secret. Both cases were found by tests/e2e/secret_leak_test.cpp.
#include <gtest/gtest.h>

#include "ingest/expression.h"
#include "ingest/signature.h"

namespace hookd::ingest {
namespace {

json::Value parse(std::string_view text) {
  json::Value v;
  EXPECT_TRUE(json::parse(text, v)) << text;
  return v;
}

// A literal secret in a catalog config that is not in its declared encoding: the detail named the secret by
// its text ("lit-secret! is not base64").
TEST(SecretRedaction, ALiteralSecretIsNamedNotQuoted) {
  auto verifier = SignatureVerifier::create(parse(R"({"format":"hmac","config":{"secret":"lit-secret-7f3a!",
      "secret_encoding":"base64","compare_with":"{{headers.x-sig}}"}})"));
  ASSERT_TRUE(verifier.ok()) << verifier.error().message;
  json::Value headers = parse(R"({"x-sig":"abc"})");
  json::Value context = parse(R"({"headers":{"x-sig":"abc"}})");
  SignatureVerdict verdict = verifier->verify(VerifyScope{{context, headers, "{}"}, nullptr, 0, nullptr});
  EXPECT_EQ(verdict.failure, SignatureFailure::secret_invalid);
  EXPECT_EQ(verdict.detail, "the literal secret of the config is not base64");
}

// A template secret is still named by its template: it says where the secret lives, not what it is.
TEST(SecretRedaction, ATemplateSecretIsNamedByItsTemplate) {
  auto verifier = SignatureVerifier::create(parse(R"({"format":"hmac","config":{"secret":"{{context.key}}",
      "secret_encoding":"hex","compare_with":"{{headers.x-sig}}"}})"));
  ASSERT_TRUE(verifier.ok()) << verifier.error().message;
  json::Value headers = parse(R"({"x-sig":"abc"})");
  json::Value context = parse(R"({"headers":{"x-sig":"abc"},"context":{"key":"not-hex-ctx-secret"}})");
  SignatureVerdict verdict = verifier->verify(VerifyScope{{context, headers, "{}"}, nullptr, 0, nullptr});
  EXPECT_EQ(verdict.failure, SignatureFailure::secret_invalid);
  EXPECT_EQ(verdict.detail, "{{context.key}} is not hex");
}

// A transform failing on a context value: JSONata's message quoted it ("Unable to cast value to a number:
// \"<secret>\""). Quoted strings, objects and arrays are replaced; the code, position and text stay.
TEST(SecretRedaction, ExpressionErrorsDoNotQuoteTheValuesTheyFailedOn) {
  struct Case {
    std::string expression, expected;
  } cases[] = {
      {"$number(context.secret)", "D3030 at position 8: Unable to cast value to a number: [value]"},
      {"$number(context.secret & '')", "D3030 at position 8: Unable to cast value to a number: [value]"},
      {"$number(context.secret) + 1", "D3030 at position 8: Unable to cast value to a number: [value]"},
      {"$sum(context.count)",
       "T0412 at position 5: Argument 1 of function \"sum\" must be an array of \"numbers\""},
  };
  json::Value input = parse(R"({"context":{"secret":"ctx-secret-0c6d7e15","count":"ctx-secret-count"}})");
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expression);
    auto expr = compile_expression(c.expression, "webhook.payload_transform");
    ASSERT_TRUE(expr.ok()) << expr.error().message;
    auto result = (*expr)->evaluate(input, ExpressionLimits{});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, c.expected);
    EXPECT_EQ(result.error().message.find("ctx-secret"), std::string::npos);
  }
}

}  // namespace
}  // namespace hookd::ingest
