// The generator shared by list-append and rw-register ([wl.1]-[wl.4]): a
// transaction of micro_ops_min..max micro-ops, each a read with chance
// read_ratio, else a write (an append or a register write) of the key's
// next value, over the rotating key slots of keys.h.
#include <algorithm>

#include "base/assert.h"
#include "workloads/internal/keys.h"
#include "workloads/internal/workloads_impl.h"
#include "workloads/limits.h"

namespace fl::workloads::internal {
namespace {

using history::MicroKind;
using history::MicroOp;
using history::Txn;

constexpr std::string_view kTxnF = "txn";

class TxnGenerator final : public Generator {
 public:
  TxnGenerator(const WorkloadOptions& options, MicroKind write_kind)
      : options_(options),
        write_kind_(write_kind),
        slots_(options.active_keys, options.writes_per_key_max, options.distribution) {}

  Invocation next(Prng& prng) override {
    const auto count = static_cast<uint32_t>(prng.range_inclusive(options_.micro_ops_min, options_.micro_ops_max));
    FL_ASSERT(count >= 1 && count <= kTxnMicroOpsMax);
    Txn txn;
    txn.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      if (prng.chance(options_.read_ratio)) {
        txn.push_back(MicroOp{MicroKind::kRead, slots_.read(prng), {}});
      } else {
        const KeySlots::Write write = slots_.write(prng);
        txn.push_back(MicroOp{write_kind_, write.key, write.value});
      }
    }
    return Invocation{std::string(kTxnF), history::txn_to_value(txn)};
  }

  std::vector<Invocation> final_reads() const override {
    const std::vector<int64_t> keys = slots_.used_keys();
    std::vector<Invocation> reads;
    for (size_t begin = 0; begin < keys.size(); begin += kFinalReadKeysMax) {
      const size_t end = std::min(keys.size(), begin + kFinalReadKeysMax);
      Txn txn;
      for (size_t i = begin; i < end; ++i) txn.push_back(MicroOp{MicroKind::kRead, keys[i], {}});
      reads.push_back(Invocation{std::string(kTxnF), history::txn_to_value(txn)});
    }
    return reads;
  }

 private:
  WorkloadOptions options_;
  MicroKind write_kind_;
  KeySlots slots_;
};

Status bad_invocation(std::string_view what) { return Status::invalid_argument("invocation", what); }

}  // namespace

std::unique_ptr<Generator> make_txn_generator(const WorkloadOptions& options, MicroKind write_kind) {
  FL_ASSERT(write_kind == MicroKind::kAppend || write_kind == MicroKind::kWrite);
  return std::make_unique<TxnGenerator>(options, write_kind);
}

Status check_txn_invocation(const Invocation& invocation, MicroKind write_kind) {
  if (invocation.f != kTxnF) return bad_invocation(":f is :" + invocation.f + ", expected :txn");
  const std::optional<Txn> txn = history::txn_from_value(invocation.value);
  if (!txn) return bad_invocation(":value is not a transaction of [f k v] micro-ops");
  if (txn->empty() || txn->size() > kTxnMicroOpsMax) {
    return bad_invocation(std::to_string(txn->size()) + " micro-ops, expected 1.." + std::to_string(kTxnMicroOpsMax));
  }
  for (size_t i = 0; i < txn->size(); ++i) {
    const MicroOp& micro = (*txn)[i];
    const std::string where = "micro-op " + std::to_string(i) + ": ";
    if (micro.key < 0) return bad_invocation(where + "negative key " + std::to_string(micro.key));
    if (micro.kind == MicroKind::kRead) {
      if (!std::holds_alternative<std::monostate>(micro.value)) return bad_invocation(where + "a read invokes with nil");
      continue;
    }
    if (micro.kind != write_kind) {
      return bad_invocation(where + ":" + std::string(history::micro_kind_name(micro.kind)) +
                            " does not belong to this workload (expected :r or :" +
                            std::string(history::micro_kind_name(write_kind)) + ")");
    }
    const int64_t* value = std::get_if<int64_t>(&micro.value);
    if (value == nullptr || *value < 1) return bad_invocation(where + "a write takes a positive integer");
  }
  return Status::success();
}

}  // namespace fl::workloads::internal
