#include "jsonata/truto/crypto.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

#include "core/crypto.h"
#include "jsonata/truto/js_value.h"

namespace hookd::jsonata::truto::crypto {

namespace {

// new TextEncoder().encode(x): the UTF-8 bytes of String(x); undefined is the empty string.
std::string text_bytes(const json::Value& v) {
  return v.is_undefined() ? std::string() : js_string(v);
}

// WebCrypto's algorithm names are matched without regard to case.
std::optional<hookd::crypto::Digest> webcrypto_digest(std::string_view name) {
  std::string upper(name);
  for (auto& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "SHA-1") return hookd::crypto::Digest::sha1;
  if (upper == "SHA-256") return hookd::crypto::Digest::sha256;
  if (upper == "SHA-384") return hookd::crypto::Digest::sha384;
  if (upper == "SHA-512") return hookd::crypto::Digest::sha512;
  return std::nullopt;
}

json::Value encode_output(const std::string& bytes, const json::Value& format) {
  std::string_view f = format.is_undefined() ? "hex" : format.string_or("");
  if (!format.is_undefined() && !format.is_string()) return json::Value();
  if (f == "hex") return json::Value(hookd::crypto::hex(bytes));
  if (f == "base64") return json::Value(hookd::crypto::base64(bytes));
  if (f == "base64-urlSafe") return json::Value(hookd::crypto::base64(bytes, true, false));
  return json::Value();
}

Error unrecognized_algorithm() {
  return js_error("NotSupportedError", "Unrecognized algorithm name");
}

// atob(): WHATWG forgiving-base64, with node's checks in node's order and node's messages.
Result<std::string> atob(const std::string& input) {
  auto is_ws = [](char c) { return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '; };
  auto is_b64 = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/'; };
  size_t significant = 0, equals = 0;
  for (char c : input) {
    if (is_ws(c)) continue;
    if (c == '=') {
      ++significant;
      if (++equals > 2) return js_error("InvalidCharacterError", "Invalid character");
      continue;
    }
    if (!is_b64(c) || equals) return js_error("InvalidCharacterError", "Invalid character");
    ++significant;
  }
  size_t remainder = significant % 4;
  if (remainder == 0) {
    remainder = (significant - equals) % 4;
  } else if (equals) {
    return js_error("InvalidCharacterError", "Invalid character");
  }
  if (remainder == 1)
    return js_error("InvalidCharacterError", "The string to be decoded is not correctly encoded.");
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : input) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else {
      continue;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

// TextDecoder('utf-8').decode(): a leading BOM dropped, each maximal invalid subsequence becomes U+FFFD.
std::string utf8_decode(std::string_view bytes) {
  static const std::string kReplacement = "\xEF\xBF\xBD";
  std::string out;
  size_t i = 0;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < bytes.size()) {
    auto b = static_cast<unsigned char>(bytes[i]);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    size_t needed = 0;
    unsigned char lower = 0x80, upper = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      needed = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      needed = 2;
      if (b == 0xE0) lower = 0xA0;
      if (b == 0xED) upper = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      needed = 3;
      if (b == 0xF0) lower = 0x90;
      if (b == 0xF4) upper = 0x8F;
    } else {
      out += kReplacement;
      ++i;
      continue;
    }
    size_t j = i + 1;
    size_t seen = 0;
    while (seen < needed && j < bytes.size()) {
      auto c = static_cast<unsigned char>(bytes[j]);
      if (c < lower || c > upper) break;
      lower = 0x80;
      upper = 0xBF;
      ++seen;
      ++j;
    }
    if (seen == needed) {
      out.append(bytes.substr(i, j - i));
    } else {
      out += kReplacement;
    }
    i = j;
  }
  return out;
}

std::string replace_all(std::string s, char from, char to) {
  for (auto& c : s)
    if (c == from) c = to;
  return s;
}

Result<std::string> rs256(const std::string& data, const json::Value& secret) {
  std::string pem = secret.is_string() ? std::string(secret.as_string()) : std::string();
  // Secrets stored in one-line config fields carry "\n" as two characters.
  for (size_t at = pem.find("\\n"); at != std::string::npos; at = pem.find("\\n", at + 1))
    pem.replace(at, 2, 1, '\n');
  const std::string begin = "-----BEGIN PRIVATE KEY-----", end = "-----END PRIVATE KEY-----";
  if (pem.empty() || pem.find(begin) == std::string::npos)
    return js_error("Error", "RS256 requires a PKCS#8 PEM private key (BEGIN PRIVATE KEY)");
  pem.erase(pem.find(begin), begin.size());
  if (size_t at = pem.find(end); at != std::string::npos) pem.erase(at, end.size());
  std::string b64;
  for (char c : pem)
    if (!std::isspace(static_cast<unsigned char>(c))) b64.push_back(c);
  auto der = atob(b64);
  if (!der.ok()) return std::move(der).error();
  auto fail_import = [] {
    return js_error(
        "Error",
        "RS256 key import failed. Ensure an unencrypted PKCS#8 PEM (BEGIN PRIVATE KEY). Underlying: "
        "Invalid keyData");
  };
  const auto* p = reinterpret_cast<const unsigned char*>(der.value().data());
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, decltype(&PKCS8_PRIV_KEY_INFO_free)> info(
      d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.value().size())), PKCS8_PRIV_KEY_INFO_free);
  if (!info) return fail_import();
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_PKCS82PKEY(info.get()), EVP_PKEY_free);
  if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) return fail_import();
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1)
    return js_error("Error", "RS256 signing failed.");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    return js_error("Error", "RS256 signing failed.");
  sig.resize(len);
  return sig;
}

}  // namespace

