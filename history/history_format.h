// history/history_format.h: the constants of the EDN and JSONL history
// formats. The spec is docs/formats/history.md; change both together.
#pragma once

#include <string_view>

namespace fl::history::format {

// Operation fields, in the order both writers emit them. Any other key of an
// operation map is an extra, kept in input order after these.
constexpr std::string_view kIndex = "index";
constexpr std::string_view kTime = "time";
constexpr std::string_view kType = "type";
constexpr std::string_view kProcess = "process";
constexpr std::string_view kF = "f";
constexpr std::string_view kValue = "value";

constexpr bool is_op_field(std::string_view key) {
  return key == kIndex || key == kTime || key == kType || key == kProcess || key == kF || key == kValue;
}

// The keyword of Jepsen's nemesis process.
constexpr std::string_view kNemesis = "nemesis";

// EDN: metadata is a comment line before the first operation:
//   ; faultline-meta {:durability :acked, :isolation :serializable}
// EDN readers such as Elle skip it as a comment.
constexpr std::string_view kEdnMetaMarker = "faultline-meta";

// JSONL: metadata is the first line, an object with this single key:
//   {"meta":{"durability":"acked","isolation":"serializable"}}
constexpr std::string_view kJsonMetaKey = "meta";

// JSONL encoding of the Values JSON has no form for. A JSON object whose
// only key is one of these is a tagged value; keyword names never start with
// '#', so no map key can be mistaken for a tag.
constexpr std::string_view kJsonTagSet = "#set";    // {"#set": [items]}
constexpr std::string_view kJsonTagList = "#list";  // {"#list": [items]}
constexpr std::string_view kJsonTagMap = "#map";    // {"#map": [[k, v], ...]}: some key is not a keyword
constexpr std::string_view kJsonTagStr = "#str";    // {"#str": "s"}: a string that reads as a keyword name
constexpr char kJsonTagPrefix = '#';
static_assert(kJsonTagSet[0] == kJsonTagPrefix && kJsonTagList[0] == kJsonTagPrefix);
static_assert(kJsonTagMap[0] == kJsonTagPrefix && kJsonTagStr[0] == kJsonTagPrefix);

// Conventional metadata keys. The simulator writes them; readers accept any
// keyword key, and checkers fall back to defaults when one is absent.
constexpr std::string_view kMetaDurability = "durability";  // :acked or :none
constexpr std::string_view kMetaIsolation = "isolation";    // e.g. :serializable
constexpr std::string_view kMetaWorkload = "workload";      // e.g. :list-append

}  // namespace fl::history::format
