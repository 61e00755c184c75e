// campaign/runner.cc: the worker pool of a campaign run (runner.h).
//
// Method: the shard's trials not yet finished form one list, in start
// order ([camp.4]). Each worker thread takes the next index from an atomic
// counter, runs and checks the trial with no lock held, writes a failing
// trial's bundle, then, under the one mutex, appends its line to
// trials.jsonl, keeps its record and tells Progress. Sorting happens once
// at the end, which is what makes the output independent of --jobs.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "campaign/campaign_dir.h"
#include "campaign/campaign_limits.h"
#include "campaign/progress.h"
#include "campaign/repro_bundle.h"
#include "campaign/runner.h"

namespace fl::campaign {

namespace fs = std::filesystem;

namespace {

double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

class Pool {
 public:
  Pool(const CampaignConfig& config, const RunOptions& options, std::vector<TrialKey> pending, FILE* log,
       Progress& progress)
      : config_(config), options_(options), pending_(std::move(pending)), log_(log), progress_(progress) {}

  // Runs until every trial ran, the budget ran out, or writing failed.
  Status run(std::vector<TrialRecord>& records) {
    start_ = std::chrono::steady_clock::now();
    const size_t workers = std::min<size_t>(options_.jobs, pending_.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < workers; ++i) threads.emplace_back([this] { work(); });
    for (std::thread& thread : threads) thread.join();
    for (TrialRecord& record : done_) records.push_back(std::move(record));
    return failure_;
  }
  uint64_t ran() const { return ran_; }
  bool budget_ran_out() const { return budget_ran_out_; }
  std::optional<double> first_failure_seconds() const { return first_failure_seconds_; }

 private:
  bool out_of_time() const {
    return options_.time_budget_seconds &&
           seconds_between(start_, std::chrono::steady_clock::now()) >= *options_.time_budget_seconds;
  }

  void work() {
    for (;;) {
      if (stop_.load()) return;
      const size_t index = next_.fetch_add(1);
      if (index >= pending_.size()) return;
      if (out_of_time()) {  // [run.5]: this trial and every later one stay not run
        budget_ran_out_.store(true);
        return;
      }
      Result<TrialRecord> record = run_one(pending_[index]);
      std::lock_guard<std::mutex> lock(mutex_);
      if (!record.ok()) {
        if (failure_.ok()) failure_ = record.take_status();
        stop_.store(true);
        return;
      }
      if (Status logged = append(*record); !logged.ok()) {
        if (failure_.ok()) failure_ = logged;
        stop_.store(true);
        return;
      }
      ++ran_;
      if (record->status != TrialStatus::kPass && !first_failure_seconds_) {
        first_failure_seconds_ = seconds_between(start_, std::chrono::steady_clock::now());
      }
      if (record->status != TrialStatus::kPass && options_.stop_at_first_failure) stop_.store(true);  // [run.7]
      progress_.trial_done(*record, record->bundle ? (options_.out_dir / *record->bundle).string() : "");
      done_.push_back(std::move(*record));
    }
  }

  // Runs, checks and (when failing) bundles one trial; only an output
  // directory that cannot be written is an error here ([run.6]).
  Result<TrialRecord> run_one(const TrialKey& key) {
    const auto started = std::chrono::steady_clock::now();
    const TrialConfig trial = trial_config(config_, key);
    assert_trial_seed = key.seed;  // thread_local: an FL_ASSERT names the seed
    Result<TrialOutput> output = run_trial(trial);
    TrialRecord record;
    if (!output.ok()) {
      record = error_record(key, output.status());
    } else {
      const TrialEvaluation evaluation = evaluate_trial(trial, *output);
      record = evaluation.record;
      if (record.status != TrialStatus::kPass) {
        const std::string name = "bundles/" + bundle_name(key);
        FL_TRY(write_bundle(options_.out_dir / name, trial, *output, evaluation));
        record.bundle = name;
      }
    }
    assert_trial_seed = 0;
    record.seconds = seconds_between(started, std::chrono::steady_clock::now());
    return record;
  }

  Status append(const TrialRecord& record) {  // REQUIRES: mutex_ held
    const std::string line = trial_record_json(record) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), log_) != line.size() || std::fflush(log_) != 0) {
      return Status::io_error((options_.out_dir / "trials.jsonl").string(), EIO);
    }
    return Status::success();
  }

  const CampaignConfig& config_;
  const RunOptions& options_;
  const std::vector<TrialKey> pending_;
  FILE* log_;
  Progress& progress_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> budget_ran_out_{false};
  std::mutex mutex_;
  std::vector<TrialRecord> done_;  // guarded by mutex_
  Status failure_;                 // guarded by mutex_
  uint64_t ran_ = 0;               // guarded by mutex_
  std::optional<double> first_failure_seconds_;  // guarded by mutex_
};

}  // namespace

Result<RunReport> run_campaign(const CampaignConfig& config, const RunOptions& options) {
  FL_TRY(validate_campaign(config));
  if (options.jobs == 0 || options.jobs > kJobsMax) {
    return Status::invalid_argument("--jobs", "must be in 1.." + std::to_string(kJobsMax) + ", got " +
                                                  std::to_string(options.jobs));
  }
  const auto started = std::chrono::steady_clock::now();
  RunReport report;
  FL_ASSIGN_OR_RETURN(std::vector<TrialRecord> records, prepare_out_dir(config, options.out_dir, options.resume));
  report.resumed = records.size();
  std::vector<TrialKey> pending;
  {
    std::vector<TrialKey> finished;
    for (const TrialRecord& record : records) finished.push_back(record.key);  // sorted by output_order
    for (const TrialKey& key : campaign_trials(config)) {
      if (!std::binary_search(finished.begin(), finished.end(), key, output_order)) pending.push_back(key);
    }
  }
  const std::string log_path = (options.out_dir / "trials.jsonl").string();
  FILE* log = std::fopen(log_path.c_str(), "ab");
  if (log == nullptr) return Status::io_error(log_path, errno);
  Progress progress(options.progress, options.progress_tty, records.size() + pending.size(), records.size());
  Pool pool(config, options, std::move(pending), log, progress);
  const Status ran = pool.run(records);
  const bool closed = std::fclose(log) == 0;
  FL_TRY(ran);
  if (!closed) return Status::io_error(log_path, EIO);
  report.ran = pool.ran();
  report.budget_ran_out = pool.budget_ran_out();
  report.first_failure_seconds = pool.first_failure_seconds();
  progress.finish(report.budget_ran_out);
  report.result.config = config;
  report.result.records = std::move(records);
  FL_TRY(normalize_records(config, report.result.records, log_path));
  report.result.elapsed_seconds = seconds_between(started, std::chrono::steady_clock::now());
  FL_TRY(write_campaign_reports(options.out_dir, report.result));
  return report;
}

}  // namespace fl::campaign
