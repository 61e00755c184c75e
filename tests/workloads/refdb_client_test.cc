// The refdb client (workloads/refdb_client.h): serial list-append and bank
// runs through RefdbEngine on MemVfs give the model's completions; commit
// outcomes map as [refdb-client.1] says; maintenance steps checkpoint;
// kill() drops open transactions and the database reopens.
#include <gtest/gtest.h>

#include "engine/limits.h"
#include "faultvfs/fault_vfs.h"
#include "faultvfs/mem_vfs.h"
#include "tests/workloads/workload_util.h"
#include "workloads/refdb_client.h"

namespace fl::workloads::testing {
namespace {

engine::Options refdb_options(engine::Isolation isolation = engine::Isolation::kSerializable,
                              engine::Durability durability = engine::Durability::kFull) {
  engine::Options options;
  options.isolation = isolation;
  options.durability = durability;
  options.auto_checkpoint_frames = 0;  // the tests checkpoint through maintenance_step()
  return options;
}

void expect_same(const Outcome& got, const Outcome& want, const Invocation& invocation) {
  ASSERT_EQ(static_cast<int>(got.type), static_cast<int>(want.type))
      << invocation.f << " " << edn(invocation.value) << ": " << got.error << " / " << want.error;
  EXPECT_EQ(got.steps, want.steps);
  if (want.type == Outcome::Type::kOk) {
    EXPECT_EQ(edn(got.completion), edn(want.completion)) << edn(invocation.value);
  }
}

// Runs `invocations` through the engine and the model side by side, with a
// maintenance step after every `maintenance_every`-th invocation.
void run_against_model(RefdbEngine& engine, MapEngine& model, const WorkloadOptions& options,
                       const std::vector<Invocation>& invocations, size_t maintenance_every) {
  std::unique_ptr<Session> session = engine.session();
  for (size_t i = 0; i < invocations.size(); ++i) {
    expect_same(run_on_session(*session, options, invocations[i]), model.run(options, invocations[i]), invocations[i]);
    if (i % maintenance_every == 0) {
      ASSERT_TRUE(engine.maintenance_step().ok());
    }
  }
}

TEST(RefdbClient, ListAppendRunGivesTheModelsCompletions) {
  WorkloadOptions options;
  options.kind = WorkloadKind::kListAppend;
  options.writes_per_key_max = 40;
  const std::vector<Invocation> invocations = generate(options, 77, 400);
  faultvfs::MemVfs vfs;
  RefdbEngine engine(refdb_options());
  ASSERT_TRUE(engine.open(vfs, "").ok());
  MapEngine model;
  run_against_model(engine, model, options, invocations, 7);
  EXPECT_GT(engine.db()->stats().checkpoints, 0u);
  ASSERT_TRUE(engine.check_integrity().ok());
  ASSERT_TRUE(engine.close().ok());

  // Reopened, the final reads see every list the model holds.
  ASSERT_TRUE(engine.open(vfs, "").ok());
  std::unique_ptr<Generator> generator = make_generator(options);
  Prng prng = Prng::stream(77, "workload");
  for (size_t i = 0; i < invocations.size(); ++i) (void)generator->next(prng);
  std::unique_ptr<Session> session = engine.session();
  for (const Invocation& invocation : generator->final_reads()) {
    expect_same(run_on_session(*session, options, invocation), model.run(options, invocation), invocation);
  }
  EXPECT_TRUE(engine.check_integrity().ok());
}

TEST(RefdbClient, LongestListsFitARefdbValue) {  // [wl.2]
  WorkloadOptions options;
  options.kind = WorkloadKind::kListAppend;
  options.active_keys = 2;
  options.writes_per_key_max = list_appends_per_key_max();
  options.read_ratio = Ratio{1, 10};
  const std::vector<Invocation> invocations = generate(options, 3, 500);
  faultvfs::MemVfs vfs;
  RefdbEngine engine(refdb_options());
  ASSERT_TRUE(engine.open(vfs, "").ok());
  MapEngine model;
  run_against_model(engine, model, options, invocations, 50);
  size_t longest = 0;
  for (const auto& [key, value] : model.data) longest = std::max(longest, value.size());
  EXPECT_GT(longest, engine::kValueBytesMax * 9 / 10) << "some key took (nearly) every append";
  EXPECT_GT(model.data.size(), 4u) << "keys rotated";
}

TEST(RefdbClient, BankRunGivesTheModelsCompletions) {
  WorkloadOptions options;
  options.kind = WorkloadKind::kBank;
  options.accounts = 6;
  options.initial_balance = 30;
  options.transfer_max = 25;  // some transfers find their source short
  faultvfs::MemVfs vfs;
  RefdbEngine engine(refdb_options(engine::Isolation::kSnapshot, engine::Durability::kGroup));
  ASSERT_TRUE(engine.open(vfs, "").ok());
  std::unique_ptr<Session> setup = engine.session();
  ASSERT_TRUE(setup->begin().ok());
  for (const auto& [key, value] : initial_writes(options)) ASSERT_TRUE(setup->write(key, value).ok());
  ASSERT_EQ(setup->commit().status, CommitStatus::kOk);
  MapEngine model;
  model.setup(options);

  std::vector<Invocation> invocations = generate(options, 5, 400);
  invocations.push_back(make_generator(options)->final_reads().at(0));
  run_against_model(engine, model, options, invocations, 11);
  const Outcome last = run_on_session(*engine.session(), options, invocations.back());
  ASSERT_EQ(last.type, Outcome::Type::kOk);
  int64_t total = 0;
  for (const history::MapEntry& entry : last.completion.entries()) total += entry.value.as_int();
  EXPECT_EQ(total, 6 * 30);
  EXPECT_TRUE(engine.check_integrity().ok());
}

TEST(RefdbClient, WriteWriteConflictIsFail) {  // [refdb-client.1]
  faultvfs::MemVfs vfs;
  RefdbEngine engine(refdb_options(engine::Isolation::kSnapshot));
  ASSERT_TRUE(engine.open(vfs, "").ok());
  std::unique_ptr<Session> first = engine.session();
  std::unique_ptr<Session> second = engine.session();
  ASSERT_TRUE(first->begin().ok());
  ASSERT_TRUE(second->begin().ok());
  ASSERT_TRUE(first->write("k", "1").ok());
  ASSERT_TRUE(second->write("k", "2").ok());
  const CommitResult won = first->commit();
  EXPECT_EQ(won.status, CommitStatus::kOk);
  EXPECT_EQ(won.error, "");
  const CommitResult lost = second->commit();
  EXPECT_EQ(lost.status, CommitStatus::kFail);
  EXPECT_NE(lost.error.find("conflict"), std::string::npos) << lost.error;
}

TEST(RefdbClient, InterleavedAppendsToOneKeyConflict) {
  // Two list-append plans, stepped alternately in two sessions, both
  // read-modify-write list/0: the second committer must fail, not lose the
  // first append.
  WorkloadOptions options;
  options.kind = WorkloadKind::kListAppend;
  faultvfs::MemVfs vfs;
  RefdbEngine engine(refdb_options(engine::Isolation::kSnapshot));
  ASSERT_TRUE(engine.open(vfs, "").ok());
  auto append0 = [](int64_t v) {
    return Invocation{"txn", history::txn_to_value({history::MicroOp{history::MicroKind::kAppend, 0, v}})};
  };
  std::unique_ptr<Session> sessions[2] = {engine.session(), engine.session()};
  std::unique_ptr<Plan> plans[2] = {make_plan(options, append0(1)), make_plan(options, append0(2))};
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(sessions[i]->begin().ok());
  for (int i = 0; i < 2; ++i) {  // both read the empty list
    const std::optional<Step> step = plans[i]->next_step();
    ASSERT_EQ(step->kind, Step::Kind::kRead);
    ASSERT_TRUE(plans[i]->record_read(*sessions[i]->read(step->key)).ok());
  }
  for (int i = 0; i < 2; ++i) {  // both write their one-element list
    const std::optional<Step> step = plans[i]->next_step();
    ASSERT_EQ(step->kind, Step::Kind::kWrite);
    ASSERT_TRUE(sessions[i]->write(step->key, step->value).ok());
    ASSERT_EQ(plans[i]->next_step(), std::nullopt);
  }
  EXPECT_EQ(sessions[0]->commit().status, CommitStatus::kOk);
  EXPECT_EQ(sessions[1]->commit().status, CommitStatus::kFail);
  const Outcome read = run_on_session(*sessions[0], options,
                                      Invocation{"txn", history::txn_to_value({history::MicroOp{history::MicroKind::kRead, 0, {}}})});
  EXPECT_EQ(edn(read.completion), "[[:r 0 [1]]]");
}

TEST(RefdbClient, SerializableReadConflictIsFailSnapshotAllowsIt) {
  for (engine::Isolation isolation : {engine::Isolation::kSerializable, engine::Isolation::kSnapshot}) {
    faultvfs::MemVfs vfs;
    RefdbEngine engine(refdb_options(isolation));
    ASSERT_TRUE(engine.open(vfs, "").ok());
    std::unique_ptr<Session> reader = engine.session();
    std::unique_ptr<Session> writer = engine.session();
    ASSERT_TRUE(reader->begin().ok());
    ASSERT_TRUE(reader->read("x").ok());
    ASSERT_TRUE(writer->begin().ok());
    ASSERT_TRUE(writer->write("x", "1").ok());
    ASSERT_EQ(writer->commit().status, CommitStatus::kOk);
    ASSERT_TRUE(reader->write("y", "1").ok());
    const CommitStatus want =
        isolation == engine::Isolation::kSerializable ? CommitStatus::kFail : CommitStatus::kOk;
    EXPECT_EQ(reader->commit().status, want) << engine::isolation_name(isolation);
  }
}

TEST(RefdbClient, FailedWalSyncIsInfoThenPoisonedIsFailUntilRestart) {  // [refdb-client.1], [db.3], [db.6]
  faultvfs::MemVfs backend;
  faultvfs::FaultPlan plan;
  plan.rules.push_back(faultvfs::Rule{faultvfs::Selector{.op = faultvfs::OpKind::kDatasync, .path = "refdb.wal*"},
                                      faultvfs::Action{}, 1});
  auto vfs = faultvfs::FaultVfs::create(backend, plan);
  ASSERT_TRUE(vfs.ok());
  (*vfs)->set_injection(false);
  RefdbEngine engine(refdb_options());
  ASSERT_TRUE(engine.open(**vfs, "").ok());
  (*vfs)->set_injection(true);
  std::unique_ptr<Session> session = engine.session();
  ASSERT_TRUE(session->begin().ok());
  ASSERT_TRUE(session->write("k", "1").ok());
  const CommitResult unknown = session->commit();
  EXPECT_EQ(unknown.status, CommitStatus::kInfo);
  EXPECT_NE(unknown.error.find("EIO"), std::string::npos) << unknown.error;
  ASSERT_TRUE(session->begin().ok());
  ASSERT_TRUE(session->write("k", "2").ok());
  const CommitResult refused = session->commit();
  EXPECT_EQ(refused.status, CommitStatus::kFail);
  EXPECT_NE(refused.error.find("poisoned"), std::string::npos) << refused.error;
  EXPECT_FALSE(engine.maintenance_step().ok()) << "a poisoned engine does not checkpoint";
  EXPECT_TRUE(engine.needs_restart());  // [refdb-client.6]

  ASSERT_TRUE((*vfs)->crash(faultvfs::CrashKind::kProcess).ok());
  engine.kill();
  EXPECT_FALSE(engine.needs_restart()) << "nothing open";
  ASSERT_TRUE(engine.open(**vfs, "").ok());
  EXPECT_FALSE(engine.needs_restart());
  ASSERT_TRUE(session->begin().ok());
  ASSERT_TRUE(session->write("k", "3").ok());
  EXPECT_EQ(session->commit().status, CommitStatus::kOk) << "writable again after the restart";
}

TEST(RefdbClient, ClaimsFollowOptions) {  // [refdb-client.5]
  using engine::Durability;
  using engine::Isolation;
  EXPECT_EQ(RefdbEngine(refdb_options(Isolation::kSerializable, Durability::kFull)).claims().durability, "acked");
  EXPECT_EQ(RefdbEngine(refdb_options(Isolation::kSerializable, Durability::kGroup)).claims().durability, "acked");
  EXPECT_EQ(RefdbEngine(refdb_options(Isolation::kSerializable, Durability::kOff)).claims().durability, "none");
  const EngineClaims claims = RefdbEngine(refdb_options(Isolation::kSnapshot)).claims();
  EXPECT_EQ(claims.engine, "refdb");
  EXPECT_EQ(claims.isolation, "snapshot");
  EXPECT_EQ(RefdbEngine(refdb_options()).claims().isolation, "serializable");
}

TEST(RefdbClient, MaintenanceStepsCompleteACheckpointBetweenCommits) {  // [refdb-client.2]
  faultvfs::MemVfs vfs;
  RefdbEngine engine(refdb_options());
  ASSERT_TRUE(engine.open(vfs, "").ok());
  std::unique_ptr<Session> session = engine.session();
  auto put = [&](const std::string& key) {
    ASSERT_TRUE(session->begin().ok());
    ASSERT_TRUE(session->write(key, "v").ok());
    ASSERT_EQ(session->commit().status, CommitStatus::kOk);
  };
  for (int i = 0; i < 50; ++i) put("before/" + std::to_string(i));
  Result<bool> first = engine.maintenance_step();
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(*first) << "a checkpoint takes several steps";
  put("during");  // a commit between two steps of the checkpoint
  int steps = 1;
  for (bool done = false; !done; ++steps) {
    ASSERT_LT(steps, 100);
    Result<bool> step = engine.maintenance_step();
    ASSERT_TRUE(step.ok()) << step.status().to_string();
    done = *step;
  }
  EXPECT_EQ(engine.db()->stats().checkpoints, 1u);
  ASSERT_TRUE(engine.check_integrity().ok());
  ASSERT_TRUE(engine.close().ok());
  ASSERT_TRUE(engine.open(vfs, "").ok());
  ASSERT_TRUE(session->begin().ok()) << "sessions outlive close() and open()";
  EXPECT_EQ(*session->read("during"), "v");
  EXPECT_EQ(*session->read("before/49"), "v");
  session->rollback();
}

TEST(RefdbClient, KillAfterACrashDropsOpenTransactionsAndReopens) {  // [refdb-client.3], [refdb-client.4]
  faultvfs::MemVfs backend;
  auto vfs = faultvfs::FaultVfs::create(backend, faultvfs::FaultPlan{});
  ASSERT_TRUE(vfs.ok());
  RefdbEngine engine(refdb_options());
  ASSERT_TRUE(engine.open(**vfs, "").ok());
  std::unique_ptr<Session> acked = engine.session();
  std::unique_ptr<Session> in_flight = engine.session();
  ASSERT_TRUE(acked->begin().ok());
  ASSERT_TRUE(acked->write("k", "acked").ok());
  ASSERT_EQ(acked->commit().status, CommitStatus::kOk);
  ASSERT_TRUE(in_flight->begin().ok());
  ASSERT_TRUE(in_flight->write("k", "in-flight").ok());
  ASSERT_FALSE(engine.maintenance_step().value()) << "a checkpoint in progress at the crash";

  ASSERT_TRUE((*vfs)->crash(faultvfs::CrashKind::kPower).ok());
  engine.kill();
  EXPECT_FALSE(engine.is_open());
  Result<std::optional<std::string>> read = in_flight->read("k");
  EXPECT_TRUE(read.status().is(Code::kPoisoned)) << read.status().to_string();
  EXPECT_TRUE(in_flight->write("k", "x").is(Code::kPoisoned));
  EXPECT_EQ(in_flight->commit().status, CommitStatus::kFail);
  EXPECT_TRUE(acked->begin().is(Code::kInvalidArgument)) << "no database until reopened";
  EXPECT_TRUE(engine.maintenance_step().status().is(Code::kInvalidArgument));

  ASSERT_TRUE(engine.open(**vfs, "").ok());
  ASSERT_TRUE(in_flight->begin().ok());
  EXPECT_EQ(*in_flight->read("k"), "acked") << "durability full: the acknowledged commit survives";
  in_flight->rollback();
  EXPECT_TRUE(engine.check_integrity().ok());
}

TEST(RefdbClient, ErrorsInsideATransactionLeaveItOpen) {  // [client.3]
  faultvfs::MemVfs vfs;
  RefdbEngine engine(refdb_options());
  ASSERT_TRUE(engine.open(vfs, "").ok());
  std::unique_ptr<Session> session = engine.session();
  ASSERT_TRUE(session->begin().ok());
  ASSERT_TRUE(session->write("a", "1").ok());
  EXPECT_TRUE(session->write("b", std::string(engine::kValueBytesMax + 1, 'x')).is(Code::kInvalidArgument));
  EXPECT_TRUE(session->read("").status().is(Code::kInvalidArgument));
  EXPECT_EQ(*session->read("a"), "1") << "still open, own write visible";
  session->rollback();
  session->rollback();  // idle: nothing to do
  ASSERT_TRUE(session->begin().ok());
  EXPECT_EQ(*session->read("a"), std::nullopt) << "the rolled-back write is gone";
  session->rollback();
}

TEST(RefdbClient, SessionsMayOutliveTheEngine) {
  faultvfs::MemVfs vfs;
  std::unique_ptr<Session> session;
  {
    RefdbEngine engine(refdb_options());
    ASSERT_TRUE(engine.open(vfs, "").ok());
    session = engine.session();
    ASSERT_TRUE(session->begin().ok());
    ASSERT_TRUE(session->write("k", "v").ok());
  }  // ~RefdbEngine closes the Db after ending the open transaction
  EXPECT_EQ(session->commit().status, CommitStatus::kFail);
  EXPECT_TRUE(session->begin().is(Code::kInvalidArgument));
}

}  // namespace
}  // namespace fl::workloads::testing