Result<json::Value> sign(const json::Value& text, const json::Value& algorithm, const json::Value& secret,
                         const json::Value& output_format) {
  // String(algorithm ?? "").trim().toUpperCase(), with "SHA-256" when the argument is missing.
  std::string alg = algorithm.is_undefined() ? "SHA-256" : algorithm.is_null() ? "" : js_string(algorithm);
  size_t b = alg.find_first_not_of(" \t\n\r\f\v"), e = alg.find_last_not_of(" \t\n\r\f\v");
  alg = b == std::string::npos ? "" : alg.substr(b, e - b + 1);
  for (auto& c : alg)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string data = text_bytes(text);
  std::string signature;
  if (alg == "RS256") {
    auto r = rs256(data, secret);
    if (!r.ok()) return std::move(r).error();
    signature = std::move(r).value();
  } else {
    auto digest = webcrypto_digest(alg.empty() ? "SHA-256" : alg);
    if (!digest) return unrecognized_algorithm();
    std::string key = text_bytes(secret);
    if (key.empty()) return js_error("DataError", "Zero-length key is not supported");
    signature = hookd::crypto::hmac(*digest, key, data);
  }
  return encode_output(signature, output_format);
}

Result<json::Value> digest(const json::Value& text, const json::Value& algorithm,
                           const json::Value& string_type) {
  std::string alg = algorithm.is_undefined() ? "SHA-256" : js_string(algorithm);
  json::Value type = string_type.is_undefined() ? json::Value("hex") : string_type;
  if (algorithm.is_string() && (alg == "MD5" || alg == "md5")) {
    // md5.js takes strings (as UTF-8) and buffers only.
    if (!text.is_string())
      return js_error("TypeError",
                      "The \"data\" argument must be a string, a Buffer, a Uint8Array, or a DataView");
    std::string hash = hookd::crypto::hash(hookd::crypto::Digest::md5, text.as_string());
    if (type.is_string() && type.as_string() == "hex") return json::Value(hookd::crypto::hex(hash));
    if (type.is_string() && type.as_string() == "base64-urlSafe")
      return json::Value(hookd::crypto::base64(hash, true, false));
    return json::Value(hookd::crypto::base64(hash));
  }
  auto d = algorithm.is_string() || algorithm.is_undefined() ? webcrypto_digest(alg) : std::nullopt;
  if (!d) return unrecognized_algorithm();
  return encode_output(hookd::crypto::hash(*d, text_bytes(text)), type);
}

Result<json::Value> base64encode(const json::Value& input, const json::Value& url_safe) {
  std::string bytes = text_bytes(input);
  if (js_truthy(url_safe)) return json::Value(hookd::crypto::base64(bytes, true, false));
  return json::Value(hookd::crypto::base64(bytes));
}

Result<json::Value> base64decode(const json::Value& text, const json::Value& url_safe) {
  std::string input;
  if (js_truthy(url_safe)) {
    if (!text.is_string()) return js_error("TypeError", "base64.replace is not a function");
    input = replace_all(replace_all(std::string(text.as_string()), '-', '+'), '_', '/');
  } else {
    input = js_string(text);  // atob() converts its argument with String()
  }
  auto bytes = atob(input);
  if (!bytes.ok()) return std::move(bytes).error();
  return json::Value(utf8_decode(bytes.value()));
}

std::string uuid_v4() {
  std::string b = hookd::crypto::random_bytes(16);
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
  std::string h = hookd::crypto::hex(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20);
}

}  // namespace hookd::jsonata::truto::crypto
