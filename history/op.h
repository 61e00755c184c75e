// history/op.h: one Jepsen operation, and the typed view of transactions.
//
// An Op is one line of a history: {:index 0, :time 0, :type :invoke,
// :process 0, :f :txn, :value [[:append 3 1] [:r 4 nil]]}.
//
// [op.1] :type is required; :index (default: the op's position in the
//        stream), :time (default 0), :process (default: absent), :f
//        (default: absent) and :value (default nil) are optional on input.
//        Writers always emit :index, :time, :type and :value, and :process
//        and :f when present.
// [op.2] Any other key of an operation map is an extra. Extras keep their
//        input order and are written after :value; their keys are keywords
//        other than the six above.
// [op.3] A :value that is a vector whose every element is a three-element
//        vector [f k v], with f one of :append, :r, :w, k an integer, and v
//        nil, an integer or a vector of integers, is held as a Txn (typed,
//        no generic Values). Any other :value is held as a generic Value.
//        txn_to_value(txn_from_value(v)) == v whenever the decode succeeds.
// [op.4] Op equality compares :value semantically: a Txn equals the
//        generic Value it encodes, so set_value() and direct assignment
//        compare equal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "history/value.h"

namespace fl::history {

enum class OpType : uint8_t { kInvoke, kOk, kFail, kInfo };

std::string_view op_type_name(OpType type);  // "invoke", "ok", "fail", "info"
std::optional<OpType> op_type_from_name(std::string_view name);

// :process: an integer, a keyword (Jepsen's :nemesis), or absent.
class Process {
 public:
  enum class Kind : uint8_t { kNone, kInteger, kKeyword };

  Process() = default;  // absent
  static Process integer(int64_t id);
  static Process keyword(std::string name);  // REQUIRES: is_keyword_name(name)
  static Process nemesis();                  // the keyword :nemesis

  Kind kind() const { return kind_; }
  bool present() const { return kind_ != Kind::kNone; }
  bool is_nemesis() const;
  std::optional<int64_t> id() const;  // the integer, if kInteger
  const std::string& name() const;    // REQUIRES: kKeyword

  friend bool operator==(const Process&, const Process&) = default;

 private:
  Kind kind_ = Kind::kNone;
  int64_t id_ = 0;
  std::string name_;
};

// A micro-operation of a transaction: [:append k v], [:r k v] or [:w k v].
enum class MicroKind : uint8_t { kAppend, kRead, kWrite };
std::string_view micro_kind_name(MicroKind kind);  // "append", "r", "w"

// nil | integer | vector of integers. A read of a list-append key is a
// vector (or nil before completion); a register read or write is an integer.
using MicroValue = std::variant<std::monostate, int64_t, std::vector<int64_t>>;

struct MicroOp {
  MicroKind kind = MicroKind::kRead;
  int64_t key = 0;
  MicroValue value;
  friend bool operator==(const MicroOp&, const MicroOp&) = default;
};

using Txn = std::vector<MicroOp>;

// The typed form of `value` when it has the shape of [op.3], else nullopt.
std::optional<Txn> txn_from_value(const Value& value);
Value txn_to_value(const Txn& txn);

// An extra key of an operation map, e.g. :error or :node [op.2].
struct Extra {
  std::string key;  // a keyword name
  Value value;
  friend bool operator==(const Extra&, const Extra&) = default;
};

struct Op {
  int64_t index = 0;
  int64_t time = 0;  // nanoseconds since the start of the test
  OpType type = OpType::kInvoke;
  Process process;
  std::string f;  // keyword name; empty when absent
  std::variant<Value, Txn> value;  // [op.3]
  std::vector<Extra> extras;       // [op.2]

  // The typed transaction, or null when :value is generic.
  const Txn* txn() const { return std::get_if<Txn>(&value); }
  // :value as a generic Value (a Txn is encoded back).
  Value generic_value() const;
  // Stores `v`, as a Txn when it has that shape [op.3].
  void set_value(Value v);
  // The value of extra key `key`, or null.
  const Value* extra(std::string_view key) const;

  friend bool operator==(const Op& a, const Op& b);
};

}  // namespace fl::history
