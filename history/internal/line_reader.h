// history/internal/line_reader.h: lines of a std::istream, each at most
// kFormBytesMax bytes, read through a fixed buffer. Private to history/.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "base/status.h"

namespace fl::history::internal {

class LineReader {
 public:
  explicit LineReader(std::istream& in);

  // Sets `*line` to the next line without its '\n' and returns true, or
  // returns false at the end of input. A line longer than kFormBytesMax is
  // kInvalidArgument; a failing istream is kIoError (both name `source`).
  Result<bool> next(std::string* line, std::string_view source);

  int64_t line_number() const { return line_number_; }  // of the line last returned, 1-based

 private:
  bool fill();

  std::istream& in_;
  std::vector<char> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
  int64_t line_number_ = 0;
};

}  // namespace fl::history::internal
