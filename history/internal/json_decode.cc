// JSON to Values (json_value.h), through nlohmann's SAX interface: the
// Values are built directly (no JSON tree in between), nesting, values and
// text are bounded while parsing, and the raw text of each number is seen,
// so an integer too large for 64 bits is an error rather than a double.
//
// The bounds here only guard memory. Tagged objects make the JSON of a Value
// hold more values than the Value ({"#set": [..]} is an array and a set), so
// they are looser than limits.h; op_from_value() applies the exact ones.
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/assert.h"
#include "history/history_format.h"
#include "history/internal/edn_parser.h"
#include "history/internal/json_value.h"
#include "history/internal/op_codec.h"
#include "history/limits.h"

namespace fl::history::internal {
namespace {

using Json = nlohmann::json;

// A tagged value counts its payload too; a #map also each [key, value] pair.
constexpr size_t kJsonValuesMax = 2 * kOpValuesMax + 2;
// The metadata line's "meta" key is text the model does not hold.
constexpr size_t kJsonTextBytesMax = kOpTextBytesMax + format::kJsonMetaKey.size();

class ValueBuilder {
 public:
  bool null() { return emit(Value::nil()); }
  bool boolean(bool b) { return emit(Value::boolean(b)); }
  bool number_integer(Json::number_integer_t i) { return emit(Value::integer(i)); }
  bool number_unsigned(Json::number_unsigned_t u) {
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return fail("integer does not fit in 64 bits");
    return emit(Value::integer(static_cast<int64_t>(u)));
  }
  bool number_float(Json::number_float_t d, const Json::string_t& raw) {
    // nlohmann reads an integer beyond uint64 as a double; the raw text tells.
    if (raw.find_first_of(".eE") == std::string::npos) return fail("integer " + raw + " does not fit in 64 bits");
    if (!std::isfinite(d)) return fail("number " + raw + " is out of range for a double");
    return emit(Value::real(d));
  }
  bool string(Json::string_t& s) {
    // nlohmann has checked the UTF-8. [value.2]
    if (!count_text(s.size())) return false;
    if (is_keyword_name(s)) return emit(Value::keyword(std::move(s)));
    return emit(Value::string(std::move(s)));
  }
  bool binary(Json::binary_t&) { return fail("binary values are not supported"); }

  bool start_object(std::size_t) { return push(FrameType::kObject); }
  bool start_array(std::size_t) { return push(FrameType::kArray); }
  bool key(Json::string_t& k);
  bool end_object();
  bool end_array() {
    Frame frame = pop();
    return emit(Value::vector(std::move(frame.items)));
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e);

  Result<Value> finish(bool parsed, std::optional<size_t>* error_column) {
    if (!parsed || !result_) {
      *error_column = column_;
      return Status::invalid_argument("json", error_.empty() ? "malformed JSON" : error_);
    }
    return std::move(*result_);
  }

 private:
  enum class FrameType { kArray, kObject, kTag };
  struct Frame {
    FrameType type;
    std::vector<Value> items;      // kArray; kTag: its one value
    std::vector<MapEntry> entries; // kObject
    std::optional<Value> key;      // kObject: the key awaiting its value
    std::string tag;               // kTag
  };

  bool count_text(size_t bytes) {
    text_bytes_ += bytes;
    if (text_bytes_ <= kJsonTextBytesMax) return true;
    return fail("more than " + std::to_string(kOpTextBytesMax) + " bytes of text on one line");
  }
  bool fail(std::string what) {
    error_ = std::move(what);
    return false;  // stops the parser
  }
  bool push(FrameType type) {
    if (stack_.size() >= static_cast<size_t>(kJsonNestingDepthMax)) {
      return fail("nesting deeper than " + std::to_string(kJsonNestingDepthMax) + " JSON levels");
    }
    stack_.push_back(Frame{type, {}, {}, std::nullopt, {}});
    return true;
  }
  Frame pop() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    return frame;
  }
  bool emit(Value value);
  bool emit_tagged(Frame&& frame);

