// The application around every workload (workloads/application.h): its
// decisions ([app.1]-[app.4]) on their own, then through the simulator:
// rollbacks end :fail and leave no trace, the outbox reaches the engine,
// a refusing engine keeps serving until its delayed restart ([sim.4]) and
// the final integrity check ([sim.6]) sees what no crash exposed.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "campaign/trial.h"
#include "checkers/check.h"
#include "faultvfs/fault_plan.h"
#include "history/edn_writer.h"
#include "tests/workloads/forwarding_engine.h"
#include "workloads/application.h"
#include "workloads/limits.h"
#include "workloads/simulator.h"
#include "workloads/workload_format.h"

namespace fl::workloads::testing {
namespace {

using history::Op;
using history::OpType;
using history::Value;

// ------------------------------------------------------------- decisions

TEST(Application, OutboxKeysAreZeroPaddedSoTheySortByNumber) {  // [app.2]
  EXPECT_EQ(outbox_key(0), "outbox/00000000000000000000");
  EXPECT_EQ(outbox_key(42), "outbox/00000000000000000042");
  EXPECT_EQ(outbox_key(UINT64_MAX), "outbox/18446744073709551615");
  EXPECT_EQ(outbox_key(UINT64_MAX).size(), format::kOutboxKeyPrefix.size() + format::kOutboxDigits);
  EXPECT_LT(outbox_key(9), outbox_key(10));
  EXPECT_LT(outbox_key(99), outbox_key(100));
}

TEST(Application, OutboxInsertsRecordNAndErasesRecordNMinusWindow) {  // [app.2]
  WorkloadOptions options;
  options.outbox_window = 4;
  options.outbox_bytes_min = 10;
  options.outbox_bytes_max = 20;
  Application app(options, Prng::stream(7, "application"));
  for (uint64_t n = 0; n < 12; ++n) {
    const AppTxn txn = app.next();
    ASSERT_EQ(txn.outbox.size(), n < 4 ? 1u : 2u) << n;
    const Step& insert = txn.outbox[0];
    EXPECT_EQ(insert.kind, Step::Kind::kWrite);
    EXPECT_EQ(insert.key, outbox_key(n));
    ASSERT_GE(insert.value.size(), 10u);
    ASSERT_LE(insert.value.size(), 20u);
    for (size_t i = 0; i < insert.value.size(); ++i) {
      EXPECT_EQ(insert.value[i], static_cast<char>('a' + (n + i) % 26)) << n << " byte " << i;
    }
    if (n >= 4) {
      EXPECT_EQ(txn.outbox[1].kind, Step::Kind::kErase);
      EXPECT_EQ(txn.outbox[1].key, outbox_key(n - 4));
    }
  }
}

TEST(Application, DrawsTwiceForEveryInvocationWhateverTheOptions) {  // [app.3], [app.4]
  WorkloadOptions with;
  with.rollback_ratio = Ratio{1, 3};
  WorkloadOptions without = with;
  without.outbox_window = 0;
  Application a(with, Prng::stream(11, "application"));
  Application b(without, Prng::stream(11, "application"));
  Prng model = Prng::stream(11, "application");
  uint64_t rollbacks = 0;
  for (int n = 0; n < 200; ++n) {
    const bool rollback = model.chance(with.rollback_ratio);
    const uint64_t size = model.range_inclusive(with.outbox_bytes_min, with.outbox_bytes_max);
    const AppTxn x = a.next();
    const AppTxn y = b.next();
    EXPECT_EQ(x.rollback, rollback) << n;
    EXPECT_EQ(y.rollback, rollback) << n << ": turning the outbox off shifted the rollbacks";
    ASSERT_FALSE(x.outbox.empty());
    EXPECT_EQ(x.outbox[0].value.size(), size) << n;
    EXPECT_TRUE(y.outbox.empty()) << n;
    rollbacks += rollback ? 1 : 0;
  }
  EXPECT_GT(rollbacks, 40u);
  EXPECT_LT(rollbacks, 95u);
}

TEST(Application, RatioZeroNeverRollsBackAndOneAlways) {  // [app.1], [app.4]
  for (const Ratio ratio : {Ratio{0, 1}, Ratio{1, 1}}) {
    WorkloadOptions options;
    options.rollback_ratio = ratio;
    Application app(options, Prng::stream(3, "application"));
    for (int n = 0; n < 100; ++n) EXPECT_EQ(app.next().rollback, ratio.numerator == 1);
  }
}

TEST(Application, BadOptionsNameTheField) {
  WorkloadOptions options;
  options.rollback_ratio = Ratio{2, 1};
  EXPECT_NE(validate(options).to_string().find("workload.rollback_ratio"), std::string::npos);
  options = WorkloadOptions{};
  options.outbox_bytes_min = 0;
  EXPECT_NE(validate(options).to_string().find("workload.outbox_bytes_min"), std::string::npos);
  options = WorkloadOptions{};
  options.outbox_bytes_max = 757;  // above refdb's kValueBytesMax
  EXPECT_NE(validate(options).to_string().find("workload.outbox_bytes_max"), std::string::npos);
  options = WorkloadOptions{};
  options.outbox_bytes_min = 100;
  options.outbox_bytes_max = 99;
  EXPECT_NE(validate(options).to_string().find("workload.outbox_bytes_max"), std::string::npos);
  options = WorkloadOptions{};
  options.outbox_window = kOutboxWindowMax + 1;
  EXPECT_NE(validate(options).to_string().find("workload.outbox_window"), std::string::npos);
}

// ------------------------------------------------------------- through the simulator

// An engine that counts the calls its sessions pass to refdb, by kind and key.
struct CallLog {
  std::vector<std::string> writes, erases;
};

class CountingSession final : public Session {
 public:
  CountingSession(std::unique_ptr<Session> inner, std::shared_ptr<CallLog> log)
      : inner_(std::move(inner)), log_(std::move(log)) {}
  Status begin() override { return inner_->begin(); }
  Result<std::optional<std::string>> read(std::string_view key) override { return inner_->read(key); }
  Status write(std::string_view key, std::string_view value) override {
    log_->writes.emplace_back(key);
    return inner_->write(key, value);
  }
  Status erase(std::string_view key) override {
    log_->erases.emplace_back(key);
    return inner_->erase(key);
  }
  CommitResult commit() override { return inner_->commit(); }
  void rollback() override { inner_->rollback(); }

