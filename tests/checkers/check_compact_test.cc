// [check.5]: check_history on a CompactHistory gives the verdict
// check_history gives on the same History (the compact fast path for
// list-append without crashes, the conversion otherwise).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "checkers/check.h"
#include "history/compact.h"
#include "tests/checkers/gen.h"

namespace fl::checkers {
namespace {

void expect_same_verdict(const history::History& h, const CheckOptions& options) {
  Result<history::CompactHistory> compact = history::CompactHistory::from_history(h);
  RC_ASSERT(compact.ok());
  const CheckResult slow = check_history(h, options);
  const CheckResult fast = check_history(*compact, options);
  RC_ASSERT(fast.workload == slow.workload);
  RC_ASSERT(fast.promise == slow.promise);
  RC_ASSERT(fast.crashes == slow.crashes);
  RC_ASSERT(fast.verdict.validity == slow.verdict.validity);
  RC_ASSERT(fast.verdict.anomaly_counts == slow.verdict.anomaly_counts);
  RC_ASSERT(fast.verdict.violated_models == slow.verdict.violated_models);
  RC_ASSERT(fast.verdict.possible_models == slow.verdict.possible_models);
  RC_ASSERT(fast.verdict.notes == slow.verdict.notes);
}

RC_GTEST_PROP(CheckCompact, TinyHistoriesGetTheSameVerdict, ()) {
  const history::History h = testing::tiny_history(*rc::gen::arbitrary<bool>());
  const std::string model = *rc::gen::element<std::string>("serializable", "strict-serializable", "snapshot-isolation");
  CheckOptions options;
  options.models = {model};
  expect_same_verdict(h, options);
}

RC_GTEST_PROP(CheckCompact, SerialHistoriesGetTheSameVerdict, ()) {
  expect_same_verdict(testing::serial_history(), {});
}

}  // namespace
}  // namespace fl::checkers
