#include "history/jsonl_reader.h"

#include <cerrno>
#include <fstream>
#include <sstream>

#include "history/history_format.h"
#include "history/internal/json_value.h"
#include "history/internal/line_reader.h"
#include "history/internal/op_codec.h"

namespace fl::history {
namespace {

bool is_blank_line(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

Status line_error(std::string_view source, int64_t line, std::optional<size_t> column, std::string_view what) {
  std::string where = "line " + std::to_string(line);
  if (column) where += ", column " + std::to_string(*column);
  return Status::invalid_argument(source, where + ": " + std::string(what));
}

// True when `value` is the metadata line's object: {"meta": {...}}.
bool is_meta_object(const Value& value) {
  return value.kind() == Value::Kind::kMap && value.entries().size() == 1 &&
         value.entries()[0].key.is_keyword(format::kJsonMetaKey);
}

Result<History> collect(std::istream& in, std::string_view source) {
  History history;
  FL_TRY(read_jsonl(in, &history.meta, [&](Op&& op) {
    history.ops.push_back(std::move(op));
    return Status::success();
  }, source));
  return history;
}

}  // namespace

Status read_jsonl(std::istream& in, Metadata* meta, const OpCallback& on_op, std::string_view source) {
  internal::LineReader lines(in);
  std::string line;
  int64_t ops = 0;
  bool first = true;
  for (;;) {
    FL_ASSIGN_OR_RETURN(bool more, lines.next(&line, source));
    if (!more) return Status::success();
    if (is_blank_line(line)) continue;
    int64_t line_number = lines.line_number();
    std::optional<size_t> column;
    Result<Value> value = internal::parse_json_value(line, &column);
    if (!value.ok()) return line_error(source, line_number, column, value.status().message());
    if (first && is_meta_object(*value)) {  // [jsonl-r.3]
      first = false;
      Value map = std::move(std::move(*value).take_entries()[0].value);
      Result<Metadata> parsed = internal::metadata_from_value(std::move(map));
      if (!parsed.ok()) return line_error(source, line_number, std::nullopt, parsed.status().message());
      if (meta != nullptr) *meta = std::move(parsed).value();
      continue;
    }
    first = false;
    Result<Op> op = internal::op_from_value(std::move(value).value(), ops);
    if (!op.ok()) return line_error(source, line_number, std::nullopt, op.status().message());
    ops++;
    FL_TRY(on_op(std::move(op).value()));
  }
}

Result<History> read_jsonl(std::string_view text, std::string_view source) {
  std::istringstream in{std::string(text)};
  return collect(in, source);
}

Result<History> read_jsonl_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    int err = errno != 0 ? errno : EIO;
    if (err == ENOENT) return Status::not_found(path);
    return Status::io_error(path, err);
  }
  return collect(in, path);
}

Result<Value> parse_json_value(std::string_view text, std::string_view source) {
  std::optional<size_t> column;
  Result<Value> value = internal::parse_json_value(text, &column);
  if (value.ok()) return value;
  std::string where = column ? "column " + std::to_string(*column) + ": " : "";
  return Status::invalid_argument(source, where + std::string(value.status().message()));
}

}  // namespace fl::history
