// campaign/shrink_output.cc: what a shrink leaves: the minimal bundle,
// shrink.json, regression_test.cc, and the text for a person (shrink.h
// [shrink.7]).
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "campaign/files.h"
#include "campaign/repro_bundle.h"
#include "campaign/shrink.h"
#include "campaign/shrink_regression.h"

namespace fl::campaign {

namespace fs = std::filesystem;

namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out.empty() ? "-" : out;
}

nlohmann::ordered_json size_object(const ShrinkSize& size) {
  nlohmann::ordered_json j;
  j["clients"] = size.clients;
  j["txns"] = size.txns;
  j["keys"] = size.keys;
  j["rules"] = size.rules;
  j["text"] = size_text(size);
  return j;
}

}  // namespace

Status check_shrink_out_dir(const fs::path& out_dir) {
  std::error_code error;
  if (!fs::exists(out_dir, error)) return Status::success();
  if (!fs::is_directory(out_dir, error)) return Status::invalid_argument(out_dir.string(), "exists and is not a directory");
  if (!fs::is_empty(out_dir, error)) {
    return Status::invalid_argument(out_dir.string(), "is not empty (give --out a new or empty directory)");
  }
  return Status::success();
}

fs::path default_shrink_out_dir(const fs::path& bundle) {
  std::string text = bundle.string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  if (text.size() > 4 && text.ends_with(".tar")) text.resize(text.size() - 4);  // campaign --tar's file
  return fs::path(text + "-shrunk");
}

Status write_shrink_output(const ShrinkResult& result, const fs::path& out_dir) {
  FL_TRY(check_shrink_out_dir(out_dir));
  FL_ASSIGN_OR_RETURN(TrialOutput output, run_trial(result.shrunk));
  const TrialEvaluation evaluation = evaluate_trial(result.shrunk, output);
  // Invariant: a trial is a pure function of its config ([trial.1]).
  FL_ASSERT(evaluation.record.history_sha256 == result.shrunk_record.history_sha256);
  FL_TRY(write_bundle(out_dir, result.shrunk, output, evaluation));
  FL_TRY(write_file(out_dir / "shrink.json", shrink_json(result)));
  return write_file(out_dir / "regression_test.cc", regression_test(result).source);
}

std::string shrink_text(const ShrinkResult& result) {
  std::ostringstream out;
  const TrialConfig& original = result.original;
  out << "faultline shrink: " << result.bundle.string() << " (" << original.workload << ", seed " << original.seed
      << ", bugs " << (original.bugs.empty() ? "none" : joined(original.bugs)) << ")\n";
  out << "  original: " << size_text(result.original_size) << ": " << result.original_record.headline << "\n";
  out << "  class:    " << joined(result.original_class)
      << (result.bug_free_passes ? " (and passing with the bugs off)" : "") << "\n";
  for (size_t i = 0; i < result.steps.size(); ++i) {
    out << "  step " << i + 1 << ": " << result.steps[i].change << " (" << size_text(result.steps[i].size) << ")\n";
  }
  out << "  shrunk:   " << size_text(result.shrunk_size) << ": " << result.shrunk_record.headline << "\n";
  out << "  " << result.trials << " trials, " << result.rounds << (result.rounds == 1 ? " round, " : " rounds, ")
      << std::fixed << std::setprecision(2) << result.seconds << " s\n";
  if (result.budget_ran_out) {
    out << "  the time budget ran out: the result fails the same way but may not be minimal (more --time-budget)\n";
  }
  if (result.trials_ran_out) out << "  the trial budget ran out: the result may not be minimal\n";
  for (const std::string& note : result.notes) out << "  note: " << note << "\n";
  return out.str();
}

std::string shrink_json(const ShrinkResult& result) {
  nlohmann::ordered_json j;
  j["faultline_version"] = kFaultlineVersion;
  j["workload"] = result.original.workload;
  j["seed"] = result.original.seed;
  j["bugs"] = result.original.bugs;
  j["exact_class"] = result.exact_class;
  j["original"] = {{"size", size_object(result.original_size)},
                   {"class", result.original_class},
                   {"headline", result.original_record.headline},
                   {"history_sha256", result.original_record.history_sha256}};
  j["shrunk"] = {{"size", size_object(result.shrunk_size)},
                 {"class", result.shrunk_class},
                 {"headline", result.shrunk_record.headline},
                 {"history_sha256", result.shrunk_record.history_sha256}};
  j["bug_free_passes"] = result.bug_free_passes;
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const ShrinkStep& step : result.steps) {
    steps.push_back({{"dimension", step.dimension}, {"change", step.change}, {"size", size_object(step.size)},
                     {"headline", step.headline}});
  }
  j["steps"] = steps;
  const RegressionTest test = regression_test(result);
  j["regression_test"] = {{"suite", test.suite}, {"name", test.name}, {"file", test.file_name}};
  j["trials"] = result.trials;
  j["rounds"] = result.rounds;
  j["budget_ran_out"] = result.budget_ran_out;
  j["trials_ran_out"] = result.trials_ran_out;
  j["notes"] = result.notes;
  j["seconds"] = result.seconds;  // wall clock
  return j.dump(2) + "\n";
}

}  // namespace fl::campaign
