#include "history/internal/edn_parser.h"

#include <cerrno>
#include <cstdio>

#include "history/limits.h"

namespace fl::history::internal {
namespace {

constexpr int kEof = CharStream::kEof;

bool is_blank(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == ','; }
bool is_closer(int c) { return c == ']' || c == ')' || c == '}'; }

// A byte that ends a token (number, keyword, symbol).
bool is_delimiter(int c) {
  return c == kEof || is_blank(c) || c == '"' || c == ';' || c == '(' || c == ')' || c == '[' || c == ']' ||
         c == '{' || c == '}';
}

bool is_token_start(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '*' ||
         c == '!' || c == '_' || c == '?' || c == '$' || c == '%' || c == '&' || c == '=' || c == '<' ||
         c == '>' || c == '.' || c == '-' || c == '+' || c == '/';
}

std::string position_text(Pos pos) {
  return "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column);
}

int hex_digit(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string describe_byte(int c) {
  if (c == kEof) return "end of input";
  if (c >= 0x21 && c <= 0x7e) return std::string("'") + static_cast<char>(c) + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02x", static_cast<unsigned>(c));
  return buf;
}

std::string escape_bytes(std::string_view text) {
  std::string out;
  for (char byte : text) {
    auto c = static_cast<unsigned char>(byte);
    if (c >= 0x20 && c <= 0x7e) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
      out += buf;
    }
  }
  return out;
}

std::string printable(std::string_view text) {
  constexpr size_t kShownBytesMax = 40;
  if (text.size() <= kShownBytesMax) return escape_bytes(text);
  return escape_bytes(text.substr(0, kShownBytesMax)) + "...";
}

Status EdnParser::error(Pos pos, std::string_view what) const {
  if (in_.read_failed()) return Status::io_error(source_, EIO);
  return Status::invalid_argument(source_, position_text(pos) + ": " + std::string(what));
}

void EdnParser::begin_form() {
  form_start_offset_ = in_.offset();
  form_values_ = 0;
  form_text_bytes_ = 0;
}

Status EdnParser::count_text(Pos pos, size_t bytes) {
  form_text_bytes_ += bytes;
  if (form_text_bytes_ <= kOpTextBytesMax) return Status::success();
  return error(pos, "more than " + std::to_string(kOpTextBytesMax) + " bytes of text in one form");
}

Status EdnParser::check_bytes(Pos pos) const {
  if (in_.offset() - form_start_offset_ <= kFormBytesMax) return Status::success();
  return error(pos, "form longer than " + std::to_string(kFormBytesMax) + " bytes");
}

Status EdnParser::count_value(Pos pos) {
  if (++form_values_ > kOpValuesMax) {
    return error(pos, "more than " + std::to_string(kOpValuesMax) + " values in one form");
  }
  return check_bytes(pos);
}

Status EdnParser::skip_comment(int level) {
  Pos start = in_.pos();
  in_.get();  // ';'
  if (level > 0 || !comment_hook_) {
    while (in_.peek() != kEof && in_.peek() != '\n') in_.get();
    return Status::success();
  }
  std::string text;
  bool truncated = false;
  while (in_.peek() != kEof && in_.peek() != '\n') {
    int c = in_.get();
    if (text.size() < kFormBytesMax) {
      text += static_cast<char>(c);
    } else {
      truncated = true;
    }
  }
  return comment_hook_(text, truncated, start);
}

Status EdnParser::skip_ignorable(int level) {
  int64_t discards_pending = 0;
  Pos discard_pos;
  for (;;) {
    while (is_blank(in_.peek())) in_.get();
    int c = in_.peek();
    if (c == ';') {
      FL_TRY(skip_comment(level));
      continue;
    }
    if (c == '#' && in_.peek2() == '_') {
      discard_pos = in_.pos();
      in_.get();
      in_.get();
      discards_pending++;
      continue;
    }
    if (discards_pending == 0) return Status::success();
    if (c == kEof || is_closer(c)) {
      return error(discard_pos, "expected a form after #_, found " + describe_byte(c));
    }
    // Iterative, so "#_ #_ #_ ..." cannot recurse without bound.
    Result<Value> dropped = parse_form(level + 1);
    if (!dropped.ok()) return dropped.take_status();
    discards_pending--;
  }
}

Result<Value> EdnParser::parse_form(int level) {
  Pos start = in_.pos();
  FL_TRY(count_value(start));
  int c = in_.peek();
  switch (c) {
    case '[': in_.get(); return parse_collection(Value::Kind::kVector, start, level);
    case '(': in_.get(); return parse_collection(Value::Kind::kList, start, level);
    case '{': in_.get(); return parse_map(start, level);
    case '"': in_.get(); return parse_string(start);
    case '#': in_.get(); return parse_dispatch(start, level);
    case '\\': return error(start, "character literals (\\c) are not supported");
    case kEof: return error(start, "expected a form, found end of input");
    default: break;
  }
  if (is_closer(c)) return error(start, "unexpected " + describe_byte(c) + " with no matching opening bracket");
  if (is_token_start(c)) return parse_token(start);
  return error(start, "unexpected " + describe_byte(c));
}

Status EdnParser::parse_items(char close, std::string_view open, Pos open_pos, int level,
                              std::vector<Value>* items, std::vector<Pos>* positions, Pos* close_pos) {
  if (level > kNestingDepthMax) {
    return error(open_pos, "nesting deeper than " + std::to_string(kNestingDepthMax) + " levels");
  }
  // Micro-ops have 3 items and operation maps 12: start with room for most.
  constexpr size_t kItemsReserved = 4;
  items->reserve(kItemsReserved);
  for (;;) {
    FL_TRY(skip_ignorable(level));
    int c = in_.peek();
    if (c == close) {
      *close_pos = in_.pos();
      in_.get();
      return Status::success();
    }
    if (c == kEof || is_closer(c)) {
      return error(in_.pos(), "expected '" + std::string(1, close) + "' to close '" + std::string(open) +
                                  "' opened at " + position_text(open_pos) + ", found " + describe_byte(c));
    }
    if (positions != nullptr) positions->push_back(in_.pos());
    Result<Value> item = parse_form(level + 1);
    if (!item.ok()) return item.take_status();
    items->push_back(std::move(item).value());
  }
}

Result<Value> EdnParser::parse_collection(Value::Kind kind, Pos open_pos, int level) {
  std::vector<Value> items;
  std::vector<Pos> positions;
  Pos close_pos;
  if (kind == Value::Kind::kVector) {
    FL_TRY(parse_items(']', "[", open_pos, level, &items, nullptr, &close_pos));
    return Value::vector(std::move(items));
  }
  if (kind == Value::Kind::kList) {
    FL_TRY(parse_items(')', "(", open_pos, level, &items, nullptr, &close_pos));
    return Value::list(std::move(items));
  }
  FL_TRY(parse_items('}', "#{", open_pos, level, &items, &positions, &close_pos));
  if (std::optional<size_t> dup = find_duplicate(items)) {
    return error(positions[*dup], "duplicate set element");
  }
  return Value::set(std::move(items));
}

Result<Value> EdnParser::parse_map(Pos open_pos, int level) {
  std::vector<Value> items;
  std::vector<Pos> positions;
  Pos close_pos;
  FL_TRY(parse_items('}', "{", open_pos, level, &items, &positions, &close_pos));
  if (items.size() % 2 != 0) {
    return error(close_pos, "map has an odd number of forms (a key without a value)");
  }
  std::vector<MapEntry> entries;
  entries.reserve(items.size() / 2);
  for (size_t i = 0; i < items.size(); i += 2) {
    entries.push_back(MapEntry{std::move(items[i]), std::move(items[i + 1])});
  }
  if (std::optional<size_t> dup = find_duplicate_key(entries)) {
    return error(positions[*dup * 2], "duplicate map key");
  }
  return Value::map(std::move(entries));
}

Result<Value> EdnParser::parse_dispatch(Pos hash_pos, int level) {
  int c = in_.peek();
  if (c == '{') {
    in_.get();
    return parse_collection(Value::Kind::kSet, hash_pos, level);
  }
  if (c == '#') return error(hash_pos, "symbolic values (##Inf, ##NaN) are not supported");
  if (c == '"') return error(hash_pos, "regular expressions (#\"...\") are not supported");
  if (c == ':') return error(hash_pos, "namespaced maps (#:ns{...}) are not supported");
  if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
    return error(hash_pos, "unexpected " + describe_byte(c) + " after '#'");
  }
  std::string tag;
  while (!is_delimiter(in_.peek()) && tag.size() < kFormBytesMax) tag += static_cast<char>(in_.get());
  // A record literal, as Clojure prints defrecords: #jepsen.history.Op{...}.
  // The tag names a class, so it has a '.'; it is dropped and the map kept.
  if (tag.find('.') == std::string::npos || !is_keyword_name(tag)) {
    return error(hash_pos, "tagged literal #" + printable(tag) +
                               " is not supported (only record tags such as #jepsen.history.Op before a map)");
  }
  while (is_blank(in_.peek())) in_.get();
  Pos open_pos = in_.pos();
  if (in_.peek() != '{') {
    return error(open_pos, "expected '{' after record tag #" + printable(tag) + ", found " +
                               describe_byte(in_.peek()));
  }
  in_.get();
  return parse_map(open_pos, level);
}

Result<Value> EdnParser::parse_string(Pos open_pos) {
  std::string text;
  for (;;) {
    Pos at = in_.pos();
    int c = in_.get();
    if (c == kEof) {
      return error(open_pos, "unterminated string (input ends at " + position_text(in_.pos()) + ")");
    }
    if (c == '"') {
      FL_TRY(count_text(open_pos, text.size()));
      return Value::string(std::move(text));
    }
    if (c == '\\') {
      FL_TRY(parse_escape(at, &text));
    } else if (c < 0x80) {
      text += static_cast<char>(c);
    } else {
      FL_TRY(parse_utf8_tail(c, at, &text));
    }
    FL_TRY(check_bytes(open_pos));
  }
}

Status EdnParser::parse_escape(Pos escape_pos, std::string* out) {
  int c = in_.get();
  switch (c) {
    case '"': *out += '"'; return Status::success();
    case '\\': *out += '\\'; return Status::success();
    case 'n': *out += '\n'; return Status::success();
    case 't': *out += '\t'; return Status::success();
    case 'r': *out += '\r'; return Status::success();
    case 'b': *out += '\b'; return Status::success();
    case 'f': *out += '\f'; return Status::success();
    case 'u': break;
    default: return error(escape_pos, "invalid escape \\" + printable(std::string(1, static_cast<char>(c))) +
                                          " in string (expected one of \\\" \\\\ \\n \\t \\r \\b \\f \\uXXXX)");
  }
  auto read_hex4 = [&](uint32_t* cp) {
    *cp = 0;
    for (int i = 0; i < 4; i++) {
      int digit = hex_digit(in_.peek());
      if (digit < 0) return false;
      in_.get();
      *cp = *cp * 16 + static_cast<uint32_t>(digit);
    }
    return true;
  };
  uint32_t cp = 0;
  if (!read_hex4(&cp)) return error(escape_pos, "\\u needs four hexadecimal digits");
  if (cp >= 0xDC00 && cp <= 0xDFFF) return error(escape_pos, "unpaired surrogate in \\u escape");
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    uint32_t low = 0;
    if (in_.peek() != '\\' || in_.peek2() != 'u') return error(escape_pos, "unpaired surrogate in \\u escape");
    in_.get();
    in_.get();
    if (!read_hex4(&low) || low < 0xDC00 || low > 0xDFFF) {
      return error(escape_pos, "unpaired surrogate in \\u escape");
    }
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  append_utf8(out, cp);
  return Status::success();
}

Status EdnParser::parse_utf8_tail(int lead, Pos lead_pos, std::string* out) {
  // The same table as is_valid_utf8() (RFC 3629, section 4).
  int length = 0;
  int low = 0x80;
  int high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return error(lead_pos, "invalid UTF-8 in string (" + describe_byte(lead) + ")");
  }
  *out += static_cast<char>(lead);
  for (int i = 1; i < length; i++) {
    int c = in_.peek();
    bool ok = i == 1 ? (c >= low && c <= high) : (c >= 0x80 && c <= 0xBF);
    if (!ok) {
      return error(lead_pos, "invalid UTF-8 in string (" + describe_byte(lead) + " then " + describe_byte(c) + ")");
    }
    *out += static_cast<char>(in_.get());
  }
  return Status::success();
}

}  // namespace fl::history::internal
