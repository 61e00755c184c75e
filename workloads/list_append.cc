// list-append plans (Elle's list-append workload): [:r k nil] is one read
// of k's list; [:append k v] reads k's list and writes it back with v at
// the end (read-modify-write, so a concurrent append to k is a write-write
// conflict for the engine). The stored value is encode_list()
// (docs/formats/workloads.md); an absent key is the empty list, completed
// as nil, as in Elle's own list-append histories.
#include "base/assert.h"
#include "workloads/internal/codec.h"
#include "workloads/internal/workloads_impl.h"

namespace fl::workloads::internal {
namespace {

using history::MicroKind;
using history::MicroOp;

class ListAppendPlan final : public Plan {
 public:
  explicit ListAppendPlan(history::Txn txn) : txn_(std::move(txn)) { FL_ASSERT(!txn_.empty()); }

  std::optional<Step> next_step() override {
    FL_ASSERT(!awaiting_read_);  // REQUIRES: record_read() after every read step
    if (abort_reason_) return std::nullopt;
    if (pending_write_) {  // the write half of an append
      Step step{Step::Kind::kWrite, key(), encode_list(*pending_write_)};
      pending_write_.reset();
      index_ += 1;
      return step;
    }
    if (index_ == txn_.size()) return std::nullopt;
    awaiting_read_ = true;
    return Step{Step::Kind::kRead, key(), {}};
  }

  Status record_read(const std::optional<std::string>& value) override {
    FL_ASSERT(awaiting_read_);
    awaiting_read_ = false;
    std::vector<int64_t> list;
    if (value) {
      Result<std::vector<int64_t>> decoded = decode_list(key(), *value);
      if (!decoded.ok()) {
        abort_reason_ = decoded.status().to_string();
        return decoded.take_status();
      }
      list = std::move(*decoded);
    }
    MicroOp& micro = txn_[index_];
    if (micro.kind == MicroKind::kRead) {
      if (value) micro.value = std::move(list);  // else stays nil
      index_ += 1;
      return Status::success();
    }
    FL_ASSERT(micro.kind == MicroKind::kAppend);
    list.push_back(std::get<int64_t>(micro.value));
    pending_write_ = std::move(list);
    return Status::success();
  }

  std::optional<std::string> abort_reason() const override { return abort_reason_; }

  history::Value completion() const override {
    FL_ASSERT(!abort_reason_);
    FL_ASSERT(index_ == txn_.size());  // REQUIRES: next_step() returned nullopt
    return history::txn_to_value(txn_);
  }

 private:
  std::string key() const { return engine_key(WorkloadKind::kListAppend, txn_[index_].key); }

  history::Txn txn_;  // the invocation; reads are filled in as they complete
  size_t index_ = 0;  // the micro-op in progress
  bool awaiting_read_ = false;
  std::optional<std::vector<int64_t>> pending_write_;  // an append's new list
  std::optional<std::string> abort_reason_;
};

}  // namespace

std::unique_ptr<Plan> make_list_append_plan(history::Txn txn) {
  return std::make_unique<ListAppendPlan>(std::move(txn));
}

}  // namespace fl::workloads::internal
