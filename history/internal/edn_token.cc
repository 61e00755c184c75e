// Tokens of the EDN subset: keywords, numbers, and the symbols nil, true
// and false. Part of EdnParser (edn_parser.h).
#include <charconv>

#include "history/internal/edn_parser.h"
#include "history/limits.h"

namespace fl::history::internal {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool ends_token(int c) {
  return c == CharStream::kEof || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == ',' ||
         c == '"' || c == ';' || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}';
}

enum class NumberShape { kInvalid, kLeadingZero, kInteger, kFloat };

// EDN's grammar: [+-]? digits ('.' digits*)? ([eE] [+-]? digits+)?, where
// digits has no leading zero (Clojure would read 017 as octal).
NumberShape number_shape(std::string_view t) {
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) i++;
  size_t int_start = i;
  while (i < t.size() && is_digit(t[i])) i++;
  size_t int_digits = i - int_start;
  if (int_digits == 0) return NumberShape::kInvalid;
  bool is_float = false;
  if (i < t.size() && t[i] == '.') {
    is_float = true;
    i++;
    while (i < t.size() && is_digit(t[i])) i++;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    is_float = true;
    i++;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) i++;
    size_t exp_start = i;
    while (i < t.size() && is_digit(t[i])) i++;
    if (i == exp_start) return NumberShape::kInvalid;
  }
  if (i != t.size()) return NumberShape::kInvalid;
  if (int_digits > 1 && t[int_start] == '0') return NumberShape::kLeadingZero;
  return is_float ? NumberShape::kFloat : NumberShape::kInteger;
}

}  // namespace

Result<Value> EdnParser::parse_token(Pos start) {
  std::string& token = token_;  // reused: most tokens are short, so this rarely allocates
  token.clear();
  while (!ends_token(in_.peek())) {
    token += static_cast<char>(in_.get());
    FL_TRY(check_bytes(start));
  }
  if (token[0] == ':') {
    std::string_view name = std::string_view(token).substr(1);
    if (name.empty()) return error(start, "expected a keyword name after ':'");
    if (name[0] == ':') {
      return error(start, "auto-resolved keywords (::" + printable(name.substr(1)) + ") are not supported");
    }
    if (!is_keyword_name(name)) return error(start, "invalid keyword :" + printable(name));
    FL_TRY(count_text(start, name.size()));
    return Value::keyword(std::string(name));
  }
  bool signed_digit = (token[0] == '+' || token[0] == '-') && token.size() > 1 && is_digit(token[1]);
  bool numeric = is_digit(token[0]) || signed_digit;
  if (numeric) return parse_number(token, start);
  if (token == "nil") return Value::nil();
  if (token == "true") return Value::boolean(true);
  if (token == "false") return Value::boolean(false);
  if (is_keyword_name(token)) {
    return error(start, "symbol " + printable(token) + " is not supported (only nil, true and false)");
  }
  return error(start, "invalid token " + printable(token));
}

Result<Value> EdnParser::parse_number(std::string_view token, Pos start) const {
  std::string shown = printable(token);
  if (token.find('/') != std::string_view::npos) return error(start, "ratio " + shown + " is not supported");
  if (token.back() == 'M') return error(start, "big decimal " + shown + " is not supported");
  std::string_view digits = token;
  bool bigint = digits.back() == 'N';
  if (bigint) digits.remove_suffix(1);
  NumberShape shape = number_shape(digits);
  if (shape == NumberShape::kLeadingZero) return error(start, "invalid number " + shown + " (leading zero)");
  if (shape == NumberShape::kInvalid || (bigint && shape == NumberShape::kFloat)) {
    return error(start, "invalid number " + shown);
  }
  if (digits[0] == '+') digits.remove_prefix(1);  // from_chars takes no '+'
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  if (shape == NumberShape::kInteger) {
    int64_t i = 0;
    auto [ptr, ec] = std::from_chars(first, last, i);
    if (ec == std::errc::result_out_of_range) {
      return error(start, "integer " + shown + " does not fit in 64 bits (big integers are not supported)");
    }
    if (ec != std::errc() || ptr != last) return error(start, "invalid number " + shown);
    return Value::integer(i);
  }
  double d = 0;
  auto [ptr, ec] = std::from_chars(first, last, d);
  if (ec == std::errc::result_out_of_range) return error(start, "number " + shown + " is out of range for a double");
  if (ec != std::errc() || ptr != last) return error(start, "invalid number " + shown);
  return Value::real(d);
}

}  // namespace fl::history::internal
