// checkers/durability.h: crash-aware durability and atomicity (ARCHITECTURE.md
// "checkers", "Crashes"). Isolation is judged by the isolation checkers;
// this checker judges what survived each crash, so a lost commit is reported
// as `lost-write` and a partial or out-of-order survival as `atomicity`,
// never as an isolation anomaly.
//
// Crash epochs. A nemesis operation (:process :nemesis) with :f :crash,
// :restart or :kill ends an epoch: epoch 0 runs until the first such
// operation, epoch N after the N-th. A nemesis op is counted once (its
// :invoke, or a lone :info completion). A client operation belongs to the
// epoch of its :invoke; only operations invoked after crash N observe the
// state recovered from crash N.
//
// [dur.1] Promise `acked`: every transaction that completed :ok before crash
//         N must survive it. A later :ok read that misses such a transaction's
//         write is a `lost-write` naming the transaction, the crash (epoch
//         N: the last crash between the last sighting of the write, or its
//         acknowledgement, and the read) and that read. Each lost
//         transaction is reported once.
// [dur.2] Promise `none`: writes may be lost, but only as a prefix-closed
//         suffix: [dur.3] and [dur.4] still hold. A process crash (:f
//         :restart, or :crash with {:kind :process}) carries promise
//         `acked` whatever the history's promise (the page cache survives
//         it), unless DurabilityOptions::process_crash_acked is false or the
//         crash restarted an engine that had refused writes (its :reason
//         says "refusing writes", or a client operation of the epoch ended
//         with an :error starting "io-error"): a failed sync may already
//         have dropped unsynced pages, as ext4 does, and under `none`
//         nothing was synced.
// [dur.3] list-append, per key: the list recovered after crash N (the
//         elements written before the crash, as the first :ok read invoked
//         after it shows them) must be a prefix of the key's pre-crash
//         version order (the longest :ok read invoked in epoch N-1). A
//         mismatch means a write was lost while a later one survived:
//         `atomicity`.
// [dur.4] A transaction survives whole or not at all, and only if what it
//         read survived: when one of its writes is seen after crash N, its
//         other writes, and the elements its reads observed, must be in the
//         recovered state of their keys when that state is known. A
//         violation is `atomicity`.
// [dur.5] rw-register is weaker (versions are not ordered by the history):
//         a recovered nil where an acknowledged transaction wrote the key,
//         or a recovered value whose writer realtime-precedes an
//         acknowledged writer of the same key (it completed before the other
//         was invoked), is `lost-write`; a transaction with one write seen
//         recovered and another key recovered to nil or to a realtime-
//         earlier writer is `atomicity`. "Recovered" means read by the first
//         micro-op on that key of an :ok transaction invoked after the crash
//         and before any other post-crash transaction writing it.
// [dur.6] Histories without crashes are valid here (nothing to judge).
//         Duplicate written values make the affected key unjudgeable: the
//         verdict is `unknown` with a note, unless an anomaly was found.
// [dur.7] lost_transactions lists the :index of the completion of every
//         transaction found lost (acknowledged or not); an isolation checker
//         may treat those as :info after the crash that lost them, so a
//         lost commit is never also reported as G1a or incompatible-order.
//         The isolation checkers judge each epoch on its own terms; the
//         verdicts combine with merge() (verdict.h).
//
// Bank histories carry no per-write identity; their crash-time atomicity
// shows as a total that changes (checkers/bank.h).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "checkers/verdict.h"
#include "history/history.h"

namespace fl::checkers {

enum class DurabilityPromise : uint8_t { kAcked, kNone };
std::string_view durability_promise_name(DurabilityPromise promise);  // "acked", "none"
std::optional<DurabilityPromise> durability_promise_from_name(std::string_view name);

// The promise under the history's metadata :durability (:acked or :none),
// or nullopt when absent or unrecognised.
std::optional<DurabilityPromise> durability_promise_of(const history::History& history);
std::optional<DurabilityPromise> durability_promise_of(const history::Metadata& meta);
// True for the nemesis operations that end a crash epoch (:f :crash,
// :restart or :kill).
bool is_crash_boundary(std::string_view f, bool nemesis);

struct DurabilityOptions {
  // Overrides the history's :durability; when neither is set, `acked`.
  std::optional<DurabilityPromise> promise;
  bool process_crash_acked = true;  // [dur.2]
};

// One crash: the nemesis operation that ended epoch `epoch - 1`.
struct CrashEpoch {
  uint64_t epoch = 0;       // the epoch it starts (1 for the first crash)
  int64_t op_index = 0;     // :index of the nemesis op
  size_t position = 0;      // position of that op in history.ops
  bool process_only = false;  // a process crash: the page cache survived
  bool after_write_failure = false;  // [dur.2]: the engine had failed a write or sync
};

// The crashes of `history`, in order.
std::vector<CrashEpoch> crash_epochs(const history::History& history);

struct DurabilityResult {
  Verdict verdict;
  std::set<int64_t> lost_transactions;  // [dur.7]
  uint64_t crashes = 0;
  DurabilityPromise promise = DurabilityPromise::kAcked;
};

// Judges list-append and rw-register transactions (:f :txn) in `history`;
// other operations are ignored. [dur.1]..[dur.7]
DurabilityResult check_durability(const history::History& history, const DurabilityOptions& options = {});

}  // namespace fl::checkers
