// history/compact_reader.cc: [compact-r.1]..[compact-r.4].
//
// The EDN fast path is a hand-written scanner for the one line shape that
// makes up nearly all of a transactional history. It exists because the
// general parser builds a Value tree per operation (about 90 MB/s); the
// scanner parses straight into the flat arrays, several times faster, which
// is what lets a 10^6-transaction history be checked in seconds.
#include "history/compact_reader.h"

#include <algorithm>
#include <array>
#include <bit>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <thread>
#include <vector>

#include "base/assert.h"
#include "history/thread.h"
#include "history/edn_reader.h"
#include "history/internal/chunk_claims.h"
#include "history/internal/op_codec.h"
#include "history/jsonl_reader.h"
#include "history/limits.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fl::history {
namespace {

// Lines longer than this skip the fast path, which then cannot reach the
// per-operation bounds of limits.h (every value takes at least two bytes).
constexpr size_t kFastLineBytesMax = size_t{1} << 20;
static_assert(kFastLineBytesMax / 2 < kOpValuesMax && kFastLineBytesMax < kOpTextBytesMax);

enum class Outcome : uint8_t { kParsed, kNotFast, kAbort };

// Character classes of the fast path, one table lookup each: the scanner
// looks at every byte of a history, and a chain of comparisons per byte was
// a fifth of its instructions (callgrind, a 10^5-transaction history).
enum : uint8_t { kSpaceChar = 1, kDelimiterChar = 2, kNameChar = 4, kDigitChar = 8, kLowerChar = 16 };

constexpr std::array<uint8_t, 256> make_char_classes() {
  std::array<uint8_t, 256> classes{};
  for (unsigned char c : {' ', ',', '\t', '\r'}) classes[c] |= kSpaceChar | kDelimiterChar;
  for (unsigned char c : {']', '}'}) classes[c] |= kDelimiterChar;
  for (int c = 'a'; c <= 'z'; ++c) classes[c] |= kNameChar | kLowerChar;
  for (int c = 'A'; c <= 'Z'; ++c) classes[c] |= kNameChar;
  for (int c = '0'; c <= '9'; ++c) classes[c] |= kNameChar | kDigitChar;
  for (unsigned char c : {'-', '_', '.', '*', '+', '!', '?', '<', '>', '=', '/'}) classes[c] |= kNameChar;
  return classes;
}
constexpr std::array<uint8_t, 256> kCharClasses = make_char_classes();

bool has_class(char c, uint8_t cls) { return (kCharClasses[static_cast<unsigned char>(c)] & cls) != 0; }
bool is_space(char c) { return has_class(c, kSpaceChar); }
bool is_delimiter(char c) { return has_class(c, kDelimiterChar); }
bool is_name_char(char c) { return has_class(c, kNameChar); }
bool is_digit_char(char c) { return has_class(c, kDigitChar); }

class LineScanner {
 public:
  LineScanner(const char* begin, const char* end, CompactHistory& out) : p_(begin), end_(end), out_(out) {}

  Outcome parse() {
    const CompactHistory::Mark start = out_.mark();
    const char* begin = p_;
    if (parse_canonical()) return Outcome::kParsed;
    out_.rollback(start);
    p_ = begin;
    Outcome outcome = parse_op();
    if (outcome != Outcome::kParsed) out_.rollback(start);
    return outcome;
  }

