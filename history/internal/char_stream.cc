#include "history/internal/char_stream.h"

#include <cstring>

#include "base/assert.h"
#include "history/limits.h"

namespace fl::history::internal {

CharStream::CharStream(std::istream& in) : in_(&in), buffer_(kReadChunkBytes) {
  cur_ = buffer_.data();
  end_ = buffer_.data();
}

CharStream::CharStream(std::string_view text, Pos start)
    : cur_(text.data()), end_(text.data() + text.size()), pos_(start) {}

bool CharStream::fill(size_t count) {
  FL_ASSERT(count >= 1 && count <= 2);  // the lexer looks ahead two bytes at most
  auto available = static_cast<size_t>(end_ - cur_);
  if (available >= count) return true;
  if (in_ == nullptr || !in_->good()) return false;
  // Invariant: fewer than two unread bytes remain, so moving them to the
  // front leaves most of the buffer for the next read.
  std::memmove(buffer_.data(), cur_, available);
  char* write_at = buffer_.data() + available;
  while (available < count && in_->good()) {
    in_->read(write_at, static_cast<std::streamsize>(buffer_.size() - available));
    auto got = static_cast<size_t>(in_->gcount());
    available += got;
    write_at += got;
    if (in_->bad()) read_failed_ = true;
  }
  cur_ = buffer_.data();
  end_ = buffer_.data() + available;
  return available >= count;
}

}  // namespace fl::history::internal
