// history/internal/char_stream.h: bytes from a std::istream (read in chunks
// of kReadChunkBytes) or from memory, with line and column tracking and two
// bytes of lookahead. Private to history/.
//
// Lines and columns are 1-based; a column counts bytes, not characters, and
// '\n' alone ends a line.
#pragma once

#include <cstdint>
#include <istream>
#include <string_view>
#include <vector>

namespace fl::history::internal {

struct Pos {
  int64_t line = 1;
  int64_t column = 1;
};

class CharStream {
 public:
  static constexpr int kEof = -1;

  // Reads `in` lazily; `in` must outlive this object.
  explicit CharStream(std::istream& in);
  // Reads `text` (not copied; it must outlive this object), whose first byte
  // is at `start` in some larger input.
  CharStream(std::string_view text, Pos start);

  // The next byte (0..255) without consuming it, or kEof.
  int peek() {
    if (cur_ == end_ && !fill(1)) return kEof;
    return static_cast<unsigned char>(*cur_);
  }
  // The byte after peek(), or kEof.
  int peek2() {
    if (end_ - cur_ < 2 && !fill(2)) return kEof;
    return static_cast<unsigned char>(cur_[1]);
  }
  // Consumes and returns the next byte, or kEof.
  int get() {
    int c = peek();
    if (c == kEof) return kEof;
    cur_++;
    offset_++;
    if (c == '\n') {
      pos_.line++;
      pos_.column = 1;
    } else {
      pos_.column++;
    }
    return c;
  }

  Pos pos() const { return pos_; }         // of the byte peek() returns
  uint64_t offset() const { return offset_; }  // bytes consumed so far
  bool read_failed() const { return read_failed_; }  // the istream reported badbit

 private:
  // Makes at least `count` unread bytes available if the input has them.
  bool fill(size_t count);

  std::istream* in_ = nullptr;
  std::vector<char> buffer_;
  const char* cur_ = nullptr;
  const char* end_ = nullptr;
  Pos pos_;
  uint64_t offset_ = 0;
  bool read_failed_ = false;
};

}  // namespace fl::history::internal