 private:
  std::unique_ptr<Session> inner_;
  std::shared_ptr<CallLog> log_;
};

class CountingEngine final : public ForwardingEngine {
 public:
  CountingEngine(std::unique_ptr<Engine> inner, std::shared_ptr<CallLog> log)
      : ForwardingEngine(std::move(inner)), log_(std::move(log)) {}
  std::unique_ptr<Session> session() override {
    return std::make_unique<CountingSession>(ForwardingEngine::session(), log_);
  }

 private:
  std::shared_ptr<CallLog> log_;
};

struct CountedRun {
  SimResult sim;
  std::shared_ptr<CallLog> calls = std::make_shared<CallLog>();
};

template <class Adjust>
CountedRun run_counted(const campaign::TrialConfig& config, Adjust adjust) {
  Result<SimOptions> options = campaign::sim_options(config);
  FL_ASSERT(options.ok());
  adjust(*options);
  Result<EngineFactory> refdb = campaign::engine_factory(config);
  FL_ASSERT(refdb.ok());
  CountedRun run;
  EngineFactory factory = [refdb = *refdb, log = run.calls] {
    return std::unique_ptr<Engine>(std::make_unique<CountingEngine>(refdb(), log));
  };
  Result<SimResult> sim = simulate(factory, *options);
  FL_ASSERT(sim.ok());
  run.sim = std::move(sim).value();
  return run;
}

std::string error_of(const Op& op) {
  const Value* error = op.extra("error");
  return error != nullptr && error->kind() == Value::Kind::kString ? error->text() : "";
}

bool is_client(const Op& op) { return op.process.id().has_value(); }

campaign::TrialConfig small_config(const char* workload) {
  campaign::TrialConfig config;
  config.workload = workload;
  config.clients = 4;
  config.txns = 300;
  config.seed = 21;
  return config;
}

// [app.1]: with every writing transaction rolled back, nothing is ever
// written: every transaction that wrote ends :fail with the application's
// reason, and the final reads find every key absent.
TEST(ApplicationInSimulator, RolledBackTransactionsLeaveNoTrace) {
  for (const char* workload : {"list-append", "rw-register"}) {
    SCOPED_TRACE(workload);
    const CountedRun run = run_counted(small_config(workload), [](SimOptions& options) {
      options.workload.rollback_ratio = Ratio{1, 1};
    });
    uint64_t rolled_back = 0;
    for (const Op& op : run.sim.history.ops) {
      if (!is_client(op) || op.type == OpType::kInvoke) continue;
      rolled_back += error_of(op) == kApplicationRollback ? 1 : 0;
      if (op.type == OpType::kFail) {
        EXPECT_EQ(error_of(op), kApplicationRollback) << history::edn_line(op);
      }
      if (op.type != OpType::kOk) continue;
      ASSERT_NE(op.txn(), nullptr);
      for (const history::MicroOp& micro : *op.txn()) {
        EXPECT_EQ(micro.kind, history::MicroKind::kRead) << "an :ok transaction wrote: " << history::edn_line(op);
        EXPECT_TRUE(std::holds_alternative<std::monostate>(micro.value))
            << "a read found a rolled-back value: " << history::edn_line(op);
      }
    }
    EXPECT_GT(rolled_back, 100u);
    EXPECT_EQ(run.sim.stats.info, 0u);
    EXPECT_TRUE(run.sim.findings.empty());
  }
}

// [app.1] with the default ratio: some transactions are rolled back, the
// rest commit, and the bug-free engine's history stays valid.
TEST(ApplicationInSimulator, DefaultRunsRollBackSomeTransactionsAndStayValid) {
  for (const char* workload : {"list-append", "rw-register", "bank"}) {
    SCOPED_TRACE(workload);
    campaign::TrialConfig config = small_config(workload);
    config.txns = 500;
    const CountedRun run = run_counted(config, [](SimOptions&) {});
    uint64_t rolled_back = 0;
    for (const Op& op : run.sim.history.ops) rolled_back += error_of(op) == kApplicationRollback ? 1 : 0;
    EXPECT_GT(rolled_back, 5u);
    EXPECT_LT(rolled_back, 60u);
    EXPECT_GT(run.sim.stats.ok, 250u);
    const checkers::CheckResult checked = checkers::check_history(run.sim.history);
    EXPECT_EQ(checked.verdict.validity, checkers::Validity::kValid);
    EXPECT_TRUE(run.sim.findings.empty());
  }
}

// [app.2]: the outbox reaches the engine (inserts and deletes, as the
// window says), stays out of the history, and the final fsck passes.
TEST(ApplicationInSimulator, OutboxRecordsAreInsertedAndDeletedOutsideTheHistory) {
  const CountedRun run = run_counted(small_config("rw-register"), [](SimOptions& options) {
    options.workload.outbox_window = 8;
  });
  std::set<std::string> inserted;
  for (const std::string& key : run.calls->writes) {
    if (key.starts_with(format::kOutboxKeyPrefix)) inserted.insert(key);
  }
  EXPECT_GT(inserted.size(), 100u);
  uint64_t erased = 0;
  for (const std::string& key : run.calls->erases) {
    ASSERT_TRUE(key.starts_with(format::kOutboxKeyPrefix)) << key << ": only the outbox erases";
    erased += 1;
  }
  EXPECT_GT(erased, 90u);
  const std::string edn = history::to_edn(run.sim.history);
  EXPECT_EQ(edn.find("outbox"), std::string::npos) << "the outbox is not part of the history";
  EXPECT_TRUE(run.sim.findings.empty()) << run.sim.findings.front().detail;
}

// Without the outbox, nothing is erased: the workloads never delete.
TEST(ApplicationInSimulator, NoOutboxMeansNoErase) {
  const CountedRun run = run_counted(small_config("list-append"), [](SimOptions& options) {
    options.workload.outbox_window = 0;
  });
  EXPECT_TRUE(run.calls->erases.empty());
  for (const std::string& key : run.calls->writes) EXPECT_FALSE(key.starts_with(format::kOutboxKeyPrefix)) << key;
}

// [sim.4]: after ENOSPC on the first WAL write of a commit (a definite
// failure that poisons refdb), the other clients keep taking steps until
// the restart; with no delay, the restart follows at once.
TEST(ApplicationInSimulator, RefusingEngineIsRestartedAfterADelay) {
  for (const uint64_t delay_max : {uint64_t{0}, SimOptions{}.restart_delay_steps_max}) {
    SCOPED_TRACE("restart_delay_steps_max " + std::to_string(delay_max));
    const CountedRun run = run_counted(small_config("list-append"), [&](SimOptions& options) {
      options.restart_delay_steps_max = delay_max;
      Result<faultvfs::FaultPlan> plan = faultvfs::parse_fault_plan(
          R"({"rules": [{"when": {"op": "write", "phase": "wal.append", "nth": 1},
                         "do": {"action": "fail", "errno": "ENOSPC"}}]})");
      FL_ASSERT(plan.ok());
      options.plan = *plan;
    });
    const auto& ops = run.sim.history.ops;
    size_t failed = ops.size();
    for (size_t i = 0; i < ops.size() && failed == ops.size(); ++i) {
      if (is_client(ops[i]) && error_of(ops[i]).find("ENOSPC") != std::string::npos) failed = i;
    }
    ASSERT_LT(failed, ops.size());
    EXPECT_EQ(ops[failed].type, OpType::kFail);
    size_t restart = failed + 1;
    while (restart < ops.size() && !(ops[restart].process.is_nemesis() && ops[restart].f == "crash")) ++restart;
    ASSERT_LT(restart, ops.size());
    EXPECT_EQ(run.sim.stats.restarts, 1u);
    // Between the refusal and the restart: the operations in flight at the
    // restart end :info ([sim.3]); any other is a step taken meanwhile.
    size_t meanwhile = 0, refused = 0;
    for (size_t i = failed + 1; i < restart; ++i) {
      const bool ended = ops[i].type == OpType::kInfo && error_of(ops[i]) == "engine restarted after refusing writes";
      meanwhile += ended ? 0 : 1;
      if (error_of(ops[i]).find("refusing writes until reopened") == std::string::npos) continue;
      ++refused;
      EXPECT_EQ(ops[i].type, OpType::kFail) << "a refused commit had no effect: " << history::edn_line(ops[i]);
    }
    if (delay_max == 0) {
      EXPECT_EQ(meanwhile, 0u) << "restarted in the step that saw the refusal";
    } else {
      EXPECT_GT(meanwhile, 3u) << "other clients' operations come before the restart";
      EXPECT_GT(refused, 0u) << "the refusing engine refuses other commits meanwhile";
    }
    EXPECT_TRUE(run.sim.findings.empty());
  }
}

// [sim.6]: pages leaked by `leak-on-rollback` with no crash at all (so no
// recovery fsck): only the final integrity check can see them.
TEST(ApplicationInSimulator, FinalIntegrityCheckSeesWhatNoCrashExposed) {
  for (const bool bug : {true, false}) {
    SCOPED_TRACE(bug ? "leak-on-rollback" : "bug-free");
    campaign::TrialConfig config = small_config("rw-register");
    if (bug) config.bugs = {"leak-on-rollback"};
    const CountedRun run = run_counted(config, [](SimOptions& options) { options.workload.rollback_ratio = Ratio{1, 4}; });
    EXPECT_EQ(run.sim.stats.crashes + run.sim.stats.restarts, 0u);
    std::string integrity;
    for (const Finding& finding : run.sim.findings) {
      if (finding.kind == "integrity") integrity = finding.detail;
    }
    if (bug) {
      EXPECT_NE(integrity.find("leaked"), std::string::npos) << integrity;
    } else {
      EXPECT_TRUE(run.sim.findings.empty());
    }
  }
}

}  // namespace
}  // namespace fl::workloads::testing
