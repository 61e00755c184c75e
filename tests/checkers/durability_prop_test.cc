// No false positives (checkers/durability.h): serial list-append executions
// against a model engine that keeps a prefix of its commit order at every
// crash are valid, under `acked` when the prefix holds every acknowledged
// transaction, and under `none` for any prefix.
//
// Method: a model keeps the commit log (each committed transaction's
// appends) and the lists it implies. A transaction runs atomically against
// the lists; it ends :ok (committed) or :info (committed or not, drawn). A
// crash keeps a prefix of the log: under `acked` one that holds every :ok
// transaction, under `none` any prefix. Final reads see every key.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <vector>

#include "checkers/durability.h"
#include "tests/checkers/crash_history.h"

namespace fl::checkers {
namespace {

using testing::CrashHistory;

struct Model {
  std::vector<std::vector<std::pair<int64_t, int64_t>>> log;  // committed appends, in commit order
  std::vector<bool> acked;                                   // per log entry
  std::map<int64_t, int64_t> next_value;

  std::map<int64_t, std::vector<int64_t>> lists(size_t prefix) const {
    std::map<int64_t, std::vector<int64_t>> state;
    for (size_t i = 0; i < prefix; ++i) {
      for (const auto& [key, value] : log[i]) state[key].push_back(value);
    }
    return state;
  }
};

history::History generate(bool promise_acked) {
  constexpr int64_t kKeys = 3;
  Model model;
  CrashHistory h;
  h.durability(promise_acked ? "acked" : "none");
  size_t prefix = 0;  // committed and not lost: model.log.size() after a crash truncation
  int64_t process = 0;
  const int steps = *rc::gen::inRange(1, 40);
  for (int step = 0; step < steps; ++step) {
    if (*rc::gen::inRange(0, 8) == 0) {
      size_t keep_min = 0;
      if (promise_acked) {
        for (size_t i = 0; i < model.log.size(); ++i) {
          if (model.acked[i]) keep_min = i + 1;
        }
      }
      prefix = *rc::gen::inRange(keep_min, model.log.size() + 1);
      model.log.resize(prefix);
      model.acked.resize(prefix);
      h.crash(*rc::gen::element<std::string>("power", "process"));
      ++process;  // a crashed process never completes another operation
      continue;
    }
    std::map<int64_t, std::vector<int64_t>> state = model.lists(model.log.size());
    history::Txn txn;
    std::vector<std::pair<int64_t, int64_t>> appends;
    const int micro_ops = *rc::gen::inRange(1, 4);
    for (int m = 0; m < micro_ops; ++m) {
      const int64_t key = *rc::gen::inRange<int64_t>(0, kKeys);
      if (*rc::gen::arbitrary<bool>()) {
        const int64_t value = ++model.next_value[key];
        appends.emplace_back(key, value);
        state[key].push_back(value);
        txn.push_back(testing::append(key, value));
      } else {
        txn.push_back(testing::read_list(key, state[key]));
      }
    }
    const bool ok = *rc::gen::inRange(0, 4) != 0;
    const bool committed = ok || *rc::gen::arbitrary<bool>();
    if (committed) {
      model.log.push_back(appends);
      model.acked.push_back(ok);
    }
    if (ok) {
      h.ok(process, txn);
    } else {
      h.info(process, txn);
      ++process;
    }
  }
  history::Txn final_read;
  std::map<int64_t, std::vector<int64_t>> state = model.lists(model.log.size());
  for (int64_t key = 0; key < kKeys; ++key) final_read.push_back(testing::read_list(key, state[key]));
  h.ok(process + 1, final_read);
  return h.history();
}

RC_GTEST_PROP(DurabilityProp, PrefixKeepingEngineUnderAckedIsValid, ()) {
  const history::History history = generate(true);
  const DurabilityResult result = check_durability(history);
  RC_ASSERT(result.verdict.validity == Validity::kValid);
  RC_ASSERT(result.lost_transactions.empty());
}

RC_GTEST_PROP(DurabilityProp, AnyPrefixUnderNoneIsValid, ()) {
  const history::History history = generate(false);
  // Process crashes keep acknowledged writes even under `none` ([dur.2]);
  // the model drops any prefix, so judge with that rule off.
  const DurabilityResult result = check_durability(history, {.promise = std::nullopt, .process_crash_acked = false});
  RC_ASSERT(result.verdict.validity == Validity::kValid);
}

}  // namespace
}  // namespace fl::checkers
