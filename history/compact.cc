// history/compact.cc: [compact.1]..[compact.3].
#include "history/compact.h"

#include <algorithm>
#include <unordered_set>
#include <utility>

#include "base/assert.h"

namespace fl::history {
namespace {

constexpr uint64_t kMopsMax = std::numeric_limits<uint32_t>::max();
constexpr size_t kSegmentsMax = std::numeric_limits<uint16_t>::max();  // segment 0 and these

Status too_many_mops() {
  return Status::invalid_argument("history", "more than " + std::to_string(kMopsMax) +
                                                 " micro-operations; split the history");
}

}  // namespace

uint32_t CompactHistory::intern(std::string_view name) {
  // The same one or two names (:txn, :nemesis) repeat on nearly every op.
  // They are short, so they are compared byte by byte: comparing them as
  // strings called memcmp, about 2.7% of a 10^4-transaction check's cycles.
  if (!names_.empty() && names_.back().size() == name.size()) {
    const std::string& last = names_.back();
    size_t i = 0;
    while (i < name.size() && last[i] == name[i]) ++i;
    if (i == name.size()) return static_cast<uint32_t>(names_.size() - 1);
  }
  std::string key(name);
  auto [it, fresh] = name_ids_.emplace(key, static_cast<uint32_t>(names_.size()));
  if (fresh) names_.push_back(std::move(key));
  return it->second;
}

uint32_t CompactHistory::find_name(std::string_view name) const {
  auto it = name_ids_.find(std::string(name));
  return it == name_ids_.end() ? CompactOp::kNone : it->second;
}

void CompactHistory::rollback(const Mark& mark) {
  ops_.resize(mark.ops);
  mops_.resize(mark.mops);
  elements_.resize(mark.elements);
}

Status CompactHistory::push_txn_op(CompactOp op, const Mark& since) {
  if (mops_.size() > kMopsMax) return too_many_mops();
  op.is_txn = true;
  op.mop_begin = static_cast<uint32_t>(since.mops);
  op.mop_count = static_cast<uint32_t>(mops_.size() - since.mops);
  ops_.push_back(op);
  return Status::success();
}

Status CompactHistory::add_mop(MicroKind kind, int64_t key, MopValue tag, int64_t value) {
  FL_ASSERT(tag != MopValue::kList);
  if (mops_.size() >= kMopsMax) return too_many_mops();
  mops_.push_back({key, tag == MopValue::kInt ? value : 0, 0, kind, tag});
  return Status::success();
}

void CompactHistory::add_list_mop_begin(MicroKind kind, int64_t key) {
  mops_.push_back({key, static_cast<int64_t>(elements_.size()), 0, kind, MopValue::kList});
}

Status CompactHistory::add_list_mop_end() {
  CompactMop& mop = mops_.back();
  uint64_t size = elements_.size() - static_cast<uint64_t>(mop.data);
  if (size > std::numeric_limits<uint32_t>::max()) {
    return Status::invalid_argument("history", "a read list longer than 2^32 elements");
  }
  mop.list_size = static_cast<uint32_t>(size);
  return Status::success();
}

Status CompactHistory::append(Op&& op) {
  CompactOp c;
  c.index = op.index;
  c.time = op.time;
  c.type = op.type;
  c.process_kind = op.process.kind();
  if (op.process.kind() == Process::Kind::kInteger) c.process = *op.process.id();
  if (op.process.kind() == Process::Kind::kKeyword) c.process = intern(op.process.name());
  if (!op.f.empty()) c.f = intern(op.f);
  if (!op.extras.empty() || op.txn() == nullptr) {
    c.side = static_cast<uint32_t>(sides_.size());
    Side side;
    side.extras = std::move(op.extras);
    if (Value* v = std::get_if<Value>(&op.value)) {
      side.has_value = true;
      side.value = std::move(*v);
    }
    sides_.push_back(std::move(side));
  }
  const Txn* txn = op.txn();
  if (txn == nullptr) {
    ops_.push_back(c);
    return Status::success();
  }
  const Mark since = mark();
  for (const MicroOp& mop : *txn) {
    if (const auto* list = std::get_if<std::vector<int64_t>>(&mop.value)) {
      add_list_mop_begin(mop.kind, mop.key);
      elements_.insert(elements_.end(), list->begin(), list->end());
      FL_TRY(add_list_mop_end());
    } else if (const int64_t* v = std::get_if<int64_t>(&mop.value)) {
      FL_TRY(add_mop(mop.kind, mop.key, MopValue::kInt, *v));
    } else {
      FL_TRY(add_mop(mop.kind, mop.key, MopValue::kNil, 0));
    }
  }
  return push_txn_op(c, since);
}

namespace {

// Room for `more` items, growing by at least half: a history built by
// many small appends is not copied whole at each.
template <typename T>
void grow_for(std::vector<T>& v, size_t more) {
  if (v.size() + more > v.capacity()) v.reserve(std::max(v.size() + more, v.capacity() + v.capacity() / 2));
}

}  // namespace

Status CompactHistory::append(CompactHistory&& other) {
  if (mops_.size() + other.mops_.size() > kMopsMax) return too_many_mops();
  std::vector<uint32_t> name_map(other.names_.size());
  for (size_t i = 0; i < other.names_.size(); ++i) name_map[i] = intern(other.names_[i]);
  const auto mop_base = static_cast<uint32_t>(mops_.size());
  const auto side_base = static_cast<uint32_t>(sides_.size());
  // Room first: nothing below allocates once micro-ops name new segments
  // (a throw then would leave them naming segments not yet there).
  const size_t segments_after = segments_.size() + 1 + other.segments_.size();
  const bool take = segments_after <= kSegmentsMax;
  if (take) segments_.reserve(segments_after);
  grow_for(ops_, other.ops_.size());
  grow_for(mops_, other.mops_.size());
  sides_.reserve(sides_.size() + other.sides_.size());
  // Copied whole, then renumbered in place (while in cache): a push_back
  // per operation and micro-operation was half the time of joining the
  // reader's chunks.
  const size_t op_base = ops_.size();
  ops_.insert(ops_.end(), other.ops_.begin(), other.ops_.end());
  for (size_t i = op_base; i < ops_.size(); ++i) {
    CompactOp& op = ops_[i];
    if (op.is_txn) op.mop_begin += mop_base;
    if (op.f != CompactOp::kNone) op.f = name_map[op.f];
    if (op.process_kind == Process::Kind::kKeyword) op.process = name_map[static_cast<size_t>(op.process)];
    if (op.side != CompactOp::kNone) op.side += side_base;
  }
  // The other history's segments become ours, renumbered after ours: its
  // lists stay where they are. Joining the chunks a parallel reader made
  // used to copy their elements, nearly half their bytes, into fresh
  // pages (10^4 transactions: 1.5 ms of a 10 ms load). Past the segment
  // numbers a micro-op can name, lists are copied into segment 0.
  const auto segment_base = static_cast<uint16_t>(segments_.size() + 1);  // other's segment 0
  const size_t mop_first = mops_.size();
  mops_.insert(mops_.end(), other.mops_.begin(), other.mops_.end());
  for (size_t i = mop_first; i < mops_.size(); ++i) {
    CompactMop& mop = mops_[i];
    if (mop.tag != MopValue::kList) continue;
    if (take) {
      mop.segment = static_cast<uint16_t>(segment_base + mop.segment);
    } else {
      const std::span<const int64_t> list = other.list(mop);
      mop.data = static_cast<int64_t>(elements_.size());
      mop.segment = 0;
      elements_.insert(elements_.end(), list.begin(), list.end());
    }
  }
  if (take) {
    segment_elements_ += other.element_count();
    segments_.push_back(std::move(other.elements_));
    for (std::vector<int64_t>& segment : other.segments_) segments_.push_back(std::move(segment));
  }
  for (Side& side : other.sides_) sides_.push_back(std::move(side));
  other.clear();
  return Status::success();
}

void CompactHistory::clear() {
  meta = Metadata();
  ops_.clear();
  mops_.clear();
  elements_.clear();
  segments_.clear();
  segment_elements_ = 0;
  names_.clear();
  name_ids_.clear();
  sides_.clear();
}

void CompactHistory::reserve(size_t ops, size_t mops, size_t elements) {
  // Growing, by at least half: a reader whose estimates keep rising (a
  // file ever denser) does not copy the arrays whole at every block.
  grow_for(ops_, ops - std::min(ops, ops_.size()));
  grow_for(mops_, mops - std::min(mops, mops_.size()));
  grow_for(elements_, elements - std::min(elements, elements_.size()));
}

size_t CompactHistory::bytes() const {
  size_t elements = elements_.capacity();
  for (const std::vector<int64_t>& segment : segments_) elements += segment.capacity();
  return ops_.capacity() * sizeof(CompactOp) + mops_.capacity() * sizeof(CompactMop) + elements * sizeof(int64_t) +
         sides_.capacity() * (sizeof(Side) + 64);
}

Result<CompactHistory> CompactHistory::from_history(const History& history) {
  CompactHistory out;
  out.meta = history.meta;
  out.ops_.reserve(history.ops.size());
  for (const Op& op : history.ops) {
    Op copy = op;
    FL_TRY(out.append(std::move(copy)));
  }
  return out;
}

Op CompactHistory::op(size_t i) const {
  const CompactOp& c = ops_[i];
  Op op;
  op.index = c.index;
  op.time = c.time;
  op.type = c.type;
  if (c.process_kind == Process::Kind::kInteger) op.process = Process::integer(c.process);
  if (c.process_kind == Process::Kind::kKeyword) op.process = Process::keyword(names_[static_cast<size_t>(c.process)]);
  if (c.f != CompactOp::kNone) op.f = names_[c.f];
  if (c.side != CompactOp::kNone) op.extras = sides_[c.side].extras;
  if (!c.is_txn) {
    FL_ASSERT(c.side != CompactOp::kNone && sides_[c.side].has_value);
    op.value = sides_[c.side].value;
    return op;
  }
  Txn txn;
  txn.reserve(c.mop_count);
  for (const CompactMop& m : mops(c)) {
    MicroOp micro{m.kind, m.key, std::monostate{}};
    if (m.tag == MopValue::kInt) micro.value = m.data;
    if (m.tag == MopValue::kList) {
      std::span<const int64_t> l = list(m);
      micro.value = std::vector<int64_t>(l.begin(), l.end());
    }
    txn.push_back(std::move(micro));
  }
  op.value = std::move(txn);
  return op;
}

Status CompactHistory::check_well_formed() const {
  // One pass for both rules; a duplicate :index is reported first, as the
  // rules are listed. Client processes are small integers in practice, so
  // whether one has an invocation outstanding is a byte in an array (a
  // hash set's insert and erase per operation was 40 ms of a 10^6-
  // transaction load); others go to the set.
  constexpr int64_t kDenseProcesses = int64_t{1} << 16;
  std::vector<uint8_t> dense_pending;
  std::unordered_set<int64_t> pending;
  const CompactOp* orphan = nullptr;  // the first completion of no pending invocation
  bool increasing = true;
  for (size_t i = 0; i < ops_.size(); ++i) {
    const CompactOp& op = ops_[i];
    increasing = increasing && (i == 0 || ops_[i - 1].index < op.index);
    if (op.process_kind != Process::Kind::kInteger || orphan != nullptr) continue;
    const bool invoke = op.type == OpType::kInvoke;
    if (op.process >= 0 && op.process < kDenseProcesses) {
      const auto p = static_cast<size_t>(op.process);
      if (p >= dense_pending.size()) dense_pending.resize(std::max(p + 1, 2 * dense_pending.size()), 0);
      if (!invoke && dense_pending[p] == 0) orphan = &op;
      dense_pending[p] = invoke ? 1 : 0;
    } else if (invoke) {
      pending.insert(op.process);
    } else if (pending.erase(op.process) == 0) {
      orphan = &op;
    }
  }
  if (!increasing) {
    std::vector<std::pair<int64_t, size_t>> indices;  // (index, position)
    indices.reserve(ops_.size());
    for (size_t i = 0; i < ops_.size(); ++i) indices.push_back({ops_[i].index, i});
    std::sort(indices.begin(), indices.end());
    for (size_t i = 1; i < indices.size(); ++i) {
      if (indices[i - 1].first == indices[i].first) {
        return Status::invalid_argument("history", "duplicate :index " + std::to_string(indices[i].first) +
                                                       " (operations " + std::to_string(indices[i - 1].second + 1) +
                                                       " and " + std::to_string(indices[i].second + 1) +
                                                       " of the history)");
      }
    }
  }
  if (orphan != nullptr) {
    return Status::invalid_argument("history", "op " + std::to_string(orphan->index) + " (process " +
                                                   std::to_string(orphan->process) + ", :" +
                                                   std::string(op_type_name(orphan->type)) +
                                                   ") completes no pending invocation of its process");
  }
  return Status::success();
}

History CompactHistory::to_history() const {
  History h;
  h.meta = meta;
  h.ops.reserve(ops_.size());
  for (size_t i = 0; i < ops_.size(); ++i) h.ops.push_back(op(i));
  return h;
}

}  // namespace fl::history
