#include "store/redis/script.h"

#include "core/crypto.h"

namespace hookd::store {

RedisScript::RedisScript(std::string source) {
  std::string sha1 = crypto::hex(crypto::hash(crypto::Digest::sha1, source));
  script_ =
      std::make_shared<const detail::ScriptSource>(detail::ScriptSource{std::move(source), std::move(sha1)});
}

}  // namespace hookd::store
