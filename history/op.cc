#include "history/op.h"

#include "base/assert.h"
#include "history/history_format.h"

namespace fl::history {
namespace {

std::optional<MicroKind> micro_kind_from_value(const Value& value) {
  if (value.kind() != Value::Kind::kKeyword) return std::nullopt;
  const std::string& name = value.text();
  if (name == "append") return MicroKind::kAppend;
  if (name == "r") return MicroKind::kRead;
  if (name == "w") return MicroKind::kWrite;
  return std::nullopt;
}

std::optional<MicroValue> micro_value_from_value(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kNil: return MicroValue{};
    case Value::Kind::kInt: return MicroValue{value.as_int()};
    case Value::Kind::kVector: {
      std::vector<int64_t> ints;
      ints.reserve(value.items().size());
      for (const Value& item : value.items()) {
        if (item.kind() != Value::Kind::kInt) return std::nullopt;
        ints.push_back(item.as_int());
      }
      return MicroValue{std::move(ints)};
    }
    default: return std::nullopt;
  }
}

Value micro_value_to_value(const MicroValue& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return Value::integer(*i);
  if (const auto* ints = std::get_if<std::vector<int64_t>>(&value)) {
    std::vector<Value> items;
    items.reserve(ints->size());
    for (int64_t i : *ints) items.push_back(Value::integer(i));
    return Value::vector(std::move(items));
  }
  return Value::nil();
}

}  // namespace

std::string_view op_type_name(OpType type) {
  switch (type) {
    case OpType::kInvoke: return "invoke";
    case OpType::kOk: return "ok";
    case OpType::kFail: return "fail";
    case OpType::kInfo: return "info";
  }
  FL_ASSERT(false);
  return "";
}

std::optional<OpType> op_type_from_name(std::string_view name) {
  if (name == "invoke") return OpType::kInvoke;
  if (name == "ok") return OpType::kOk;
  if (name == "fail") return OpType::kFail;
  if (name == "info") return OpType::kInfo;
  return std::nullopt;
}

Process Process::integer(int64_t id) {
  Process p;
  p.kind_ = Kind::kInteger;
  p.id_ = id;
  return p;
}

Process Process::keyword(std::string name) {
  FL_ASSERT(is_keyword_name(name));
  Process p;
  p.kind_ = Kind::kKeyword;
  p.name_ = std::move(name);
  return p;
}

Process Process::nemesis() { return keyword(std::string(format::kNemesis)); }

bool Process::is_nemesis() const { return kind_ == Kind::kKeyword && name_ == format::kNemesis; }

std::optional<int64_t> Process::id() const {
  if (kind_ != Kind::kInteger) return std::nullopt;
  return id_;
}

const std::string& Process::name() const {
  FL_ASSERT(kind_ == Kind::kKeyword);
  return name_;
}

std::string_view micro_kind_name(MicroKind kind) {
  switch (kind) {
    case MicroKind::kAppend: return "append";
    case MicroKind::kRead: return "r";
    case MicroKind::kWrite: return "w";
  }
  FL_ASSERT(false);
  return "";
}

std::optional<Txn> txn_from_value(const Value& value) {
  if (value.kind() != Value::Kind::kVector) return std::nullopt;
  Txn txn;
  txn.reserve(value.items().size());
  for (const Value& micro : value.items()) {
    if (micro.kind() != Value::Kind::kVector || micro.items().size() != 3) return std::nullopt;
    const std::vector<Value>& parts = micro.items();
    std::optional<MicroKind> kind = micro_kind_from_value(parts[0]);
    if (!kind || parts[1].kind() != Value::Kind::kInt) return std::nullopt;
    std::optional<MicroValue> micro_value = micro_value_from_value(parts[2]);
    if (!micro_value) return std::nullopt;
    txn.push_back(MicroOp{*kind, parts[1].as_int(), std::move(*micro_value)});
  }
  return txn;
}

Value txn_to_value(const Txn& txn) {
  std::vector<Value> micros;
  micros.reserve(txn.size());
  for (const MicroOp& micro : txn) {
    std::vector<Value> parts;
    parts.reserve(3);
    parts.push_back(Value::keyword(std::string(micro_kind_name(micro.kind))));
    parts.push_back(Value::integer(micro.key));
    parts.push_back(micro_value_to_value(micro.value));
    micros.push_back(Value::vector(std::move(parts)));
  }
  return Value::vector(std::move(micros));
}

Value Op::generic_value() const {
  if (const Txn* t = txn()) return txn_to_value(*t);
  return std::get<Value>(value);
}

void Op::set_value(Value v) {
  if (std::optional<Txn> t = txn_from_value(v)) {
    value = std::move(*t);
  } else {
    value = std::move(v);
  }
}

const Value* Op::extra(std::string_view key) const {
  for (const Extra& e : extras) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

bool operator==(const Op& a, const Op& b) {
  if (a.index != b.index || a.time != b.time || a.type != b.type || !(a.process == b.process) || a.f != b.f ||
      a.extras != b.extras) {
    return false;
  }
  if (a.value.index() == b.value.index()) return a.value == b.value;
  return a.generic_value() == b.generic_value();  // [op.4]
}

}  // namespace fl::history
