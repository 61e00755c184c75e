// checkers/durability.cc: crash epochs, the transaction index, and the
// list-append rules of durability.h ([dur.1]..[dur.4], [dur.6], [dur.7]).
// The rw-register rules ([dur.5]) are in durability_register.cc.
#include "checkers/durability.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "base/assert.h"
#include "checkers/internal/durability_index.h"

namespace fl::checkers {

using history::MicroKind;
using history::OpType;

std::string_view durability_promise_name(DurabilityPromise promise) {
  return promise == DurabilityPromise::kAcked ? "acked" : "none";
}

std::optional<DurabilityPromise> durability_promise_from_name(std::string_view name) {
  if (name == "acked") return DurabilityPromise::kAcked;
  if (name == "none") return DurabilityPromise::kNone;
  return std::nullopt;
}

std::optional<DurabilityPromise> durability_promise_of(const history::History& history) {
  return durability_promise_of(history.meta);
}

bool is_crash_boundary(std::string_view f, bool nemesis) {
  return nemesis && (f == "crash" || f == "restart" || f == "kill");
}

std::optional<DurabilityPromise> durability_promise_of(const history::Metadata& meta) {
  const history::Value* value = meta.get("durability");
  if (value == nullptr) return std::nullopt;
  if (value->kind() != history::Value::Kind::kKeyword && value->kind() != history::Value::Kind::kString) {
    return std::nullopt;
  }
  return durability_promise_from_name(value->text());
}

namespace {

bool is_epoch_boundary(const history::Op& op) {
  return is_crash_boundary(op.f, op.process.is_nemesis());
}

// A process crash keeps the page cache: :restart, :kill, or {:kind :process}.
bool is_process_crash(const history::Op& op) {
  if (op.f == "restart" || op.f == "kill") return true;
  const history::Value* value = std::get_if<history::Value>(&op.value);
  if (value == nullptr) return false;
  const history::Value* kind = value->find("kind");
  return kind != nullptr && kind->is_keyword("process");
}

// [dur.2]: "refusing writes" in the crash's :reason, or an "io-error" :error.
bool mentions_write_failure(const history::Op& op, std::string_view key, std::string_view needle) {
  const history::Value* text = nullptr;
  if (key == "error") {
    text = op.extra("error");
  } else if (const history::Value* value = std::get_if<history::Value>(&op.value)) {
    text = value->find(key);
  }
  return text != nullptr && text->kind() == history::Value::Kind::kString &&
         text->text().find(needle) != std::string::npos;
}

}  // namespace

std::vector<CrashEpoch> crash_epochs(const history::History& history) {
  std::vector<CrashEpoch> crashes;
  std::optional<std::string> pending;  // the nemesis op invoked and not yet completed
  bool write_failure = false;  // in the current epoch
  for (size_t pos = 0; pos < history.ops.size(); ++pos) {
    const history::Op& op = history.ops[pos];
    if (!op.process.is_nemesis()) {
      write_failure = write_failure || (op.type != OpType::kInvoke && mentions_write_failure(op, "error", "io-error"));
      continue;
    }
    const bool boundary = is_epoch_boundary(op);
    if (boundary && (write_failure || mentions_write_failure(op, "reason", "refusing writes"))) {
      if (op.type == OpType::kInvoke || pending != op.f) {
        write_failure = true;  // the crash pushed below records it
      } else {
        crashes.back().after_write_failure = true;
      }
    }
    if (op.type == OpType::kInvoke) {
      if (boundary) {
        crashes.push_back({crashes.size() + 1, op.index, pos, is_process_crash(op), write_failure});
        write_failure = false;
      }
      pending = op.f;
      continue;
    }
    if (boundary && pending != op.f) {
      crashes.push_back({crashes.size() + 1, op.index, pos, is_process_crash(op), write_failure});  // a lone completion
      write_failure = false;
    } else if (boundary && is_process_crash(op)) {
      crashes.back().process_only = true;
    }
    pending.reset();
  }
  for (size_t i = 0; i < crashes.size(); ++i) FL_ASSERT(crashes[i].epoch == i + 1);
  return crashes;
}

namespace internal {

bool crash_requires_acked(const CrashEpoch& crash, DurabilityPromise promise, const DurabilityOptions& options) {
  return promise == DurabilityPromise::kAcked ||
         (crash.process_only && !crash.after_write_failure && options.process_crash_acked);
}

uint64_t epoch_at(const DurabilityIndex& index, size_t pos) {
  auto after = std::upper_bound(index.crashes.begin(), index.crashes.end(), pos,
                                [](size_t p, const CrashEpoch& crash) { return p < crash.position; });
  return static_cast<uint64_t>(after - index.crashes.begin());
}

namespace {

// Processes as map keys: integers, then keywords by name.
std::pair<int64_t, std::string> process_key(const history::Process& process) {
  if (auto id = process.id()) return {*id, ""};
  return {0, process.name()};
}

void index_writers(DurabilityIndex& index) {
  for (size_t t = 0; t < index.txns.size(); ++t) {
    for (const history::MicroOp& micro : *index.txns[t].txn) {
      if (micro.kind == MicroKind::kRead) continue;
      const int64_t* value = std::get_if<int64_t>(&micro.value);
      if (value == nullptr) continue;
      auto [at, inserted] = index.writer.emplace(std::make_pair(micro.key, *value), t);
      if (!inserted && index.duplicate_keys.insert(micro.key).second) {
        index.notes.push_back("durability: key " + std::to_string(micro.key) + ": value " + std::to_string(*value) +
                              " is written more than once; the key is not judged");
      }
    }
  }
}

}  // namespace

DurabilityIndex build_durability_index(const history::History& history) {
  DurabilityIndex index;
  index.crashes = crash_epochs(history);
  std::map<std::pair<int64_t, std::string>, size_t> pending;  // process -> txns position
  uint64_t epoch = 0;
  uint64_t unpaired = 0;
  for (size_t pos = 0; pos < history.ops.size(); ++pos) {
    while (epoch < index.crashes.size() && index.crashes[epoch].position <= pos) ++epoch;
    const history::Op& op = history.ops[pos];
    if (op.txn() == nullptr || !op.process.present() || op.process.is_nemesis()) continue;
    const auto key = process_key(op.process);
    if (op.type == OpType::kInvoke) {
      TxnRecord record;
      record.invoke_pos = pos;
      record.index = op.index;
      record.epoch = epoch;
      record.txn = op.txn();
      pending[key] = index.txns.size();  // an earlier pending one never completes (:info)
      index.txns.push_back(record);
      continue;
    }
    auto it = pending.find(key);
    if (it == pending.end()) {
      ++unpaired;
      continue;
    }
    TxnRecord& record = index.txns[it->second];
    record.complete_pos = pos;
    record.index = op.index;
    record.type = op.type;
    if (op.type == OpType::kOk) record.txn = op.txn();
    pending.erase(it);
  }
  if (unpaired > 0) {
    index.notes.push_back("durability: " + std::to_string(unpaired) +
                          " completion(s) without an invocation were ignored");
  }
  index_writers(index);
  return index;
}

}  // namespace internal

namespace {

using internal::DurabilityIndex;
using internal::TxnRecord;

const std::vector<int64_t> kEmptyList;

const std::vector<int64_t>& list_of(const history::MicroValue& value) {
  const auto* list = std::get_if<std::vector<int64_t>>(&value);
  return list == nullptr ? kEmptyList : *list;
}

bool contains(const std::vector<int64_t>& list, int64_t value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string list_text(const std::vector<int64_t>& list) {
  std::string text = "[";
  for (size_t i = 0; i < list.size(); ++i) text += (i == 0 ? "" : " ") + std::to_string(list[i]);
  return text + "]";
}

std::string crash_text(const DurabilityIndex& index, uint64_t epoch) {
  FL_ASSERT(epoch >= 1 && epoch <= index.crashes.size());
  const CrashEpoch& crash = index.crashes[epoch - 1];
  return "crash " + std::to_string(epoch) + " (op " + std::to_string(crash.op_index) +
         (crash.process_only ? ", process" : "") + ")";
}

// One :ok read of a list-append key.
struct ListRead {
  size_t txn = 0;  // position in index.txns
  const std::vector<int64_t>* list = nullptr;
};

struct ListState {
  std::map<int64_t, std::vector<ListRead>> reads;  // key -> reads in invocation order
  std::set<int64_t> keys;                           // keys with an append
};

ListState collect_list_reads(const DurabilityIndex& index) {
  ListState state;
  for (size_t t = 0; t < index.txns.size(); ++t) {
    const TxnRecord& record = index.txns[t];
    for (const history::MicroOp& micro : *record.txn) {
      if (micro.kind == MicroKind::kAppend) state.keys.insert(micro.key);
      const bool list_read = micro.kind == MicroKind::kRead && !std::holds_alternative<int64_t>(micro.value);
      if (record.ok() && list_read) state.reads[micro.key].push_back({t, &list_of(micro.value)});
    }
  }
  for (auto it = state.reads.begin(); it != state.reads.end();) {
    it = state.keys.contains(it->first) ? std::next(it) : state.reads.erase(it);  // nil reads of register keys
  }
  return state;
}

class ListChecker {
 public:
  ListChecker(const DurabilityIndex& index, DurabilityPromise promise, const DurabilityOptions& options,
              DurabilityResult& result)
      : index_(index), promise_(promise), options_(options), result_(result), state_(collect_list_reads(index)) {}

  void run() {
    for (size_t t = 0; t < index_.txns.size(); ++t) check_acknowledged(t);
    std::map<int64_t, std::vector<int64_t>> previous;  // the recovered lists of the last crash
    for (uint64_t epoch = 1; epoch <= index_.crashes.size(); ++epoch) {
      std::map<int64_t, std::vector<int64_t>> recovered = recovered_lists(epoch);
      for (const auto& [key, list] : recovered) check_prefix(epoch, key, list, previous);
      check_whole(epoch, recovered);
      previous = std::move(recovered);
    }
  }

 private:
  uint64_t completion_epoch(const TxnRecord& record) const { return internal::epoch_at(index_, record.complete_pos); }

  bool crashes_require_acked(uint64_t first, uint64_t last) const {
    for (uint64_t epoch = first; epoch <= last; ++epoch) {
      if (!internal::crash_requires_acked(index_.crashes[epoch - 1], promise_, options_)) return false;
    }
    return true;
  }

  // [dur.1]: every append of an acknowledged transaction is in every later
  // read invoked after a crash that followed its acknowledgement.
  void check_acknowledged(size_t t) {
    const TxnRecord& writer = index_.txns[t];
    if (!writer.ok()) return;
    for (const history::MicroOp& micro : *writer.txn) {
      if (micro.kind != MicroKind::kAppend || index_.duplicate_keys.contains(micro.key)) continue;
      const int64_t* value = std::get_if<int64_t>(&micro.value);
      auto reads = state_.reads.find(micro.key);
      if (value == nullptr || reads == state_.reads.end()) continue;
      uint64_t seen_epoch = completion_epoch(writer);  // the last epoch the write is known to exist in
      const ListRead* first_missing = nullptr;
      const ListRead* last_missing = nullptr;
      uint64_t lost_from = 0;
      for (const ListRead& read : reads->second) {
        const TxnRecord& reader = index_.txns[read.txn];
        if (contains(*read.list, *value)) {
          if (first_missing == nullptr) seen_epoch = std::max(seen_epoch, reader.epoch);
        } else if (reader.epoch > seen_epoch) {
          if (first_missing == nullptr) lost_from = seen_epoch + 1;
          if (first_missing == nullptr) first_missing = &read;
          last_missing = &read;
        }
      }
      if (first_missing == nullptr) continue;
      result_.lost_transactions.insert(writer.index);
      const uint64_t lost_to = index_.txns[first_missing->txn].epoch;
      if (!crashes_require_acked(lost_from, lost_to) || !reported_lost_.insert(t).second) continue;
      report_lost(writer, micro.key, *value, *first_missing, *last_missing, lost_from, lost_to);
    }
  }

  void report_lost(const TxnRecord& writer, int64_t key, int64_t value, const ListRead& first, const ListRead& last,
                   uint64_t lost_from, uint64_t lost_to) {
    const TxnRecord& reader = index_.txns[first.txn];
    Anomaly anomaly;
    anomaly.type = "lost-write";
    anomaly.op_indices = {writer.index, reader.index};
    if (&first != &last) anomaly.op_indices.push_back(index_.txns[last.txn].index);
    anomaly.explanation = "op " + std::to_string(writer.index) + " appended " + std::to_string(value) + " to key " +
                          std::to_string(key) + " and was acknowledged (:ok), but it was lost at " +
                          crash_text(index_, lost_from) +
                          (lost_to != lost_from ? " or a crash up to " + crash_text(index_, lost_to) : "") +
                          ": the read of key " + std::to_string(key) + " by op " + std::to_string(reader.index) +
                          " in epoch " + std::to_string(reader.epoch) + " returned " + list_text(*first.list) +
                          " without it";
    if (&first != &last) {
      anomaly.explanation += ", and so did the last read by op " + std::to_string(index_.txns[last.txn].index) +
                             " (" + list_text(*last.list) + ")";
    }
    anomaly.explanation += promise_ == DurabilityPromise::kAcked
                               ? ". The promise `acked` requires an acknowledged transaction to survive."
                               : ". Even under the promise `none`, an acknowledged transaction must survive a "
                                 "process crash (the page cache survives it).";
    result_.verdict.add(std::move(anomaly));
  }

  // The pre-crash elements of key k as the first read invoked after crash
  // `epoch` shows them; keys whose state is unclear are left out.
  std::map<int64_t, std::vector<int64_t>> recovered_lists(uint64_t epoch) const {
    std::map<int64_t, std::vector<int64_t>> recovered;
    for (const auto& [key, reads] : state_.reads) {
      if (index_.duplicate_keys.contains(key)) continue;
      auto first = std::find_if(reads.begin(), reads.end(),
                                [&](const ListRead& read) { return index_.txns[read.txn].epoch == epoch; });
      if (first == reads.end()) continue;
      std::vector<int64_t> list;
      bool clear = true;
      bool post_crash = false;
      for (int64_t element : *first->list) {
        auto writer = index_.writer.find({key, element});
        if (writer == index_.writer.end()) clear = false;  // a value nobody wrote: isolation's garbage-read
        if (!clear) break;
        const bool before_crash = index_.txns[writer->second].epoch < epoch;
        if (before_crash && post_crash) clear = false;  // interleaved: leave it to the isolation checker
        if (!before_crash) post_crash = true;
        if (before_crash && clear) list.push_back(element);
      }
      if (clear) recovered.emplace(key, std::move(list));
    }
    return recovered;
  }

  // [dur.3]: the recovered list is a prefix of the pre-crash version order.
  void check_prefix(uint64_t epoch, int64_t key, const std::vector<int64_t>& list,
                    const std::map<int64_t, std::vector<int64_t>>& previous) {
    const std::vector<int64_t>* order = nullptr;
    const ListRead* longest = nullptr;
    for (const ListRead& read : state_.reads.at(key)) {
      if (index_.txns[read.txn].epoch != epoch - 1) continue;
      if (longest == nullptr || read.list->size() > longest->list->size()) longest = &read;
    }
    if (longest != nullptr) order = longest->list;
    if (order == nullptr && previous.contains(key)) order = &previous.at(key);
    if (order == nullptr) return;
    const size_t common = std::min(order->size(), list.size());
    auto mismatch = std::mismatch(order->begin(), order->begin() + static_cast<ptrdiff_t>(common), list.begin());
    if (mismatch.first == order->begin() + static_cast<ptrdiff_t>(common)) return;
    const int64_t lost = *mismatch.first;
    const int64_t kept = *mismatch.second;
    Anomaly anomaly;
    anomaly.type = "atomicity";
    // The kept element is in the recovered list, so its writer is known; the
    // lost one comes from a read and may be a value nobody wrote (garbage:
    // the isolation checker's), then there is nothing to say here.
    auto lost_writer_it = index_.writer.find({key, lost});
    if (lost_writer_it == index_.writer.end()) return;
    const size_t lost_writer = lost_writer_it->second;
    const size_t kept_writer = index_.writer.at({key, kept});
    anomaly.op_indices = {index_.txns[lost_writer].index, index_.txns[kept_writer].index};
    anomaly.explanation = "after " + crash_text(index_, epoch) + ", key " + std::to_string(key) + " recovered as " +
                          list_text(list) + ", which is not a prefix of its pre-crash version order " +
                          list_text(*order);
    if (longest != nullptr) {
      anomaly.op_indices.push_back(index_.txns[longest->txn].index);
      anomaly.explanation += " (read by op " + std::to_string(index_.txns[longest->txn].index) + ")";
    }
    anomaly.explanation += ": " + std::to_string(lost) + " (op " + std::to_string(index_.txns[lost_writer].index) +
                           ") was lost while " + std::to_string(kept) + " (op " +
                           std::to_string(index_.txns[kept_writer].index) + "), committed after it, survived.";
    result_.verdict.add(std::move(anomaly));
  }

  // [dur.4]: a transaction seen after the crash survived whole, with what it read.
  void check_whole(uint64_t epoch, const std::map<int64_t, std::vector<int64_t>>& recovered) {
    auto survived = [&](int64_t key, int64_t value) -> std::optional<bool> {
      auto it = recovered.find(key);
      if (it == recovered.end()) return std::nullopt;
      return contains(it->second, value);
    };
    // Only writers of a recovered element can have survived: visiting them
    // keeps each crash linear in the recovered state, not in the history.
    std::set<size_t> candidates;
    for (const auto& [key, list] : recovered) {
      for (int64_t element : list) candidates.insert(index_.writer.at({key, element}));
    }
    for (size_t t : candidates) {
      const TxnRecord& record = index_.txns[t];
      if (record.epoch >= epoch || record.type == OpType::kFail || reported_partial_.contains(t)) continue;
      const history::MicroOp* seen = nullptr;
      for (const history::MicroOp& micro : *record.txn) {
        const int64_t* value = std::get_if<int64_t>(&micro.value);
        if (micro.kind == MicroKind::kAppend && value != nullptr && survived(micro.key, *value) == true) seen = &micro;
      }
      if (seen == nullptr) continue;
      for (const history::MicroOp& micro : *record.txn) {
        const int64_t* value = std::get_if<int64_t>(&micro.value);
        if (micro.kind == MicroKind::kAppend && value != nullptr && survived(micro.key, *value) == false) {
          report_partial(epoch, t, *seen, micro.key, *value, "its own append of");
          break;
        }
        if (micro.kind != MicroKind::kRead || !record.ok() || !state_.keys.contains(micro.key)) continue;
        auto missing = std::find_if(list_of(micro.value).begin(), list_of(micro.value).end(),
                                    [&](int64_t element) { return survived(micro.key, element) == false; });
        if (missing != list_of(micro.value).end()) {
          report_partial(epoch, t, *seen, micro.key, *missing, "the append it read,");
          break;
        }
      }
    }
  }

  void report_partial(uint64_t epoch, size_t t, const history::MicroOp& seen, int64_t key, int64_t value,
                      std::string_view what) {
    reported_partial_.insert(t);
    const TxnRecord& record = index_.txns[t];
    Anomaly anomaly;
    anomaly.type = "atomicity";
    anomaly.op_indices = {record.index};
    auto writer = index_.writer.find({key, value});
    if (writer != index_.writer.end() && writer->second != t) anomaly.op_indices.push_back(index_.txns[writer->second].index);
    anomaly.explanation = "op " + std::to_string(record.index) + " (" + std::string(history::op_type_name(record.type)) +
                          ") survived " + crash_text(index_, epoch) + " (its append of " +
                          std::to_string(std::get<int64_t>(seen.value)) + " to key " + std::to_string(seen.key) +
                          " was read after it) but " + std::string(what) + " " + std::to_string(value) +
                          " to key " + std::to_string(key) + " did not: a transaction survives whole or not at all.";
    result_.verdict.add(std::move(anomaly));
  }

  const DurabilityIndex& index_;
  DurabilityPromise promise_;
  const DurabilityOptions& options_;
  DurabilityResult& result_;
  ListState state_;
  std::set<size_t> reported_lost_;
  std::set<size_t> reported_partial_;
};

}  // namespace

DurabilityResult check_durability(const history::History& history, const DurabilityOptions& options) {
  DurabilityResult result;
  result.promise = options.promise.value_or(durability_promise_of(history).value_or(DurabilityPromise::kAcked));
  const DurabilityIndex index = internal::build_durability_index(history);
  result.crashes = index.crashes.size();
  for (const std::string& note : index.notes) result.verdict.notes.push_back(note);
  if (!index.crashes.empty()) {
    ListChecker(index, result.promise, options, result).run();
    internal::check_register_durability(index, result.promise, options, result);
  }
  if (!index.duplicate_keys.empty() && result.verdict.validity == Validity::kValid) {
    result.verdict.unknown("durability: duplicate written values; some keys were not judged");
  }
  return result;
}

}  // namespace fl::checkers