 private:
  // --- The canonical line: the exact shape our EDN writer emits ---------
  // {:index I, :time T, :type :K, :process P, :f :F, :value [[:k K V] ...]}
  // Each separator is matched as one literal and each name without a table
  // walk per byte; on any other spelling (other key order, spacing,
  // keyword processes, extra keys) it declines and parse_op() reads the
  // line. What it accepts, parse_op() accepts and reads the same way.
  // Measured with callgrind on a 10^5-transaction history: the scanner's
  // instructions went from 747M to 498M.
  // Compared as at most two loads of a power-of-two width, overlapping
  // when the length is not one: GCC calls memcmp for lengths such as 7
  // ("append ") and 10 (about 1.3% of a 10^4 check's cycles).
  template <size_t N>
  bool lit(const char (&s)[N]) {
    constexpr size_t n = N - 1;
    static_assert(n >= 1 && n <= 16);
    if (static_cast<size_t>(end_ - p_) < n) return false;
    if constexpr (n >= 8) {
      if (!same<uint64_t>(p_, s) || !same<uint64_t>(p_ + n - 8, s + n - 8)) return false;
    } else if constexpr (n >= 4) {
      if (!same<uint32_t>(p_, s) || !same<uint32_t>(p_ + n - 4, s + n - 4)) return false;
    } else if constexpr (n >= 2) {
      if (!same<uint16_t>(p_, s) || !same<uint16_t>(p_ + n - 2, s + n - 2)) return false;
    } else {
      if (*p_ != s[0]) return false;
    }
    p_ += n;
    return true;
  }
  template <class Word>
  static bool same(const char* a, const char* b) {
    Word x;
    Word y;
    std::memcpy(&x, a, sizeof(Word));
    std::memcpy(&y, b, sizeof(Word));
    return x == y;
  }
  // A canonical int64 (as integer() accepts), ending at a byte the caller
  // matches next.
  bool canonical_integer(int64_t* out) {
    if (short_integer(out)) return true;
    const bool negative = p_ < end_ && *p_ == '-';
    if (negative) ++p_;
    const char* begin = p_;
    constexpr ptrdiff_t kDigitsMax = 19;
    const char* digits_end = p_ + std::min(end_ - p_, kDigitsMax);
    uint64_t magnitude = 0;
    while (p_ < digits_end && static_cast<unsigned char>(*p_ - '0') < 10) {
      magnitude = magnitude * 10 + static_cast<uint64_t>(*p_ - '0');
      ++p_;
    }
    const size_t digits = static_cast<size_t>(p_ - begin);
    if (digits == 0 || (digits > 1 && *begin == '0')) return false;
    if (p_ < end_ && static_cast<unsigned char>(*p_ - '0') < 10) return false;  // a 20th digit
    if (negative) {
      if (magnitude == 0 || magnitude > uint64_t{1} << 63) return false;
      *out = static_cast<int64_t>(0 - magnitude);
    } else {
      if (magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
      *out = static_cast<int64_t>(magnitude);
    }
    return true;
  }
  // The common case of canonical_integer, eight bytes at a time: up to seven
  // digits, no sign, followed by a non-digit within the eight. False when
  // it does not apply (canonical_integer then reads the number byte by
  // byte, and judges it). The list elements of a history are nearly all
  // such numbers; this converts one in a handful of instructions instead
  // of a loop per digit.
  bool short_integer(int64_t* out) {
    if (end_ - p_ < 8) return false;
    // One or two digits, as half and half of the list elements in the
    // bench histories are: by hand, in fewer instructions than the
    // eight-byte arithmetic below (whose checks this repeats).
    const unsigned d0 = static_cast<unsigned char>(p_[0] - '0');
    const unsigned d1 = static_cast<unsigned char>(p_[1] - '0');
    const unsigned d2 = static_cast<unsigned char>(p_[2] - '0');
    if (d0 < 10 && (d1 >= 10 || (d0 != 0 && d2 >= 10))) {
      const bool two = d1 < 10;
      *out = two ? d0 * 10 + d1 : d0;
      p_ += two ? 2 : 1;
      return true;
    }
    uint64_t bytes = 0;
    std::memcpy(&bytes, p_, 8);
    static_assert(std::endian::native == std::endian::little);
    // Per byte, the high bit set when it is not a digit: a digit XOR '0'
    // is 0..9, and 0..9 + 0x76 stays below 0x80 (the mask keeps the sums
    // from carrying into the next byte).
    const uint64_t values = bytes ^ 0x3030303030303030ull;
    const uint64_t non_digits = (((values & 0x7F7F7F7F7F7F7F7Full) + 0x7676767676767676ull) | values) &
                                0x8080808080808080ull;
    if (non_digits == 0) return false;  // eight digits or more
    const int n = __builtin_ctzll(non_digits) / 8;
    if (n == 0 || (n > 1 && *p_ == '0')) return false;
    // The n digits moved to the high bytes, zeros before them; then pairs,
    // fours and eights of digits combined by multiplication.
    uint64_t v = (values & 0x0F0F0F0F0F0F0F0Full) << (8 * (8 - n));
    v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFull;
    v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFull;
    v = (v * 10000 + (v >> 32)) & 0x00000000FFFFFFFFull;
    *out = static_cast<int64_t>(v);
    p_ += n;
    return true;
  }
  // A keyword name of lowercase letters, ending at `stop`.
  bool lower_name(char stop, std::string_view* name) {
    const char* begin = p_;
    while (p_ < end_ && static_cast<unsigned char>(*p_ - 'a') < 26) ++p_;
    if (p_ == begin || p_ == end_ || *p_ != stop) return false;
    *name = std::string_view(begin, static_cast<size_t>(p_ - begin));
    return true;
  }
  bool canonical_micro_op() {
    if (!lit("[:")) return false;
    MicroKind kind;
    if (lit("append ")) {
      kind = MicroKind::kAppend;
    } else if (lit("r ")) {
      kind = MicroKind::kRead;
    } else if (lit("w ")) {
      kind = MicroKind::kWrite;
    } else {
      return false;
    }
    int64_t key = 0;
    if (!canonical_integer(&key) || !lit(" ")) return false;
    if (lit("nil]")) return out_.add_mop(kind, key, MopValue::kNil, 0).ok();
    if (lit("[")) {
      out_.add_list_mop_begin(kind, key);
      if (!lit("]")) {
        while (true) {
          int64_t element = 0;
          if (!canonical_integer(&element)) return false;
          out_.push_element(element);
          if (lit(" ")) continue;
          if (lit("]")) break;
          return false;
        }
      }
      return lit("]") && out_.add_list_mop_end().ok();
    }
    int64_t value = 0;
    return canonical_integer(&value) && lit("]") && out_.add_mop(kind, key, MopValue::kInt, value).ok();
  }
  // True when the line was canonical and is now in the history.
  bool parse_canonical() {
    if (static_cast<size_t>(end_ - p_) > kFastLineBytesMax) return false;
    const CompactHistory::Mark mops = out_.mark();
    CompactOp op;
    std::string_view name;
    if (!lit("{:index ") || !canonical_integer(&op.index) || !lit(", :time ") || !canonical_integer(&op.time) ||
        !lit(", :type :") || !lower_name(',', &name)) {
      return false;
    }
    std::optional<OpType> type = op_type_from_name(name);
    if (!type || !lit(", :process ") || !canonical_integer(&op.process) || !lit(", :f :") ||
        !lower_name(',', &name) || !lit(", :value [")) {
      return false;
    }
    op.type = *type;
    op.process_kind = Process::Kind::kInteger;
    op.f = out_.intern(name);
    if (!lit("]")) {
      while (true) {
        if (!canonical_micro_op()) return false;
        if (lit(" ")) continue;
        if (lit("]")) break;
        return false;
      }
    }
    if (!lit("}")) return false;
    skip_space();
    if (p_ != end_ && *p_ != ';') return false;
    return out_.push_txn_op(op, mops).ok();
  }

  // --- Any line of one op map whose :value is a transaction --------------
  void skip_space() {
    while (p_ < end_ && is_space(*p_)) ++p_;
  }
  bool at_delimiter() const { return p_ == end_ || is_delimiter(*p_); }
  bool eat(char c) {
    skip_space();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool keyword(std::string_view* name) {
    skip_space();
    if (p_ == end_ || *p_ != ':') return false;
    const char* begin = ++p_;
    bool lower = true;  // only a-z: a valid keyword name without further checks
    while (p_ < end_ && is_name_char(*p_)) {
      lower = lower && has_class(*p_, kLowerChar);
      ++p_;
    }
    *name = std::string_view(begin, static_cast<size_t>(p_ - begin));
    return at_delimiter() && ((lower && !name->empty()) || is_keyword_name(*name));
  }
  // Decimal int64 in canonical form; anything else (sign '+', leading
  // zeros, "-0", overflow, suffixes) is left to the general parser.
  bool integer(int64_t* out) {
    skip_space();
    bool negative = p_ < end_ && *p_ == '-';
    if (negative) ++p_;
    const char* begin = p_;
    // 19 digits always fit in a uint64_t; 20 or more never fit in an
    // int64_t (even with leading zeros, which are refused anyway).
    constexpr ptrdiff_t kDigitsMax = 19;
    const char* digits_end = p_ + std::min(end_ - p_, kDigitsMax);
    uint64_t magnitude = 0;
    while (p_ < digits_end && is_digit_char(*p_)) {
      magnitude = magnitude * 10 + static_cast<uint64_t>(*p_ - '0');
      ++p_;
    }
    if (p_ < end_ && is_digit_char(*p_)) return false;
    size_t digits = static_cast<size_t>(p_ - begin);
    if (digits == 0 || (digits > 1 && *begin == '0') || !at_delimiter()) return false;
    if (negative) {
      if (magnitude == 0 || magnitude > uint64_t{1} << 63) return false;
      *out = static_cast<int64_t>(0 - magnitude);
    } else {
      if (magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
      *out = static_cast<int64_t>(magnitude);
    }
    return true;
  }
  bool nil() {
    skip_space();
    if (end_ - p_ < 3 || std::string_view(p_, 3) != "nil") return false;
    p_ += 3;
    return at_delimiter();
  }

  bool micro_op() {
    if (!eat('[')) return false;
    std::string_view kind_name;
    if (!keyword(&kind_name)) return false;
    MicroKind kind;
    if (kind_name == "append") {
      kind = MicroKind::kAppend;
    } else if (kind_name == "r") {
      kind = MicroKind::kRead;
    } else if (kind_name == "w") {
      kind = MicroKind::kWrite;
    } else {
      return false;
    }
    int64_t key = 0;
    if (!integer(&key)) return false;
    skip_space();
    if (p_ < end_ && *p_ == '[') {
      ++p_;
      out_.add_list_mop_begin(kind, key);
      while (!eat(']')) {
        int64_t element = 0;
        if (!integer(&element)) return false;
        out_.push_element(element);
      }
      if (!out_.add_list_mop_end().ok()) return false;
    } else if (p_ < end_ && *p_ == 'n') {
      if (!nil() || !out_.add_mop(kind, key, MopValue::kNil, 0).ok()) return false;
    } else {
      int64_t value = 0;
      if (!integer(&value) || !out_.add_mop(kind, key, MopValue::kInt, value).ok()) return false;
    }
    return eat(']');
  }

  Outcome parse_op() {
    if (static_cast<size_t>(end_ - p_) > kFastLineBytesMax) return Outcome::kNotFast;
    const CompactHistory::Mark mops = out_.mark();
    CompactOp op;
    enum : unsigned { kIndex = 1, kTime = 2, kType = 4, kProcess = 8, kF = 16, kValue = 32 };
    unsigned seen = 0;
    auto once = [&](unsigned field) {
      if (seen & field) return false;  // a duplicate key: the general parser names it
      seen |= field;
      return true;
    };
    if (!eat('{')) return Outcome::kNotFast;
    while (!eat('}')) {
      std::string_view key;
      if (!keyword(&key)) return Outcome::kNotFast;
      if (key == "index") {
        if (!once(kIndex) || !integer(&op.index)) return Outcome::kNotFast;
      } else if (key == "time") {
        if (!once(kTime) || !integer(&op.time)) return Outcome::kNotFast;
      } else if (key == "type") {
        std::string_view name;
        if (!once(kType) || !keyword(&name)) return Outcome::kNotFast;
        std::optional<OpType> type = op_type_from_name(name);
        if (!type) return Outcome::kNotFast;
        op.type = *type;
      } else if (key == "process") {
        if (!once(kProcess)) return Outcome::kNotFast;
        skip_space();
        if (p_ < end_ && *p_ == ':') {
          std::string_view name;
          if (!keyword(&name)) return Outcome::kNotFast;
          op.process_kind = Process::Kind::kKeyword;
          op.process = out_.intern(name);
        } else {
          if (!integer(&op.process)) return Outcome::kNotFast;
          op.process_kind = Process::Kind::kInteger;
        }
      } else if (key == "f") {
        std::string_view name;
        if (!once(kF) || !keyword(&name)) return Outcome::kNotFast;
        op.f = out_.intern(name);
      } else if (key == "value") {
        if (!once(kValue) || !eat('[')) return Outcome::kNotFast;
        while (!eat(']')) {
          if (!micro_op()) return Outcome::kNotFast;
        }
      } else {
        return Outcome::kNotFast;  // an extra key
      }
    }
    skip_space();
    if (p_ != end_ && *p_ != ';') return Outcome::kNotFast;  // another form follows
    if (!(seen & kType) || !(seen & kValue)) return Outcome::kNotFast;
    if (!(seen & kIndex)) return Outcome::kAbort;  // its :index is its place in the stream [op.1]
    return out_.push_txn_op(op, mops).ok() ? Outcome::kParsed : Outcome::kAbort;
  }

  const char* p_;
  const char* end_;
  CompactHistory& out_;
};

bool is_ignorable(std::string_view line) {
  for (char c : line) {
    if (c == ';') return true;
    if (!is_space(c)) return false;
  }
  return true;
}

// One line the fast path declined, through the general parser.
bool parse_general(std::string_view line, CompactHistory& out) {
  Result<Value> value = parse_edn_value(line);
  if (!value.ok() || value->kind() != Value::Kind::kMap || value->find("index") == nullptr) return false;
  Result<Op> op = internal::op_from_value(std::move(*value), 0);
  return op.ok() && out.append(std::move(*op)).ok();
}

// Parses the lines of `text` into `out`; false when any line needs the
// sequential reader [compact-r.2].
bool parse_lines(std::string_view text, CompactHistory& out, const std::atomic<bool>& aborted) {
  size_t pos = 0;
  size_t lines = 0;
  while (pos < text.size()) {
    size_t newline = text.find('\n', pos);
    if (newline == std::string_view::npos) newline = text.size();
    std::string_view line = text.substr(pos, newline - pos);
    pos = newline + 1;
    if ((++lines & 0xFFF) == 0 && aborted.load(std::memory_order_relaxed)) return false;
    if (is_ignorable(line)) continue;
    Outcome outcome = LineScanner(line.data(), line.data() + line.size(), out).parse();
    if (outcome == Outcome::kParsed) continue;
    if (outcome == Outcome::kAbort || !parse_general(line, out)) return false;
  }
  return true;
}

// Splits `text` (whole lines) into `parts` pieces at line ends.
std::vector<std::string_view> split_lines(std::string_view text, size_t parts) {
  std::vector<std::string_view> out;
  size_t begin = 0;
  for (size_t i = 1; i <= parts && begin < text.size(); ++i) {
    size_t end = i == parts ? text.size() : std::max(begin, text.size() * i / parts);
    if (end < text.size()) {
      size_t newline = text.find('\n', end);
      end = newline == std::string_view::npos ? text.size() : newline + 1;
    }
    if (end > begin) out.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return out;
}

// Micro-ops, list elements and operations per byte of text, from a part
// already parsed: the arrays of what is still to parse are sized from it,
// not grown by doubling (each regrowth copies the array and faults in
// pages for the new one).
struct Density {
  // Read lists grow along a list-append history, so the text still to come
  // holds more elements per byte than the text read so far: at 10^4
  // transactions the first 64 KiB hold 0.080 a byte and the whole file
  // 0.099, and the second half of a block more than the first. Sized for
  // what was read plus 2-10%, the elements ran short and were regrown (a
  // copy, and fresh pages for the new array) in both halves of the 10^4
  // and 10^5 bench histories; they get half again as much room.
  static constexpr double kElementsGrowth = 0.5;

  double ops = 0;
  double mops = 0;
  double elements = 0;

  static Density of(const CompactHistory& h, uint64_t bytes) {
    if (bytes == 0) return {};
    const CompactHistory::Mark m = h.mark();
    const double b = static_cast<double>(bytes);
    return {static_cast<double>(m.ops) / b, static_cast<double>(m.mops) / b,
            static_cast<double>(h.element_count()) / b};
  }
  // Room for `bytes` more text in `h`, with `spare` (a fraction) to spare:
  // room never used costs address space, not memory (its pages are never
  // touched), while running short late costs a copy of the whole array.
  // Only a guess: a file whose first lines are far denser than the rest
  // can ask for more than there is, and then the arrays just grow as they
  // fill (this runs on the reader's threads, where an exception would end
  // the process).
  void reserve(CompactHistory& h, uint64_t bytes, double spare = 0.02) const noexcept {
    const double b = static_cast<double>(bytes) * (1 + spare);
    const CompactHistory::Mark m = h.mark();
    try {
      h.reserve(m.ops + static_cast<size_t>(ops * b), m.mops + static_cast<size_t>(mops * b),
                m.elements + static_cast<size_t>(elements * b * (1 + kElementsGrowth)));
    } catch (const std::bad_alloc&) {
    }
  }
};

// A block's lines are cut into chunks of about this many bytes (at most
// kChunksPerThread per thread, so bigger in big blocks: 2 MiB in a 64 MiB
// block on 2 threads): enough that a thread starting late leaves its share
// to the others (on the 2-core VM a new thread started 0.2-3.7 ms late,
// and the main thread then waited up to as long again for its half of a
// 10^4-transaction file), few enough that their joins cost little.
constexpr size_t kChunkBytes = size_t{256} << 10;
constexpr size_t kChunksPerThread = 16;

// Parses whole lines into `out` on `threads` threads [compact-r.3], in
// chunks (ChunkClaims). The chunks the other threads parse go into `rest`
// (one history per chunk, kept, empty with its capacity, for the next
// block) and are appended to `out` in order; with a `density`, each
// chunk's arrays are sized before it is parsed.
bool parse_block(std::string_view text, CompactHistory& out, unsigned threads, std::vector<CompactHistory>& rest,
                 const std::optional<Density>& density = std::nullopt, ReadStats* stats = nullptr) {
  const size_t wanted = threads <= 1 ? 1 : std::clamp<size_t>(text.size() / kChunkBytes, threads, threads * kChunksPerThread);
  const std::vector<std::string_view> chunks = split_lines(text, wanted);
  if (chunks.empty()) return true;
  const auto count = static_cast<uint32_t>(chunks.size());
  if (rest.size() < count) rest.resize(count);
  std::atomic<bool> aborted{false};
  std::vector<char> regrown(count, 0);
  auto parse_chunk = [&](uint32_t i, CompactHistory& h) {
    const CompactHistory::Mark room = h.capacity();
    if (!parse_lines(chunks[i], h, aborted)) aborted = true;
    const CompactHistory::Mark after = h.capacity();
    // (The first lines are read into arrays not sized yet: they are how
    // the sizes are judged.)
    regrown[i] = density && (after.ops != room.ops || after.mops != room.mops || after.elements != room.elements);
  };
  internal::ChunkClaims claims(count);
  std::vector<std::unique_ptr<ElsewhereThread>> workers;
  for (unsigned t = 1; t < threads && t < count; ++t) {
    workers.push_back(std::make_unique<ElsewhereThread>([&] {
      while (std::optional<uint32_t> i = claims.back()) {
        if (aborted) break;
        if (density) density->reserve(rest[*i], chunks[*i].size());
        parse_chunk(*i, rest[*i]);
      }
    }));
  }
  // Room for the whole block in the history itself: how much of it this
  // thread parses is not known, and room never used is address space, not
  // memory (its pages are never touched).
  if (density) density->reserve(out, text.size());
  while (std::optional<uint32_t> i = claims.front()) {
    if (aborted) break;
    parse_chunk(*i, out);
  }
  for (std::unique_ptr<ElsewhereThread>& w : workers) w->join();
  if (stats != nullptr) {
    stats->parts_regrown += static_cast<size_t>(std::count(regrown.begin(), regrown.end(), 1));
    stats->chunks_by_helpers += count - claims.taken_from_front();
  }
  if (aborted) return false;
  for (uint32_t i = claims.taken_from_front(); i < count; ++i) {
    if (!out.append(std::move(rest[i])).ok()) return false;
  }
  return true;
}

// The leading comment and blank lines: where the metadata line lives.
// `text` ends with a whole line (a block is cut after a newline), so a last
// line without one is whole too: a comment there is header, metadata
// included (skipping it as a comment lost a malformed metadata line's
// error).
size_t header_length(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t newline = text.find('\n', pos);
    if (newline == std::string_view::npos) newline = text.size();
    if (!is_ignorable(text.substr(pos, newline - pos))) return pos;
    pos = std::min(newline + 1, text.size());
  }
  return pos;
}

unsigned thread_count(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  return std::min(threads, 64u);
}

Result<CompactHistory> slow_path(std::string_view text, std::string_view source) {
  FL_ASSIGN_OR_RETURN(History history, read_edn(text, source));
  return CompactHistory::from_history(history);
}

Result<CompactHistory> slow_path_file(const std::string& path) {
  FL_ASSIGN_OR_RETURN(History history, read_edn_file(path));
  return CompactHistory::from_history(history);
}

// Reads the metadata from the header lines; false sends the input to the
// slow path (an error there is reported by it).
bool read_header(std::string_view header, CompactHistory& out) {
  if (header.empty()) return true;
  Result<History> h = read_edn(header);
  if (!h.ok() || !h->ops.empty()) return false;
  out.meta = std::move(h->meta);
  return true;
}

// Parses a file block after block; each block ends after a newline, or at
// the end of the file. The first block's leading comments hold the
// metadata. Before each block the arrays are sized for the rest of the file,
// from the density of what was parsed so far.
class BlockParser {
 public:
  BlockParser(unsigned threads, uint64_t file_bytes, ReadStats& stats)
      : threads_(threads), file_bytes_(file_bytes), stats_(stats) {}

  // False sends the input to the slow path.
  bool parse(std::string_view block) {
    if (first_) {
      first_ = false;
      size_t header = header_length(block);
      if (!read_header(block.substr(0, header), out)) return false;
      block.remove_prefix(header);
      // The first lines, on one thread, tell how much the rest of the file
      // will hold: the arrays are then sized for the whole file.
      size_t sample = std::min(block.size(), kSampleBytes);
      if (sample < block.size()) {
        const size_t newline = block.find('\n', sample);
        sample = newline == std::string_view::npos ? block.size() : newline + 1;
      }
      if (!parse_block(block.substr(0, sample), out, 1, rest_, std::nullopt, &stats_)) return false;
      block.remove_prefix(sample);
      parsed_ = header + sample;
      density_ = Density::of(out, sample);
      density_->reserve(out, file_bytes_ - std::min(file_bytes_, parsed_), kSampleSpare);
    } else {
      // Later blocks judge the density from all that was parsed, and any
      // growth it calls for is made early, while it copies little.
      density_ = Density::of(out, parsed_);
      density_->reserve(out, file_bytes_ - std::min(file_bytes_, parsed_), 0.02);
    }
    parsed_ += block.size();
    stats_.blocks += 1;
    return parse_block(block, out, threads_, rest_, density_, &stats_);
  }

  CompactHistory out;

 private:
  // What the first lines parse to: enough to judge the file's density.
  static constexpr size_t kSampleBytes = size_t{64} << 10;
  // Read lists grow along a list-append history, so its first lines hold
  // fewer elements per byte than the rest. Sized from them with 2% to
  // spare, the elements ran out in the last block, and growing them there
  // copied the whole array twice (10^6 transactions: 0.34 s of a 0.98 s
  // load).
  static constexpr double kSampleSpare = 0.10;

  unsigned threads_;
  uint64_t file_bytes_;
  ReadStats& stats_;
  uint64_t parsed_ = 0;  // bytes of the file before this block
  std::vector<CompactHistory> rest_;  // the other threads' chunks, reused block after block
  std::optional<Density> density_;
  bool first_ = true;
};

// Parses a regular file through a window of memory mapped onto it, a block
// at a time: the page cache's own pages are read in place, where reading
// into a buffer copied every byte and faulted in the buffer's pages (at
// 10^6 transactions, 0.13 s of a 1 s load). Only the window is mapped, so
// the text is never held whole. Each window's pages are read in with one
// call before it is parsed (not faulted in one by one as the scanner
// reaches them), and a page that cannot be read fails that call, sending
// the file to read_edn_file, which reports the I/O error; so does a file
// whose size changed. What no reader of a mapped file can avoid remains: a
// file truncated by another process while a window is being parsed ends
// this one with SIGBUS.
// Reads in a mapped window's pages. False when one cannot be read (the
// kernel's answer, instead of a SIGBUS later) or the kernel predates the
// call (Linux 5.14); the file is then read by other means.
bool populate(void* mapped, size_t length) {
#ifdef MADV_POPULATE_READ
  return ::madvise(mapped, length, MADV_POPULATE_READ) == 0;
#else
  (void)mapped;
  (void)length;
  return false;
#endif
}

enum class Mapped : uint8_t {
  kParsed,
  kNotMappable,  // not a regular file, or a file system without mmap: read it into a buffer
  kSlowPath,     // for read_edn_file, which reports any error
};
Mapped parse_mapped(const std::string& path, uint64_t file_bytes, size_t block_bytes, BlockParser& parser) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Mapped::kNotMappable;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) != file_bytes ||
      file_bytes == 0) {
    ::close(fd);
    return Mapped::kNotMappable;
  }
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  uint64_t pos = 0;  // the first byte not parsed yet
  Mapped result = Mapped::kParsed;
  while (pos < file_bytes) {
    if (pos > 0 && (::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) != file_bytes)) {
      result = Mapped::kSlowPath;  // changed under us
      break;
    }
    const uint64_t map_begin = pos - pos % page;
    const uint64_t map_end = std::min<uint64_t>(file_bytes, pos + block_bytes);
    const size_t length = static_cast<size_t>(map_end - map_begin);
    void* mapped = ::mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, static_cast<off_t>(map_begin));
    if (mapped == MAP_FAILED) {
      result = pos == 0 ? Mapped::kNotMappable : Mapped::kSlowPath;
      break;
    }
    if (!populate(mapped, length)) {
      ::munmap(mapped, length);
      result = pos == 0 ? Mapped::kNotMappable : Mapped::kSlowPath;
      break;
    }
    const std::string_view text(static_cast<const char*>(mapped) + (pos - map_begin),
                                static_cast<size_t>(map_end - pos));
    const bool eof = map_end == file_bytes;
    const size_t end = eof ? text.size() : text.rfind('\n') + 1;  // npos + 1 == 0: no newline
    const bool parsed = end != 0 && parser.parse(text.substr(0, end));  // end 0: a line longer than a block
    ::munmap(mapped, length);
    if (!parsed) {
      result = Mapped::kSlowPath;
      break;
    }
    pos += end;
  }
  ::close(fd);
  return result;
}

}  // namespace

