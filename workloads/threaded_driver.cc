// workloads/threaded_driver.cc: real threads on one engine (threaded_driver.h).
#include "workloads/threaded_driver.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "workloads/application.h"

namespace fl::workloads {

namespace {

using Clock = std::chrono::steady_clock;
using history::OpType;
using history::Value;

class Driver {
 public:
  Driver(Engine& engine, faultvfs::FaultVfs& vfs, const ThreadedOptions& options)
      : engine_(engine),
        vfs_(vfs),
        options_(options),
        prng_(Prng::stream(options.seed, "workload")),
        generator_(make_generator(options.workload)),
        application_(options.workload, Prng::stream(options.seed, "application")),
        start_(Clock::now()),
        busy_since_(options.threads) {
    for (auto& slot : busy_since_) slot.store(0);
  }

  Result<ThreadedResult> run() {
    std::vector<std::thread> workers;
    for (uint32_t t = 0; t < options_.threads; ++t) workers.emplace_back([this, t] { worker(t); });
    std::thread watchdog([this] { watch(); });
    for (std::thread& worker : workers) worker.join();
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    wake_.notify_all();
    watchdog.join();
    if (!killed_) final_reads();
    return std::move(result_);
  }

 private:
  int64_t now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count();
  }
  // REQUIRES: mu_ held.
  void record_locked(OpType type, int64_t process, const std::string& f, Value value, std::string_view error = {}) {
    history::Op op;
    op.index = static_cast<int64_t>(result_.history.ops.size());
    op.time = now_ns();
    op.type = type;
    op.process = history::Process::integer(process);
    op.f = f;
    op.set_value(std::move(value));
    if (!error.empty()) op.extras.push_back(history::Extra{"error", Value::string(std::string(error))});
    result_.history.ops.push_back(std::move(op));
    switch (type) {
      case OpType::kInvoke: ++result_.stats.invocations; break;
      case OpType::kOk: ++result_.stats.ok; break;
      case OpType::kFail: ++result_.stats.fail; break;
      case OpType::kInfo: ++result_.stats.info; break;
    }
  }
  void record(OpType type, int64_t process, const std::string& f, Value value, std::string_view error = {}) {
    std::lock_guard lock(mu_);
    record_locked(type, process, f, std::move(value), error);
  }

  // One transaction of `invocation` on `session`; returns the completion.
  struct Completion {
    OpType type;
    Value value;
    std::string error;
  };
  // `app` is the application's behaviour (application.h); final reads have none.
  Completion execute(Session& session, const Invocation& invocation, const AppTxn& app = {}) {
    std::unique_ptr<Plan> plan = make_plan(options_.workload, invocation);
    if (Status began = session.begin(); !began.ok()) return {OpType::kFail, invocation.value, began.to_string()};
    bool wrote = false;
    auto call = [&](const Step& step) {
      switch (step.kind) {
        case Step::Kind::kRead: {
          auto read = session.read(step.key);
          return read.ok() ? plan->record_read(*read) : read.status();
        }
        case Step::Kind::kWrite: wrote = true; return session.write(step.key, step.value);
        case Step::Kind::kErase: wrote = true; return session.erase(step.key);
      }
      return Status::invalid_argument("step", "unknown kind");
    };
    while (auto step = plan->next_step()) {
      if (Status status = call(*step); !status.ok()) {
        session.rollback();
        return {OpType::kFail, invocation.value, status.to_string()};
      }
    }
    if (auto reason = plan->abort_reason()) {
      session.rollback();
      return {OpType::kFail, invocation.value, *reason};
    }
    for (size_t i = 0; wrote && i < app.outbox.size(); ++i) {  // [app.2]
      if (Status status = call(app.outbox[i]); !status.ok()) {
        session.rollback();
        return {OpType::kFail, invocation.value, status.to_string()};
      }
    }
    if (wrote && app.rollback) {  // [app.1]
      session.rollback();
      return {OpType::kFail, invocation.value, std::string(kApplicationRollback)};
    }
    CommitResult committed = session.commit();
    switch (committed.status) {
      case CommitStatus::kOk: return {OpType::kOk, plan->completion(), ""};
      case CommitStatus::kFail: return {OpType::kFail, invocation.value, committed.error};
      case CommitStatus::kInfo: break;
    }
    return {OpType::kInfo, invocation.value, committed.error};
  }

  void worker(uint32_t thread) {
    const int64_t process = thread;
    std::unique_ptr<Session> session = engine_.session();
    for (;;) {
      Invocation invocation;
      AppTxn app;
      {
        std::lock_guard lock(mu_);
        if (killed_ || issued_ >= options_.txns) return;
        ++issued_;
        invocation = generator_->next(prng_);
        app = application_.next();
        record_locked(OpType::kInvoke, process, invocation.f, invocation.value);
      }
      busy_since_[thread].store(std::max<int64_t>(1, now_ns()));
      Completion done;
      try {
        done = execute(*session, invocation, app);
      } catch (const faultvfs::OpLimitExceeded&) {  // [thr.2]: the watchdog stopped the engine
        done = {OpType::kInfo, invocation.value, "killed: an operation passed its deadline"};
      }
      busy_since_[thread].store(0);
      record(done.type, process, invocation.f, std::move(done.value), done.error);
      if (killed_) return;
    }
  }

  void watch() {
    const int64_t deadline_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.op_deadline).count();
    std::unique_lock lock(mu_);
    while (!done_) {
      wake_.wait_for(lock, std::chrono::milliseconds(10));
      for (size_t t = 0; t < busy_since_.size() && !killed_; ++t) {
        const int64_t since = busy_since_[t].load();
        if (since == 0 || now_ns() - since <= deadline_ns) continue;
        killed_ = true;
        ++result_.stats.kills;
        result_.findings.push_back(Finding{"liveness",
                                           "thread " + std::to_string(t) + "'s operation ran past its " +
                                               std::to_string(options_.op_deadline.count()) + " ms deadline",
                                           0});
        vfs_.set_op_limit(vfs_.op_count());  // [fvfs.8]: every thread's next call unwinds
      }
    }
    vfs_.set_op_limit(std::nullopt);
  }

  void final_reads() {
    std::unique_ptr<Session> session = engine_.session();
    const int64_t process = options_.threads;
    for (const Invocation& invocation : generator_->final_reads()) {
      record(OpType::kInvoke, process, invocation.f, invocation.value);
      Completion done = execute(*session, invocation);
      record(done.type, process, invocation.f, std::move(done.value), done.error);
    }
  }

  Engine& engine_;
  faultvfs::FaultVfs& vfs_;
  const ThreadedOptions& options_;
  std::mutex mu_;
  std::condition_variable wake_;
  Prng prng_;
  std::unique_ptr<Generator> generator_;
  Application application_;  // guarded by mu_
  const Clock::time_point start_;
  std::vector<std::atomic<int64_t>> busy_since_;  // ns since start when the op began; 0 = idle
  uint64_t issued_ = 0;
  std::atomic<bool> killed_ = false;
  bool done_ = false;
  ThreadedResult result_;
};

}  // namespace

Result<ThreadedResult> run_threaded(Engine& engine, faultvfs::FaultVfs& vfs, const ThreadedOptions& options) {
  if (options.threads == 0 || options.threads > 256) {
    return Status::invalid_argument("threads", "must be in [1, 256], got " + std::to_string(options.threads));
  }
  FL_TRY(validate(options.workload));
  Driver driver(engine, vfs, options);
  return driver.run();
}

}  // namespace fl::workloads
