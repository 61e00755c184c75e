// `faultline check` exit codes and output (docs/checking.md), and the
// durability and bank checkers on real simulator histories: the bug-free
// engine must never be flagged, and `skip-fsync` must show as lost-write.
//
// Method: each test writes a history into its own temporary directory, runs
// the built binary (FAULTLINE_BINARY) through the shell with stdout
// redirected to a file, and reads back the exit status and the output.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "checkers/bank.h"
#include "checkers/durability.h"
#include "history/edn_reader.h"
#include "history/edn_writer.h"
#include "history/jsonl_writer.h"
#include "tests/checkers/crash_history.h"

namespace fl::checkers {
namespace {

namespace fs = std::filesystem;
using testing::append;
using testing::CrashHistory;
using testing::read_list;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("faultline-cli-test-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write_file(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // Runs `faultline ARGS`; returns the exit status and keeps stdout in out_.
  int faultline(const std::string& args) {
    const fs::path out = dir_ / "stdout.txt";
    const std::string command = std::string(FAULTLINE_BINARY) + " " + args + " > '" + out.string() + "' 2> '" +
                                (dir_ / "stderr.txt").string() + "'";
    const int status = std::system(command.c_str());
    EXPECT_TRUE(WIFEXITED(status)) << command;
    out_ = slurp(out);
    err_ = slurp(dir_ / "stderr.txt");
    return WEXITSTATUS(status);
  }

  static std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
  std::string out_;
  std::string err_;
};

history::History bank_history(int64_t second_total) {
  CrashHistory h;
  h.meta("workload", history::Value::keyword("bank"));
  auto balances = [](int64_t a, int64_t b) {
    return history::Value::map({{history::Value::integer(0), history::Value::integer(a)},
                                {history::Value::integer(1), history::Value::integer(b)}});
  };
  h.add(history::OpType::kInvoke, history::Process::integer(0), "read", history::Value());
  h.add(history::OpType::kOk, history::Process::integer(0), "read", balances(100, 100));
  h.add(history::OpType::kInvoke, history::Process::integer(0), "read", history::Value());
  h.add(history::OpType::kOk, history::Process::integer(0), "read", balances(100, second_total - 100));
  return h.history();
}

history::History lost_write_history() {
  CrashHistory h;
  h.durability("acked");
  h.meta("workload", history::Value::keyword("list-append"));
  h.ok(0, {append(1, 1)});
  h.crash();
  h.ok(1, {read_list(1, {})});
  return h.history();
}

TEST_F(CliTest, ValidHistoryExitsZero) {
  const fs::path path = write_file("bank.edn", history::to_edn(bank_history(200)));
  EXPECT_EQ(faultline("check '" + path.string() + "'"), 0) << out_ << err_;
  EXPECT_EQ(out_.rfind("VALID\n", 0), 0u) << out_;
}

TEST_F(CliTest, AnomaliesExitOne) {
  const fs::path bank = write_file("bank.edn", history::to_edn(bank_history(150)));
  EXPECT_EQ(faultline("check '" + bank.string() + "'"), 1) << out_ << err_;
  EXPECT_NE(out_.find("bank-total"), std::string::npos) << out_;
  const fs::path lost = write_file("lost.jsonl", history::to_jsonl(lost_write_history()));
  EXPECT_EQ(faultline("check '" + lost.string() + "' --json"), 1) << out_ << err_;
  const nlohmann::json verdict = nlohmann::json::parse(out_);
  EXPECT_EQ(verdict["valid"], false);
  EXPECT_EQ(verdict["anomaly_counts"]["lost-write"], 1);
  EXPECT_EQ(verdict["anomaly_types"], nlohmann::json::array({"lost-write"}));  // [check.4]: not also G1a & co.
  EXPECT_EQ(verdict["context"]["crashes"], "1");
}

TEST_F(CliTest, DurabilityOverrideChangesTheVerdict) {
  CrashHistory h;
  h.meta("workload", history::Value::keyword("bank"));
  const fs::path path = write_file("bank.edn", history::to_edn(bank_history(200)));
  EXPECT_EQ(faultline("check '" + path.string() + "' --durability none --json"), 0) << out_ << err_;
  EXPECT_EQ(nlohmann::json::parse(out_)["context"]["durability"], "none");
}

TEST_F(CliTest, BadInputExitsTwo) {
  EXPECT_EQ(faultline("check '" + (dir_ / "missing.edn").string() + "'"), 2);
  EXPECT_NE(err_.find("missing.edn"), std::string::npos) << err_;

  const fs::path broken = write_file("broken.edn", "{:index 0, :type :invoke, :process 0, :f :txn, :value [[:r 1 nil]]}\n"
                                                   "{:index 1, :type :ok, :process 0, :value [[:r 1 nil]\n");
  EXPECT_EQ(faultline("check '" + broken.string() + "'"), 2);
  EXPECT_NE(err_.find("line 2"), std::string::npos) << err_;

  const fs::path good = write_file("bank.edn", history::to_edn(bank_history(200)));
  EXPECT_EQ(faultline("check '" + good.string() + "' --durability sometimes"), 2);
  EXPECT_NE(err_.find("--durability"), std::string::npos) << err_;
  EXPECT_EQ(faultline("check '" + good.string() + "' --workload queue"), 2);
  EXPECT_EQ(faultline("check '" + good.string() + "' --model serialisable"), 2);
  EXPECT_EQ(faultline("check"), 2);  // no history

  const fs::path twice = write_file("twice.edn", "{:index 0, :type :invoke, :process 0, :f :txn, :value [[:r 1 nil]]}\n"
                                                 "{:index 0, :type :ok, :process 0, :f :txn, :value [[:r 1 nil]]}\n");
  EXPECT_EQ(faultline("check '" + twice.string() + "'"), 2);
  EXPECT_NE(err_.find("duplicate :index 0"), std::string::npos) << err_;
  const fs::path orphan = write_file("orphan.edn", "{:index 0, :type :invoke, :process 0, :f :txn, :value [[:r 1 nil]]}\n"
                                                   "{:index 1, :type :ok, :process 1, :f :txn, :value [[:r 1 nil]]}\n");
  EXPECT_EQ(faultline("check '" + orphan.string() + "'"), 2);
  EXPECT_NE(err_.find("op 1 (process 1, :ok) completes no pending invocation"), std::string::npos) << err_;
}

TEST_F(CliTest, UnknownExitsThree) {
  CrashHistory h;  // a bank history with no completed read: nothing to judge
  h.meta("workload", history::Value::keyword("bank"));
  h.add(history::OpType::kInvoke, history::Process::integer(0), "read", history::Value());
  const fs::path path = write_file("empty.edn", history::to_edn(h.history()));
  EXPECT_EQ(faultline("check '" + path.string() + "'"), 3) << out_ << err_;
  EXPECT_EQ(out_.rfind("UNKNOWN\n", 0), 0u) << out_;
}

TEST_F(CliTest, FormatIsSniffedWithoutAnExtension) {
  const fs::path edn = write_file("history-a", history::to_edn(bank_history(150)));
  EXPECT_EQ(faultline("check '" + edn.string() + "'"), 1) << out_ << err_;
  const fs::path jsonl = write_file("history-b", history::to_jsonl(bank_history(150)));
  EXPECT_EQ(faultline("check '" + jsonl.string() + "'"), 1) << out_ << err_;
}

// Runs one simulator trial through the binary and reads its history back.
history::History simulate(CliTest& test, const std::string& args, const fs::path& out) {
  EXPECT_EQ(std::system((std::string(FAULTLINE_BINARY) + " run " + args + " --out '" + out.string() +
                         "' > /dev/null 2>&1")
                            .c_str()),
            0)
      << args;
  Result<history::History> history = history::read_edn_file((out / "history.edn").string());
  EXPECT_TRUE(history.ok()) << history.status().to_string();
  (void)test;
  return history.ok() ? std::move(*history) : history::History{};
}

// The bug-free engine under every fault: durability and bank never flag it.
TEST_F(CliTest, BugFreeSimulatorHistoriesAreNeverFlagged) {
  uint64_t crashes = 0;
  for (const std::string workload : {"list-append", "rw-register", "bank"}) {
    for (int seed = 1; seed <= 6; ++seed) {
      const std::string args = "--workload " + workload + " --faults everything --txns 400 --seed " +
                               std::to_string(seed);
      const history::History history = simulate(*this, args, dir_ / (workload + std::to_string(seed)));
      const DurabilityResult durability = check_durability(history);
      crashes += durability.crashes;
      EXPECT_EQ(durability.verdict.validity, Validity::kValid)
          << args << "\n" << (durability.verdict.anomalies.empty() ? std::string()
                                : durability.verdict.anomalies.begin()->second.front().explanation);
      if (workload == "bank") {
        const Verdict bank = check_bank(history);
        EXPECT_EQ(bank.validity, Validity::kValid)
            << args << "\n" << (bank.anomalies.empty() ? std::string() : bank.anomalies.begin()->second.front().explanation);
      }
    }
  }
  EXPECT_GT(crashes, 0u);  // the histories did cross crashes
}

// The whole check (isolation per crash epoch, durability) through the CLI:
// the bug-free engine is valid; skip-fsync shows as lost-write and nothing else.
TEST_F(CliTest, RunThenCheckJudgesCrashEpochsSeparately) {
  for (int seed = 1; seed <= 3; ++seed) {
    const fs::path out = dir_ / ("ok" + std::to_string(seed));
    simulate(*this, "--workload list-append --faults everything --txns 400 --seed " + std::to_string(seed), out);
    EXPECT_EQ(faultline("check '" + (out / "history.edn").string() + "'"), 0) << seed << "\n" << out_;
  }
  // Regression: with seed 36 the kernel dropped a clean-but-unwritten WAL
  // page between recovery's scan and its rewrite of the log, so the rewrite
  // persisted older bytes than the scan accepted and the commits chained
  // after them were lost at the next restart (recovery now rewrites first).
  const fs::path regression = dir_ / "seed36";
  simulate(*this, "--workload list-append --faults everything --txns 600 --seed 36", regression);
  EXPECT_EQ(faultline("check '" + (regression / "history.edn").string() + "'"), 0) << out_;
  // Seed 5: since the workloads' outbox grew the database, most seeds' first
  // power loss leaves a page file that recovery rejects or fsck flags (a
  // `recovery` or `integrity` finding, with no lost write left to see in
  // the history); seed 5's leaves lost writes.
  const fs::path out = dir_ / "skip-fsync";
  simulate(*this, "--workload list-append --faults power --bug skip-fsync --txns 400 --seed 5", out);
  EXPECT_EQ(faultline("check '" + (out / "history.jsonl").string() + "' --json"), 1) << out_;
  EXPECT_EQ(nlohmann::json::parse(out_)["anomaly_types"], nlohmann::json::array({"lost-write"})) << out_;
}

// skip-fsync acknowledges commits that are not on disk: a power loss loses them.
TEST_F(CliTest, SkipFsyncUnderPowerLossIsLostWrite) {
  uint64_t caught = 0;
  for (int seed = 1; seed <= 5; ++seed) {
    const std::string args = "--workload list-append --faults power --bug skip-fsync --txns 400 --seed " +
                             std::to_string(seed);
    const history::History history = simulate(*this, args, dir_ / ("seed" + std::to_string(seed)));
    const DurabilityResult durability = check_durability(history);
    if (durability.verdict.anomaly_counts.contains("lost-write")) ++caught;
  }
  EXPECT_GE(caught, 1u);
}

}  // namespace
}  // namespace fl::checkers
