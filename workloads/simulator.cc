// workloads/simulator.cc: the deterministic simulator (simulator.h).
#include "workloads/simulator.h"

#include <utility>

#include "faultvfs/fault_vfs.h"
#include "faultvfs/mem_vfs.h"
#include "workloads/application.h"
#include "workloads/limits.h"

namespace fl::workloads {

using history::OpType;
using history::Value;

Status validate(const SimOptions& options) {
  if (options.clients == 0 || options.clients > 1024) {
    return Status::invalid_argument("clients", "must be in [1, 1024], got " + std::to_string(options.clients));
  }
  if (options.txns > (uint64_t{1} << 32)) return Status::invalid_argument("txns", "at most 2^32");
  if (options.step_op_budget == 0) return Status::invalid_argument("step-op-budget", "must be positive");
  if (!options.maintenance_ratio.valid()) return Status::invalid_argument("maintenance-ratio", "not a probability");
  if (options.recovery_attempts_max == 0) return Status::invalid_argument("recovery-attempts", "must be positive");
  if (options.restart_delay_steps_max > kRestartDelayStepsMax) {
    return Status::invalid_argument("restart-delay", "at most " + std::to_string(kRestartDelayStepsMax) + " steps");
  }
  return validate(options.workload);
}

namespace {

constexpr int64_t kNanosPerStep = 1000;

struct Client {
  int64_t process = 0;
  std::unique_ptr<Session> session;
  std::unique_ptr<Plan> plan;  // non-null while a transaction is in flight
  Invocation invocation;
  AppTxn app;                  // the application's decisions for it (application.h)
  size_t app_steps_done = 0;   // of app.outbox
  bool wrote = false;          // it issued a write ([app.1], [app.2] apply)
  bool plan_done = false;      // the plan's steps are over; the application's follow
  bool committing = false;     // the next step is the commit
};

Value keyword(std::string name) { return Value::keyword(std::move(name)); }

Value error_value(std::string_view text) {
  std::string ascii;
  for (char c : text) ascii += (static_cast<unsigned char>(c) < 0x80 && c != '\0') ? c : '?';
  return Value::string(std::move(ascii));
}

class Sim {
 public:
  Sim(const EngineFactory& make_engine, const SimOptions& options)
      : make_engine_(make_engine),
        options_(options),
        workload_(Prng::stream(options.seed, "workload")),
        scheduler_(Prng::stream(options.seed, "scheduler")),
        supervisor_(Prng::stream(options.seed, "supervisor")),
        application_(options.workload, Prng::stream(options.seed, "application")) {}

  Result<SimResult> run();

 private:
  // History.
  history::Op& record(OpType type, history::Process process, std::string f, Value value) {
    history::Op op;
    op.index = static_cast<int64_t>(result_.history.ops.size());
    op.time = static_cast<int64_t>(result_.stats.steps) * kNanosPerStep;
    op.type = type;
    op.process = std::move(process);
    op.f = std::move(f);
    op.set_value(std::move(value));
    result_.history.ops.push_back(std::move(op));
    return result_.history.ops.back();
  }
  void complete(Client& client, OpType type, Value value, std::string_view error = {}) {
    history::Op& op = record(type, history::Process::integer(client.process), client.invocation.f, std::move(value));
    if (!error.empty()) op.extras.push_back(history::Extra{"error", error_value(error)});
    switch (type) {
      case OpType::kOk: ++result_.stats.ok; break;
      case OpType::kFail: ++result_.stats.fail; break;
      case OpType::kInfo: ++result_.stats.info; break;
      case OpType::kInvoke: break;
    }
    end_transaction(client);
  }
  static void end_transaction(Client& client) {
    client.plan.reset();
    client.app = AppTxn{};
    client.app_steps_done = 0;
    client.wrote = false;
    client.plan_done = false;
    client.committing = false;
  }
  void nemesis(OpType type, std::string f, Value value) {
    record(type, history::Process::nemesis(), std::move(f), std::move(value));
  }
  void finding(std::string kind, std::string detail) {
    result_.findings.push_back(Finding{std::move(kind), std::move(detail), epoch_});
  }

