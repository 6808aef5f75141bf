// hookctl catalog import: catalog integrations from JSON files or folders of them.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hookctl_api.h"

namespace hookctl {

namespace {

// The catalog files to import: the files named, and the *.json files of the folders named, in name order.
std::vector<std::filesystem::path> catalog_files(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> in_dir;
      for (const auto& entry : fs::directory_iterator(p, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".json") in_dir.push_back(entry.path());
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      usage_error("no such file or folder: " + p);
    }
  }
  return files;
}

// Adds each file's integration to the catalog, or updates its config when the name exists (the version
// bumps; installs pick it up on their next request). Stops at the first file hookd refuses: the error names
// the file and the config field.

}  // namespace

int cmd_catalog_import(const Args& a) {
  if (a.positional.size() < 3 || a.positional[1] != "import")
    usage_error("catalog import needs files or folders");
  auto files = catalog_files({a.positional.begin() + 2, a.positional.end()});
  if (files.empty()) usage_error("no .json files found");
  std::vector<std::vector<std::string>> rows;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    Value entry;
    hookd::json::ParseError err;
    if (!hookd::json::parse(text.str(), entry, &err) || !entry.get("name").is_string() ||
        !entry.get("config").is_object()) {
      std::fprintf(stderr, "hookctl: %s: not a catalog entry (a JSON object with name and config)%s\n",
                   file.c_str(), err.message.empty() ? "" : (": " + err.describe()).c_str());
      return 1;
    }
    std::string name(entry.get("name").as_string());
    hookd::json::ObjectBuilder body;
    body.set("name", name).set("config", entry.get("config"));
    if (entry.get("category").is_string()) body.set("category", entry.get("category"));
    Response created = call(a, bhttp::verb::post, "/integration", hookd::json::dump(std::move(body).build()));
    std::string action = "added";
    if (created.status == 409) {
      hookd::json::ObjectBuilder change;
      change.set("config", entry.get("config"));
      if (entry.get("category").is_string()) change.set("category", entry.get("category"));
      Response updated =
          call(a, bhttp::verb::patch, "/integration/" + name, hookd::json::dump(std::move(change).build()));
      if (updated.status >= 300) std::fprintf(stderr, "hookctl: %s:\n", file.c_str());
      expect_ok(updated);
      action = "updated";
    } else {
      if (created.status >= 300) std::fprintf(stderr, "hookctl: %s:\n", file.c_str());
      expect_ok(created);
    }
    rows.push_back({name, action, file.filename().string()});
  }
  if (a.json) {
    std::vector<Value> out;
    for (const auto& r : rows) {
      hookd::json::ObjectBuilder b;
      b.set("name", r[0]).set("result", r[1]).set("file", r[2]);
      out.push_back(std::move(b).build());
    }
    std::printf("%s\n", hookd::json::dump_pretty(Value::array(std::move(out))).c_str());
    return 0;
  }
  print_table({"INTEGRATION", "RESULT", "FILE"}, rows);
  return 0;
}

}  // namespace hookctl
