#include "ingest/template.h"

#include <cctype>

namespace hookd::ingest {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool is_raw_body_name(std::string_view s) {
  return s == "raw_body" || s == "$body";
}

const json::Value& lookup(const json::Value& root, const std::vector<std::string>& segments) {
  static const json::Value kUndefined;
  const json::Value* cur = &root;
  for (const std::string& seg : segments) {
    if (cur->is_object()) {
      cur = &cur->get(seg);
    } else if (cur->is_array() && !seg.empty() && std::isdigit(static_cast<unsigned char>(seg[0]))) {
      cur = &cur->at(std::stoul(seg));
    } else {
      return kUndefined;
    }
    if (cur->is_undefined()) return kUndefined;
  }
  return *cur;
}

}  // namespace

void append_as_text(std::string& out, const json::Value& v) {
  switch (v.type()) {
    case json::Type::string:
      out += v.as_string();
      break;
    case json::Type::number:
      json::write_number(out, v.as_number());
      break;
    case json::Type::boolean:
      out += v.as_bool() ? "true" : "false";
      break;
    case json::Type::null:
      out += "null";
      break;
    case json::Type::array:
    case json::Type::object:
      json::write(out, v);
      break;
    default:
      break;
  }
}

Result<Template> Template::compile(std::string_view text, std::string_view field) {
  Template t;
  t.source_ = std::string(text);
  auto add_placeholder = [&](std::string_view expr) -> Status {
    expr = trim(expr);
    if (expr.empty())
      return make_error(IngestErrc::invalid_config, std::string(field) + ": empty placeholder {{}}");
    if (is_raw_body_name(expr)) {
      t.pieces_.push_back({Kind::raw_body, std::string(expr), {}});
      return {};
    }
    if (expr.rfind("$header.", 0) == 0 || expr.rfind("$headers.", 0) == 0) {
      std::string_view name = expr.substr(expr.find('.') + 1);
      if (name.empty())
        return make_error(IngestErrc::invalid_config,
                          std::string(field) + ": header name missing in " + t.source_);
      t.pieces_.push_back({Kind::header, lower(name), {}});
      return {};
    }
    Piece p{Kind::path, std::string(expr), {}};
    std::string_view rest = expr;
    while (true) {
      size_t dot = rest.find('.');
      std::string_view seg = rest.substr(0, dot);
      if (seg.empty())
        return make_error(IngestErrc::invalid_config,
                          std::string(field) + ": empty path segment in {{" + std::string(expr) + "}}");
      p.segments.emplace_back(seg);
      if (dot == std::string_view::npos) break;
      rest = rest.substr(dot + 1);
    }
    if (p.segments[0] == "credentials") p.segments[0] = "context";  // Truto's name for the account context
    if (p.segments[0] == "headers" && p.segments.size() == 2) {
      t.pieces_.push_back({Kind::header, lower(p.segments[1]), {}});
      return {};
    }
    t.pieces_.push_back(std::move(p));
    return {};
  };

  std::string_view whole = trim(text);
  if (is_raw_body_name(whole) || whole.rfind("$header.", 0) == 0) {
    // A bare `raw_body`, `$body` or `$header.NAME` item, as `parts` lists write them.
    Status s = add_placeholder(whole);
    if (!s.ok()) return s.error();
    return t;
  }

  std::string_view rest = text;
  while (!rest.empty()) {
    size_t open = rest.find("{{");
    if (open == std::string_view::npos) {
      t.pieces_.push_back({Kind::literal, std::string(rest), {}});
      break;
    }
    if (open > 0) t.pieces_.push_back({Kind::literal, std::string(rest.substr(0, open)), {}});
    size_t close = rest.find("}}", open + 2);
    if (close == std::string_view::npos)
      return make_error(IngestErrc::invalid_config,
                        std::string(field) + ": unclosed {{ in '" + t.source_ + "'");
    Status s = add_placeholder(rest.substr(open + 2, close - open - 2));
    if (!s.ok()) return s.error();
    rest = rest.substr(close + 2);
  }
  return t;
}

Status Template::render(const TemplateScope& scope, std::string& out, bool refuse_empty) const {
  for (const Piece& p : pieces_) {
    switch (p.kind) {
      case Kind::literal:
        out += p.text;
        break;
      case Kind::raw_body:
        out += scope.raw_body;
        break;
      case Kind::header: {
        const json::Value& h = scope.headers.get(p.text);
        if (h.is_undefined() || (refuse_empty && h.is_string() && h.as_string().empty()))
          return make_error(IngestErrc::missing_value, "header " + p.text);
        append_as_text(out, h);
        break;
      }
      case Kind::path: {
        const json::Value& v = lookup(scope.context, p.segments);
        if (v.is_undefined() || v.is_null() || (refuse_empty && v.is_string() && v.as_string().empty()))
          return make_error(IngestErrc::missing_value, p.text);
        append_as_text(out, v);
        break;
      }
    }
  }
  return {};
}

}  // namespace hookd::ingest
