// campaign/json_fields.cc: typed JSON field access (json_fields.h).
#include "campaign/json_fields.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "campaign/campaign_limits.h"

namespace fl::campaign::json_fields {

Result<nlohmann::json> parse(std::string_view text, const std::string& file) {
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& error) {
    return Status::invalid_argument(file, "not valid JSON at byte " + std::to_string(error.byte));
  }
}

Result<std::string> read_file(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) return Status::invalid_argument(path, "missing");
  if (!std::filesystem::is_regular_file(status)) return Status::invalid_argument(path, "not a regular file");
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return Status::invalid_argument(path, "cannot read its size: " + error.message());
  if (size > kCampaignFileBytesMax) {
    return Status::invalid_argument(path, "larger than " + std::to_string(kCampaignFileBytesMax) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::invalid_argument(path, "cannot open it");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::io_error(path, EIO);
  return text.str();
}

Status Object::is_object() const {
  if (!j_.is_object()) return Status::invalid_argument(where_, "expected a JSON object");
  return Status::success();
}

Status Object::bad(const char* key, std::string_view what) const {
  return Status::invalid_argument(where_, std::string(key) + ": " + std::string(what));
}

Result<const nlohmann::json*> Object::field(const char* key) const {
  FL_TRY(is_object());
  const auto it = j_.find(key);
  if (it == j_.end()) return bad(key, "missing");
  return &*it;
}

Result<std::string> Object::string(const char* key) const {
  FL_ASSIGN_OR_RETURN(const nlohmann::json* value, field(key));
  if (!value->is_string()) return bad(key, "expected a string, got " + value->dump());
  return value->get<std::string>();
}

Result<uint64_t> Object::u64(const char* key) const {
  FL_ASSIGN_OR_RETURN(const nlohmann::json* value, field(key));
  if (!value->is_number_unsigned()) return bad(key, "expected an unsigned integer, got " + value->dump());
  return value->get<uint64_t>();
}

Result<double> Object::number(const char* key) const {
  FL_ASSIGN_OR_RETURN(const nlohmann::json* value, field(key));
  if (!value->is_number()) return bad(key, "expected a number, got " + value->dump());
  return value->get<double>();
}

Result<std::vector<std::string>> Object::strings(const char* key) const {
  FL_ASSIGN_OR_RETURN(const nlohmann::json* value, field(key));
  if (!value->is_array()) return bad(key, "expected an array of strings, got " + value->dump());
  std::vector<std::string> out;
  for (const nlohmann::json& item : *value) {
    if (!item.is_string()) return bad(key, "expected an array of strings, got the element " + item.dump());
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, uint64_t>> Object::counts(const char* key) const {
  FL_ASSIGN_OR_RETURN(const nlohmann::json* value, field(key));
  if (!value->is_object()) return bad(key, "expected an object of counts, got " + value->dump());
  std::map<std::string, uint64_t> out;
  for (const auto& [name, count] : value->items()) {
    if (!count.is_number_unsigned()) return bad(key, "\"" + name + "\": expected an unsigned integer");
    out[name] = count.get<uint64_t>();
  }
  return out;
}

}  // namespace fl::campaign::json_fields
