// checkers/check.cc: [check.1]..[check.4] of check.h.
#include "checkers/check.h"

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/assert.h"
#include "checkers/bank.h"
#include "checkers/rw_register.h"
#if FL_HAVE_LIST_APPEND_CHECKER
#include "checkers/list_append.h"
#endif

namespace fl::checkers {

std::string detect_workload(const history::History& history) {
  if (const history::Value* value = history.meta.get("workload")) {
    if (value->kind() == history::Value::Kind::kKeyword || value->kind() == history::Value::Kind::kString) {
      for (std::string_view name : kWorkloadNames) {
        if (value->text() == name) return std::string(name);
      }
    }
  }
  if (is_bank_history(history)) return "bank";
  for (const history::Op& op : history.ops) {
    const history::Txn* txn = op.txn();
    if (txn == nullptr) continue;
    for (const history::MicroOp& micro : *txn) {
      if (micro.kind == history::MicroKind::kAppend) return "list-append";
      if (micro.kind == history::MicroKind::kWrite) return "rw-register";
    }
  }
  return "";
}

namespace {

// [check.4] The isolation view of each crash epoch: the client operations
// invoked in it (with their completions, under their original :index), and
// what reads saw of the state recovered from before the epoch began (judged
// by durability) taken out: a list read loses its leading elements appended
// before the epoch; a register read of a value written before it reads nil,
// the epoch's initial state.
std::vector<history::History> epoch_views(const history::History& history) {
  const std::vector<CrashEpoch> crashes = crash_epochs(history);
  std::vector<history::History> views(crashes.size() + 1);
  for (history::History& view : views) view.meta = history.meta;
  std::map<std::pair<int64_t, std::string>, size_t> pending;  // process -> epoch of its invoke
  std::map<std::pair<int64_t, int64_t>, size_t> writer_epoch;  // (key, value) appended or written -> epoch
  size_t epoch = 0;
  for (size_t pos = 0; pos < history.ops.size(); ++pos) {
    while (epoch < crashes.size() && crashes[epoch].position <= pos) ++epoch;
    const history::Op& op = history.ops[pos];
    if (!op.process.present() || op.process.is_nemesis()) continue;
    const auto process = op.process.id() ? std::make_pair(*op.process.id(), std::string())
                                         : std::make_pair(int64_t{0}, op.process.name());
    size_t op_epoch = epoch;
    if (op.type == history::OpType::kInvoke) {
      pending[process] = epoch;
      if (const history::Txn* txn = op.txn()) {
        for (const history::MicroOp& micro : *txn) {
          const int64_t* value = std::get_if<int64_t>(&micro.value);
          bool write = micro.kind == history::MicroKind::kAppend || micro.kind == history::MicroKind::kWrite;
          if (write && value) writer_epoch.try_emplace({micro.key, *value}, epoch);
        }
      }
    } else if (auto it = pending.find(process); it != pending.end()) {
      op_epoch = it->second;
      pending.erase(it);
    }
    history::Op copy = op;
    if (auto* txn = std::get_if<history::Txn>(&copy.value); txn != nullptr && op_epoch > 0) {
      for (history::MicroOp& micro : *txn) {
        if (micro.kind != history::MicroKind::kRead) continue;
        if (const int64_t* value = std::get_if<int64_t>(&micro.value)) {  // a register
          auto writer = writer_epoch.find({micro.key, *value});
          if (writer != writer_epoch.end() && writer->second < op_epoch) micro.value = std::monostate{};
          continue;
        }
        auto* list = std::get_if<std::vector<int64_t>>(&micro.value);
        if (list == nullptr) continue;
        size_t keep = 0;
        while (keep < list->size()) {
          auto writer = writer_epoch.find({micro.key, (*list)[keep]});
          if (writer == writer_epoch.end() || writer->second >= op_epoch) break;
          ++keep;
        }
        list->erase(list->begin(), list->begin() + static_cast<ptrdiff_t>(keep));
        if (list->empty()) micro.value = std::monostate{};
      }
    }
    views[op_epoch].ops.push_back(std::move(copy));
  }
  return views;
}

bool only_empty_graph(const Verdict& verdict) {
  if (verdict.validity != Validity::kUnknown || !verdict.anomaly_counts.empty()) return false;
  for (const std::string& note : verdict.notes) {
    if (note.rfind("empty-transaction-graph", 0) == 0) return true;
  }
  return false;
}

// Isolation, one crash epoch at a time ([check.4]), by `isolation`.
Verdict isolation_by_epoch(const history::History& history,
                           const std::function<Verdict(const history::History&)>& isolation) {
  if (crash_epochs(history).empty()) return isolation(history);
  Verdict merged;
  bool judged = false;
  std::vector<history::History> views = epoch_views(history);
  for (size_t epoch = 0; epoch < views.size(); ++epoch) {
    Verdict verdict = isolation(views[epoch]);
    if (only_empty_graph(verdict)) {
      merged.notes.push_back("isolation: epoch " + std::to_string(epoch) + " relates no two transactions");
      continue;
    }
    judged = true;
    for (std::string& note : verdict.notes) note = "epoch " + std::to_string(epoch) + ": " + note;
    merge(merged, std::move(verdict));
  }
  if (!judged) merged.unknown("isolation: no crash epoch relates two transactions; nothing to judge");
  return merged;
}

// list-append isolation ([check.2]).
Verdict list_append_isolation(const history::History& history, const CheckOptions& options) {
#if FL_HAVE_LIST_APPEND_CHECKER
  const ListAppendOptions isolation{.consistency_models = options.models};
  return isolation_by_epoch(history, [&](const history::History& h) { return check_list_append(h, isolation); });
#else
  (void)history;
  (void)options;
  // TODO(isolation): checkers/list_append.cc has not landed in this tree.
  Verdict verdict;
  verdict.unknown("list-append: the isolation checker is not available; only durability was judged");
  return verdict;
#endif
}

Verdict durability_part(const history::History& history, const CheckOptions& options, CheckResult& result) {
  DurabilityResult durability = check_durability(history, {.promise = options.durability});
  result.promise = durability.promise;
  result.crashes = durability.crashes;
  if (!durability.lost_transactions.empty()) {
    durability.verdict.notes.push_back(
        "durability: " + std::to_string(durability.lost_transactions.size()) +
        " transaction(s) acknowledged before a crash were lost; isolation anomalies involving them may be "
        "consequences of the loss");
  }
  return std::move(durability.verdict);
}

}  // namespace

CheckResult check_history(const history::History& history, const CheckOptions& options) {
  CheckResult result;
  result.workload = options.workload.value_or(detect_workload(history));
  if (result.workload == "list-append") {
    result.verdict = list_append_isolation(history, options);
    merge(result.verdict, durability_part(history, options, result));
  } else if (result.workload == "rw-register") {
    // Elle's default version-order inference only ([rw.3]).
    const RwRegisterOptions isolation{.consistency_models = options.models};
    result.verdict =
        isolation_by_epoch(history, [&](const history::History& h) { return check_rw_register(h, isolation); });
    merge(result.verdict, durability_part(history, options, result));
  } else if (result.workload == "bank") {
    Verdict durability = durability_part(history, options, result);
    result.verdict = check_bank(history, {.total = std::nullopt, .empty_state_allowed = result.promise == DurabilityPromise::kNone});
    merge(result.verdict, std::move(durability));
  } else {
    result.verdict.unknown("no workload recognised (list-append, rw-register or bank); nothing was judged");
  }
  FL_ASSERT(result.verdict.validity != Validity::kInvalid || !result.verdict.anomaly_counts.empty());
  return result;
}

}  // namespace fl::checkers
