#include "history/internal/op_codec.h"

#include "history/edn_writer.h"
#include "history/history_format.h"
#include "history/internal/edn_parser.h"
#include "history/internal/op_size.h"
#include "history/limits.h"

namespace fl::history::internal {
namespace {

Status bad(std::string what) { return Status::invalid_argument("op", what); }

std::string found(const Value& value) { return "found " + std::string(kind_name(value.kind())) + " " + brief(value); }

Status set_field(Op* op, std::string_view name, Value&& value, bool* has_index, bool* has_type) {
  if (name == format::kIndex) {
    if (value.kind() != Value::Kind::kInt) return bad(":index must be an integer, " + found(value));
    op->index = value.as_int();
    *has_index = true;
  } else if (name == format::kTime) {
    if (value.kind() != Value::Kind::kInt) return bad(":time must be an integer, " + found(value));
    op->time = value.as_int();
  } else if (name == format::kType) {
    std::optional<OpType> type;
    if (value.kind() == Value::Kind::kKeyword) type = op_type_from_name(value.text());
    if (!type) return bad("unknown :type " + brief(value) + " (expected :invoke, :ok, :fail or :info)");
    op->type = *type;
    *has_type = true;
  } else if (name == format::kProcess) {
    if (value.kind() == Value::Kind::kInt) {
      op->process = Process::integer(value.as_int());
    } else if (value.kind() == Value::Kind::kKeyword) {
      op->process = Process::keyword(value.text());
    } else {
      return bad(":process must be an integer or a keyword such as :nemesis, " + found(value));
    }
  } else if (name == format::kF) {
    if (value.kind() != Value::Kind::kKeyword) return bad(":f must be a keyword, " + found(value));
    op->f = value.text();
  } else {
    op->set_value(std::move(value));  // format::kValue
  }
  return Status::success();
}

// [size.1]: the same measure the writers assert, so a reader never accepts
// what a writer would refuse.
Status check_size(const OpSize& size, std::string_view what) {
  if (size.values > kOpValuesMax) {
    return bad(std::string(what) + " has more than " + std::to_string(kOpValuesMax) + " values");
  }
  if (size.text_bytes > kOpTextBytesMax) {
    return bad(std::string(what) + " has more than " + std::to_string(kOpTextBytesMax) + " bytes of text");
  }
  if (size.depth > kNestingDepthMax) return bad("nesting deeper than " + std::to_string(kNestingDepthMax) + " levels");
  return Status::success();
}

}  // namespace

std::string brief(const Value& value) { return printable(to_edn(value)); }

Result<Op> op_from_value(Value&& map, int64_t position) {
  if (map.kind() != Value::Kind::kMap) {
    return bad("expected an operation map, found " + std::string(kind_name(map.kind())));
  }
  Op op;
  bool has_index = false;
  bool has_type = false;
  for (MapEntry& entry : std::move(map).take_entries()) {
    if (entry.key.kind() != Value::Kind::kKeyword) {
      return bad("operation key " + brief(entry.key) + " is not a keyword");
    }
    const std::string& name = entry.key.text();
    if (format::is_op_field(name)) {
      FL_TRY(set_field(&op, name, std::move(entry.value), &has_index, &has_type));
    } else {
      op.extras.push_back(Extra{name, std::move(entry.value)});
    }
  }
  if (!has_type) return bad("operation has no :type");
  if (!has_index) op.index = position;
  FL_TRY(check_size(op_size(op), "operation"));
  return op;
}

Result<Metadata> metadata_from_value(Value&& map) {
  if (map.kind() != Value::Kind::kMap) {
    return bad("metadata must be a map, found " + std::string(kind_name(map.kind())));
  }
  Metadata meta;
  for (MapEntry& entry : std::move(map).take_entries()) {
    if (entry.key.kind() != Value::Kind::kKeyword) return bad("metadata key " + brief(entry.key) + " is not a keyword");
    meta.set(entry.key.text(), std::move(entry.value));
  }
  FL_TRY(check_size(metadata_size(meta), "metadata"));
  return meta;
}

}  // namespace fl::history::internal
