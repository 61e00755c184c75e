// Values, operations and metadata to JSON (json_value.h).
#include <nlohmann/json.hpp>

#include "base/assert.h"
#include "history/history_format.h"
#include "history/internal/json_value.h"
#include "history/internal/op_size.h"
#include "history/limits.h"

namespace fl::history::internal {
namespace {

using Json = nlohmann::ordered_json;

Json tagged(std::string_view tag, Json payload) {
  Json object = Json::object();
  object[std::string(tag)] = std::move(payload);
  return object;
}

Json encode(const Value& value, int level) {
  switch (value.kind()) {
    case Value::Kind::kNil: return nullptr;
    case Value::Kind::kBool: return value.as_bool();
    case Value::Kind::kInt: return value.as_int();
    case Value::Kind::kDouble: return value.as_double();
    case Value::Kind::kString:
      if (is_keyword_name(value.text())) return tagged(format::kJsonTagStr, value.text());
      return value.text();
    case Value::Kind::kKeyword: return value.text();
    default: break;
  }
  FL_ASSERT(level <= kNestingDepthMax);  // the reader would reject it
  if (value.kind() == Value::Kind::kMap) {
    bool keyword_keys = true;
    for (const MapEntry& entry : value.entries()) {
      keyword_keys = keyword_keys && entry.key.kind() == Value::Kind::kKeyword;
    }
    if (keyword_keys) {
      Json object = Json::object();
      for (const MapEntry& entry : value.entries()) object[entry.key.text()] = encode(entry.value, level + 1);
      return object;
    }
    Json pairs = Json::array();
    for (const MapEntry& entry : value.entries()) {
      pairs.push_back(Json::array({encode(entry.key, level + 1), encode(entry.value, level + 1)}));
    }
    return tagged(format::kJsonTagMap, std::move(pairs));
  }
  Json items = Json::array();
  for (const Value& item : value.items()) items.push_back(encode(item, level + 1));
  if (value.kind() == Value::Kind::kVector) return items;
  return tagged(value.kind() == Value::Kind::kList ? format::kJsonTagList : format::kJsonTagSet, std::move(items));
}

Json encode_txn(const Txn& txn) {
  Json micros = Json::array();
  for (const MicroOp& micro : txn) {
    Json parts = Json::array();
    parts.push_back(std::string(micro_kind_name(micro.kind)));
    parts.push_back(micro.key);
    if (const auto* i = std::get_if<int64_t>(&micro.value)) {
      parts.push_back(*i);
    } else if (const auto* ints = std::get_if<std::vector<int64_t>>(&micro.value)) {
      parts.push_back(*ints);
    } else {
      parts.push_back(nullptr);
    }
    micros.push_back(std::move(parts));
  }
  return micros;
}

std::string dump_line(const Json& json) {
  std::string text;
  try {
    text = json.dump(-1, ' ', false, Json::error_handler_t::strict);
  } catch (const nlohmann::json::exception&) {
    FL_ASSERT(false);  // [value.2]: every string is valid UTF-8, so dump() cannot throw
  }
  text += '\n';
  return text;
}

}  // namespace

std::string json_op_line(const Op& op) {
  FL_ASSERT(within_limits(op_size(op)));  // [size.1]: the readers would reject it
  Json json = Json::object();
  json[std::string(format::kIndex)] = op.index;
  json[std::string(format::kTime)] = op.time;
  json[std::string(format::kType)] = std::string(op_type_name(op.type));
  if (std::optional<int64_t> id = op.process.id()) {
    json[std::string(format::kProcess)] = *id;
  } else if (op.process.present()) {
    json[std::string(format::kProcess)] = op.process.name();
  }
  if (!op.f.empty()) {
    FL_ASSERT(is_keyword_name(op.f));
    json[std::string(format::kF)] = op.f;
  }
  const Txn* txn = op.txn();
  json[std::string(format::kValue)] = txn ? encode_txn(*txn) : encode(std::get<Value>(op.value), 2);
  for (const Extra& extra : op.extras) {
    FL_ASSERT(is_keyword_name(extra.key));
    FL_ASSERT(!json.contains(extra.key));  // [op.2]: not a field, not a repeated extra
    json[extra.key] = encode(extra.value, 2);
  }
  return dump_line(json);
}

std::string json_meta_line(const Metadata& meta) {
  FL_ASSERT(!meta.empty());
  FL_ASSERT(within_limits(metadata_size(meta)));  // [size.1]
  Json map = Json::object();
  for (const Metadata::Entry& entry : meta.entries()) map[entry.first] = encode(entry.second, 2);
  Json json = Json::object();
  json[std::string(format::kJsonMetaKey)] = std::move(map);
  return dump_line(json);
}

std::string json_value_text(const Value& value) {
  std::string line = dump_line(encode(value, 1));
  line.pop_back();
  return line;
}

}  // namespace fl::history::internal