Result<CompactHistory> read_compact_edn(std::string_view text, std::string_view source, unsigned threads) {
  CompactHistory out;
  size_t header = header_length(text);
  std::vector<CompactHistory> rest;
  if (!read_header(text.substr(0, header), out) ||
      !parse_block(text.substr(header), out, thread_count(threads), rest)) {
    return slow_path(text, source);
  }
  return out;
}

Result<CompactHistory> read_compact_edn_file(const std::string& path, unsigned threads, size_t block_bytes,
                                             bool map, ReadStats* stats) {
  ReadStats ignored;
  ReadStats& st = stats != nullptr ? *stats : ignored;
  st = ReadStats();
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return slow_path_file(path);  // names the error as read_edn_file does
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  threads = thread_count(threads);
  if (size < 0) {
    // Not seekable (a pipe, /dev/stdin): its bytes cannot be read twice, so
    // they are held whole and read as text. (Blocks of an unknown size read
    // as an empty history.)
    in.clear();
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) return Status::io_error(path, EIO);
    st.path = ReadStats::Path::kWhole;
    return read_compact_edn(text, path, threads);
  }
  in.seekg(0, std::ios::beg);
  const auto file_bytes = static_cast<uint64_t>(size);
  // A small file gets a buffer its size, not a whole block; a block holds
  // at least one byte.
  block_bytes = std::max<size_t>(1, static_cast<size_t>(std::min<uint64_t>(block_bytes, file_bytes + 1)));
  BlockParser parser(threads, file_bytes, st);
  switch (map ? parse_mapped(path, file_bytes, block_bytes, parser) : Mapped::kNotMappable) {
    case Mapped::kParsed:
      st.path = ReadStats::Path::kMapped;
      return std::move(parser.out);
    case Mapped::kSlowPath:
      st = ReadStats();
      return slow_path_file(path);
    case Mapped::kNotMappable:
      break;
  }
  // Parsed nothing yet: a failed first window falls back before parsing.
  st = ReadStats();
  auto general = [&st](const std::string& p) {
    st = ReadStats();
    return slow_path_file(p);
  };
  // Not mappable: read into a buffer. An unfinished line carried to the
  // next block is shorter than a block (a longer one goes to the slow
  // path), so a buffer of two blocks never grows. It is not zero-filled:
  // only the bytes read are touched.
  const std::unique_ptr<char[]> buffer = std::make_unique_for_overwrite<char[]>(2 * block_bytes);
  size_t carried = 0;  // bytes of an unfinished line kept from the last block
  while (true) {
    FL_ASSERT(carried < block_bytes);
    in.read(buffer.get() + carried, static_cast<std::streamsize>(block_bytes));
    const size_t got = static_cast<size_t>(in.gcount());
    if (in.bad()) return general(path);
    const bool eof = got < block_bytes;
    size_t filled = carried + got;
    const std::string_view text(buffer.get(), filled);
    size_t end = eof ? filled : text.rfind('\n', filled - 1) + 1;
    if (!eof && end == 0) return general(path);  // a line longer than a block
    if (!parser.parse(text.substr(0, end))) return general(path);
    if (eof) break;
    carried = filled - end;
    std::memmove(buffer.get(), buffer.get() + end, carried);
  }
  st.path = ReadStats::Path::kBuffered;
  return std::move(parser.out);
}

Result<CompactHistory> read_compact_jsonl_file(const std::string& path) {
  FL_ASSIGN_OR_RETURN(History history, read_jsonl_file(path));
  return CompactHistory::from_history(history);
}

}  // namespace fl::history