  std::vector<Frame> stack_;
  std::optional<Value> result_;
  std::string error_;
  std::optional<size_t> column_;
  size_t values_ = 0;
  size_t text_bytes_ = 0;
};

bool ValueBuilder::key(Json::string_t& k) {
  Frame& top = stack_.back();
  if (top.type == FrameType::kTag || (!k.empty() && k[0] == format::kJsonTagPrefix && !top.entries.empty())) {
    return fail("an object with a \"#\" key (a tagged value) must have exactly one key");
  }
  if (!k.empty() && k[0] == format::kJsonTagPrefix) {
    if (k != format::kJsonTagSet && k != format::kJsonTagList && k != format::kJsonTagMap &&
        k != format::kJsonTagStr) {
      return fail("unknown tag \"" + printable(k) + "\" (expected #set, #list, #map or #str)");
    }
    top.type = FrameType::kTag;
    top.tag = std::move(k);
    return true;
  }
  if (!count_text(k.size())) return false;
  top.key = is_keyword_name(k) ? Value::keyword(std::move(k)) : Value::string(std::move(k));
  return true;
}

bool ValueBuilder::end_object() {
  Frame frame = pop();
  if (frame.type == FrameType::kTag) return emit_tagged(std::move(frame));
  if (std::optional<size_t> dup = find_duplicate_key(frame.entries)) {
    return fail("duplicate key " + brief(frame.entries[*dup].key));
  }
  return emit(Value::map(std::move(frame.entries)));
}

bool ValueBuilder::emit(Value value) {
  if (++values_ > kJsonValuesMax) return fail("more than " + std::to_string(kOpValuesMax) + " values on one line");
  if (stack_.empty()) {
    result_ = std::move(value);
    return true;
  }
  Frame& top = stack_.back();
  if (top.type == FrameType::kObject) {
    top.entries.push_back(MapEntry{std::move(*top.key), std::move(value)});
    top.key.reset();
  } else {
    top.items.push_back(std::move(value));  // kArray, or the one value of kTag
  }
  return true;
}

bool ValueBuilder::emit_tagged(Frame&& frame) {
  FL_ASSERT(frame.items.size() == 1);  // JSON gives a key exactly one value
  Value payload = std::move(frame.items[0]);
  if (frame.tag == format::kJsonTagStr) {
    // The payload decoded as a keyword or a string; either way its text.
    if (payload.kind() != Value::Kind::kString && payload.kind() != Value::Kind::kKeyword) {
      return fail("\"#str\" needs a JSON string");
    }
    return emit(Value::string(payload.text()));
  }
  if (payload.kind() != Value::Kind::kVector) return fail("\"" + frame.tag + "\" needs a JSON array");
  std::vector<Value> items = std::move(payload).take_items();
  if (frame.tag == format::kJsonTagList) return emit(Value::list(std::move(items)));
  if (frame.tag == format::kJsonTagSet) {
    if (std::optional<size_t> dup = find_duplicate(items)) {
      return fail("duplicate element " + brief(items[*dup]) + " in #set");
    }
    return emit(Value::set(std::move(items)));
  }
  std::vector<MapEntry> entries;
  for (Value& pair : items) {
    if (pair.kind() != Value::Kind::kVector || pair.items().size() != 2) {
      return fail("\"#map\" needs an array of [key, value] pairs");
    }
    std::vector<Value> parts = std::move(pair).take_items();
    entries.push_back(MapEntry{std::move(parts[0]), std::move(parts[1])});
  }
  if (std::optional<size_t> dup = find_duplicate_key(entries)) {
    return fail("duplicate key " + brief(entries[*dup].key) + " in #map");
  }
  return emit(Value::map(std::move(entries)));
}

bool ValueBuilder::parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
  column_ = position;
  // what() is "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..." or
  // "[json.exception.out_of_range.406] number overflow ...". The reader names the line and column itself, so
  // keep what follows them, with raw bytes of the input escaped.
  std::string_view what = e.what();
  if (!what.empty() && what[0] == '[' && what.find("] ") != std::string_view::npos) {
    what.remove_prefix(what.find("] ") + 2);
  }
  if (what.substr(0, 11) == "parse error") {
    size_t column_at = what.find("column ");
    size_t colon = column_at == std::string_view::npos ? std::string_view::npos : what.find(": ", column_at);
    if (colon != std::string_view::npos) what.remove_prefix(colon + 2);
  }
  error_ = escape_bytes(what);
  return false;
}

}  // namespace

Result<Value> parse_json_value(std::string_view text, std::optional<size_t>* error_column) {
  ValueBuilder builder;
  bool parsed = false;
  try {
    parsed = Json::sax_parse(text.begin(), text.end(), &builder, Json::input_format_t::json, true);
  } catch (const nlohmann::json::exception& e) {  // defensive: SAX parsing reports errors through parse_error
    return Status::invalid_argument("json", e.what());
  }
  FL_ASSIGN_OR_RETURN(Value value, builder.finish(parsed, error_column));
  if (value_depth(value) > kNestingDepthMax) {
    return Status::invalid_argument("json", "nesting deeper than " + std::to_string(kNestingDepthMax) + " levels");
  }
  return value;
}

}  // namespace fl::history::internal
