#include "history/edn_reader.h"

#include <cerrno>
#include <fstream>

#include "history/history_format.h"
#include "history/internal/char_stream.h"
#include "history/internal/edn_parser.h"
#include "history/internal/op_codec.h"
#include "history/limits.h"

namespace fl::history {
namespace {

using internal::CharStream;
using internal::EdnParser;
using internal::Pos;

// The metadata comment without its ';'s: "faultline-meta {...}". Returns the
// offset of the map text within `comment`, or npos for any other comment.
size_t meta_map_offset(std::string_view comment) {
  size_t i = 0;
  while (i < comment.size() && comment[i] == ';') i++;
  while (i < comment.size() && (comment[i] == ' ' || comment[i] == '\t')) i++;
  if (comment.substr(i).substr(0, format::kEdnMetaMarker.size()) != format::kEdnMetaMarker) {
    return std::string_view::npos;
  }
  i += format::kEdnMetaMarker.size();
  if (i < comment.size() && comment[i] != ' ' && comment[i] != '\t' && comment[i] != '{') {
    return std::string_view::npos;  // e.g. "faultline-metadata"
  }
  return i;
}

// Parses "{map}" in a metadata comment whose text starts at `start`.
Result<Metadata> parse_meta(std::string_view text, Pos start, std::string_view source) {
  CharStream in(text, start);
  EdnParser parser(in, source);
  FL_TRY(parser.skip_ignorable(1));
  Pos map_pos = parser.pos();
  if (parser.peek() != '{') {
    return parser.error(map_pos, "expected a map after " + std::string(format::kEdnMetaMarker) + ", found " +
                                     internal::describe_byte(parser.peek()));
  }
  parser.begin_form();
  FL_ASSIGN_OR_RETURN(Value map, parser.parse_form(1));
  FL_TRY(parser.skip_ignorable(1));
  if (parser.peek() != CharStream::kEof) {
    return parser.error(parser.pos(),
                        "unexpected " + internal::describe_byte(parser.peek()) + " after the metadata map");
  }
  Result<Metadata> meta = internal::metadata_from_value(std::move(map));
  if (!meta.ok()) return parser.error(map_pos, meta.status().message());
  return meta;
}

class EdnOpReader {
 public:
  EdnOpReader(CharStream& in, Metadata* meta, const OpCallback& on_op, std::string_view source)
      : in_(in), parser_(in_, source), source_(source), meta_(meta), on_op_(on_op) {
    parser_.set_comment_hook([this](std::string_view text, bool truncated, Pos pos) {
      return on_comment(text, truncated, pos);
    });
  }

  Status run() {
    for (;;) {
      FL_TRY(parser_.skip_ignorable(0));
      int c = parser_.peek();
      if (c == CharStream::kEof) break;
      if (wrap_close_ != 0 && c == wrap_close_) {
        parser_.get();
        wrap_close_ = 0;
        wrapper_done_ = true;
        continue;
      }
      if (wrapper_done_) return parser_.error(parser_.pos(), "unexpected form after the history's closing bracket");
      if (wrap_close_ == 0 && ops_ == 0 && (c == '[' || c == '(')) {
        // The whole history as one vector or list: stream its elements.
        wrap_pos_ = parser_.pos();
        wrap_close_ = c == '[' ? ']' : ')';
        parser_.get();
        parser_.set_comment_hook(nullptr);  // [edn-r.3]: metadata only comes first
        continue;
      }
      FL_TRY(read_op());
    }
    if (wrap_close_ != 0) {
      return parser_.error(wrap_pos_, std::string("the history's opening '") + (wrap_close_ == ']' ? '[' : '(') +
                                          "' is not closed at end of input");
    }
    if (in_.read_failed()) return Status::io_error(source_, EIO);
    return Status::success();
  }

 private:
  Status read_op() {
    Pos start = parser_.pos();
    parser_.begin_form();
    FL_ASSIGN_OR_RETURN(Value form, parser_.parse_form(1));
    Result<Op> op = internal::op_from_value(std::move(form), ops_);
    if (!op.ok()) return parser_.error(start, op.status().message());
    if (ops_++ == 0) parser_.set_comment_hook(nullptr);  // [edn-r.3]: comments are only comments now
    return on_op_(std::move(op).value());
  }

  Status on_comment(std::string_view text, bool truncated, Pos pos) {
    size_t offset = meta_map_offset(text);
    if (offset == std::string_view::npos) return Status::success();
    if (truncated) return parser_.error(pos, "metadata line longer than " + std::to_string(kFormBytesMax) + " bytes");
    if (meta_seen_) return parser_.error(pos, "a second " + std::string(format::kEdnMetaMarker) + " line");
    meta_seen_ = true;
    Pos map_start{pos.line, pos.column + 1 + static_cast<int64_t>(offset)};  // +1 for the ';'
    FL_ASSIGN_OR_RETURN(Metadata meta, parse_meta(text.substr(offset), map_start, source_));
    if (meta_ != nullptr) *meta_ = std::move(meta);
    return Status::success();
  }

  CharStream& in_;
  EdnParser parser_;
  std::string source_;
  Metadata* meta_;
  const OpCallback& on_op_;
  int64_t ops_ = 0;
  bool meta_seen_ = false;
  int wrap_close_ = 0;  // ']' or ')' inside a top-level vector or list of operations
  bool wrapper_done_ = false;
  Pos wrap_pos_;
};

}  // namespace

Status read_edn(std::istream& in, Metadata* meta, const OpCallback& on_op, std::string_view source) {
  CharStream chars(in);
  return EdnOpReader(chars, meta, on_op, source).run();
}

Result<History> read_edn(std::string_view text, std::string_view source) {
  CharStream chars(text, Pos{});
  History history;
  FL_TRY(EdnOpReader(chars, &history.meta, [&](Op&& op) {
    history.ops.push_back(std::move(op));
    return Status::success();
  }, source).run());
  return history;
}

Result<History> read_edn_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    int err = errno != 0 ? errno : EIO;
    if (err == ENOENT) return Status::not_found(path);
    return Status::io_error(path, err);
  }
  History history;
  FL_TRY(read_edn(in, &history.meta, [&](Op&& op) {
    history.ops.push_back(std::move(op));
    return Status::success();
  }, path));
  return history;
}

Result<Value> parse_edn_value(std::string_view text, std::string_view source) {
  CharStream in(text, Pos{});
  EdnParser parser(in, source);
  FL_TRY(parser.skip_ignorable(0));
  parser.begin_form();
  FL_ASSIGN_OR_RETURN(Value value, parser.parse_form(1));
  FL_TRY(parser.skip_ignorable(0));
  if (parser.peek() != CharStream::kEof) {
    return parser.error(parser.pos(), "unexpected " + internal::describe_byte(parser.peek()) + " after the form");
  }
  return value;
}

}  // namespace fl::history
