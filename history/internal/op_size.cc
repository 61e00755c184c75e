#include "history/internal/op_size.h"

#include <algorithm>

#include "history/history_format.h"
#include "history/limits.h"

namespace fl::history::internal {
namespace {

// Adds `value`, a collection at nesting `level` if it is one.
void add_value(const Value& value, int level, OpSize* size) {
  size->values++;
  switch (value.kind()) {
    case Value::Kind::kString:
    case Value::Kind::kKeyword: size->text_bytes += value.text().size(); return;
    case Value::Kind::kVector:
    case Value::Kind::kList:
    case Value::Kind::kSet:
      size->depth = std::max(size->depth, level);
      for (const Value& item : value.items()) add_value(item, level + 1, size);
      return;
    case Value::Kind::kMap:
      size->depth = std::max(size->depth, level);
      for (const MapEntry& entry : value.entries()) {
        add_value(entry.key, level + 1, size);
        add_value(entry.value, level + 1, size);
      }
      return;
    default: return;
  }
}

// A keyword key and its scalar value (which has `value_text_bytes` of text).
void add_field(std::string_view key, size_t value_text_bytes, OpSize* size) {
  size->values += 2;
  size->text_bytes += key.size() + value_text_bytes;
}

void add_txn(const Txn& txn, OpSize* size) {
  constexpr int kTxnLevel = 2;  // under the op map
  size->values++;
  size->depth = std::max(size->depth, kTxnLevel);
  for (const MicroOp& micro : txn) {
    size->values += 4;  // [f k v]
    size->depth = std::max(size->depth, kTxnLevel + 1);
    size->text_bytes += micro_kind_name(micro.kind).size();
    if (const auto* ints = std::get_if<std::vector<int64_t>>(&micro.value)) {
      size->values += ints->size();
      size->depth = std::max(size->depth, kTxnLevel + 2);
    }
  }
}

}  // namespace

OpSize op_size(const Op& op) {
  OpSize size;
  size.values = 1;  // the map
  size.depth = 1;
  add_field(format::kIndex, 0, &size);
  add_field(format::kTime, 0, &size);
  add_field(format::kType, op_type_name(op.type).size(), &size);
  if (op.process.present()) {
    add_field(format::kProcess, op.process.id() ? 0 : op.process.name().size(), &size);
  }
  if (!op.f.empty()) add_field(format::kF, op.f.size(), &size);
  size.values++;  // :value
  size.text_bytes += format::kValue.size();
  if (const Txn* txn = op.txn()) {
    add_txn(*txn, &size);
  } else {
    add_value(std::get<Value>(op.value), 2, &size);
  }
  for (const Extra& extra : op.extras) {
    size.values++;
    size.text_bytes += extra.key.size();
    add_value(extra.value, 2, &size);
  }
  return size;
}

OpSize metadata_size(const Metadata& meta) {
  OpSize size;
  size.values = 1;
  size.depth = 1;
  for (const Metadata::Entry& entry : meta.entries()) {
    size.values++;
    size.text_bytes += entry.first.size();
    add_value(entry.second, 2, &size);
  }
  return size;
}

bool within_limits(const OpSize& size) {
  return size.values <= kOpValuesMax && size.text_bytes <= kOpTextBytesMax && size.depth <= kNestingDepthMax;
}

}  // namespace fl::history::internal
