#include "history/value.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>

#include "base/assert.h"

namespace fl::history {
namespace {

bool is_symbol_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*' || c == '!' || c == '_' || c == '?' ||
         c == '$' || c == '%' || c == '&' || c == '=' || c == '<' || c == '>' || c == '.' || c == '-' || c == '+';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_symbol_char(char c) {
  return is_symbol_start(c) || is_digit(c) || c == '#' || c == ':' || c == '/';
}

// One part of a keyword (before or after the '/'): EDN's symbol rules.
bool is_name_part(std::string_view part) {
  if (part.empty() || !is_symbol_start(part[0])) return false;
  if ((part[0] == '-' || part[0] == '+' || part[0] == '.') && part.size() > 1 && is_digit(part[1])) return false;
  return std::all_of(part.begin(), part.end(), [](char c) { return is_symbol_char(c) && c != '/'; });
}

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int compare_items(const std::vector<Value>& a, const std::vector<Value>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); i++) {
    if (int c = compare(a[i], b[i]); c != 0) return c;
  }
  return three_way(a.size(), b.size());
}

// Sorts indices by `less` and returns the smallest index of an element equal
// to an earlier one. Small inputs (operation maps) compare pairwise.
template <class Cmp>
std::optional<size_t> first_duplicate(size_t count, Cmp cmp) {
  constexpr size_t kPairwiseCountMax = 8;
  if (count <= kPairwiseCountMax) {
    for (size_t j = 1; j < count; j++) {
      for (size_t i = 0; i < j; i++) {
        if (cmp(i, j) == 0) return j;
      }
    }
    return std::nullopt;
  }
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return cmp(a, b) < 0; });
  std::optional<size_t> found;
  for (size_t k = 1; k < count; k++) {
    if (cmp(order[k - 1], order[k]) == 0) {
      size_t later = std::max(order[k - 1], order[k]);
      if (!found || later < *found) found = later;
    }
  }
  return found;
}

}  // namespace

bool is_keyword_name(std::string_view name) {
  if (name.empty() || name.back() == ':' || name.find("::") != std::string_view::npos) return false;
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) return is_name_part(name);
  if (name.find('/', slash + 1) != std::string_view::npos) return false;
  return is_name_part(name.substr(0, slash)) && is_name_part(name.substr(slash + 1));
}

bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<uint8_t>(text[i]);
    if (byte < 0x80) {
      i++;
      continue;
    }
    // RFC 3629, section 4: the second byte's range depends on the first.
    size_t length = 0;
    uint8_t low = 0x80;
    uint8_t high = 0xBF;
    if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
      if (byte == 0xE0) low = 0xA0;
      if (byte == 0xED) high = 0x9F;  // no surrogates
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
      if (byte == 0xF0) low = 0x90;
      if (byte == 0xF4) high = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    auto second = static_cast<uint8_t>(text[i + 1]);
    if (second < low || second > high) return false;
    for (size_t k = 2; k < length; k++) {
      auto next = static_cast<uint8_t>(text[i + k]);
      if (next < 0x80 || next > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

Value::Value(Kind kind, Rep rep) : kind_(kind), rep_(std::move(rep)) {}

Value Value::boolean(bool b) { return Value(Kind::kBool, b); }
Value Value::integer(int64_t i) { return Value(Kind::kInt, i); }

Value Value::real(double d) {
  FL_ASSERT(std::isfinite(d));  // [value.3]
  return Value(Kind::kDouble, d);
}

Value Value::string(std::string s) {
  FL_ASSERT(is_valid_utf8(s));  // [value.2]
  return Value(Kind::kString, std::move(s));
}

Value Value::keyword(std::string name) {
  FL_ASSERT(is_keyword_name(name));  // [value.2]
  return Value(Kind::kKeyword, std::move(name));
}

Value Value::vector(std::vector<Value> items) { return Value(Kind::kVector, std::move(items)); }
Value Value::list(std::vector<Value> items) { return Value(Kind::kList, std::move(items)); }

Value Value::set(std::vector<Value> items) {
  FL_ASSERT(!find_duplicate(items).has_value());  // [value.2]
  return Value(Kind::kSet, std::move(items));
}

Value Value::map(std::vector<MapEntry> entries) {
  FL_ASSERT(!find_duplicate_key(entries).has_value());  // [value.2]
  return Value(Kind::kMap, std::move(entries));
}

bool Value::is_keyword(std::string_view name) const {
  return kind_ == Kind::kKeyword && std::get<std::string>(rep_) == name;
}

bool Value::is_collection() const { return kind_ == Kind::kVector || kind_ == Kind::kList || kind_ == Kind::kSet; }

bool Value::as_bool() const {
  FL_ASSERT(kind_ == Kind::kBool);
  return std::get<bool>(rep_);
}

int64_t Value::as_int() const {
  FL_ASSERT(kind_ == Kind::kInt);
  return std::get<int64_t>(rep_);
}

double Value::as_double() const {
  FL_ASSERT(kind_ == Kind::kDouble);
  return std::get<double>(rep_);
}

const std::string& Value::text() const {
  FL_ASSERT(kind_ == Kind::kString || kind_ == Kind::kKeyword);
  return std::get<std::string>(rep_);
}

const std::vector<Value>& Value::items() const {
  FL_ASSERT(is_collection());
  return std::get<std::vector<Value>>(rep_);
}

const std::vector<MapEntry>& Value::entries() const {
  FL_ASSERT(kind_ == Kind::kMap);
  return std::get<std::vector<MapEntry>>(rep_);
}

std::vector<Value> Value::take_items() && {
  FL_ASSERT(is_collection());
  return std::get<std::vector<Value>>(std::move(rep_));
}

std::vector<MapEntry> Value::take_entries() && {
  FL_ASSERT(kind_ == Kind::kMap);
  return std::get<std::vector<MapEntry>>(std::move(rep_));
}

const Value* Value::find(std::string_view name) const {
  if (kind_ != Kind::kMap) return nullptr;
  for (const MapEntry& entry : std::get<std::vector<MapEntry>>(rep_)) {
    if (entry.key.is_keyword(name)) return &entry.value;
  }
  return nullptr;
}

bool operator==(const Value& a, const Value& b) { return compare(a, b) == 0; }

int compare(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return three_way(a.kind(), b.kind());
  switch (a.kind()) {
    case Value::Kind::kNil: return 0;
    case Value::Kind::kBool: return three_way(a.as_bool(), b.as_bool());
    case Value::Kind::kInt: return three_way(a.as_int(), b.as_int());
    case Value::Kind::kDouble:
      return three_way(std::bit_cast<uint64_t>(a.as_double()), std::bit_cast<uint64_t>(b.as_double()));
    case Value::Kind::kString:
    case Value::Kind::kKeyword: {
      int c = a.text().compare(b.text());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Value::Kind::kVector:
    case Value::Kind::kList:
    case Value::Kind::kSet: return compare_items(a.items(), b.items());
    case Value::Kind::kMap: {
      const auto& x = a.entries();
      const auto& y = b.entries();
      for (size_t i = 0; i < x.size() && i < y.size(); i++) {
        if (int c = compare(x[i].key, y[i].key); c != 0) return c;
        if (int c = compare(x[i].value, y[i].value); c != 0) return c;
      }
      return three_way(x.size(), y.size());
    }
  }
  FL_ASSERT(false);
  return 0;
}

std::optional<size_t> find_duplicate(const std::vector<Value>& items) {
  return first_duplicate(items.size(), [&](size_t i, size_t j) { return compare(items[i], items[j]); });
}

std::optional<size_t> find_duplicate_key(const std::vector<MapEntry>& entries) {
  return first_duplicate(entries.size(), [&](size_t i, size_t j) { return compare(entries[i].key, entries[j].key); });
}

int value_depth(const Value& value) {
  int deepest = 0;
  if (value.is_collection()) {
    for (const Value& item : value.items()) deepest = std::max(deepest, value_depth(item));
    return deepest + 1;
  }
  if (value.kind() == Value::Kind::kMap) {
    for (const MapEntry& entry : value.entries()) {
      deepest = std::max({deepest, value_depth(entry.key), value_depth(entry.value)});
    }
    return deepest + 1;
  }
  return 0;
}

std::string_view kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNil: return "nil";
    case Value::Kind::kBool: return "boolean";
    case Value::Kind::kInt: return "integer";
    case Value::Kind::kDouble: return "double";
    case Value::Kind::kString: return "string";
    case Value::Kind::kKeyword: return "keyword";
    case Value::Kind::kVector: return "vector";
    case Value::Kind::kList: return "list";
    case Value::Kind::kSet: return "set";
    case Value::Kind::kMap: return "map";
  }
  return "unknown";
}

}  // namespace fl::history
