// history/internal/edn_parser.h: a streaming parser for the EDN subset of
// docs/formats/history.md, producing Values. Private to history/.
//
// Hand-written because Debian packages no EDN library for C++, and because a
// reader for untrusted multi-gigabyte files needs what a general one would
// not promise: streaming from a std::istream one top-level form at a time,
// line and column in every error, bounded recursion (kNestingDepthMax),
// bounded memory per form (kFormBytesMax, kOpValuesMax, kOpTextBytesMax),
// counted as op_size() counts them for canonical text, and no
// exceptions or assertions on any input.
//
// Every error is kInvalidArgument with a message "line L, column C: what"
// (kIoError when the istream itself failed). The position is where the
// problem starts: the unexpected byte, the token, or the opening delimiter
// of what is unterminated.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "history/internal/char_stream.h"
#include "history/value.h"

namespace fl::history::internal {

class EdnParser {
 public:
  // Called for each comment skipped between top-level forms: the text after
  // the ';' up to the end of the line (at most kFormBytesMax bytes;
  // `truncated` says the line was longer), and the position of the ';'.
  using CommentHook = std::function<Status(std::string_view text, bool truncated, Pos pos)>;

  EdnParser(CharStream& in, std::string_view source) : in_(in), source_(source) {}
  void set_comment_hook(CommentHook hook) { comment_hook_ = std::move(hook); }

  // Skips whitespace, commas, comments and "#_ form" discards. `level` is
  // the nesting level of the enclosing collection (0 between top-level
  // forms, where comments go to the hook).
  Status skip_ignorable(int level);

  // Starts the per-form budgets (kFormBytesMax, kOpValuesMax, kOpTextBytesMax).
  void begin_form();

  // Parses the form that starts at the next byte, at nesting `level` (1 for
  // a top-level form). REQUIRES: skip_ignorable() ran just before.
  Result<Value> parse_form(int level);

  int peek() { return in_.peek(); }
  int get() { return in_.get(); }
  Pos pos() const { return in_.pos(); }

  // kInvalidArgument "line L, column C: what", or kIoError when the input
  // stream failed (a read error looks like a truncated file otherwise).
  Status error(Pos pos, std::string_view what) const;

 private:
  Status skip_comment(int level);
  Status count_value(Pos pos);
  Status count_text(Pos pos, size_t bytes);
  Status check_bytes(Pos pos) const;
  Status parse_items(char close, std::string_view open, Pos open_pos, int level, std::vector<Value>* items,
                     std::vector<Pos>* positions, Pos* close_pos);
  Result<Value> parse_collection(Value::Kind kind, Pos open_pos, int level);
  Result<Value> parse_map(Pos open_pos, int level);
  Result<Value> parse_dispatch(Pos hash_pos, int level);
  Result<Value> parse_string(Pos open_pos);
  Status parse_escape(Pos escape_pos, std::string* out);
  Status parse_utf8_tail(int lead, Pos lead_pos, std::string* out);
  Result<Value> parse_token(Pos start);
  Result<Value> parse_number(std::string_view token, Pos start) const;

  CharStream& in_;
  std::string source_;
  CommentHook comment_hook_;
  uint64_t form_start_offset_ = 0;
  size_t form_values_ = 0;
  size_t form_text_bytes_ = 0;
  std::string token_;  // parse_token's buffer
};

// "'x'" for a printable ASCII byte, "byte 0xff" otherwise, "end of input"
// for CharStream::kEof. For error messages.
std::string describe_byte(int c);

// At most ~40 bytes of `text`, with non-printable bytes as \xNN.
std::string printable(std::string_view text);

// All of `text`, with non-printable bytes as \xNN: messages stay ASCII.
std::string escape_bytes(std::string_view text);

}  // namespace fl::history::internal
