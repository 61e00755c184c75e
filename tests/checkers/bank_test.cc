// The bank invariants (checkers/bank.h): a constant total and no negative
// balance, judged on every :ok read.
#include "checkers/bank.h"

#include <gtest/gtest.h>

#include "tests/checkers/crash_history.h"

namespace fl::checkers {
namespace {

using history::OpType;
using history::Process;
using history::Value;
using testing::CrashHistory;

Value balances(std::vector<std::optional<int64_t>> accounts) {
  std::vector<history::MapEntry> entries;
  for (size_t i = 0; i < accounts.size(); ++i) {
    entries.push_back({Value::integer(static_cast<int64_t>(i)),
                       accounts[i] ? Value::integer(*accounts[i]) : Value::nil()});
  }
  return Value::map(std::move(entries));
}

// An :invoke/:ok read pair; returns the :ok's :index.
int64_t read(CrashHistory& h, std::vector<std::optional<int64_t>> accounts) {
  h.add(OpType::kInvoke, Process::integer(0), "read", Value());
  return h.add(OpType::kOk, Process::integer(0), "read", balances(std::move(accounts)));
}

void transfer(CrashHistory& h, OpType completion) {
  const Value value = Value::map({{Value::keyword("from"), Value::integer(0)},
                                  {Value::keyword("to"), Value::integer(1)},
                                  {Value::keyword("amount"), Value::integer(5)}});
  h.add(OpType::kInvoke, Process::integer(1), "transfer", value);
  h.add(completion, Process::integer(1), "transfer", value);
}

TEST(Bank, ConservedTotalIsValid) {  // [bank.1]
  CrashHistory h;
  read(h, {100, 100, 100});
  transfer(h, OpType::kOk);
  read(h, {95, 105, 100});
  h.crash();
  read(h, {95, 105, 100});
  const Verdict verdict = check_bank(h.history());
  EXPECT_EQ(verdict.validity, Validity::kValid);
  EXPECT_TRUE(is_bank_history(h.history()));
}

TEST(Bank, ChangedTotalIsBankTotalNamingTheRead) {  // [bank.1], [bank.4]
  CrashHistory h;
  read(h, {100, 100});
  transfer(h, OpType::kInfo);
  h.crash();
  const int64_t torn = read(h, {95, 100});  // the debit survived, the credit did not
  const Verdict verdict = check_bank(h.history());
  EXPECT_EQ(verdict.validity, Validity::kInvalid);
  ASSERT_EQ(verdict.anomaly_counts.at("bank-total"), 1u);
  const Anomaly& anomaly = verdict.anomalies.at("bank-total").front();
  EXPECT_EQ(anomaly.op_indices, std::vector<int64_t>{torn});
  EXPECT_NE(anomaly.explanation.find("sums to 195"), std::string::npos) << anomaly.explanation;
  EXPECT_NE(anomaly.explanation.find("total is 200"), std::string::npos) << anomaly.explanation;
}

TEST(Bank, NegativeBalanceIsReported) {  // [bank.2]
  CrashHistory h;
  const int64_t bad = read(h, {-5, 205});
  const Verdict verdict = check_bank(h.history(), {.total = 200});
  ASSERT_EQ(verdict.anomaly_counts.size(), 1u);
  const Anomaly& anomaly = verdict.anomalies.at("negative-balance").front();
  EXPECT_EQ(anomaly.op_indices, std::vector<int64_t>{bad});
  EXPECT_NE(anomaly.explanation.find("account 0 with balance -5"), std::string::npos) << anomaly.explanation;
}

TEST(Bank, TotalFromMetadataBeatsTheFirstRead) {  // [bank.3]
  CrashHistory h;
  h.meta("accounts", Value::integer(2));
  h.meta("initial-balance", Value::integer(100));
  const int64_t first = read(h, {100, 90});
  const Verdict verdict = check_bank(h.history());
  ASSERT_EQ(verdict.anomaly_counts.at("bank-total"), 1u);
  EXPECT_EQ(verdict.anomalies.at("bank-total").front().op_indices.front(), first);
}

TEST(Bank, TotalFromTheFirstReadIsNoted) {  // [bank.3]
  CrashHistory h;
  read(h, {10, 20});
  read(h, {15, 15});
  const Verdict verdict = check_bank(h.history());
  EXPECT_EQ(verdict.validity, Validity::kValid);
  ASSERT_EQ(verdict.notes.size(), 1u);
  EXPECT_NE(verdict.notes[0].find("first read"), std::string::npos);
}

TEST(Bank, NilBalanceIsAWrongTotal) {  // [bank.1]
  CrashHistory h;
  read(h, {100, std::nullopt});
  const Verdict verdict = check_bank(h.history(), {.total = 200});
  ASSERT_EQ(verdict.anomaly_counts.at("bank-total"), 1u);
  EXPECT_NE(verdict.anomalies.at("bank-total").front().explanation.find("nil"), std::string::npos);
}

TEST(Bank, AllNilReadIsTheEmptyPrefixOnlyWhenAllowed) {  // [bank.5]
  CrashHistory h;
  read(h, {std::nullopt, std::nullopt});
  read(h, {100, 100});
  EXPECT_EQ(check_bank(h.history(), {.total = 200}).anomaly_counts.at("bank-total"), 1u);
  const Verdict allowed = check_bank(h.history(), {.total = 200, .empty_state_allowed = true});
  EXPECT_EQ(allowed.validity, Validity::kValid);
  ASSERT_EQ(allowed.notes.size(), 1u);
  EXPECT_NE(allowed.notes[0].find("every account nil"), std::string::npos);
}

TEST(Bank, NoReadIsUnknown) {  // [bank.3]
  CrashHistory h;
  transfer(h, OpType::kOk);
  EXPECT_EQ(check_bank(h.history()).validity, Validity::kUnknown);
}

}  // namespace
}  // namespace fl::checkers
