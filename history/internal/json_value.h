// history/internal/json_value.h: the JSON encoding of Values
// (docs/formats/history.md, "Generic values in JSON"). Private to history/;
// nlohmann-json stays behind this header's .cc files.
//
// Encoding, chosen so that Jepsen-style JSON reads naturally (keywords are
// plain strings) and every Value still round-trips:
//   nil null; booleans, integers, doubles as JSON; keyword :k "k";
//   string s: "s", or {"#str": "s"} when s is itself a keyword name;
//   vector [..]; list {"#list": [..]}; set {"#set": [..]};
//   map with only keyword keys {"k": v, ..}, otherwise {"#map": [[k, v], ..]}.
// Decoding: a JSON string is a keyword when it is a keyword name, else a
// string; an object key likewise; an object whose key starts with '#' is a
// tagged value and must have exactly that one key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "history/history.h"
#include "history/op.h"
#include "history/value.h"

namespace fl::history::internal {

// One JSON object and "\n" for an operation; keys in the order of
// [edn-w.2], keywords and the nemesis process as strings.
std::string json_op_line(const Op& op);

// {"meta": {...}} and "\n". REQUIRES: !meta.empty().
std::string json_meta_line(const Metadata& meta);

// Compact JSON for one Value (level 1 is the outermost collection).
std::string json_value_text(const Value& value);

// Decodes one JSON text (one line). On error, `*error_column` is set to the
// 1-based byte column when nlohmann reports one; the Status message is the
// bare description.
Result<Value> parse_json_value(std::string_view text, std::optional<size_t>* error_column);

}  // namespace fl::history::internal
