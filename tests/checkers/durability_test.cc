// Durability and atomicity across crashes (checkers/durability.h). Each test
// builds a small history in the simulator's shape and cites the clause it pins.
#include "checkers/durability.h"

#include <gtest/gtest.h>

#include "tests/checkers/crash_history.h"

namespace fl::checkers {
namespace {

using history::OpType;
using testing::append;
using testing::CrashHistory;
using testing::read_list;
using testing::read_nil;
using testing::read_reg;
using testing::write;

// A copy: callers pass temporaries.
Anomaly only(const Verdict& verdict, const std::string& type) {
  EXPECT_EQ(verdict.anomaly_counts.size(), 1u) << "expected only " << type;
  EXPECT_EQ(verdict.anomaly_counts.count(type), 1u) << "expected " << type;
  auto it = verdict.anomalies.find(type);
  return it == verdict.anomalies.end() || it->second.empty() ? Anomaly{} : it->second.front();
}

TEST(CrashEpochs, CrashPairsAndLoneRestartsEachEndOneEpoch) {
  CrashHistory h;
  h.ok(0, {append(1, 1)});
  h.crash("power");
  h.crash("process");
  h.add(OpType::kInfo, history::Process::nemesis(), "restart", history::Value());  // a lone completion
  const std::vector<CrashEpoch> crashes = crash_epochs(h.history());
  ASSERT_EQ(crashes.size(), 3u);
  EXPECT_EQ(crashes[0].epoch, 1u);
  EXPECT_FALSE(crashes[0].process_only);
  EXPECT_TRUE(crashes[1].process_only);
  EXPECT_TRUE(crashes[2].process_only);
  EXPECT_EQ(crashes[2].epoch, 3u);
}

TEST(Durability, HistoryWithoutCrashIsValid) {  // [dur.6]
  CrashHistory h;
  h.ok(0, {append(1, 1)});
  h.ok(1, {append(1, 2), read_list(1, {1, 2})});
  h.ok(0, {read_list(1, {1, 2})});
  const DurabilityResult result = check_durability(h.history());
  EXPECT_EQ(result.verdict.validity, Validity::kValid);
  EXPECT_EQ(result.crashes, 0u);
  EXPECT_TRUE(result.lost_transactions.empty());
}

TEST(Durability, SurvivingAcknowledgedWritesAreValid) {
  CrashHistory h;
  h.ok(0, {append(1, 1), append(2, 1)});
  h.ok(1, {append(1, 2)});
  h.crash();
  h.ok(2, {append(1, 3), read_list(1, {1, 2, 3})});
  h.ok(3, {read_list(1, {1, 2, 3}), read_list(2, {1})});
  EXPECT_EQ(check_durability(h.history()).verdict.validity, Validity::kValid);
}

TEST(Durability, LostAcknowledgedAppendIsLostWriteNamingEpochAndRead) {  // [dur.1]
  CrashHistory h;
  h.durability("acked");
  h.ok(0, {append(1, 1)});
  const int64_t lost = h.ok(1, {append(1, 2)});
  const int64_t crash = h.crash();
  const int64_t read = h.ok(2, {read_list(1, {1})});
  const DurabilityResult result = check_durability(h.history());
  EXPECT_EQ(result.verdict.validity, Validity::kInvalid);
  const Anomaly anomaly = only(result.verdict, "lost-write");
  ASSERT_GE(anomaly.op_indices.size(), 2u);
  EXPECT_EQ(anomaly.op_indices[0], lost);
  EXPECT_EQ(anomaly.op_indices[1], read);
  EXPECT_NE(anomaly.explanation.find("crash 1 (op " + std::to_string(crash) + ")"), std::string::npos)
      << anomaly.explanation;
  EXPECT_EQ(result.lost_transactions, std::set<int64_t>{lost});
}

TEST(Durability, LostWriteNamesTheLastReadToo) {  // [dur.1]
  CrashHistory h;
  const int64_t lost = h.ok(0, {append(1, 1)});
  h.crash();
  h.ok(1, {read_list(1, {})});
  const int64_t last = h.ok(2, {read_list(1, {})});
  const Anomaly anomaly = only(check_durability(h.history()).verdict, "lost-write");
  ASSERT_EQ(anomaly.op_indices.size(), 3u);
  EXPECT_EQ(anomaly.op_indices[0], lost);
  EXPECT_EQ(anomaly.op_indices[2], last);
}

TEST(Durability, LossAtASecondCrashNamesThatCrash) {  // [dur.1]
  CrashHistory h;
  h.ok(0, {append(1, 1)});
  h.crash();
  h.ok(1, {read_list(1, {1})});  // survived crash 1
  h.crash();
  h.ok(2, {read_list(1, {})});
  const Anomaly anomaly = only(check_durability(h.history()).verdict, "lost-write");
  EXPECT_NE(anomaly.explanation.find("lost at crash 2"), std::string::npos) << anomaly.explanation;
}

TEST(Durability, LostIndeterminateTransactionIsValid) {  // [dur.1]: only :ok must survive
  CrashHistory h;
  h.durability("acked");
  h.ok(0, {append(1, 1)});
  h.info(1, {append(1, 2), append(2, 1)});
  h.crash();
  h.ok(2, {read_list(1, {1}), read_list(2, {})});
  const DurabilityResult result = check_durability(h.history());
  EXPECT_EQ(result.verdict.validity, Validity::kValid);
  EXPECT_TRUE(result.lost_transactions.empty());
}

TEST(Durability, PromiseNoneAllowsLosingASuffix) {  // [dur.2]
  CrashHistory h;
  h.durability("none");
  h.ok(0, {append(1, 1)});
  const int64_t lost = h.ok(1, {append(1, 2)});
  h.crash();
  h.ok(2, {read_list(1, {1})});
  const DurabilityResult none = check_durability(h.history());
  EXPECT_EQ(none.verdict.validity, Validity::kValid);
  EXPECT_EQ(none.promise, DurabilityPromise::kNone);
  EXPECT_EQ(none.lost_transactions, std::set<int64_t>{lost});  // [dur.7]: lost, though allowed

  const DurabilityResult acked = check_durability(h.history(), {.promise = DurabilityPromise::kAcked});
  EXPECT_EQ(acked.verdict.validity, Validity::kInvalid);
  only(acked.verdict, "lost-write");
}

TEST(Durability, ProcessCrashRequiresAcknowledgedWritesEvenUnderNone) {  // [dur.2]
  CrashHistory h;
  h.durability("none");
  h.ok(0, {append(1, 1)});
  h.crash("process");
  h.ok(1, {read_list(1, {})});
  only(check_durability(h.history()).verdict, "lost-write");
  EXPECT_EQ(check_durability(h.history(), {.promise = std::nullopt, .process_crash_acked = false}).verdict.validity,
            Validity::kValid);
}

TEST(Durability, RestartAfterRefusedWritesMayLoseUnsyncedCommitsUnderNone) {  // [dur.2]
  CrashHistory h;
  h.durability("none");
  h.ok(0, {append(1, 1)});
  h.add(OpType::kInvoke, history::Process::nemesis(), "crash",
        history::Value::map({{history::Value::keyword("kind"), history::Value::keyword("process")}}));
  h.add(OpType::kInfo, history::Process::nemesis(), "crash",
        history::Value::map({{history::Value::keyword("kind"), history::Value::keyword("process")},
                             {history::Value::keyword("reason"),
                              history::Value::string("engine restarted after refusing writes")}}));
  h.ok(1, {read_list(1, {})});
  const std::vector<CrashEpoch> crashes = crash_epochs(h.history());
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_TRUE(crashes[0].after_write_failure);
  EXPECT_EQ(check_durability(h.history()).verdict.validity, Validity::kValid);
  only(check_durability(h.history(), {.promise = DurabilityPromise::kAcked}).verdict, "lost-write");
}

TEST(Durability, NonPrefixLossIsAtomicity) {  // [dur.3]
  CrashHistory h;
  h.durability("none");
  h.ok(0, {append(1, 1)});
  h.ok(1, {append(1, 2)});
  h.ok(2, {read_list(1, {1, 2})});
  h.crash();
  h.ok(3, {read_list(1, {2})});  // 1 lost, 2 (committed after it) kept
  const DurabilityResult result = check_durability(h.history());
  const Anomaly anomaly = only(result.verdict, "atomicity");
  EXPECT_NE(anomaly.explanation.find("not a prefix"), std::string::npos) << anomaly.explanation;
  // Under `acked` the loss of the acknowledged append is a lost-write as well.
  const DurabilityResult acked = check_durability(h.history(), {.promise = DurabilityPromise::kAcked});
  EXPECT_EQ(acked.verdict.anomaly_counts.at("atomicity"), 1u);
  EXPECT_EQ(acked.verdict.anomaly_counts.at("lost-write"), 1u);
}

TEST(Durability, TransactionSurvivingInPartIsAtomicity) {  // [dur.4]
  CrashHistory h;
  h.durability("none");
  const int64_t torn = h.info(0, {append(1, 1), append(2, 1)});
  h.crash();
  h.ok(1, {read_list(1, {1}), read_list(2, {})});
  const Anomaly anomaly = only(check_durability(h.history()).verdict, "atomicity");
  EXPECT_EQ(anomaly.op_indices.front(), torn);
}

TEST(Durability, SurvivorOfALostWriteItReadIsAtomicity) {  // [dur.4]
  CrashHistory h;
  h.durability("none");
  h.ok(0, {append(1, 1)});
  const int64_t survivor = h.ok(1, {read_list(1, {1}), append(2, 1)});
  h.crash();
  h.ok(2, {read_list(1, {}), read_list(2, {1})});
  const Anomaly anomaly = only(check_durability(h.history()).verdict, "atomicity");
  EXPECT_EQ(anomaly.op_indices.front(), survivor);
}

TEST(Durability, ReadsAfterPostCrashAppendsStillShowTheRecoveredPrefix) {  // [dur.3]
  CrashHistory h;
  h.ok(0, {append(1, 1)});
  h.info(1, {append(1, 2)});
  h.crash();
  h.ok(2, {append(1, 3)});
  h.ok(3, {read_list(1, {1, 3})});
  EXPECT_EQ(check_durability(h.history()).verdict.validity, Validity::kValid);
}

TEST(Durability, RegisterRecoveredNilAfterAcknowledgedWriteIsLostWrite) {  // [dur.5]
  CrashHistory h;
  const int64_t lost = h.ok(0, {write(1, 1)});
  h.crash();
  h.ok(1, {read_nil(1)});
  const Anomaly anomaly = only(check_durability(h.history()).verdict, "lost-write");
  EXPECT_EQ(anomaly.op_indices.front(), lost);
}

TEST(Durability, RegisterRecoveredToARealtimeEarlierWriterIsLostWrite) {  // [dur.5]
  CrashHistory h;
  h.ok(0, {write(1, 1)});
  const int64_t lost = h.ok(1, {write(1, 2)});
  h.crash();
  h.ok(2, {read_reg(1, 1)});
  const DurabilityResult result = check_durability(h.history());
  EXPECT_EQ(only(result.verdict, "lost-write").op_indices.front(), lost);
  EXPECT_EQ(result.lost_transactions, std::set<int64_t>{lost});
}

TEST(Durability, RegisterLossIsJudgedAgainstEveryCrashItMayHaveHappenedAt) {  // [dur.2], [dur.5]
  CrashHistory h;
  h.durability("none");
  h.ok(0, {write(1, 1)});
  const int64_t lost = h.ok(1, {write(1, 2)});
  h.crash("power");    // may drop the write under `none` ...
  h.crash("process");  // ... though this one may not
  h.ok(2, {read_reg(1, 1)});
  const DurabilityResult result = check_durability(h.history());
  EXPECT_EQ(result.verdict.validity, Validity::kValid);
  EXPECT_EQ(result.lost_transactions, std::set<int64_t>{lost});
}

TEST(Durability, RegisterConcurrentWritersMayRecoverEither) {  // [dur.5]: no version order
  CrashHistory h;
  h.invoke(0, {write(1, 1)});
  h.invoke(1, {write(1, 2)});
  h.complete(OpType::kOk, 1, {write(1, 2)});
  h.complete(OpType::kOk, 0, {write(1, 1)});
  h.crash();
  h.ok(2, {read_reg(1, 1)});
  EXPECT_EQ(check_durability(h.history()).verdict.validity, Validity::kValid);
}

TEST(Durability, RegisterLostIndeterminateWriteIsValid) {  // [dur.5]
  CrashHistory h;
  h.ok(0, {write(1, 1)});
  h.info(1, {write(1, 2)});
  h.crash();
  h.ok(2, {read_reg(1, 1)});
  EXPECT_EQ(check_durability(h.history()).verdict.validity, Validity::kValid);
}

TEST(Durability, RegisterTransactionSurvivingInPartIsAtomicity) {  // [dur.5]
  CrashHistory h;
  h.durability("none");
  const int64_t torn = h.info(0, {write(1, 1), write(2, 1)});
  h.crash();
  h.ok(1, {read_reg(1, 1), read_nil(2)});
  EXPECT_EQ(only(check_durability(h.history()).verdict, "atomicity").op_indices.front(), torn);
}

TEST(Durability, DuplicateAppendedValuesMakeTheVerdictUnknown) {  // [dur.6]
  CrashHistory h;
  h.ok(0, {append(1, 1)});
  h.ok(1, {append(1, 1)});
  h.crash();
  h.ok(2, {read_list(1, {})});
  const DurabilityResult result = check_durability(h.history());
  EXPECT_EQ(result.verdict.validity, Validity::kUnknown);
  EXPECT_FALSE(result.verdict.notes.empty());
}

TEST(Durability, PromiseComesFromMetadataOrDefaultsToAcked) {
  CrashHistory h;
  EXPECT_EQ(durability_promise_of(h.history()), std::nullopt);
  h.durability("none");
  EXPECT_EQ(durability_promise_of(h.history()), DurabilityPromise::kNone);
  EXPECT_EQ(durability_promise_from_name("acked"), DurabilityPromise::kAcked);
  EXPECT_EQ(durability_promise_from_name("full"), std::nullopt);
  EXPECT_EQ(check_durability(CrashHistory().history()).promise, DurabilityPromise::kAcked);
}

}  // namespace
}  // namespace fl::checkers
