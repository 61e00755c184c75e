#include "history/internal/line_reader.h"

#include <cerrno>
#include <cstring>

#include "history/limits.h"

namespace fl::history::internal {

LineReader::LineReader(std::istream& in) : in_(in), buffer_(kReadChunkBytes) {}

bool LineReader::fill() {
  if (!in_.good()) return false;
  in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  begin_ = 0;
  end_ = static_cast<size_t>(in_.gcount());
  return end_ > 0;
}

Result<bool> LineReader::next(std::string* line, std::string_view source) {
  line->clear();
  bool any = false;
  for (;;) {
    if (begin_ == end_ && !fill()) break;
    any = true;
    const char* start = buffer_.data() + begin_;
    const void* newline = std::memchr(start, '\n', end_ - begin_);
    size_t take = newline ? static_cast<size_t>(static_cast<const char*>(newline) - start) : end_ - begin_;
    if (line->size() + take > kFormBytesMax) {
      return Status::invalid_argument(source, "line " + std::to_string(line_number_ + 1) + ": longer than " +
                                                  std::to_string(kFormBytesMax) + " bytes");
    }
    line->append(start, take);
    begin_ += take;
    if (newline) {
      begin_++;  // the '\n'
      line_number_++;
      return true;
    }
  }
  if (in_.bad()) return Status::io_error(source, EIO);
  if (!any) return false;
  line_number_++;  // a last line without '\n'
  return true;
}

}  // namespace fl::history::internal
