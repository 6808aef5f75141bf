// `{{path}}` templates over the payload context, as integration configs write them for signature secrets,
// compared values and signed parts: "{{context.webhook_secret}}", "{{headers.x-signature}}",
// "v0:{{headers.x-ts}}:".
//
// A path is dotted segments; array elements by number ("{{body.items.0.id}}"). Names under `headers` match
// case- insensitively (the context holds lower-case header names). Truto's own spellings are accepted so real
// configs load unchanged: `credentials.X` means `context.X`; `$body` (alone or in braces) and `raw_body` mean
// the exact bytes received; `$header.NAME` means the request header NAME.
//
// Header placeholders read the request's own headers, like `raw_body` reads the bytes received: what the
// vendor sent stays available whatever payload_transform returned. Templates compile once, when a config is
// loaded, and render per request without re-parsing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ingest/errc.h"
#include "hookd/json.h"

namespace hookd::ingest {

// What a template reads from: the payload context (after payload_transform) and the bytes received.
struct TemplateScope {
  const json::Value& context;  // the payload context object
  // the request's headers (lower-case names), kept even if a transform dropped them
  const json::Value& headers;
  std::string_view raw_body;
};

class Template {
 public:
  // A whole item equal to `raw_body`, `$body` or `$header.NAME` is one placeholder (how `parts` lists write
  // them). `field` names the config field in error messages.
  static Result<Template> compile(std::string_view text, std::string_view field);

  // Appends the rendered text. Fails (IngestErrc::missing_value, and appends nothing useful) when a
  // placeholder resolves to nothing (missing field, header absent); the error's message then names it. Nothing
  // is allocated on success beyond `out`.
  // With `refuse_empty`, a placeholder that resolves to an empty string fails too (secrets and keys: an empty
  // credential around a literal must not render to something that can match).
  Status render(const TemplateScope& scope, std::string& out, bool refuse_empty = false) const;
  // True when the template is exactly one raw-body placeholder: callers can sign the bytes without copying
  // them.
  bool is_raw_body() const noexcept { return pieces_.size() == 1 && pieces_[0].kind == Kind::raw_body; }
  const std::string& source() const noexcept { return source_; }
  // True when the template reads the parsed body (`{{body.x}}`): it can only render once the body is parsed.
  // The top-level account-context fields the template reads ("{{context.webhook_secret}}" -> "webhook_secret"),
  // appended to `out`: what a handshake must not overwrite unsigned when the template is a signing secret.
  void context_fields(std::vector<std::string>& out) const {
    for (const auto& p : pieces_)
      if (p.kind == Kind::path && p.segments.size() >= 2 && p.segments[0] == "context")
        out.push_back(p.segments[1]);
  }
  bool reads_parsed_body() const noexcept {
    for (const auto& p : pieces_)
      if (p.kind == Kind::path && !p.segments.empty() && p.segments[0] == "body") return true;
    return false;
  }

 private:
  enum class Kind { literal, path, header, raw_body };
  struct Piece {
    Kind kind;
    std::string text;                   // literal text, header name, or the placeholder as written
    std::vector<std::string> segments;  // for paths
  };
  std::string source_;
  std::vector<Piece> pieces_;
};

// Renders a value found in the context as text: strings as they are, numbers as JavaScript prints them,
// booleans and null as words, objects and arrays as JSON.
void append_as_text(std::string& out, const json::Value& v);

}  // namespace hookd::ingest
