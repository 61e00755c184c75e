// campaign/json_fields.h: typed access to the fields of a JSON object read
// from a campaign file, with errors that name the file and the field path
// ("DIR/campaign.json: txns: expected an unsigned integer, got \"x\"").
// Internal to campaign/; nlohmann exceptions never leave these functions.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace fl::campaign::json_fields {

// Parses a whole JSON document; a syntax error is kInvalidArgument naming
// `file` and the byte offset.
Result<nlohmann::json> parse(std::string_view text, const std::string& file);
// Reads a file whole (at most kCampaignFileBytesMax); a missing file is
// kInvalidArgument "FILE: missing".
Result<std::string> read_file(const std::string& path);

class Object {
 public:
  // REQUIRES: `j` outlives the Object. `where` is "FILE" or "FILE: field".
  Object(const nlohmann::json& j, std::string where) : j_(j), where_(std::move(where)) {}
  Status is_object() const;
  Result<std::string> string(const char* key) const;
  Result<uint64_t> u64(const char* key) const;
  Result<double> number(const char* key) const;
  Result<std::vector<std::string>> strings(const char* key) const;
  Result<std::map<std::string, uint64_t>> counts(const char* key) const;
  Result<const nlohmann::json*> field(const char* key) const;  // any type, must be present
  Status bad(const char* key, std::string_view what) const;

 private:
  const nlohmann::json& j_;
  std::string where_;
};

}  // namespace fl::campaign::json_fields
