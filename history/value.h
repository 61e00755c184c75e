// history/value.h: the EDN values a Jepsen history holds.
//
// A Value is nil, a boolean, an integer (int64), a double, a string, a
// keyword, or a vector, list, set or map of Values. It is the generic form
// of an operation's :value and of its extra keys; transactions also have a
// typed form (op.h). Characters, symbols other than nil/true/false, ratios,
// big numbers and tagged literals other than records are not part of the
// subset (docs/formats/history.md).
//
// [value.1] Sets and maps keep insertion order, so writing a Value that was
//           read gives the same order back; equality is order-sensitive.
// [value.2] A Value holds no duplicate set element and no duplicate map key,
//           and every string is valid UTF-8 and every keyword name passes
//           is_keyword_name(). The factories assert this: readers check
//           input first and report a Status, so no input can trip it.
// [value.3] Doubles are finite; equality compares their bits, so -0.0 and
//           0.0 differ (they are written differently).
// [value.4] compare() is a total order consistent with ==; it is what the
//           duplicate checks sort by.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fl::history {

// True when `name` is a keyword name in our EDN subset: ASCII symbol
// characters, not starting with a digit (nor with +, - or . then a digit),
// not starting with ':' or '#', no "::", no trailing ':', and at most one
// '/' that is neither first nor last. "txn", "jepsen.history/op" and "r" pass.
bool is_keyword_name(std::string_view name);

// True when `text` is UTF-8 as RFC 3629 defines it (no overlong forms, no
// surrogates, nothing above U+10FFFF). JSON writers require it.
bool is_valid_utf8(std::string_view text);

struct MapEntry;

class Value {
 public:
  enum class Kind : uint8_t { kNil, kBool, kInt, kDouble, kString, kKeyword, kVector, kList, kSet, kMap };

  Value() = default;  // nil
  static Value nil();
  static Value boolean(bool b);
  static Value integer(int64_t i);
  static Value real(double d);               // REQUIRES: finite [value.3]
  static Value string(std::string s);        // REQUIRES: valid UTF-8
  static Value keyword(std::string name);    // REQUIRES: is_keyword_name(name); no leading ':'
  static Value vector(std::vector<Value> items);
  static Value list(std::vector<Value> items);
  static Value set(std::vector<Value> items);        // REQUIRES: no duplicates
  static Value map(std::vector<MapEntry> entries);   // REQUIRES: no duplicate keys

  Kind kind() const { return kind_; }
  bool is_nil() const { return kind_ == Kind::kNil; }
  bool is_keyword(std::string_view name) const;  // kind() == kKeyword and the name matches
  bool is_collection() const;                    // vector, list or set (not map)

  bool as_bool() const;                          // REQUIRES: kBool
  int64_t as_int() const;                        // REQUIRES: kInt
  double as_double() const;                      // REQUIRES: kDouble
  const std::string& text() const;               // REQUIRES: kString or kKeyword (name without ':')
  const std::vector<Value>& items() const;       // REQUIRES: is_collection()
  const std::vector<MapEntry>& entries() const;  // REQUIRES: kMap
  std::vector<Value> take_items() &&;            // REQUIRES: is_collection()
  std::vector<MapEntry> take_entries() &&;       // REQUIRES: kMap

  // The value under keyword key `name` of a map, or null (also for non-maps).
  const Value* find(std::string_view name) const;

  friend bool operator==(const Value& a, const Value& b);

 private:
  using Rep = std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<Value>,
                           std::vector<MapEntry>>;
  Value(Kind kind, Rep rep);  // defined in value.cc, where MapEntry is complete
  Kind kind_ = Kind::kNil;
  Rep rep_;
};

struct MapEntry {
  Value key;
  Value value;
  friend bool operator==(const MapEntry& a, const MapEntry& b) { return a.key == b.key && a.value == b.value; }
};

inline Value Value::nil() { return Value(); }

// Total order: by kind, then by content (doubles by bit pattern). [value.4]
int compare(const Value& a, const Value& b);

// The index of the first element that equals an earlier one, if any. Used by
// readers (to report an error) and by the factories (to assert).
std::optional<size_t> find_duplicate(const std::vector<Value>& items);
std::optional<size_t> find_duplicate_key(const std::vector<MapEntry>& entries);

// Collection levels: 0 for a scalar, 1 + the deepest child for a collection.
int value_depth(const Value& value);

std::string_view kind_name(Value::Kind kind);  // "nil", "integer", "map", ...

}  // namespace fl::history
