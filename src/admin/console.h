// The operator console: a few static files (console/ in the repository, embedded into the binary at build time by
// embed_console.cmake) served at /console by the admin role. The page holds no data: it signs in with an API
// token kept in the browser's sessionStorage and calls the admin API like any client, so it sees exactly what
// that token may see. Its routes therefore need no token.
//
//   GET|HEAD /console           index.html
//   GET|HEAD /console/{file}    one file of the embedded table, by exact name; anything else is 404
#pragma once

#include <span>
#include <string_view>

#include "http/router.h"

namespace hookd::admin::console {

struct Asset {
  std::string_view name;  // "app.js": the table is flat, so a name is one path segment
  std::string_view etag;  // quoted, as sent
  std::string_view data;
};

// The embedded files (generated).
std::span<const Asset> assets();

// The file named `name` ("" for index.html), or null. Only an exact name of the table matches: there is no
// file system behind it, so "..", "%2e%2e" or an absolute path can name nothing else.
const Asset* find_asset(std::string_view name);
// By the name's extension; application/octet-stream for an unknown one (never sniffed: nosniff is sent).
std::string_view content_type(std::string_view name);
// The answer to a GET or HEAD of `name`: 200 with the file, 304 when If-None-Match holds its ETag, 404 otherwise,
// each with the console's security headers.
http::Response serve(std::string_view name, const http::Request& request);

void register_routes(http::Router& router);

}  // namespace hookd::admin::console
