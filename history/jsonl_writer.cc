#include "history/jsonl_writer.h"

#include <cerrno>

#include "history/internal/json_value.h"

namespace fl::history {

std::string jsonl_line(const Op& op) { return internal::json_op_line(op); }

std::string jsonl_meta_line(const Metadata& meta) { return internal::json_meta_line(meta); }

std::string to_json(const Value& value) { return internal::json_value_text(value); }

std::string to_jsonl(const History& history) {
  std::string out;
  if (!history.meta.empty()) out += jsonl_meta_line(history.meta);
  for (const Op& op : history.ops) out += jsonl_line(op);
  return out;
}

Status write_jsonl(std::ostream& out, const History& history, std::string_view where) {
  if (!history.meta.empty()) {
    std::string line = jsonl_meta_line(history.meta);
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
  }
  for (const Op& op : history.ops) {
    if (!out) break;
    std::string line = jsonl_line(op);
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
  }
  out.flush();
  if (!out) return Status::io_error(where, EIO);
  return Status::success();
}

}  // namespace fl::history
