// hookctl's plumbing, shared by its commands: the parsed command line, one call to the admin API, and
// text helpers.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include <boost/beast/http/verb.hpp>

#include "hookd/json.h"

namespace hookctl {

using hookd::json::Value;
namespace bhttp = boost::beast::http;

constexpr int kExitNothingDone = 4;

struct Args {
  std::string url = std::getenv("HOOKD_URL") ? std::getenv("HOOKD_URL") : "http://127.0.0.1:8080";
  std::string token = std::getenv("HOOKD_TOKEN") ? std::getenv("HOOKD_TOKEN") : "";
  bool json = false;
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // --name value
  std::map<std::string, bool> flags;           // --name
};

// Prints the message and the usage, exits 2 (hookctl.cpp).
[[noreturn]] void usage_error(const std::string& message);

struct Response {
  int status = 0;
  std::string body;
};

// One request to the admin API; exits 3 if hookd cannot be reached.
Response call(const Args& a, bhttp::verb method, const std::string& target, const std::string& body = {});
// Parses a JSON answer; on an API error prints it and exits 1.
Value expect_ok(const Response& r);
// A value as a table cell: strings bare, absent or null as "-", the rest as JSON.
std::string text(const Value& v);
void print_table(const std::vector<std::string>& columns, const std::vector<std::vector<std::string>>& rows);
// The named options present, as a URL query ("?a=1&b=2", or empty).
std::string query(const Args& a, std::initializer_list<const char*> names);

// The commands kept in files of their own.
int cmd_replay(const Args& a);          // hookctl_replay.cpp
int cmd_catalog_import(const Args& a);  // hookctl_catalog.cpp

}  // namespace hookctl
