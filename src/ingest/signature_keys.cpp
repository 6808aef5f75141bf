// ecdsa, ed25519 and jwt: public-key formats (placeholder until the public-key primitives land).
#include "ingest/signature_schemes.h"

namespace hookd::ingest::scheme_detail {

namespace {
Error not_yet(const ConfigReader& r) {
  return r.error("", "this format is not available in this build");
}
}  // namespace

Result<std::shared_ptr<const SignatureScheme>> compile_ecdsa(const ConfigReader& r) {
  return not_yet(r);
}
Result<std::shared_ptr<const SignatureScheme>> compile_ed25519(const ConfigReader& r) {
  return not_yet(r);
}
Result<std::shared_ptr<const SignatureScheme>> compile_jwt(const ConfigReader& r) {
  return not_yet(r);
}

}  // namespace hookd::ingest::scheme_detail
