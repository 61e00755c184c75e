// rw-register: one small history per anomaly type the checker reports that
// must yield exactly that anomaly and the models it rules out, and a valid
// counterpart ([rw.1]..[rw.6]). Expected types are what Elle (elle-check
// --workload rw-register) reports for the same EDN (rw_register_elle_test.cc
// runs them through Elle), except garbage-read and the :info writer that
// takes part in a cycle (ours, docs/anomalies.md).
#include "checkers/rw_register.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "checkers/check.h"
#include "tests/checkers/crash_history.h"
#include "tests/checkers/rw_register_gen.h"

namespace fl::checkers {
namespace {

using rw_testing::check;
using rw_testing::edn;
using rw_testing::types;
using Set = std::set<std::string>;

bool violates(const Verdict& v, const std::string& model) { return v.violated_models.count(model) > 0; }

bool has_note(const Verdict& v, const std::string& prefix) {
  return std::any_of(v.notes.begin(), v.notes.end(), [&](const std::string& n) { return n.rfind(prefix, 0) == 0; });
}

RwRegisterOptions with(std::vector<std::string> models, bool wfr, bool sequential, bool linearizable) {
  RwRegisterOptions o;
  o.consistency_models = std::move(models);
  o.wfr_keys = wfr;
  o.sequential_keys = sequential;
  o.linearizable_keys = linearizable;
  return o;
}

TEST(RwRegister, SerialHistoryIsValid) {
  Verdict v = check(edn({{0, "ok", "[[:w 1 1] [:r 1 1]]"},
                         {1, "ok", "[[:r 1 1] [:w 1 2]]"},
                         {0, "ok", "[[:r 1 2] [:w 2 3]]"},
                         {1, "ok", "[[:r 2 3] [:r 1 2]]"}}));
  EXPECT_EQ(v.validity, Validity::kValid);
  EXPECT_TRUE(v.anomalies.empty());
  EXPECT_TRUE(v.violated_models.empty());
  EXPECT_NE(std::find(v.possible_models.begin(), v.possible_models.end(), "strict-serializable"),
            v.possible_models.end());
}

TEST(RwRegister, LoneTransactionIsUnknownAsInElle) {  // [rw.6]
  Verdict v = check(edn({{0, "ok", "[[:w 1 1]]"}}));
  EXPECT_EQ(v.validity, Validity::kUnknown);
  EXPECT_TRUE(has_note(v, "empty-transaction-graph"));
}

TEST(RwRegister, DuplicateWritesAreUnknown) {  // [rw.2]
  Verdict v = check(edn({{0, "ok", "[[:w 1 1]]"}, {1, "fail", "[[:w 1 1]]"}, {0, "ok", "[[:r 1 1]]"}}));
  EXPECT_EQ(v.validity, Validity::kUnknown);
  EXPECT_TRUE(v.anomalies.empty());
  ASSERT_FALSE(v.notes.empty());
  EXPECT_NE(v.notes[0].find("duplicate-writes: value 1 written to key 1"), std::string::npos) << v.notes[0];
}

TEST(RwRegister, ListMicroOpsAreUnknown) {  // [rw.2]
  EXPECT_EQ(check(edn({{0, "ok", "[[:append 1 1]]"}, {1, "ok", "[[:w 1 2]]"}})).validity, Validity::kUnknown);
  Verdict v = check(edn({{0, "ok", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 [1]]]"}}));
  EXPECT_EQ(v.validity, Validity::kUnknown);
  ASSERT_FALSE(v.notes.empty());
  EXPECT_NE(v.notes[0].find("unexpected-txn-micro-op-types"), std::string::npos) << v.notes[0];
}

TEST(RwRegister, UnknownModelIsUnknown) {
  EXPECT_EQ(check(edn({{0, "ok", "[[:w 1 1]]"}}), {"serialisable"}).validity, Validity::kUnknown);
}

TEST(RwRegister, G1aAbortedRead) {  // [rw.4]
  Verdict v = check(edn({{0, "fail", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 1]]"}, {1, "ok", "[[:w 2 1]]"}}));
  EXPECT_EQ(types(v), (Set{"G1a"}));
  EXPECT_EQ(v.validity, Validity::kInvalid);
  EXPECT_TRUE(violates(v, "read-committed"));
  EXPECT_FALSE(violates(v, "read-uncommitted"));
  EXPECT_EQ(v.anomalies.at("G1a").front().op_indices, (std::vector<int64_t>{3, 1}));
}

TEST(RwRegister, InfoWriterIsNeverG1a) {  // [rw.4]
  Verdict v = check(edn({{0, "info", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 1]]"}}));
  EXPECT_EQ(types(v), Set{});
  EXPECT_EQ(v.validity, Validity::kValid);
}

TEST(RwRegister, G1bIntermediateRead) {  // [rw.4]
  Verdict v = check(edn({{0, "ok", "[[:w 1 1] [:w 1 2]]"}, {1, "ok", "[[:r 1 1]]"}}, "i0 i1 c1 c0"));
  EXPECT_EQ(types(v), (Set{"G1b"}));
  EXPECT_EQ(v.validity, Validity::kInvalid);
  EXPECT_TRUE(violates(v, "read-committed"));
  EXPECT_FALSE(violates(v, "read-uncommitted"));
}

TEST(RwRegister, ReadingItsOwnIntermediateWriteIsNotG1b) {
  Verdict v = check(edn({{0, "ok", "[[:w 1 1] [:r 1 1] [:w 1 2]]"}, {1, "ok", "[[:r 1 2]]"}}));
  EXPECT_EQ(types(v), Set{});
  EXPECT_EQ(v.validity, Validity::kValid);
}

TEST(RwRegister, G1cCircularInformationFlow) {  // [rw.5]
  Verdict v = check(edn({{0, "ok", "[[:w 1 1] [:r 2 1]]"}, {1, "ok", "[[:w 2 1] [:r 1 1]]"}}, "i0 i1 c0 c1"));
  EXPECT_EQ(types(v), (Set{"G1c"}));
  EXPECT_TRUE(violates(v, "read-committed"));
  EXPECT_FALSE(violates(v, "read-uncommitted"));
  const Anomaly& a = v.anomalies.at("G1c").front();
  EXPECT_NE(a.explanation.find("T1 set key 1 to 1, and T2 read that value"), std::string::npos) << a.explanation;
  EXPECT_NE(a.explanation.find("a contradiction"), std::string::npos) << a.explanation;
  EXPECT_NE(a.dot.find("digraph \"G1c\""), std::string::npos) << a.dot;
}

TEST(RwRegister, GSingleReadSkew) {  // [rw.3] initial state, [rw.5]
  Verdict v = check(edn({{0, "ok", "[[:w 1 1] [:w 2 1]]"}, {1, "ok", "[[:r 1 nil] [:r 2 1]]"}}, "i0 i1 c0 c1"));
  EXPECT_EQ(types(v), (Set{"G-single-item"}));
  EXPECT_TRUE(violates(v, "snapshot-isolation"));
  EXPECT_TRUE(violates(v, "repeatable-read"));
  EXPECT_FALSE(violates(v, "read-committed"));
  const std::string& text = v.anomalies.at("G-single-item").front().explanation;
  EXPECT_NE(text.find("read key 1 = nil"), std::string::npos) << text;
  EXPECT_NE(text.find("nil, the initial state, precedes every written value"), std::string::npos) << text;
  EXPECT_NE(text.find("(rw)"), std::string::npos) << text;
}

TEST(RwRegister, GNonadjacentItem) {
  Verdict v = check(edn({{0, "ok", "[[:r 1 nil] [:r 4 1]]"},
                         {1, "ok", "[[:w 1 1] [:w 2 1]]"},
                         {2, "ok", "[[:r 2 1] [:r 3 nil]]"},
                         {3, "ok", "[[:w 3 1] [:w 4 1]]"}},
                        "i0 i1 i2 i3 c0 c1 c2 c3"));
  EXPECT_EQ(types(v), (Set{"G-nonadjacent-item"}));
  EXPECT_TRUE(violates(v, "serializable"));
  EXPECT_TRUE(violates(v, "snapshot-isolation"));
  EXPECT_TRUE(violates(v, "repeatable-read"));  // G-nonadjacent-item implies G2-item
  EXPECT_FALSE(violates(v, "read-committed"));
}

TEST(RwRegister, G2ItemWriteSkew) {
  Verdict v = check(edn({{0, "ok", "[[:r 1 nil] [:w 2 1]]"}, {1, "ok", "[[:r 2 nil] [:w 1 1]]"}}, "i0 i1 c0 c1"));
  EXPECT_EQ(types(v), (Set{"G2-item"}));
  EXPECT_TRUE(violates(v, "serializable"));
  EXPECT_FALSE(violates(v, "snapshot-isolation"));
}

TEST(RwRegister, G2ItemIsAllowedUnderSnapshotIsolation) {  // [rw.6]
  Verdict v = check(edn({{0, "ok", "[[:r 1 nil] [:w 2 1]]"}, {1, "ok", "[[:r 2 nil] [:w 1 1]]"}}, "i0 i1 c0 c1"),
                    {"snapshot-isolation"});
  EXPECT_EQ(v.validity, Validity::kValid);
  EXPECT_TRUE(v.anomalies.empty());
  EXPECT_TRUE(violates(v, "serializable"));  // still reported as a fact
  EXPECT_TRUE(has_note(v, "found but allowed by the requested models: G2-item"));
}

// A ww cycle needs a version order between two written values, which only
// the opt-in inferences give: here sequential-keys (process 2 saw key 1
// go 1 -> 2 and key 2 go 2 -> 1).
TEST(RwRegister, G0WriteCycleUnderSequentialKeys) {  // [rw.3]
  const std::string h = edn({{0, "ok", "[[:w 1 1] [:w 2 1]]"},
                             {1, "ok", "[[:w 1 2] [:w 2 2]]"},
                             {2, "ok", "[[:r 1 1] [:r 2 2]]"},
                             {2, "ok", "[[:r 1 2] [:r 2 1]]"}},
                            "i0 i1 c0 c1 i2 c2 i3 c3");
  Verdict v = check(h, with({"serializable"}, false, true, false));
  EXPECT_EQ(types(v), (Set{"G0", "G-single-item"}));
  EXPECT_TRUE(violates(v, "read-uncommitted"));
  const std::string& text = v.anomalies.at("G0").front().explanation;
  EXPECT_NE(text.find("(sequential-keys)"), std::string::npos) << text;
  EXPECT_NE(text.find("(ww)"), std::string::npos) << text;
  // Without the inference only wr edges remain: nothing to see.
  EXPECT_EQ(check(h, {"serializable"}).validity, Validity::kValid);
}

// [rw.5] kWrFirst: when two transactions are related by both ww and wr,
// Elle's rw-register explains the pair as wr, so a cycle of such pairs is
// G1c, and read-uncommitted is ruled out by PL-1-cycle-exists.
TEST(RwRegister, WwAlongsideWrCountsAsWr) {
  Verdict v =
      check(edn({{0, "ok", "[[:r 2 4] [:w 1 1] [:w 2 2]]"}, {1, "ok", "[[:r 1 1] [:w 1 3] [:w 2 4]]"}}, "i0 i1 c0 c1"),
            with({"strict-serializable"}, true, false, false));
  EXPECT_EQ(types(v), (Set{"G1c", "PL-1-cycle-exists"}));
  EXPECT_TRUE(violates(v, "read-uncommitted"));
}

TEST(RwRegister, GSingleRealtimeStaleRead) {  // [rw.5], [iso.2]
  const std::string h = edn({{0, "ok", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 nil]]"}, {2, "ok", "[[:r 1 1]]"}});
  Verdict v = check(h);
  EXPECT_EQ(types(v), (Set{"G-single-item-realtime"}));
  EXPECT_TRUE(violates(v, "strict-serializable"));
  EXPECT_FALSE(violates(v, "serializable"));
  const std::string& text = v.anomalies.at("G-single-item-realtime").front().explanation;
  EXPECT_NE(text.find("(realtime)"), std::string::npos) << text;
  EXPECT_EQ(check(h, {"serializable"}).validity, Validity::kValid);
}

TEST(RwRegister, SessionModelsUseProcessEdges) {  // [iso.3]
  Verdict v = check(edn({{0, "ok", "[[:w 1 1]]"}, {0, "ok", "[[:r 1 nil]]"}, {1, "ok", "[[:r 1 1]]"}}),
                    {"strong-session-serializable"});
  EXPECT_EQ(types(v), (Set{"G-single-item-process"}));
  EXPECT_TRUE(violates(v, "strong-session-serializable"));
  EXPECT_FALSE(violates(v, "serializable"));
}

TEST(RwRegister, InfoTransactionTakesRealtimeEdgesInNeverOut) {  // [iso.2]
  Verdict v = check(edn({{0, "info", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 nil]]"}, {2, "ok", "[[:r 1 1]]"}}));
  EXPECT_EQ(v.validity, Validity::kValid) << (v.anomalies.empty() ? "" : v.anomalies.begin()->first);
}

// Ours ([rw.5]): an :info transaction whose write was read committed, so its
// other writes count too. Elle indexes only :ok transactions and finds
// nothing here.
TEST(RwRegister, InfoWriterWhoseWriteWasReadTakesPartInCycles) {
  Verdict v = check(edn({{0, "info", "[[:w 1 1] [:w 2 1]]"}, {1, "ok", "[[:r 1 1] [:r 2 nil]]"}}, "i0 i1 c0 c1"));
  EXPECT_EQ(types(v), (Set{"G-single-item"}));
}

TEST(RwRegister, InternalInconsistency) {  // [rw.4]
  Verdict v = check(edn({{0, "ok", "[[:w 1 1] [:r 1 nil]]"}, {1, "ok", "[[:r 1 1]]"}}));
  EXPECT_EQ(types(v), (Set{"internal"}));
  EXPECT_TRUE(violates(v, "serializable"));
  EXPECT_FALSE(violates(v, "read-committed"));
  const std::string& text = v.anomalies.at("internal").front().explanation;
  EXPECT_NE(text.find("read key 1 = nil, but its own earlier reads and writes say 1 = 1"), std::string::npos) << text;
}

TEST(RwRegister, NonRepeatableReadIsInternal) {
  Verdict v = check(edn({{0, "ok", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 nil] [:r 1 1]]"}}, "i0 i1 c0 c1"));
  EXPECT_TRUE(types(v).count("internal")) << v.anomalies.size();
}

TEST(RwRegister, GarbageRead) {  // [rw.4], ours
  Verdict v = check(edn({{0, "ok", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 99]]"}}));
  EXPECT_EQ(types(v), (Set{"garbage-read"}));
  EXPECT_TRUE(violates(v, "read-uncommitted"));
  EXPECT_NE(v.anomalies.at("garbage-read").front().explanation.find("= 99, a value no operation wrote"),
            std::string::npos);
}

TEST(RwRegister, LostUpdate) {  // [rw.4]
  Verdict v = check(edn({{0, "ok", "[[:r 1 nil] [:w 1 1]]"}, {1, "ok", "[[:r 1 nil] [:w 1 2]]"}}, "i0 i1 c0 c1"));
  EXPECT_EQ(types(v), (Set{"lost-update", "G2-item"}));
  EXPECT_TRUE(violates(v, "repeatable-read"));
  EXPECT_TRUE(violates(v, "cursor-stability"));
  EXPECT_FALSE(violates(v, "read-committed"));
  EXPECT_EQ(v.anomalies.at("lost-update").front().op_indices, (std::vector<int64_t>{2, 3}));
}

TEST(RwRegister, CyclicVersionsUnderWfrKeys) {  // [rw.3]
  const std::string h = edn({{0, "ok", "[[:r 1 2] [:w 1 1]]"}, {1, "ok", "[[:r 1 1] [:w 1 2]]"}}, "i0 i1 c0 c1");
  Verdict v = check(h, with({"strict-serializable"}, true, false, false));
  EXPECT_EQ(types(v), (Set{"cyclic-versions", "G1c"}));
  EXPECT_TRUE(violates(v, "read-uncommitted"));
  const std::string& text = v.anomalies.at("cyclic-versions").front().explanation;
  EXPECT_NE(text.find("key 1"), std::string::npos) << text;
  EXPECT_NE(text.find("wfr-keys inference is not used"), std::string::npos) << text;
  // Elle's default infers no order between written values: no cycle there.
  EXPECT_EQ(types(check(h)), (Set{"G1c"}));
}

TEST(RwRegister, CyclicVersionsUnderLinearizableKeys) {  // [rw.3]
  const std::string h = edn({{0, "ok", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 nil]]"}});
  Verdict v = check(h, with({"strict-serializable"}, false, false, true));
  EXPECT_EQ(types(v), (Set{"cyclic-versions", "G-single-item-realtime"}));
  EXPECT_NE(v.anomalies.at("cyclic-versions").front().explanation.find("1 < nil (linearizable-keys)"),
            std::string::npos)
      << v.anomalies.at("cyclic-versions").front().explanation;
  // The same inference, with no budget, is skipped and says so.
  RwRegisterOptions starved = with({"strict-serializable"}, false, false, true);
  starved.version_inference_steps_max = 1;
  Verdict w = check(h, starved);
  EXPECT_EQ(types(w), (Set{"G-single-item-realtime"}));
  EXPECT_TRUE(has_note(w, "version-inference-truncated"));
}

TEST(RwRegister, SequentialKeysOrderVersionsAlongAProcess) {  // [rw.3]
  // Process 0 wrote 1 then 2 to key 1; process 1 read 2, then 1: with
  // sequential keys, 1 < 2 and 2 < 1.
  const std::string h =
      edn({{0, "ok", "[[:w 1 1]]"}, {0, "ok", "[[:w 1 2]]"}, {1, "ok", "[[:r 1 2]]"}, {1, "ok", "[[:r 1 1]]"}},
          "i0 c0 i1 c1 i2 c2 i3 c3");
  EXPECT_TRUE(types(check(h, with({"serializable"}, false, true, false))).count("cyclic-versions"));
  EXPECT_EQ(check(h, {"serializable"}).validity, Validity::kValid);
}

TEST(RwRegister, UncompletedInvocationMayHaveCommitted) {  // [rw.1]
  Verdict v = check(edn({{0, "", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 1]]"}, {1, "ok", "[[:w 2 1]]"}}));
  EXPECT_EQ(types(v), Set{});
  EXPECT_EQ(v.validity, Validity::kValid);
}

TEST(RwRegister, NemesisOperationsAreIgnored) {  // [rw.1]
  std::string text = edn({{0, "ok", "[[:w 1 1]]"}, {1, "ok", "[[:r 1 1]]"}});
  text += "{:index 9, :time 90, :type :info, :process :nemesis, :f :crash, :value {:kind :power}}\n";
  EXPECT_EQ(check(text).validity, Validity::kValid);
}

TEST(RwRegister, ExhaustedBudgetStillGivesACycleAndSaysSo) {  // [graph.4]
  RwRegisterOptions options;
  options.cycle_search_steps_max = 1;
  Verdict v =
      check(edn({{0, "ok", "[[:r 1 nil] [:w 2 1]]"}, {1, "ok", "[[:r 2 nil] [:w 1 1]]"}}, "i0 i1 c0 c1"), options);
  EXPECT_EQ(v.validity, Validity::kInvalid);
  EXPECT_FALSE(v.anomalies.empty());
  EXPECT_TRUE(has_note(v, "cycle-search-truncated"));
}

// No false positives: a correct store (each transaction atomic at its
// completion, failed ones without effect, :info ones either way) is strict
// serializable, whatever the interleaving, and satisfies every inference.
TEST(RwRegister, CorrectStoreHistoriesAreValid) {
  rw_testing::GenOptions o;
  o.txn_count = 30;
  o.stale_read = Ratio{0, 1};
  o.dirty_fail = Ratio{0, 1};
  o.fail = Ratio{1, 10};
  o.info = Ratio{1, 10};
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    std::string text = rw_testing::random_history(seed, o);
    Verdict v = check(text, with({"strict-serializable"}, true, true, true));
    ASSERT_NE(v.validity, Validity::kInvalid)
        << "seed " << seed << ": " << (v.anomalies.empty() ? "" : v.anomalies.begin()->second[0].explanation) << "\n"
        << text;
  }
}

// Stale reads of the initial state after a write completed are caught by
// Elle's default inference (nil precedes every value) with realtime edges.
TEST(RwRegister, PlantedStaleNilReadsAreCaught) {
  int caught = 0;
  int planted = 0;
  rw_testing::GenOptions o;
  o.txn_count = 30;
  o.stale_read = Ratio{1, 3};
  o.fail = Ratio{0, 1};
  o.info = Ratio{0, 1};
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    std::string text = rw_testing::random_history(seed, o);
    if (text.find(":type :ok") == std::string::npos) continue;
    Verdict v = check(text);
    planted += 1;
    caught += v.validity == Validity::kInvalid ? 1 : 0;
  }
  // Not every stale read is visible to the default inference (a stale
  // non-nil read needs an order between written values), but most are.
  EXPECT_GT(caught, planted / 2) << caught << " of " << planted;
}

// [check.2], [check.4]: `faultline check` judges rw-register isolation per
// crash epoch; a lost acknowledged write is a lost-write, never an
// isolation anomaly, and a read of a value recovered from before the crash
// is the epoch's initial state, not garbage.
TEST(RwRegisterCheck, CheckHistoryJudgesIsolationPerCrashEpoch) {
  using testing::CrashHistory;
  using testing::read_nil;
  using testing::read_reg;
  using testing::write;
  {
    CrashHistory h;
    h.ok(0, {write(1, 1)});
    h.ok(1, {read_reg(1, 1)});
    h.crash();
    h.ok(2, {read_reg(1, 1), write(1, 2)});
    h.ok(3, {read_reg(1, 2)});
    CheckResult r = check_history(h.history(), {});
    EXPECT_EQ(r.workload, "rw-register");
    EXPECT_EQ(r.verdict.validity, Validity::kValid)
        << (r.verdict.anomalies.empty() ? "" : r.verdict.anomalies.begin()->first);
  }
  {
    CrashHistory h;
    h.ok(0, {write(1, 1)});
    h.crash();
    h.ok(1, {read_nil(1)});
    CheckResult r = check_history(h.history(), {});
    EXPECT_EQ(r.verdict.validity, Validity::kInvalid);
    EXPECT_EQ(types(r.verdict), (Set{"lost-write"}));
  }
  {
    // Without crashes an isolation anomaly is an anomaly of the whole history.
    CrashHistory h;
    h.ok(0, {write(1, 1)});
    h.ok(1, {read_nil(1)});
    h.ok(2, {read_reg(1, 1)});
    CheckResult r = check_history(h.history(), {});
    EXPECT_EQ(types(r.verdict), (Set{"G-single-item-realtime"}));
  }
}

}  // namespace
}  // namespace fl::checkers
