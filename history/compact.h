// history/compact.h: a history held in flat arrays, for checking histories
// of millions of transactions.
//
// A History (history.h) holds each operation as an Op with its own heap
// allocations: about 180 bytes per op plus an allocation per transaction and
// per read list. A CompactHistory holds the same information in four flat
// arrays: ops (48 bytes each), micro-ops (24 bytes each), the elements of
// every read list (8 bytes each), and names (the :f and keyword :process
// values, each stored once). Operations whose :value is not a transaction,
// and extra keys, are kept as generic Values on the side; in the histories
// the checkers are built for those are rare (nemesis operations).
//
// [compact.1] from_history(h).to_history() == h for every History h, and
//             op(i) == h.ops[i].
// [compact.2] Offsets are checked: a history whose micro-ops or list
//             elements overflow the index types is refused with
//             kInvalidArgument, never silently truncated (at 2^32 micro-ops;
//             list elements use 64-bit offsets).
// [compact.3] Builders append in order; append(CompactHistory&&) concatenates
//             another history's operations after this one's, remapping
//             names and side values, so chunks parsed in parallel join into
//             one history. `other` is left empty, keeping its ops' and
//             micro-ops' capacity, so a reader can parse its next chunk into
//             them without allocating (and faulting in) fresh memory. Its
//             list elements are not copied: their array is taken whole, as
//             a segment of this history's elements (a micro-op names its
//             segment), while this history's own array stays the one
//             builders append to.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "history/history.h"
#include "history/op.h"

namespace fl::history {

// The value of a compact micro-op: nil, one integer, or a list of integers.
enum class MopValue : uint8_t { kNil, kInt, kList };

struct CompactMop {
  int64_t key = 0;
  int64_t data = 0;        // kInt: the integer; kList: offset of the list in its segment
  uint32_t list_size = 0;  // kList: its length
  MicroKind kind = MicroKind::kRead;
  MopValue tag = MopValue::kNil;
  uint16_t segment = 0;    // kList: the elements array holding it [compact.3]; 0 is the builders'
};
static_assert(sizeof(CompactMop) == 24);

struct CompactOp {
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  int64_t index = 0;
  int64_t time = 0;
  int64_t process = 0;        // kInteger: the id; kKeyword: a name id
  uint32_t mop_begin = 0;     // the transaction's micro-ops, when is_txn
  uint32_t mop_count = 0;
  uint32_t f = kNone;         // name id of :f; kNone when absent
  uint32_t side = kNone;      // index of the side record (generic :value, extras)
  OpType type = OpType::kInvoke;
  Process::Kind process_kind = Process::Kind::kNone;
  bool is_txn = false;        // :value is a transaction [op.3]

  std::optional<int64_t> process_id() const {
    return process_kind == Process::Kind::kInteger ? std::optional<int64_t>(process) : std::nullopt;
  }
};
static_assert(sizeof(CompactOp) <= 48);

class CompactHistory {
 public:
  Metadata meta;

  static Result<CompactHistory> from_history(const History& history);
  History to_history() const;

  size_t size() const { return ops_.size(); }
  const std::vector<CompactOp>& ops() const { return ops_; }
  const CompactOp& operator[](size_t i) const { return ops_[i]; }
  std::span<const CompactMop> mops(const CompactOp& op) const {
    return {mops_.data() + op.mop_begin, op.mop_count};
  }
  std::span<const int64_t> list(const CompactMop& mop) const {  // REQUIRES: mop.tag == kList
    const int64_t* base = mop.segment == 0 ? elements_.data() : segments_[mop.segment - 1].data();
    return {base + mop.data, mop.list_size};
  }
  // List elements held, in every segment.
  size_t element_count() const { return elements_.size() + segment_elements_; }
  // All micro-ops, in op order: mops(op) is a window of this.
  std::span<const CompactMop> all_mops() const { return mops_; }
  const std::string& name(uint32_t id) const { return names_[id]; }
  // The name id of `name`, or kNone when no op uses it.
  uint32_t find_name(std::string_view name) const;
  // True when op's :f is `name`.
  bool f_is(const CompactOp& op, std::string_view name) const { return op.f != CompactOp::kNone && names_[op.f] == name; }
  bool is_nemesis(const CompactOp& op) const {
    return op.process_kind == Process::Kind::kKeyword && names_[static_cast<size_t>(op.process)] == "nemesis";
  }
  // The op as an Op (allocates).
  Op op(size_t i) const;

  // Builders [compact.3].
  Status append(Op&& op);
  Status append(CompactHistory&& other);
  void reserve(size_t ops, size_t mops, size_t elements);
  // Empties the history, keeping the arrays' capacity.
  void clear();

  // [compact.4] Well-formedness a checker cannot judge around: every :index
  // is distinct, and every completion of a client (integer :process) follows
  // an invocation of that process still pending. kInvalidArgument naming
  // the op otherwise.
  Status check_well_formed() const;

  // Memory held, in bytes (capacity of the flat arrays; side values are
  // estimated).
  size_t bytes() const;

  // Low-level building, for readers that parse straight into the arrays:
  // take a mark(), add the micro-ops (add_mop, or add_list_mop_begin, then
  // push_element per element, then add_list_mop_end), then push_txn_op; or
  // rollback(mark) to drop what was added since. (Elements count those of
  // segment 0, the one builders append to.)
  struct Mark {
    size_t ops = 0;
    size_t mops = 0;
    size_t elements = 0;
  };
  Mark mark() const { return {ops_.size(), mops_.size(), elements_.size()}; }
  // The room the arrays have (a reader sizes them ahead); elements: segment 0.
  Mark capacity() const { return {ops_.capacity(), mops_.capacity(), elements_.capacity()}; }
  void rollback(const Mark& mark);
  uint32_t intern(std::string_view name);
  Status add_mop(MicroKind kind, int64_t key, MopValue tag, int64_t value);
  void add_list_mop_begin(MicroKind kind, int64_t key);
  void push_element(int64_t value) { elements_.push_back(value); }
  Status add_list_mop_end();
  // The micro-ops added since `since` become op's transaction.
  Status push_txn_op(CompactOp op, const Mark& since);

 private:
  struct Side {
    bool has_value = false;  // !is_txn: the generic :value
    Value value;
    std::vector<Extra> extras;
  };

  std::vector<CompactOp> ops_;
  std::vector<CompactMop> mops_;
  std::vector<int64_t> elements_;                 // segment 0
  std::vector<std::vector<int64_t>> segments_;    // segments 1.. [compact.3]
  size_t segment_elements_ = 0;                   // elements in segments_
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> name_ids_;
  std::vector<Side> sides_;
};

}  // namespace fl::history
