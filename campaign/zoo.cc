// campaign/zoo.cc: the planted-bug detection matrix (zoo.h).
//
// Method: every row is one or more ordinary campaigns (runner.h) with
// stop_at_first_failure and a time budget, so a trial runs, is judged and
// is bundled exactly as in `faultline campaign`; this file only chooses
// the campaigns, splits the budget and reads their results.
#include "campaign/zoo.h"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "campaign/campaign_limits.h"
#include "campaign/runner.h"
#include "campaign/shrink.h"
#include "campaign/trial_record.h"
#include "engine/planted_bugs.h"

namespace fl::campaign {

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------
// The per-bug list ([zoo.3]): the bugs the default campaign (list-append,
// rw-register and bank; faults `everything`; serializable, durability full;
// 8 clients, 500 txns, 8 keys) cannot catch, and the campaigns that can.
// A field left empty (or 0) keeps the default. Every entry says why.
struct ZooVariant {
  std::string_view bug;
  std::string_view label;
  std::string_view why;
  std::string_view workloads;  // comma-separated
  std::string_view faults;
  std::string_view isolation;
  std::string_view durability;
  uint32_t clients = 0;
  uint64_t txns = 0;
  uint32_t keys = 0;
};

//
// Empty: the default campaign catches all 15 bugs, each within a few
// seconds (docs/campaign.md "The matrix"). Four of them used to need more
// than the stock Jepsen-style clients give, and now get it from the
// default campaign itself rather than from an entry here:
//   rollback-visible     application rollbacks (workloads/application.h
//                        [app.1]): a rolled-back transaction's writes read
//                        by another client, G1a.
//   index-before-commit  the simulator restarts a refusing engine a delay
//                        after its refusal, as a supervisor would ([sim.4]),
//                        so after ENOSPC on a commit's first WAL write other
//                        clients read the phantom first, G1a. (Restarted in
//                        the same step, as before, the phantom was never
//                        read: 0 failures in 256 seeds of faults=disk-full
//                        keys=4.)
//   nonatomic-freelist   the outbox ([app.2]) frees and reuses pages all the
//   leak-on-rollback     time, and application rollbacks and conflicts end
//                        transactions that changed the freelist or grew the
//                        file; fsck after every recovery and at the end of a
//                        run ([sim.6]) reports the damage, integrity.
// An entry belongs here only once measured to catch its bug while the same
// config with the bug off stays clean.
const std::vector<ZooVariant>& zoo_variants() {
  static const std::vector<ZooVariant> variants = {};
  return variants;
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    out.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

CampaignConfig variant_config(const ZooVariant& variant) {
  CampaignConfig config;
  config.bugs = {std::string(variant.bug)};
  if (!variant.workloads.empty()) config.workloads = split_commas(variant.workloads);
  if (!variant.faults.empty()) config.faults = std::string(variant.faults);
  if (!variant.isolation.empty()) config.isolation = std::string(variant.isolation);
  if (!variant.durability.empty()) config.durability = std::string(variant.durability);
  if (variant.clients != 0) config.clients = variant.clients;
  if (variant.txns != 0) config.txns = variant.txns;
  if (variant.keys != 0) config.keys = variant.keys;
  return config;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Seeds an attempt's campaign lists. The campaign stops on the budget long
// before: 100 seeds a second per job is three trials in 10 ms, several
// times faster than the fastest default trial measured (campaign_config.h).
// A bound keeps junit.xml (one <skipped> per trial not run) small.
uint64_t seed_count(double budget_seconds, uint32_t jobs) {
  const double estimate = std::ceil(budget_seconds * jobs * 100.0) + 16;
  return static_cast<uint64_t>(std::min<double>(estimate, static_cast<double>(kCampaignSeedsMax)));
}

// The kind of a finding "kind (epoch N): detail".
std::string finding_kind(const std::string& finding) {
  const size_t end = finding.find_first_of(" (:");
  return finding.substr(0, end);
}

std::vector<std::string> anomaly_class(const TrialRecord& record) {
  if (!record.anomaly_types.empty()) return record.anomaly_types;
  std::set<std::string> kinds;
  for (const std::string& finding : record.findings) {
    const std::string kind = finding_kind(finding);
    if (kind != "unavailable") kinds.insert(kind);  // the device failed, not the engine ([rec.2])
  }
  if (kinds.empty() && record.status == TrialStatus::kError) kinds.insert("error");
  return {kinds.begin(), kinds.end()};
}

// A fresh directory for campaigns whose files nobody asked for.
Result<fs::path> make_temp_dir() {
  std::error_code error;
  const fs::path base = fs::temp_directory_path(error);
  if (error) return Status::io_error("temp directory: " + error.message(), error.value());
  std::string pattern = (base / "faultline-zoo-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return Status::io_error(pattern, errno);
  return fs::path(pattern);
}

bool empty_or_missing(const fs::path& dir) {
  std::error_code error;
  if (!fs::exists(dir, error)) return true;
  return fs::is_directory(dir, error) && fs::is_empty(dir, error);
}

// [zoo.7] Whether the trial also fails on the bug-free engine.
bool fails_without_bug(const CampaignConfig& config, const TrialKey& key) {
  TrialConfig trial = trial_config(config, key);
  trial.bugs.clear();
  Result<TrialOutput> output = run_trial(trial);
  return !output.ok() || evaluate_trial(trial, *output).record.status != TrialStatus::kPass;
}

class RowRunner {
 public:
  RowRunner(const ZooOptions& options, fs::path base) : options_(options), base_(std::move(base)) {}

  // Fills `row` (an out-parameter: GCC 12 warns of a maybe-uninitialized
  // optional when a ZooRow travels inside a Result).
  Status run(const std::string& bug, ZooRow& row) {
    row.bug = bug;
    const bool clean = bug == kZooNoBug;
    const std::vector<ZooAttempt> attempts = zoo_attempts(bug);
    const auto started = std::chrono::steady_clock::now();
    uint64_t seed_offset = 0;  // seeds earlier attempts ran
    for (size_t i = 0; i < attempts.size(); ++i) {
      const double left = options_.budget_seconds - seconds_since(started);
      if (left <= 0) break;
      const double share = left / static_cast<double>(attempts.size() - i);
      CampaignConfig config = attempts[i].config;
      config.seeds = {SeedRange{1, seed_count(share, options_.jobs)}};
      const std::string dir_name = bug + "/attempt-" + std::to_string(i + 1);
      RunOptions run;
      run.out_dir = base_ / dir_name;
      run.jobs = options_.jobs;
      run.time_budget_seconds = share;
      run.stop_at_first_failure = !clean;  // [zoo.2]: `none` runs its whole budget
      const double attempt_start = seconds_since(started);
      Result<RunReport> ran = run_campaign(config, run);
      if (!ran.ok()) return ran.take_status();
      const RunReport& report = *ran;
      ++row.attempts_run;
      row.attempt = attempts[i].label;
      row.trials += report.ran;
      const TrialRecord* first = nullptr;
      std::map<uint64_t, size_t> per_seed;  // seed -> finished trials
      for (const TrialRecord& record : report.result.records) {
        ++per_seed[record.key.seed];
        if (record.status == TrialStatus::kPass) continue;
        ++row.failures;
        if (first == nullptr || record.key.seed < first->key.seed ||
            (record.key.seed == first->key.seed && workload_position(config, record) < workload_position(config, *first))) {
          first = &record;
        }
      }
      if (first != nullptr && !clean && fails_without_bug(config, first->key)) {
        row.fails_bug_free = first->key;  // [zoo.7]
        row.headline = first->headline;
        break;
      }
      if (first != nullptr) {
        row.detected = true;
        row.failing_trial = first->key;
        row.seeds = seed_offset + first->key.seed;
        row.seconds = clean ? seconds_since(started) : attempt_start + report.first_failure_seconds.value_or(0);
        row.headline = first->headline;
        row.anomaly_class = anomaly_class(*first);
        if (options_.out_dir && first->bundle) row.bundle = dir_name + "/" + *first->bundle;
        if (!clean && first->bundle) FL_TRY(shrink(dir_name, *first->bundle, row));
        break;  // the first detection ends a row (`none` ran its whole budget already)
      }
      uint64_t complete = 0;
      for (const auto& [seed, count] : per_seed) complete += count == config.workloads.size() ? 1 : 0;
      row.seeds += complete;
      uint64_t last_seed = 0;
      for (const auto& [seed, count] : per_seed) last_seed = std::max(last_seed, seed);
      seed_offset += last_seed;
      if (!report.budget_ran_out && options_.progress != nullptr) {
        *options_.progress << "faultline zoo: " << bug << ": attempt " << attempts[i].label << " ran all its "
                           << config.seeds.front().last << " seeds before its budget\n";
      }
    }
    if (!row.detected || clean) row.seconds = seconds_since(started);
    return Status::success();
  }

 private:
  // [zoo.8]: shrinks the detecting trial's bundle. A shrink that cannot run
  // leaves the size unknown ("?") with the reason as progress; it does not
  // undo the detection.
  Status shrink(const std::string& dir_name, const std::string& bundle, ZooRow& row) {
    if (options_.shrink_budget_seconds <= 0) return Status::success();
    ShrinkOptions shrink_options;
    shrink_options.time_budget_seconds = options_.shrink_budget_seconds;
    Result<ShrinkResult> shrunk = shrink_bundle(base_ / dir_name / bundle, shrink_options);
    if (!shrunk.ok()) {
      row.shrunk_size = "?";
      if (options_.progress != nullptr) {
        *options_.progress << "faultline zoo: " << row.bug << ": shrink failed: " << shrunk.status().to_string()
                           << "\n";
      }
      return Status::success();
    }
    row.shrunk_size = size_text(shrunk->shrunk_size) + (shrunk->budget_ran_out ? " (budget)" : "");
    row.shrink_seconds = shrunk->seconds;
    if (options_.out_dir) {
      const std::string out = dir_name + "/shrunk";
      FL_TRY(write_shrink_output(*shrunk, base_ / out));
      row.shrunk_bundle = out;
    }
    return Status::success();
  }

  static size_t workload_position(const CampaignConfig& config, const TrialRecord& record) {
    return static_cast<size_t>(std::find(config.workloads.begin(), config.workloads.end(), record.key.workload) -
                               config.workloads.begin());
  }

  const ZooOptions& options_;
  const fs::path base_;
};

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

std::string fixed(double value, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << value;
  return out.str();
}

}  // namespace

std::vector<ZooAttempt> zoo_attempts(std::string_view bug) {
  std::vector<ZooAttempt> attempts;
  for (const ZooVariant& variant : zoo_variants()) {
    if (variant.bug == bug) attempts.push_back({std::string(variant.label), variant_config(variant)});
  }
  if (attempts.empty()) {
    ZooAttempt attempt;
    attempt.label = "default";
    if (bug != kZooNoBug) attempt.config.bugs.emplace_back(bug);
    attempts.push_back(std::move(attempt));
  }
  return attempts;
}

std::vector<std::string> zoo_all_rows() {
  std::vector<std::string> rows{std::string(kZooNoBug)};
  for (std::string_view name : engine::kBugNames) rows.emplace_back(name);
  return rows;
}

bool ZooResult::passed() const {
  for (const ZooRow& row : rows) {
    if (row.detected == (row.bug == kZooNoBug)) return false;
  }
  return true;
}

Status validate_zoo(const ZooOptions& options) {
  if (!(options.budget_seconds > 0) || options.budget_seconds > static_cast<double>(kTimeBudgetSecondsMax)) {
    return Status::invalid_argument("--budget", "must be positive and at most " +
                                                    std::to_string(kTimeBudgetSecondsMax) + " seconds");
  }
  if (options.jobs == 0 || options.jobs > kJobsMax) {
    return Status::invalid_argument("--jobs", "must be in 1.." + std::to_string(kJobsMax) + ", got " +
                                                  std::to_string(options.jobs));
  }
  if (options.rows.empty()) return Status::invalid_argument("--bugs", "names no row");
  std::set<std::string> seen;
  for (const std::string& row : options.rows) {
    if (row != kZooNoBug) {
      Result<size_t> known = engine::parse_bug(row);
      if (!known.ok()) {
        return Status::invalid_argument("--bugs", "unknown bug '" + row + "' (valid: " +
                                                      join(zoo_all_rows(), ", ") + ")");
      }
    }
    if (!seen.insert(row).second) return Status::invalid_argument("--bugs", "'" + row + "' is named twice");
    if (row != kZooNoBug) {
      for (const ZooAttempt& attempt : zoo_attempts(row)) FL_TRY(validate_campaign(attempt.config));
    }
  }
  if (options.out_dir && !empty_or_missing(*options.out_dir)) {
    return Status::invalid_argument(options.out_dir->string(), "exists and is not an empty directory");
  }
  return Status::success();
}

Result<ZooResult> run_zoo(const ZooOptions& options) {
  FL_TRY(validate_zoo(options));
  const auto started = std::chrono::steady_clock::now();
  ZooResult result;
  result.budget_seconds = options.budget_seconds;
  result.jobs = options.jobs;
  for (const std::string& bug : options.rows) {
    fs::path base;
    if (options.out_dir) {
      base = *options.out_dir;
    } else {
      FL_ASSIGN_OR_RETURN(base, make_temp_dir());
    }
    RowRunner runner(options, base);
    ZooRow row;
    const Status ran = runner.run(bug, row);
    if (!options.out_dir) {
      std::error_code ignored;  // a temp dir left behind is not worth failing the zoo over
      fs::remove_all(base, ignored);
    }
    FL_TRY(ran);
    if (options.progress != nullptr) {
      *options.progress << "faultline zoo: " << row.bug << ": "
                        << (row.detected ? "failed at seed " + std::to_string(row.failing_trial->seed) + " (" +
                                               row.failing_trial->workload + ") after " + fixed(row.seconds, 1) +
                                               " s: " + join(row.anomaly_class, ",")
                                         : "no failure in " + std::to_string(row.seeds) + " seeds, " +
                                               fixed(row.seconds, 1) + " s")
                        << "\n";
    }
    result.rows.push_back(std::move(row));
  }
  result.elapsed_seconds = seconds_since(started);
  if (options.out_dir) {
    const fs::path path = *options.out_dir / "zoo.json";
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << zoo_json(result);
    out.close();
    if (!out) return Status::io_error(path.string(), EIO);
  }
  return result;
}

std::string zoo_table(const ZooResult& result) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"bug", "detected", "seeds", "trials", "seconds", "anomaly class", "shrunk size", "campaign"});
  for (const ZooRow& row : result.rows) {
    // At most three types in the table (zoo.json has them all).
    std::vector<std::string> shown(row.anomaly_class.begin(),
                                   row.anomaly_class.begin() + std::min<size_t>(row.anomaly_class.size(), 3));
    if (row.anomaly_class.size() > 3) shown.push_back("+" + std::to_string(row.anomaly_class.size() - 3));
    const std::string anomaly = row.detected ? join(shown, ",") : "-";
    const std::string detected = row.detected ? "yes" : row.fails_bug_free ? "no*" : "no";
    cells.push_back({row.bug, detected, std::to_string(row.seeds), std::to_string(row.trials),
                     fixed(row.seconds, 2), anomaly.empty() ? "?" : anomaly, row.shrunk_size.value_or("-"),
                     row.attempt});
  }
  std::vector<size_t> widths(cells.front().size(), 0);
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  }
  std::ostringstream out;
  for (const auto& line : cells) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      text += line[i];
      if (i + 1 < line.size()) text += std::string(widths[i] - line[i].size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  }
  out << "\nseeds: for a detected bug, the seeds run up to the first failing trial (seeds 1, 2, ... in order); "
         "otherwise the seeds whose every workload ran. seconds: to the first failure, else the row's wall clock.\n";
  out << "shrunk size: the detecting trial after `faultline shrink` (clients, transactions, keys, fault rules); "
         "'(budget)': its time ran out first; '-': not detected or not shrunk.\n";
  for (const ZooRow& row : result.rows) {
    if (!row.fails_bug_free) continue;
    out << "no*: " << row.bug << "'s first failing trial (" << row.fails_bug_free->workload << " seed "
        << row.fails_bug_free->seed << ") fails on the bug-free engine too, so it is not counted as a detection\n";
  }
  std::vector<std::string> missed, false_alarm;
  uint64_t bugs = 0, detected = 0;
  for (const ZooRow& row : result.rows) {
    if (row.bug == kZooNoBug) {
      out << "none: " << row.failures << " failures in " << row.trials << " trials (" << row.seeds
          << " seeds) of the default campaign\n";
      if (row.detected) false_alarm.push_back(row.bug);
      continue;
    }
    ++bugs;
    if (row.detected) {
      ++detected;
    } else {
      missed.push_back(row.bug);
    }
  }
  out << "budget " << fixed(result.budget_seconds, 0) << " s per row, " << result.jobs << " jobs, total "
      << fixed(result.elapsed_seconds, 1) << " s\n";
  out << "zoo: " << (result.passed() ? "PASS" : "FAIL") << ": " << detected << "/" << bugs << " bugs detected";
  if (!missed.empty()) out << "; not detected: " << join(missed, ", ");
  if (!false_alarm.empty()) out << "; the bug-free engine failed";
  out << "\n";
  return out.str();
}