  // Engine lifecycle.
  Status open_engine();
  Status recover(faultvfs::CrashKind kind, std::string_view why);
  void keep_crash_image(faultvfs::CrashKind kind);
  void fresh_sessions();

  // One scheduler turn; false when the run is over.
  Result<bool> turn();
  Status client_step(Client& client);
  Status engine_call(Client& client, const Step& step);
  void start(Client& client);
  Status restart_if_due(bool now);
  void final_integrity_check();
  Status guarded(Client* client, const std::function<void()>& step);
  Status final_reads();

  const EngineFactory& make_engine_;
  const SimOptions& options_;
  Prng workload_;
  Prng scheduler_;
  Prng supervisor_;           // [sim.4]: restart delays
  Application application_;   // [app.3]: its own stream
  faultvfs::MemVfs backend_;
  std::unique_ptr<faultvfs::FaultVfs> vfs_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Generator> generator_;
  std::vector<Client> clients_;
  int64_t next_process_ = 0;
  uint64_t issued_ = 0;
  uint64_t epoch_ = 0;
  uint64_t crash_image_bytes_ = 0;  // [sim.8]: kept so far
  bool dead_ = false;  // recovery failed: no database left
  std::optional<uint64_t> restart_step_;  // [sim.4]: when the refusing engine is restarted
  SimResult result_;
};

Status Sim::open_engine() {
  engine_ = make_engine_();
  return engine_->open(*vfs_, "");
}

void Sim::fresh_sessions() {
  for (Client& client : clients_) {
    client.session = engine_->session();
    client.process = next_process_++;
    end_transaction(client);
  }
}

// [sim.8]: the backend holds exactly what the crash left on the disk (a
// process crash may leave failed-writeback pages in the page cache above
// it, [fvfs.3]; they are not part of the image).
void Sim::keep_crash_image(faultvfs::CrashKind kind) {
  if (options_.crash_image_bytes_max == 0) return;
  const uint64_t bytes = backend_.used_bytes();
  if (bytes > options_.crash_image_bytes_max - crash_image_bytes_ || result_.crash_images.size() >= kCrashImagesMax) {
    ++result_.crash_images_omitted;
    return;
  }
  crash_image_bytes_ += bytes;
  result_.crash_images.push_back(CrashImage{epoch_, kind, backend_.image()});
}

// [sim.3], [sim.4], [sim.5]: in-flight operations end :info; the engine is
// killed, the Vfs crashes, and the engine reopens.
Status Sim::recover(faultvfs::CrashKind kind, std::string_view why) {
  vfs_->set_op_limit(std::nullopt);
  restart_step_.reset();  // a crash restarts the engine anyway
  for (Client& client : clients_) {
    if (client.plan) complete(client, OpType::kInfo, client.invocation.value, why);
  }
  const std::string kind_name(faultvfs::crash_kind_name(kind));
  nemesis(OpType::kInvoke, "crash", Value::map({{keyword("kind"), keyword(kind_name)}}));
  for (Client& client : clients_) client.session.reset();
  FL_ASSIGN_OR_RETURN(faultvfs::CrashSummary summary, vfs_->crash(kind));  // [client.4]: crash first
  engine_->kill();
  engine_.reset();
  ++epoch_;
  keep_crash_image(kind);
  result_.stats.crash_states += summary.states.states;
  nemesis(OpType::kInfo, "crash",
          Value::map({{keyword("kind"), keyword(kind_name)}, {keyword("reason"), error_value(why)}}));
  nemesis(OpType::kInvoke, "recover", Value::nil());
  Status opened;
  for (uint32_t attempt = 0; attempt < options_.recovery_attempts_max; ++attempt) {
    // The last attempt runs without injected faults: a recovery that keeps
    // meeting injected I/O errors says nothing about the engine.
    if (attempt + 1 == options_.recovery_attempts_max) vfs_->set_injection(false);
    vfs_->set_op_limit(vfs_->op_count() + options_.step_op_budget);
    try {
      opened = open_engine();
    } catch (const faultvfs::OpLimitExceeded& stopped) {
      opened = Status::io_error(std::string("recovery: ") + stopped.what(), ETIMEDOUT);
      finding("liveness", opened.to_string());
    }
    vfs_->set_op_limit(std::nullopt);
    if (opened.ok()) break;
    // The failed open left nothing open; a crash it requested still ends
    // the epoch before the next attempt.
    if (vfs_->crash_requested()) FL_TRY(vfs_->crash(*vfs_->crash_requested()).status());
    engine_.reset();
    if (opened.is(Code::kCorruption)) break;  // not transient: the files are damaged
  }
  vfs_->set_injection(true);
  if (!opened.ok()) {
    // An I/O error the device keeps returning (a latent sector error in the
    // log) leaves no database to test, but it is the device's failure, not
    // the engine's: "unavailable", not "recovery".
    const bool device = opened.is(Code::kIoError) || opened.is(Code::kNoSpace);
    finding(device ? "unavailable" : "recovery", opened.to_string());
    nemesis(OpType::kInfo, "recover", Value::map({{keyword("error"), error_value(opened.to_string())}}));
    dead_ = true;
    return Status::success();
  }
  // fsck reads every page: an injected fault (or a crash rule firing) there
  // would be reported as damage the engine never did. It runs on the
  // device's faithful contents, like the final reads.
  vfs_->set_injection(false);
  Status integrity = engine_->check_integrity();
  vfs_->set_injection(true);
  // A latent sector error is the device's state, not an injection, so it
  // still answers fsck's reads with EIO: like recovery above, an I/O error
  // there is the device failing ("unavailable"), not damage the engine did.
  if (!integrity.ok()) finding(integrity.is(Code::kIoError) ? "unavailable" : "integrity", integrity.to_string());
  nemesis(OpType::kInfo, "recover",
          Value::map({{keyword("integrity"), integrity.ok() ? keyword("ok") : error_value(integrity.to_string())}}));
  fresh_sessions();
  return Status::success();
}

void Sim::start(Client& client) {
  client.invocation = generator_->next(workload_);
  client.plan = make_plan(options_.workload, client.invocation);
  client.app = application_.next();
  record(OpType::kInvoke, history::Process::integer(client.process), client.invocation.f, client.invocation.value);
  ++issued_;
  ++result_.stats.invocations;
}

// One engine call of `client`'s transaction; a failure ends it :fail
// ([client.3]: nothing was committed).
Status Sim::engine_call(Client& client, const Step& step) {
  Session& session = *client.session;
  Status status;
  switch (step.kind) {
    case Step::Kind::kRead: {
      Result<std::optional<std::string>> read = session.read(step.key);
      status = read.ok() ? client.plan->record_read(*read) : read.status();
      break;
    }
    case Step::Kind::kWrite:
      client.wrote = true;
      status = session.write(step.key, step.value);
      break;
    case Step::Kind::kErase:
      client.wrote = true;
      status = session.erase(step.key);
      break;
  }
  if (!status.ok()) {
    session.rollback();
    complete(client, OpType::kFail, client.invocation.value, status.to_string());
  }
  return Status::success();
}

// One step of `client`: begin + first call, one engine call (the plan's,
// then the application's, [app.2]), the application's rollback ([app.1]),
// or the commit.
Status Sim::client_step(Client& client) {
  Session& session = *client.session;
  if (!client.plan) {
    start(client);
    if (Status began = session.begin(); !began.ok()) {
      complete(client, OpType::kFail, client.invocation.value, began.to_string());
      return Status::success();
    }
  }
  if (client.committing) {
    CommitResult committed = session.commit();
    switch (committed.status) {
      case CommitStatus::kOk: complete(client, OpType::kOk, client.plan->completion()); break;
      case CommitStatus::kFail: complete(client, OpType::kFail, client.invocation.value, committed.error); break;
      case CommitStatus::kInfo:
        complete(client, OpType::kInfo, client.invocation.value, committed.error);
        // [sim.2]: as in Jepsen, a process whose operation may still take
        // effect never invokes again; the client goes on as a fresh one.
        // (A crash or restart gives every client a fresh one anyway.)
        client.process = next_process_++;
        break;
    }
    return Status::success();
  }
  if (!client.plan_done) {
    if (std::optional<Step> step = client.plan->next_step()) return engine_call(client, *step);
    if (auto reason = client.plan->abort_reason()) {
      session.rollback();
      complete(client, OpType::kFail, client.invocation.value, *reason);
      return Status::success();
    }
    client.plan_done = true;
  }
  if (client.wrote && client.app_steps_done < client.app.outbox.size()) {  // [app.2]
    return engine_call(client, client.app.outbox[client.app_steps_done++]);
  }
  if (client.wrote && client.app.rollback) {  // [app.1]
    session.rollback();
    complete(client, OpType::kFail, client.invocation.value, kApplicationRollback);
    return Status::success();
  }
  client.committing = true;
  return Status::success();
}

// Runs `step` under the liveness limit [sim.5]; a step that exceeds it
// kills the engine.
Status Sim::guarded(Client* client, const std::function<void()>& step) {
  vfs_->set_op_limit(vfs_->op_count() + options_.step_op_budget);
  try {
    step();
  } catch (const faultvfs::OpLimitExceeded& stopped) {
    const std::string detail = std::string("liveness: ") + stopped.what() + " in one " +
                               (client ? "client step" : "maintenance step");
    finding("liveness", detail);
    ++result_.stats.kills;
    return recover(faultvfs::CrashKind::kProcess, detail);
  }
  vfs_->set_op_limit(std::nullopt);
  return Status::success();
}

Result<bool> Sim::turn() {
  ++result_.stats.steps;
  const bool work_left = issued_ < options_.txns;
  bool in_flight = false;
  for (const Client& client : clients_) in_flight = in_flight || client.plan != nullptr;
  if (!work_left && !in_flight) return false;
  // Maintenance (refdb: one checkpoint step) interleaves with clients.
  if (scheduler_.chance(options_.maintenance_ratio)) {
    FL_TRY(guarded(nullptr, [&] { (void)engine_->maintenance_step(); }));
  } else {
    Client& client = clients_[scheduler_.uniform(clients_.size())];
    if (client.plan || work_left) FL_TRY(guarded(&client, [&] { (void)client_step(client); }));
  }
  if (dead_) return false;
  if (auto kind = vfs_->crash_requested()) {
    ++result_.stats.crashes;
    FL_TRY(recover(*kind, "crashed in flight"));
  } else {
    FL_TRY(restart_if_due(false));
  }
  return !dead_;
}

// [sim.4]: the supervisor restarts an engine that refuses writes, after a
// delay drawn when the refusal is first seen (or `now`, at the end of a run).
Status Sim::restart_if_due(bool now) {
  if (!engine_ || !engine_->needs_restart()) {
    restart_step_.reset();
    return Status::success();
  }
  if (!restart_step_) {
    restart_step_ = result_.stats.steps + supervisor_.range_inclusive(0, options_.restart_delay_steps_max);
  }
  if (!now && result_.stats.steps < *restart_step_) return Status::success();
  ++result_.stats.restarts;
  return recover(faultvfs::CrashKind::kProcess, "engine restarted after refusing writes");
}

// [sim.6]: fsck of the final state, on the device's faithful contents (as
// after a recovery, [sim.3]).
void Sim::final_integrity_check() {
  vfs_->set_injection(false);
  Status integrity = engine_->check_integrity();
  if (!integrity.ok()) finding(integrity.is(Code::kIoError) ? "unavailable" : "integrity", integrity.to_string());
}

// [sim.6]
Status Sim::final_reads() {
  vfs_->set_injection(false);
  Client reader;
  reader.process = next_process_++;
  reader.session = engine_->session();
  for (const Invocation& invocation : generator_->final_reads()) {
    reader.invocation = invocation;
    reader.plan = make_plan(options_.workload, invocation);
    record(OpType::kInvoke, history::Process::integer(reader.process), invocation.f, invocation.value);
    ++result_.stats.invocations;
    if (Status began = reader.session->begin(); !began.ok()) {
      complete(reader, OpType::kFail, invocation.value, began.to_string());
      continue;
    }
    bool failed = false;
    while (auto step = reader.plan->next_step()) {
      Result<std::optional<std::string>> read = reader.session->read(step->key);
      Status status = read.ok() ? reader.plan->record_read(*read) : read.status();
      if (!status.ok()) {
        reader.session->rollback();
        complete(reader, OpType::kFail, invocation.value, status.to_string());
        failed = true;
        break;
      }
    }
    if (failed) continue;
    CommitResult committed = reader.session->commit();
    if (committed.status == CommitStatus::kOk) {
      complete(reader, OpType::kOk, reader.plan->completion());
    } else {
      complete(reader, committed.status == CommitStatus::kFail ? OpType::kFail : OpType::kInfo, invocation.value,
               committed.error);
    }
  }
  return Status::success();
}

Result<SimResult> Sim::run() {
  FL_TRY(validate(options_));
  if (options_.plan) {
    result_.plan = *options_.plan;
  } else {
    FL_ASSIGN_OR_RETURN(result_.plan, faultvfs::generate_fault_plan(options_.faults, options_.seed));
  }
  FL_ASSIGN_OR_RETURN(vfs_, faultvfs::FaultVfs::create(backend_, result_.plan));
  generator_ = make_generator(options_.workload);
  // Setup without faults: creating the database and the bank's accounts.
  vfs_->set_injection(false);
  FL_TRY(open_engine());
  if (auto writes = initial_writes(options_.workload); !writes.empty()) {
    auto session = engine_->session();
    FL_TRY(session->begin());
    for (const auto& [key, value] : writes) FL_TRY(session->write(key, value));
    CommitResult committed = session->commit();
    if (committed.status != CommitStatus::kOk) return Status::io_error("setup: " + committed.error, EIO);
  }
  vfs_->set_injection(true);
  clients_.resize(options_.clients);
  fresh_sessions();

  for (;;) {
    FL_ASSIGN_OR_RETURN(bool go_on, turn());
    if (!go_on) break;
  }
  if (!dead_) FL_TRY(restart_if_due(true));
  if (!dead_) {
    FL_TRY(final_reads());
    final_integrity_check();
  }
  const EngineClaims claims = engine_ ? engine_->claims() : make_engine_()->claims();
  history::Metadata& meta = result_.history.meta;
  meta.set("engine", Value::string(claims.engine));
  meta.set("isolation", keyword(claims.isolation));
  meta.set("durability", keyword(claims.durability));
  meta.set("workload", keyword(std::string(workload_name(options_.workload.kind))));
  meta.set("faults", Value::string(options_.plan ? "custom" : options_.faults));
  meta.set("seed", Value::integer(static_cast<int64_t>(options_.seed)));
  meta.set("clients", Value::integer(options_.clients));
  if (engine_) {
    for (Client& client : clients_) client.session.reset();
    (void)engine_->close();
    engine_.reset();
  }
  result_.stats.vfs_ops = vfs_->op_count();
  result_.fault_log_jsonl = vfs_->fault_log_jsonl();
  return std::move(result_);
}

}  // namespace

Result<SimResult> simulate(const EngineFactory& make_engine, const SimOptions& options) {
  Sim sim(make_engine, options);
  return sim.run();
}

}  // namespace fl::workloads
