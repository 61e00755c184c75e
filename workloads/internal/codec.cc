#include "workloads/internal/codec.h"


#include "base/assert.h"
#include "workloads/limits.h"
#include "workloads/workload_format.h"

namespace fl::workloads::internal {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

Status malformed(std::string_view engine_key, std::string_view expected, std::string_view bytes, size_t offset) {
  return Status::corruption(engine_key, "expected " + std::string(expected) + ", found " + quote_bytes(bytes) +
                                            " (" + std::to_string(bytes.size()) + " bytes; bad byte at offset " +
                                            std::to_string(offset) + ")");
}

// Parses one canonical decimal at `pos` (digits only, no sign). On success
// advances `pos` past it. On failure `pos` is the offending byte.
bool parse_digits(std::string_view bytes, size_t& pos, uint64_t limit, uint64_t& out) {
  const size_t start = pos;
  if (pos >= bytes.size() || !is_digit(bytes[pos])) return false;
  if (bytes[pos] == '0' && pos + 1 < bytes.size() && is_digit(bytes[pos + 1])) {
    pos += 1;  // a leading zero: the next digit is the bad byte
    return false;
  }
  uint64_t value = 0;
  while (pos < bytes.size() && is_digit(bytes[pos])) {
    const uint64_t digit = static_cast<uint64_t>(bytes[pos] - '0');
    if (value > (limit - digit) / 10) return false;  // out of range at this digit
    value = value * 10 + digit;
    pos += 1;
  }
  FL_ASSERT(pos > start);
  out = value;
  return true;
}

}  // namespace

std::string encode_list(const std::vector<int64_t>& list) {
  FL_ASSERT(!list.empty());
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) {
    FL_ASSERT(list[i] >= 0);
    if (i > 0) out += format::kListSeparator;
    out += std::to_string(list[i]);
  }
  return out;
}

Result<std::vector<int64_t>> decode_list(std::string_view engine_key, std::string_view bytes) {
  constexpr std::string_view kExpected = "a list of integers like \"1,2,3\"";
  std::vector<int64_t> list;
  size_t pos = 0;
  // Each element takes at least 2 bytes with its separator, so this loop
  // runs at most bytes.size() / 2 + 1 times.
  for (;;) {
    uint64_t element = 0;
    if (!parse_digits(bytes, pos, INT64_MAX, element)) return malformed(engine_key, kExpected, bytes, pos);
    list.push_back(static_cast<int64_t>(element));
    if (pos == bytes.size()) break;
    if (bytes[pos] != format::kListSeparator) return malformed(engine_key, kExpected, bytes, pos);
    pos += 1;
  }
  FL_ASSERT(!list.empty());
  return list;
}

std::string encode_int(int64_t value) { return std::to_string(value); }

Result<int64_t> decode_int(std::string_view engine_key, std::string_view bytes) {
  constexpr std::string_view kExpected = "a decimal integer";
  size_t pos = 0;
  const bool negative = !bytes.empty() && bytes[0] == '-';
  if (negative) pos = 1;
  // The magnitude of INT64_MIN is INT64_MAX + 1.
  const uint64_t limit = negative ? uint64_t{INT64_MAX} + 1 : uint64_t{INT64_MAX};
  uint64_t magnitude = 0;
  if (!parse_digits(bytes, pos, limit, magnitude)) return malformed(engine_key, kExpected, bytes, pos);
  if (pos != bytes.size()) return malformed(engine_key, kExpected, bytes, pos);
  if (negative && magnitude == 0) return malformed(engine_key, kExpected, bytes, 1);  // "-0"
  if (!negative) return static_cast<int64_t>(magnitude);
  return magnitude == uint64_t{INT64_MAX} + 1 ? INT64_MIN : -static_cast<int64_t>(magnitude);
}

uint64_t list_bytes_max(uint64_t n) {
  if (n == 0) return 0;
  uint64_t bytes = n - 1;  // separators
  uint64_t low = 1;        // the smallest number with `digits` digits
  for (uint64_t digits = 1; low <= n; ++digits, low *= 10) {
    const uint64_t high = low > n / 10 ? n : low * 10 - 1;  // min(n, 10^digits - 1)
    bytes += (high - low + 1) * digits;
    if (high == n) break;
  }
  return bytes;
}

std::string quote_bytes(std::string_view bytes) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  const size_t shown = bytes.size() < kCorruptBytesShownMax ? bytes.size() : kCorruptBytesShownMax;
  for (size_t i = 0; i < shown; ++i) {
    const auto byte = static_cast<uint8_t>(bytes[i]);
    if (byte == '"' || byte == '\\') {
      out += '\\';
      out += static_cast<char>(byte);
    } else if (byte >= 0x20 && byte < 0x7f) {
      out += static_cast<char>(byte);
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  out += '"';
  if (shown < bytes.size()) out += "...";
  return out;
}

}  // namespace fl::workloads::internal
