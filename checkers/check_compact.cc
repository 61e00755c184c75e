// checkers/check_compact.cc: [check.5] of check.h.
#include <string>

#include "checkers/check.h"
#include "checkers/list_append.h"

namespace fl::checkers {
namespace {

// [check.1] on flat arrays; "" when only a History can tell (bank, or none).
std::string detect_compact_workload(const history::CompactHistory& history) {
  if (const history::Value* value = history.meta.get("workload")) {
    if (value->kind() == history::Value::Kind::kKeyword || value->kind() == history::Value::Kind::kString) {
      for (std::string_view name : kWorkloadNames) {
        if (value->text() == name) return std::string(name);
      }
    }
  }
  for (const history::CompactOp& op : history.ops()) {
    if (op.is_txn) continue;
    if (!history.is_nemesis(op)) return "";  // maybe bank: judged on the History
  }
  for (const history::CompactMop& mop : history.all_mops()) {
    if (mop.kind == history::MicroKind::kAppend) return "list-append";
    if (mop.kind == history::MicroKind::kWrite) return "rw-register";
  }
  return "";
}

bool has_crashes(const history::CompactHistory& history) {
  for (const history::CompactOp& op : history.ops()) {
    if (op.f != history::CompactOp::kNone && is_crash_boundary(history.name(op.f), history.is_nemesis(op))) return true;
  }
  return false;
}

}  // namespace

CheckResult check_history(const history::CompactHistory& history, const CheckOptions& options) {
  std::string workload = options.workload.value_or(detect_compact_workload(history));
  if (workload != "list-append" || has_crashes(history)) return check_history(history.to_history(), options);
  CheckResult result;
  result.workload = workload;
  result.promise = options.durability.value_or(durability_promise_of(history.meta).value_or(DurabilityPromise::kAcked));
  result.verdict = check_list_append(history, {.consistency_models = options.models});
  return result;
}

}  // namespace fl::checkers