std::string zoo_json(const ZooResult& result) {
  nlohmann::ordered_json j;
  j["faultline_version"] = kFaultlineVersion;
  j["budget_seconds"] = result.budget_seconds;
  j["jobs"] = result.jobs;
  j["passed"] = result.passed();
  j["rows"] = nlohmann::ordered_json::array();
  for (const ZooRow& row : result.rows) {
    nlohmann::ordered_json r;
    r["bug"] = row.bug;
    r["detected"] = row.detected;
    if (row.fails_bug_free) {  // [zoo.7]
      r["fails_bug_free"] = {{"seed", row.fails_bug_free->seed}, {"workload", row.fails_bug_free->workload}};
    }
    r["campaign"] = row.attempt;
    r["attempts"] = row.attempts_run;
    r["seeds"] = row.seeds;
    r["trials"] = row.trials;
    r["failures"] = row.failures;
    r["seconds"] = row.seconds;
    if (row.failing_trial) {
      r["failing_trial"] = {{"seed", row.failing_trial->seed}, {"workload", row.failing_trial->workload}};
    } else {
      r["failing_trial"] = nullptr;
    }
    r["headline"] = row.headline;
    r["anomaly_class"] = row.anomaly_class;
    r["shrunk_size"] = row.shrunk_size ? nlohmann::ordered_json(*row.shrunk_size) : nlohmann::ordered_json(nullptr);
    r["shrink_seconds"] = row.shrink_seconds;
    r["shrunk_bundle"] =
        row.shrunk_bundle ? nlohmann::ordered_json(*row.shrunk_bundle) : nlohmann::ordered_json(nullptr);
    r["bundle"] = row.bundle ? nlohmann::ordered_json(*row.bundle) : nlohmann::ordered_json(nullptr);
    j["rows"].push_back(std::move(r));
  }
  j["elapsed_seconds"] = result.elapsed_seconds;
  return j.dump(1) + "\n";
}

}  // namespace fl::campaign
