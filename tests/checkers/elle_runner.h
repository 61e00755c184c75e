// tests/checkers/elle_runner.h: running the Elle build beside the source
// tree (tests/CMakeLists.txt: <source>/../shared/elle/elle-check) on many
// EDN histories in one JVM, for the differential tests.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "checkers/consistency_models.h"

namespace fl::checkers::testing {

inline constexpr const char* kElleCheck = FL_ELLE_CHECK;

// False, with the reason, when elle-check or java is missing.
inline bool have_elle(std::string* why) {
  if (!std::filesystem::exists(kElleCheck)) {
    *why = std::string(kElleCheck) + " not found";
    return false;
  }
  if (std::system("java -version >/dev/null 2>&1") != 0) {
    *why = "no java on PATH";
    return false;
  }
  return true;
}

struct ElleCase {
  std::string name;
  std::string edn;
};

// Writes each case to `dir` and runs one elle-check over all of them with
// `args` (e.g. "--model serializable"); one JSON summary per file, in order.
inline std::vector<nlohmann::json> run_elle(const std::vector<ElleCase>& cases, const std::filesystem::path& dir,
                                            const std::string& args) {
  std::filesystem::create_directories(dir);
  std::string command = std::string(kElleCheck) + " --format json " + args;
  for (const ElleCase& c : cases) {
    std::filesystem::path file = dir / (c.name + ".edn");
    std::ofstream(file) << c.edn;
    command += " " + file.string();
  }
  command += " 2>" + (dir / "stderr.txt").string();
  std::vector<nlohmann::json> out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::string text;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) text.append(buffer, n);
  pclose(pipe);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(nlohmann::json::parse(text.substr(start, end - start), nullptr, false));
    start = end + 1;
  }
  return out;
}

inline std::set<std::string> canonical_models(const std::set<std::string>& models) {
  std::set<std::string> out;
  for (const std::string& m : models) out.insert(canonical_model_name(m));
  return out;
}

// "valid", "invalid", Elle's string (e.g. "unknown"), or "error".
inline std::string elle_validity(const nlohmann::json& j) {
  const auto& v = j["valid?"];
  if (v.is_boolean()) return v.get<bool>() ? "valid" : "invalid";
  if (v.is_string()) return v.get<std::string>();
  return "error";
}

}  // namespace fl::checkers::testing
