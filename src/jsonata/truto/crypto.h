// Truto's hashing, signing and base64 functions with WebCrypto's and the browser globals' behaviour
// (TextEncoder, atob/btoa, TextDecoder), on OpenSSL. Internal.
#pragma once

#include "hookd/json.h"
#include "jsonata/truto/js_value.h"

namespace hookd::jsonata::truto::crypto {

// $sign(text, algorithm = "SHA-256", secret, outputFormat = "hex"): HMAC with SHA-1/256/384/512 (the name is
// trimmed and upper-cased), or RS256 with a PKCS#8 PEM private key as secret. Output "hex", "base64" or
// "base64-urlSafe" (unpadded); any other format gives undefined.
Result<json::Value> sign(const json::Value& text, const json::Value& algorithm, const json::Value& secret,
                         const json::Value& output_format);

// $digest(text, algorithm = "SHA-256", stringType = "hex"): SHA-1/256/384/512 (WebCrypto names, any case) or
// MD5 ("MD5" or "md5").
Result<json::Value> digest(const json::Value& text, const json::Value& algorithm,
                           const json::Value& string_type);

// $base64encode(input, urlSafe = false): UTF-8 bytes of String(input); urlSafe drops '=' and uses -_.
Result<json::Value> base64encode(const json::Value& input, const json::Value& url_safe);
// $base64decode(text, urlSafe = false): atob's forgiving decoding, then UTF-8 with U+FFFD for bad bytes.
Result<json::Value> base64decode(const json::Value& text, const json::Value& url_safe);

// $uuid(): a random version 4 UUID in lower case.
std::string uuid_v4();

}  // namespace hookd::jsonata::truto::crypto
