// checkers/durability_register.cc: the rw-register rules of durability.h
// ([dur.5]). A register history does not order versions, so only what the
// recovered state contradicts is judged: a recovered nil where an
// acknowledged write existed, a recovered value whose writer finished
// before an acknowledged writer of the same key started (realtime order:
// any engine commits a transaction after one that committed before it
// began), and a transaction seen only in part.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>

#include "base/assert.h"
#include "checkers/internal/durability_index.h"

namespace fl::checkers::internal {
namespace {

using history::MicroKind;
using history::OpType;

// The recovered value of a register: nil, or the position in txns of its writer.
struct Recovered {
  std::optional<int64_t> value;
  size_t writer = kNoPosition;
  size_t reader = kNoPosition;
};

std::set<int64_t> register_keys(const DurabilityIndex& index) {
  std::set<int64_t> keys;
  for (const TxnRecord& record : index.txns) {
    for (const history::MicroOp& micro : *record.txn) {
      if (micro.kind == MicroKind::kWrite) keys.insert(micro.key);
    }
  }
  for (int64_t key : index.duplicate_keys) keys.erase(key);
  return keys;
}

// [dur.5] "Recovered": the first micro-op on the key of an :ok transaction
// invoked after crash `epoch` is a read, and no other transaction of the
// epoch writing that key was invoked before that transaction completed.
std::map<int64_t, Recovered> recovered_registers(const DurabilityIndex& index, const std::set<int64_t>& keys,
                                                 uint64_t epoch) {
  std::map<int64_t, Recovered> recovered;
  std::map<int64_t, size_t> first_writer_invoke;  // key -> invoke position of the epoch's first writer
  for (const TxnRecord& record : index.txns) {
    if (record.epoch != epoch) continue;
    for (const history::MicroOp& micro : *record.txn) {
      if (micro.kind == MicroKind::kWrite) first_writer_invoke.try_emplace(micro.key, record.invoke_pos);
    }
  }
  for (size_t t = 0; t < index.txns.size(); ++t) {
    const TxnRecord& record = index.txns[t];
    if (record.epoch != epoch || !record.ok()) continue;
    std::set<int64_t> touched;
    for (const history::MicroOp& micro : *record.txn) {
      if (!keys.contains(micro.key) || !touched.insert(micro.key).second) continue;
      if (micro.kind != MicroKind::kRead || recovered.contains(micro.key)) continue;
      auto writer = first_writer_invoke.find(micro.key);
      const bool clean = writer == first_writer_invoke.end() || writer->second > record.complete_pos ||
                         writer->second == record.invoke_pos;
      if (!clean) continue;
      Recovered state;
      state.reader = t;
      if (const int64_t* value = std::get_if<int64_t>(&micro.value)) {
        auto found = index.writer.find({micro.key, *value});
        if (found == index.writer.end() || index.txns[found->second].epoch >= epoch) continue;  // garbage: isolation's
        state.value = *value;
        state.writer = found->second;
      }
      recovered.emplace(micro.key, state);
    }
  }
  return recovered;
}

class RegisterChecker {
 public:
  RegisterChecker(const DurabilityIndex& index, DurabilityPromise promise, const DurabilityOptions& options,
                  DurabilityResult& result)
      : index_(index), promise_(promise), options_(options), result_(result), keys_(register_keys(index)) {}

  void run() {
    if (keys_.empty()) return;
    for (uint64_t epoch = 1; epoch <= index_.crashes.size(); ++epoch) {
      const std::map<int64_t, Recovered> recovered = recovered_registers(index_, keys_, epoch);
      for (const auto& [key, state] : recovered) {
        if (state.writer != kNoPosition) seen_epoch_[state.writer] = epoch;
      }
      check_acknowledged(epoch, recovered);
      check_whole(epoch, recovered);
    }
  }

 private:
  // The last write of each key in a transaction: what it leaves behind.
  static std::map<int64_t, int64_t> final_writes(const history::Txn& txn) {
    std::map<int64_t, int64_t> writes;
    for (const history::MicroOp& micro : txn) {
      const int64_t* value = std::get_if<int64_t>(&micro.value);
      if (micro.kind == MicroKind::kWrite && value != nullptr) writes[micro.key] = *value;
    }
    return writes;
  }

  // The write of txns[t] was lost at one of the crashes after it was last
  // known to exist (acknowledged, or read back recovered) and up to crash
  // `epoch`: a lost-write only when every one of them had to keep it.
  bool required_since(size_t t, uint64_t epoch) const {
    uint64_t known = epoch_at(index_, index_.txns[t].complete_pos);
    if (auto seen = seen_epoch_.find(t); seen != seen_epoch_.end()) known = std::max(known, seen->second);
    for (uint64_t crash = known + 1; crash <= epoch; ++crash) {
      if (!crash_requires_acked(index_.crashes[crash - 1], promise_, options_)) return false;
    }
    return true;
  }

