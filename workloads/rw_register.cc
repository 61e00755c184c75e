// rw-register plans (Elle's rw-register workload): [:w k v] is one blind
// write of encode_int(v); [:r k nil] is one read, completed as [:r k v], or
// nil when k is absent (Elle's initial state).
#include "base/assert.h"
#include "workloads/internal/codec.h"
#include "workloads/internal/workloads_impl.h"

namespace fl::workloads::internal {
namespace {

using history::MicroKind;
using history::MicroOp;

class RwRegisterPlan final : public Plan {
 public:
  explicit RwRegisterPlan(history::Txn txn) : txn_(std::move(txn)) { FL_ASSERT(!txn_.empty()); }

  std::optional<Step> next_step() override {
    FL_ASSERT(!awaiting_read_);  // REQUIRES: record_read() after every read step
    if (abort_reason_ || index_ == txn_.size()) return std::nullopt;
    const MicroOp& micro = txn_[index_];
    const std::string key = engine_key(WorkloadKind::kRwRegister, micro.key);
    if (micro.kind == MicroKind::kRead) {
      awaiting_read_ = true;
      return Step{Step::Kind::kRead, key, {}};
    }
    FL_ASSERT(micro.kind == MicroKind::kWrite);
    index_ += 1;
    return Step{Step::Kind::kWrite, key, encode_int(std::get<int64_t>(micro.value))};
  }

  Status record_read(const std::optional<std::string>& value) override {
    FL_ASSERT(awaiting_read_);
    awaiting_read_ = false;
    MicroOp& micro = txn_[index_];
    FL_ASSERT(micro.kind == MicroKind::kRead);
    if (value) {
      Result<int64_t> decoded = decode_int(engine_key(WorkloadKind::kRwRegister, micro.key), *value);
      if (!decoded.ok()) {
        abort_reason_ = decoded.status().to_string();
        return decoded.take_status();
      }
      micro.value = *decoded;
    }
    index_ += 1;
    return Status::success();
  }

  std::optional<std::string> abort_reason() const override { return abort_reason_; }

  history::Value completion() const override {
    FL_ASSERT(!abort_reason_);
    FL_ASSERT(index_ == txn_.size());  // REQUIRES: next_step() returned nullopt
    return history::txn_to_value(txn_);
  }

 private:
  history::Txn txn_;  // the invocation; reads are filled in as they complete
  size_t index_ = 0;
  bool awaiting_read_ = false;
  std::optional<std::string> abort_reason_;
};

}  // namespace

std::unique_ptr<Plan> make_rw_register_plan(history::Txn txn) {
  return std::make_unique<RwRegisterPlan>(std::move(txn));
}

}  // namespace fl::workloads::internal
