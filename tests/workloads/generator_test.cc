// Generators (workload.h [wl.1]-[wl.5]): determinism per seed, unique
// values, key rotation, key distributions, micro-op bounds, final reads,
// option validation.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "history/op.h"
#include "tests/workloads/workload_util.h"
#include "workloads/internal/keys.h"
#include "workloads/limits.h"

namespace fl::workloads::testing {
namespace {

using history::MicroKind;
using history::MicroOp;
using history::Txn;

Txn txn_of(const Invocation& invocation) {
  EXPECT_EQ(invocation.f, "txn");
  std::optional<Txn> txn = history::txn_from_value(invocation.value);
  EXPECT_TRUE(txn.has_value()) << edn(invocation.value);
  return txn.value_or(Txn{});
}

WorkloadOptions txn_options(WorkloadKind kind) {
  WorkloadOptions options;
  options.kind = kind;
  return options;
}

class TxnWorkload : public ::testing::TestWithParam<WorkloadKind> {};
INSTANTIATE_TEST_SUITE_P(Kinds, TxnWorkload, ::testing::Values(WorkloadKind::kListAppend, WorkloadKind::kRwRegister),
                         [](const auto& info) { return info.param == WorkloadKind::kListAppend ? "ListAppend" : "RwRegister"; });

TEST_P(TxnWorkload, SameSeedSameInvocations) {  // [wl.4]
  const WorkloadOptions options = txn_options(GetParam());
  EXPECT_EQ(generate(options, 7, 500), generate(options, 7, 500));
  EXPECT_NE(generate(options, 7, 500), generate(options, 8, 500));
}

TEST_P(TxnWorkload, WritesUseOneTwoThreePerKey) {  // [wl.1]
  WorkloadOptions options = txn_options(GetParam());
  options.writes_per_key_max = 5;
  const MicroKind write_kind = GetParam() == WorkloadKind::kListAppend ? MicroKind::kAppend : MicroKind::kWrite;
  std::map<int64_t, int64_t> last;  // key -> last value written
  for (const Invocation& invocation : generate(options, 1, 2000)) {
    for (const MicroOp& micro : txn_of(invocation)) {
      if (micro.kind == MicroKind::kRead) {
        EXPECT_TRUE(std::holds_alternative<std::monostate>(micro.value)) << "reads invoke with nil";
        continue;
      }
      ASSERT_EQ(micro.kind, write_kind);
      EXPECT_EQ(std::get<int64_t>(micro.value), last[micro.key] + 1) << "key " << micro.key;
      last[micro.key] = std::get<int64_t>(micro.value);
    }
  }
  ASSERT_GT(last.size(), options.active_keys) << "keys rotated";
}

TEST_P(TxnWorkload, RotationRetiresKeysAfterWritesPerKeyMax) {  // [wl.2]
  WorkloadOptions options = txn_options(GetParam());
  options.active_keys = 3;
  options.writes_per_key_max = 4;
  std::map<int64_t, uint32_t> writes;
  std::vector<Invocation> invocations = generate(options, 3, 1000);
  for (const Invocation& invocation : invocations) {
    for (const MicroOp& micro : txn_of(invocation)) {
      if (micro.kind != MicroKind::kRead) writes[micro.key] += 1;
    }
  }
  for (const auto& [key, count] : writes) EXPECT_LE(count, options.writes_per_key_max) << "key " << key;
  // Keys are handed out in order, and only the active_keys in a slot at the
  // end may be unfinished: every other key up to the highest took every write.
  const int64_t highest = writes.rbegin()->first;
  int64_t unfinished = 0;
  for (int64_t key = 0; key <= highest; ++key) {
    if (writes[key] < options.writes_per_key_max) unfinished += 1;
  }
  EXPECT_LE(unfinished, static_cast<int64_t>(options.active_keys));
  EXPECT_GT(highest, 100) << "keys rotated many times";
}

TEST_P(TxnWorkload, MicroOpCountsStayWithinBoundsAndCoverThem) {
  WorkloadOptions options = txn_options(GetParam());
  options.micro_ops_min = 2;
  options.micro_ops_max = 5;
  std::set<size_t> seen;
  for (const Invocation& invocation : generate(options, 11, 1000)) {
    const size_t size = txn_of(invocation).size();
    EXPECT_GE(size, 2u);
    EXPECT_LE(size, 5u);
    seen.insert(size);
  }
  EXPECT_EQ(seen, (std::set<size_t>{2, 3, 4, 5}));
}

TEST_P(TxnWorkload, ReadRatioExtremes) {
  WorkloadOptions options = txn_options(GetParam());
  options.read_ratio = Ratio{1, 1};
  for (const Invocation& invocation : generate(options, 5, 200)) {
    for (const MicroOp& micro : txn_of(invocation)) EXPECT_EQ(micro.kind, MicroKind::kRead);
  }
  options.read_ratio = Ratio{0, 1};
  for (const Invocation& invocation : generate(options, 5, 200)) {
    for (const MicroOp& micro : txn_of(invocation)) EXPECT_NE(micro.kind, MicroKind::kRead);
  }
}

TEST_P(TxnWorkload, FinalReadsCoverExactlyTheKeysUsed) {
  WorkloadOptions options = txn_options(GetParam());
  options.active_keys = 16;
  options.writes_per_key_max = 3;
  std::unique_ptr<Generator> generator = make_generator(options);
  Prng prng = Prng::stream(21, "workload");
  std::set<int64_t> used;
  for (int i = 0; i < 600; ++i) {
    for (const MicroOp& micro : txn_of(generator->next(prng))) used.insert(micro.key);
  }
  ASSERT_GT(used.size(), 2 * kFinalReadKeysMax) << "several final reads are needed";
  std::set<int64_t> read;
  const std::vector<Invocation> finals = generator->final_reads();
  for (const Invocation& invocation : finals) {
    const Txn txn = txn_of(invocation);
    EXPECT_GE(txn.size(), 1u);
    EXPECT_LE(txn.size(), kFinalReadKeysMax);
    for (const MicroOp& micro : txn) {
      EXPECT_EQ(micro.kind, MicroKind::kRead);
      EXPECT_TRUE(read.insert(micro.key).second) << "key " << micro.key << " read twice";
    }
    EXPECT_TRUE(check_invocation(options, invocation).ok());
  }
  EXPECT_EQ(read, used);
  EXPECT_EQ(finals.size(), (used.size() + kFinalReadKeysMax - 1) / kFinalReadKeysMax);
}

TEST_P(TxnWorkload, FinalReadsOfAFreshGeneratorAreEmpty) {
  EXPECT_TRUE(make_generator(txn_options(GetParam()))->final_reads().empty());
}

TEST_P(TxnWorkload, EveryInvocationPassesCheckInvocation) {
  const WorkloadOptions options = txn_options(GetParam());
  for (const Invocation& invocation : generate(options, 9, 300)) {
    Status checked = check_invocation(options, invocation);
    EXPECT_TRUE(checked.ok()) << checked.to_string() << " " << edn(invocation.value);
  }
}

// Read-only transactions, so slots never rotate and key i is slot i.
std::map<int64_t, int> read_key_counts(KeyDistribution distribution) {
  WorkloadOptions options = txn_options(WorkloadKind::kListAppend);
  options.active_keys = 8;
  options.distribution = distribution;
  options.read_ratio = Ratio{1, 1};
  options.micro_ops_min = options.micro_ops_max = 10;
  std::map<int64_t, int> counts;
  for (const Invocation& invocation : generate(options, 2024, 1000)) {
    for (const MicroOp& micro : txn_of(invocation)) counts[micro.key] += 1;
  }
  return counts;
}

TEST(KeyDistribution, ZipfianSkewsToSlotZero) {  // [wl.3]
  std::map<int64_t, int> counts = read_key_counts(KeyDistribution::kZipfian);
  // Weights 1/(i+1): slot 0 gets 1/H(8) = 36.8% of 10000 picks, slot 7 4.6%.
  EXPECT_GT(counts[0], 3000);
  EXPECT_LT(counts[0], 4400);
  EXPECT_GT(counts[0], 5 * counts[7]);
  for (int64_t key = 1; key < 8; ++key) EXPECT_GT(counts[key - 1], counts[key] * 9 / 10) << key;
}

TEST(KeyDistribution, UniformDoesNotSkew) {  // [wl.3]
  std::map<int64_t, int> counts = read_key_counts(KeyDistribution::kUniform);
  ASSERT_EQ(counts.size(), 8u);
  for (const auto& [key, count] : counts) {
    EXPECT_GT(count, 1000) << key;  // 1250 expected
    EXPECT_LT(count, 1500) << key;
  }
}

TEST(KeyChooser, ExcludingNeverReturnsTheExcludedIndex) {
  for (KeyDistribution distribution : {KeyDistribution::kUniform, KeyDistribution::kZipfian}) {
    internal::KeyChooser chooser(3, distribution);
    Prng prng(5);
    std::map<uint32_t, int> counts;
    for (int i = 0; i < 3000; ++i) counts[chooser.pick_excluding(prng, 0)] += 1;
    EXPECT_EQ(counts.count(0), 0u);
    EXPECT_GT(counts[1], 0);
    EXPECT_GT(counts[2], 0);
  }
  EXPECT_EQ(internal::KeyChooser(4, KeyDistribution::kZipfian).weight(3), kZipfWeightScale / 4);
}

// The exact invocations of a fixed seed: any change to how the generators
// draw from the stream changes every recorded run, so it must show here.
TEST(Generator, SeedOneGivesTheRecordedInvocations) {  // [wl.4]
  auto render = [](WorkloadKind kind) {
    WorkloadOptions options;
    options.kind = kind;
    std::string out;
    for (const Invocation& invocation : generate(options, 1, 4)) out += invocation.f + " " + edn(invocation.value) + "\n";
    return out;
  };
  EXPECT_EQ(render(WorkloadKind::kListAppend),
            "txn [[:append 3 1] [:append 4 1]]\n"
            "txn [[:append 2 1] [:r 7 nil] [:append 0 1]]\n"
            "txn [[:append 3 2] [:append 3 3]]\n"
            "txn [[:append 6 1] [:r 3 nil] [:append 6 2]]\n");
  EXPECT_EQ(render(WorkloadKind::kRwRegister),
            "txn [[:w 3 1] [:w 4 1]]\n"
            "txn [[:w 2 1] [:r 7 nil] [:w 0 1]]\n"
            "txn [[:w 3 2] [:w 3 3]]\n"
            "txn [[:w 6 1] [:r 3 nil] [:w 6 2]]\n");
  EXPECT_EQ(render(WorkloadKind::kBank),
            "transfer {:from 3, :to 1, :amount 16}\n"
            "transfer {:from 3, :to 2, :amount 8}\n"
            "transfer {:from 4, :to 2, :amount 2}\n"
            "transfer {:from 3, :to 1, :amount 13}\n");
}

// ---------------------------------------------------------------- bank

WorkloadOptions bank_options() {
  WorkloadOptions options;
  options.kind = WorkloadKind::kBank;
  return options;
}

TEST(BankGenerator, TransfersAreBetweenTwoAccountsWithinLimits) {  // [wl.5]
  WorkloadOptions options = bank_options();
  options.accounts = 4;
  options.transfer_max = 7;
  int reads = 0;
  std::set<int64_t> amounts;
  for (const Invocation& invocation : generate(options, 4, 2000)) {
    EXPECT_TRUE(check_invocation(options, invocation).ok()) << edn(invocation.value);
    if (invocation.f == "read") {
      EXPECT_TRUE(invocation.value.is_nil());
      reads += 1;
      continue;
    }
    ASSERT_EQ(invocation.f, "transfer");
    const int64_t from = invocation.value.find("from")->as_int();
    const int64_t to = invocation.value.find("to")->as_int();
    EXPECT_NE(from, to);
    EXPECT_LT(from, 4);
    EXPECT_LT(to, 4);
    amounts.insert(invocation.value.find("amount")->as_int());
  }
  EXPECT_EQ(amounts, (std::set<int64_t>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_GT(reads, 400);  // bank_read_ratio 1/4 of 2000
  EXPECT_LT(reads, 600);
}

TEST(BankGenerator, DeterministicAndOneFinalRead) {
  EXPECT_EQ(generate(bank_options(), 3, 300), generate(bank_options(), 3, 300));
  const std::vector<Invocation> finals = make_generator(bank_options())->final_reads();
  ASSERT_EQ(finals.size(), 1u);
  EXPECT_EQ(finals[0], (Invocation{"read", history::Value::nil()}));
}

TEST(BankGenerator, InvocationShapeIsJepsens) {
  WorkloadOptions options = bank_options();
  options.bank_read_ratio = Ratio{0, 1};
  const Invocation invocation = generate(options, 1, 1)[0];
  const std::string text = edn(invocation.value);
  EXPECT_EQ(text.rfind("{:from ", 0), 0u) << text;
  EXPECT_NE(text.find(", :to "), std::string::npos) << text;
  EXPECT_NE(text.find(", :amount "), std::string::npos) << text;
}

TEST(InitialWrites, BankSetsEveryAccountOthersNothing) {
  WorkloadOptions options = bank_options();
  options.accounts = 3;
  options.initial_balance = 50;
  using Writes = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(initial_writes(options), (Writes{{"account/0", "50"}, {"account/1", "50"}, {"account/2", "50"}}));
  EXPECT_TRUE(initial_writes(txn_options(WorkloadKind::kListAppend)).empty());
  EXPECT_TRUE(initial_writes(txn_options(WorkloadKind::kRwRegister)).empty());
}

// ---------------------------------------------------------------- names, options

TEST(WorkloadNames, RoundTrip) {
  for (WorkloadKind kind : {WorkloadKind::kListAppend, WorkloadKind::kRwRegister, WorkloadKind::kBank}) {
    Result<WorkloadKind> parsed = parse_workload(workload_name(kind));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_TRUE(parse_workload("append").status().is(Code::kInvalidArgument));
  EXPECT_EQ(*parse_distribution("zipfian"), KeyDistribution::kZipfian);
  EXPECT_EQ(*parse_distribution("uniform"), KeyDistribution::kUniform);
  EXPECT_FALSE(parse_distribution("zipf").ok());
}

TEST(EngineKey, MatchesTheSpec) {
  EXPECT_EQ(engine_key(WorkloadKind::kListAppend, 3), "list/3");
  EXPECT_EQ(engine_key(WorkloadKind::kRwRegister, 0), "register/0");
  EXPECT_EQ(engine_key(WorkloadKind::kBank, 12), "account/12");
  EXPECT_EQ(engine_key(WorkloadKind::kListAppend, INT64_MAX), "list/9223372036854775807");
}

TEST(Validate, DefaultsAreValid) {
  for (WorkloadKind kind : {WorkloadKind::kListAppend, WorkloadKind::kRwRegister, WorkloadKind::kBank}) {
    EXPECT_TRUE(validate(txn_options(kind)).ok()) << workload_name(kind);
  }
}

void expect_rejected(const WorkloadOptions& options, std::string_view field) {
  Status status = validate(options);
  ASSERT_TRUE(status.is(Code::kInvalidArgument)) << field;
  EXPECT_NE(status.to_string().find(field), std::string::npos) << status.to_string();
}

TEST(Validate, RejectsEachTxnFieldOutOfRange) {
  auto with = [](auto change) {
    WorkloadOptions options = txn_options(WorkloadKind::kListAppend);
    change(options);
    return options;
  };
  expect_rejected(with([](auto& o) { o.active_keys = 0; }), "workload.active_keys");
  expect_rejected(with([](auto& o) { o.active_keys = kActiveKeysMax + 1; }), "workload.active_keys");
  expect_rejected(with([](auto& o) { o.micro_ops_min = 0; }), "workload.micro_ops_min");
  expect_rejected(with([](auto& o) { o.micro_ops_min = 5, o.micro_ops_max = 4; }), "workload.micro_ops_max");
  expect_rejected(with([](auto& o) { o.micro_ops_max = kTxnMicroOpsMax + 1; }), "workload.micro_ops_max");
  expect_rejected(with([](auto& o) { o.read_ratio = Ratio{3, 2}; }), "workload.read_ratio");
  expect_rejected(with([](auto& o) { o.read_ratio = Ratio{0, 0}; }), "workload.read_ratio");
  expect_rejected(with([](auto& o) { o.writes_per_key_max = 0; }), "workload.writes_per_key_max");
}

TEST(Validate, ListAppendListsMustFitARefdbValue) {  // [wl.2]
  WorkloadOptions options = txn_options(WorkloadKind::kListAppend);
  options.writes_per_key_max = list_appends_per_key_max();
  EXPECT_TRUE(validate(options).ok());
  options.writes_per_key_max += 1;
  expect_rejected(options, "756-byte value limit");
  options.kind = WorkloadKind::kRwRegister;  // a register value stays short
  EXPECT_TRUE(validate(options).ok());
  options.writes_per_key_max = kWritesPerKeyMax + 1;
  expect_rejected(options, "workload.writes_per_key_max");
}

TEST(Validate, RejectsEachBankFieldOutOfRange) {
  auto with = [](auto change) {
    WorkloadOptions options = bank_options();
    change(options);
    return options;
  };
  expect_rejected(with([](auto& o) { o.accounts = 1; }), "workload.accounts");
  expect_rejected(with([](auto& o) { o.accounts = kAccountsMax + 1; }), "workload.accounts");
  expect_rejected(with([](auto& o) { o.initial_balance = -1; }), "workload.initial_balance");
  expect_rejected(with([](auto& o) { o.initial_balance = kBalanceMax + 1; }), "workload.initial_balance");
  expect_rejected(with([](auto& o) { o.transfer_max = 0; }), "workload.transfer_max");
  expect_rejected(with([](auto& o) { o.bank_read_ratio = Ratio{2, 1}; }), "workload.bank_read_ratio");
  // Fields of the other workloads do not matter to bank.
  EXPECT_TRUE(validate(with([](auto& o) { o.active_keys = 0; })).ok());
}

}  // namespace
}  // namespace fl::workloads::testing