  bool realtime_before(size_t a, size_t b) const {
    const TxnRecord& first = index_.txns[a];
    return first.ok() && first.complete_pos < index_.txns[b].invoke_pos;
  }

  void check_acknowledged(uint64_t epoch, const std::map<int64_t, Recovered>& recovered) {
    const CrashEpoch& crash = index_.crashes[epoch - 1];
    for (size_t t = 0; t < index_.txns.size(); ++t) {
      const TxnRecord& writer = index_.txns[t];
      if (!writer.ok() || writer.complete_pos > crash.position) continue;
      for (const auto& [key, value] : final_writes(*writer.txn)) {
        auto state = recovered.find(key);
        if (state == recovered.end() || state->second.writer == t) continue;
        const bool superseded = state->second.value && realtime_before(state->second.writer, t);
        if (state->second.value && !superseded) continue;
        result_.lost_transactions.insert(writer.index);
        if (!required_since(t, epoch) || !reported_.insert(t).second) continue;
        const TxnRecord& reader = index_.txns[state->second.reader];
        Anomaly anomaly;
        anomaly.type = "lost-write";
        anomaly.op_indices = {writer.index, reader.index};
        std::string found = "nil";
        if (state->second.value) {
          found = std::to_string(*state->second.value) + ", written by op " +
                  std::to_string(index_.txns[state->second.writer].index) + " which finished before op " +
                  std::to_string(writer.index) + " began";
          anomaly.op_indices.push_back(index_.txns[state->second.writer].index);
        }
        anomaly.explanation = "op " + std::to_string(writer.index) + " wrote " + std::to_string(value) + " to key " +
                              std::to_string(key) + " and was acknowledged (:ok) before crash " +
                              std::to_string(epoch) + " (op " + std::to_string(crash.op_index) +
                              "), but the first read of key " + std::to_string(key) + " after it, by op " +
                              std::to_string(reader.index) + ", returned " + found +
                              (promise_ == DurabilityPromise::kAcked
                                   ? ". The promise `acked` requires an acknowledged transaction to survive."
                                   : ". Even under the promise `none`, an acknowledged transaction must survive a "
                                     "process crash.");
        result_.verdict.add(std::move(anomaly));
      }
    }
  }

  // A transaction whose write of one key was recovered must have its other
  // writes recovered too: not nil, not a realtime-earlier writer's value.
  void check_whole(uint64_t epoch, const std::map<int64_t, Recovered>& recovered) {
    std::set<size_t> candidates;  // only a recovered value's writer can have survived
    for (const auto& [key, state] : recovered) {
      if (state.writer != kNoPosition) candidates.insert(state.writer);
    }
    for (size_t t : candidates) {
      const TxnRecord& record = index_.txns[t];
      if (record.epoch >= epoch || record.type == OpType::kFail || partial_.contains(t)) continue;
      const std::map<int64_t, int64_t> writes = final_writes(*record.txn);
      std::optional<int64_t> seen_key;
      for (const auto& [key, value] : writes) {
        auto state = recovered.find(key);
        if (state != recovered.end() && state->second.writer == t) seen_key = key;
      }
      if (!seen_key) continue;
      for (const auto& [key, value] : writes) {
        auto state = recovered.find(key);
        if (state == recovered.end() || state->second.writer == t) continue;
        if (state->second.value && !realtime_before(state->second.writer, t)) continue;
        partial_.insert(t);
        Anomaly anomaly;
        anomaly.type = "atomicity";
        anomaly.op_indices = {record.index, index_.txns[state->second.reader].index};
        anomaly.explanation = "op " + std::to_string(record.index) + " survived crash " + std::to_string(epoch) +
                              " (its write of key " + std::to_string(*seen_key) +
                              " was read after it) but its write of " + std::to_string(value) + " to key " +
                              std::to_string(key) + " did not: op " +
                              std::to_string(index_.txns[state->second.reader].index) + " read " +
                              (state->second.value ? std::to_string(*state->second.value) : std::string("nil")) +
                              ". A transaction survives whole or not at all.";
        result_.verdict.add(std::move(anomaly));
        break;
      }
    }
  }

  const DurabilityIndex& index_;
  DurabilityPromise promise_;
  const DurabilityOptions& options_;
  DurabilityResult& result_;
  std::set<int64_t> keys_;
  std::set<size_t> reported_;
  std::set<size_t> partial_;
  std::map<size_t, uint64_t> seen_epoch_;  // txn -> last epoch whose recovered state showed its write
};

}  // namespace

void check_register_durability(const DurabilityIndex& index, DurabilityPromise promise,
                               const DurabilityOptions& options, DurabilityResult& result) {
  FL_ASSERT(!index.crashes.empty());
  RegisterChecker(index, promise, options, result).run();
}

}  // namespace fl::checkers::internal
