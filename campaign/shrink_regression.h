// campaign/shrink_regression.h: the GoogleTest regression test a shrink
// writes (shrink.h [shrink.7]; docs/campaign.md "faultline shrink").
//
// [regr.1] The source is self-contained apart from
//          tests/regressions/regression_util.h: it builds the shrunk
//          TrialConfig field by field (the plan override, when there is
//          one, as a JSON raw string), runs it, and asserts that it
//          fails with (at least) every member of its failure class
//          ([shrink.1]).
// [regr.2] With planted bugs that the shrink held to "passes with the bugs
//          off" ([shrink.2]), the test is TEST(PlantedBugRegression,
//          <Bugs>_<Workload>_Seed<N>) and also asserts that the same config
//          with the bugs off passes. Without bugs (a bug of the engine
//          itself) it is TEST(EngineRegression, <Workload>_Seed<N>) and
//          asserts the failure only, as it does for bugs whose bundle failed
//          with the bugs off too.
// [regr.3] The source is a pure function of the ShrinkResult's configs,
//          sizes and classes (no paths, no times), so regenerating an
//          unchanged regression gives the same bytes.
#pragma once

#include <string>

#include "campaign/shrink.h"

namespace fl::campaign {

struct RegressionTest {
  std::string suite;      // "PlantedBugRegression" or "EngineRegression"
  std::string name;       // "SkipFsync_ListAppend_Seed1"
  std::string file_name;  // "skip_fsync_list_append_seed1_test.cc"
  std::string source;
};

RegressionTest regression_test(const ShrinkResult& result);  // [regr.1]-[regr.3]

}  // namespace fl::campaign
