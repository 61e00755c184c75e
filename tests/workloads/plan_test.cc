// Plans (workload.h Plan): the engine steps each invocation becomes, the
// completion values in EDN ([wl.6]: nil for absent keys), bank aborts
// ([wl.5]) and malformed stored bytes (kCorruption, never a crash).
#include <gtest/gtest.h>

#include "history/op.h"
#include "tests/workloads/workload_util.h"
#include "workloads/limits.h"

namespace fl::workloads::testing {
namespace {

using history::MicroKind;
using history::MicroOp;
using history::Txn;
using history::Value;

Step read_step(std::string key) { return Step{Step::Kind::kRead, std::move(key), {}}; }
Step write_step(std::string key, std::string value) { return Step{Step::Kind::kWrite, std::move(key), std::move(value)}; }

WorkloadOptions options_for(WorkloadKind kind) {
  WorkloadOptions options;
  options.kind = kind;
  return options;
}

Invocation txn_invocation(const Txn& txn) { return Invocation{"txn", history::txn_to_value(txn)}; }

MicroOp r(int64_t k) { return MicroOp{MicroKind::kRead, k, {}}; }
MicroOp append(int64_t k, int64_t v) { return MicroOp{MicroKind::kAppend, k, v}; }
MicroOp w(int64_t k, int64_t v) { return MicroOp{MicroKind::kWrite, k, v}; }

// ---------------------------------------------------------------- list-append

TEST(ListAppendPlan, AppendIsReadModifyWriteAndReadsSeeOwnAppends) {
  const WorkloadOptions options = options_for(WorkloadKind::kListAppend);
  MapEngine engine;
  engine.data["list/3"] = "1,2";
  const Outcome out = engine.run(options, txn_invocation({append(3, 5), r(3), r(4), append(4, 1)}));
  ASSERT_EQ(out.type, Outcome::Type::kOk) << out.error;
  EXPECT_EQ(out.steps, (std::vector<Step>{read_step("list/3"), write_step("list/3", "1,2,5"), read_step("list/3"),
                                           read_step("list/4"), read_step("list/4"), write_step("list/4", "1")}));
  EXPECT_EQ(edn(out.completion), "[[:append 3 5] [:r 3 [1 2 5]] [:r 4 nil] [:append 4 1]]");
  EXPECT_EQ(engine.data["list/3"], "1,2,5");
  EXPECT_EQ(engine.data["list/4"], "1");
}

TEST(ListAppendPlan, StepByStepProtocol) {
  std::unique_ptr<Plan> plan = make_plan(options_for(WorkloadKind::kListAppend), txn_invocation({r(0), append(0, 1)}));
  EXPECT_EQ(plan->next_step(), read_step("list/0"));
  ASSERT_TRUE(plan->record_read(std::nullopt).ok());
  EXPECT_EQ(plan->next_step(), read_step("list/0"));
  ASSERT_TRUE(plan->record_read(std::nullopt).ok());
  EXPECT_EQ(plan->next_step(), write_step("list/0", "1"));
  EXPECT_EQ(plan->next_step(), std::nullopt);
  EXPECT_EQ(plan->next_step(), std::nullopt) << "stays done";
  EXPECT_EQ(plan->abort_reason(), std::nullopt);
  EXPECT_EQ(edn(plan->completion()), "[[:r 0 nil] [:append 0 1]]");
}

TEST(ListAppendPlan, MalformedListIsCorruptionAndAborts) {
  for (const char* garbage : {"", "1,,2", "x", "1,2,", "\xff\xfe"}) {
    std::unique_ptr<Plan> plan = make_plan(options_for(WorkloadKind::kListAppend), txn_invocation({r(9), append(9, 3)}));
    ASSERT_EQ(plan->next_step(), read_step("list/9"));
    Status recorded = plan->record_read(std::string(garbage));
    ASSERT_TRUE(recorded.is(Code::kCorruption)) << garbage;
    EXPECT_NE(recorded.to_string().find("list/9"), std::string::npos) << recorded.to_string();
    ASSERT_TRUE(plan->abort_reason().has_value());
    EXPECT_EQ(*plan->abort_reason(), recorded.to_string());
    EXPECT_EQ(plan->next_step(), std::nullopt) << "no write after a garbage read";
  }
}

TEST(ListAppendPlan, DuplicateElementsPassThroughForTheChecker) {
  // Well-formed but impossible for a correct engine: Elle reports it
  // (duplicate-elements), so the plan must not hide it.
  MapEngine engine;
  engine.data["list/1"] = "1,1";
  const Outcome out = engine.run(options_for(WorkloadKind::kListAppend), txn_invocation({r(1)}));
  ASSERT_EQ(out.type, Outcome::Type::kOk);
  EXPECT_EQ(edn(out.completion), "[[:r 1 [1 1]]]");
}

// ---------------------------------------------------------------- rw-register

TEST(RwRegisterPlan, WritesAreBlindReadsFillIn) {
  MapEngine engine;
  engine.data["register/2"] = "7";
  const Outcome out =
      engine.run(options_for(WorkloadKind::kRwRegister), txn_invocation({w(1, 1), r(1), r(2), r(3), w(2, 8)}));
  ASSERT_EQ(out.type, Outcome::Type::kOk) << out.error;
  EXPECT_EQ(out.steps, (std::vector<Step>{write_step("register/1", "1"), read_step("register/1"),
                                           read_step("register/2"), read_step("register/3"),
                                           write_step("register/2", "8")}));
  EXPECT_EQ(edn(out.completion), "[[:w 1 1] [:r 1 1] [:r 2 7] [:r 3 nil] [:w 2 8]]");
  EXPECT_EQ(engine.data["register/2"], "8");
}

TEST(RwRegisterPlan, MalformedRegisterIsCorruption) {
  std::unique_ptr<Plan> plan = make_plan(options_for(WorkloadKind::kRwRegister), txn_invocation({r(4), w(4, 2)}));
  ASSERT_EQ(plan->next_step(), read_step("register/4"));
  Status recorded = plan->record_read("1,2");
  EXPECT_TRUE(recorded.is(Code::kCorruption));
  EXPECT_NE(recorded.to_string().find("register/4"), std::string::npos);
  EXPECT_NE(recorded.to_string().find("\"1,2\""), std::string::npos) << recorded.to_string();
  EXPECT_EQ(plan->next_step(), std::nullopt);
}

// ---------------------------------------------------------------- bank

WorkloadOptions bank3() {
  WorkloadOptions options = options_for(WorkloadKind::kBank);
  options.accounts = 3;
  options.initial_balance = 100;
  return options;
}

Invocation transfer(int64_t from, int64_t to, int64_t amount) {
  return Invocation{"transfer", Value::map({{Value::keyword("from"), Value::integer(from)},
                                            {Value::keyword("to"), Value::integer(to)},
                                            {Value::keyword("amount"), Value::integer(amount)}})};
}
const Invocation kBankRead{"read", Value::nil()};

TEST(BankPlan, TransferReadsBothThenWritesBoth) {
  MapEngine engine;
  engine.setup(bank3());
  const Outcome out = engine.run(bank3(), transfer(0, 2, 30));
  ASSERT_EQ(out.type, Outcome::Type::kOk) << out.error;
  EXPECT_EQ(out.steps, (std::vector<Step>{read_step("account/0"), read_step("account/2"),
                                           write_step("account/0", "70"), write_step("account/2", "130")}));
  EXPECT_EQ(edn(out.completion), "{:from 0, :to 2, :amount 30}");
}

TEST(BankPlan, ReadCompletesWithEveryBalance) {
  MapEngine engine;
  engine.setup(bank3());
  ASSERT_EQ(engine.run(bank3(), transfer(1, 0, 100)).type, Outcome::Type::kOk);
  const Outcome out = engine.run(bank3(), kBankRead);
  ASSERT_EQ(out.type, Outcome::Type::kOk);
  EXPECT_EQ(out.steps, (std::vector<Step>{read_step("account/0"), read_step("account/1"), read_step("account/2")}));
  EXPECT_EQ(edn(out.completion), "{0 200, 1 0, 2 100}");
}

TEST(BankPlan, InsufficientBalanceAbortsWithoutWriting) {
  MapEngine engine;
  engine.setup(bank3());
  const Outcome out = engine.run(bank3(), transfer(1, 2, 101));
  ASSERT_EQ(out.type, Outcome::Type::kFail);
  EXPECT_EQ(out.error, "insufficient balance: account 1 holds 100, the transfer needs 101");
  EXPECT_EQ(out.steps, (std::vector<Step>{read_step("account/1"), read_step("account/2")}));
  EXPECT_EQ(engine.data["account/1"], "100");
}

TEST(BankPlan, MissingAccountAbortsAndReadsAsNil) {
  MapEngine engine;
  engine.setup(bank3());
  engine.data.erase("account/2");
  const Outcome moved = engine.run(bank3(), transfer(0, 2, 1));
  ASSERT_EQ(moved.type, Outcome::Type::kFail);
  EXPECT_EQ(moved.error, "account 2 is missing");
  const Outcome read = engine.run(bank3(), kBankRead);
  ASSERT_EQ(read.type, Outcome::Type::kOk);
  EXPECT_EQ(edn(read.completion), "{0 100, 1 100, 2 nil}");
}

TEST(BankPlan, NegativeBalanceIsReadNotHidden) {
  MapEngine engine;
  engine.setup(bank3());
  engine.data["account/1"] = "-5";  // only a broken engine stores this
  const Outcome read = engine.run(bank3(), kBankRead);
  ASSERT_EQ(read.type, Outcome::Type::kOk);
  EXPECT_EQ(edn(read.completion), "{0 100, 1 -5, 2 100}");
}

TEST(BankPlan, MalformedBalanceIsCorruption) {
  MapEngine engine;
  engine.setup(bank3());
  engine.data["account/1"] = "1O0";
  const Outcome read = engine.run(bank3(), kBankRead);
  ASSERT_EQ(read.type, Outcome::Type::kFail);
  EXPECT_EQ(read.error, "corruption: account/1: expected a decimal integer, found \"1O0\" (3 bytes; bad byte at offset 1)");
  const Outcome moved = engine.run(bank3(), transfer(1, 0, 1));
  ASSERT_EQ(moved.type, Outcome::Type::kFail);
  EXPECT_EQ(engine.data["account/0"], "100") << "nothing written";
}

TEST(BankPlan, OverflowingTargetAborts) {
  MapEngine engine;
  engine.setup(bank3());
  engine.data["account/1"] = std::to_string(INT64_MAX);
  const Outcome out = engine.run(bank3(), transfer(0, 1, 1));
  ASSERT_EQ(out.type, Outcome::Type::kFail);
  EXPECT_EQ(out.error, "account 1 would overflow");
}

// ---------------------------------------------------------------- check_invocation

TEST(CheckInvocation, RejectsWhatNoGeneratorProduces) {
  const WorkloadOptions la = options_for(WorkloadKind::kListAppend);
  const WorkloadOptions rw = options_for(WorkloadKind::kRwRegister);
  auto rejected = [](const WorkloadOptions& options, const Invocation& invocation) {
    Status status = check_invocation(options, invocation);
    return status.is(Code::kInvalidArgument);
  };
  EXPECT_FALSE(rejected(la, txn_invocation({append(1, 1), r(2)})));
  EXPECT_TRUE(rejected(la, txn_invocation({w(1, 1)}))) << ":w is not list-append";
  EXPECT_TRUE(rejected(rw, txn_invocation({append(1, 1)}))) << ":append is not rw-register";
  EXPECT_TRUE(rejected(la, txn_invocation({})));
  EXPECT_TRUE(rejected(la, txn_invocation({r(-1)})));
  EXPECT_TRUE(rejected(la, txn_invocation({append(1, 0)})));
  EXPECT_TRUE(rejected(la, txn_invocation({MicroOp{MicroKind::kRead, 1, int64_t{3}}})));
  EXPECT_TRUE(rejected(la, txn_invocation(Txn(kTxnMicroOpsMax + 1, r(1)))));
  EXPECT_TRUE(rejected(la, Invocation{"read", history::txn_to_value({r(1)})}));
  EXPECT_TRUE(rejected(la, Invocation{"txn", Value::integer(3)}));

  EXPECT_FALSE(rejected(bank3(), transfer(0, 1, 5)));
  EXPECT_FALSE(rejected(bank3(), kBankRead));
  EXPECT_TRUE(rejected(bank3(), transfer(0, 0, 5)));
  EXPECT_TRUE(rejected(bank3(), transfer(0, 3, 5)));
  EXPECT_TRUE(rejected(bank3(), transfer(-1, 1, 5)));
  EXPECT_TRUE(rejected(bank3(), transfer(0, 1, 0)));
  EXPECT_TRUE(rejected(bank3(), Invocation{"read", Value::integer(1)}));
  EXPECT_TRUE(rejected(bank3(), Invocation{"transfer", Value::nil()}));
  EXPECT_TRUE(rejected(bank3(), Invocation{"withdraw", Value::nil()}));
  EXPECT_TRUE(rejected(bank3(), Invocation{"transfer", Value::map({{Value::keyword("from"), Value::integer(0)},
                                                                   {Value::keyword("to"), Value::integer(1)},
                                                                   {Value::keyword("amt"), Value::integer(1)}})}));
}

}  // namespace
}  // namespace fl::workloads::testing
