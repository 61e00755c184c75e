// tools/zoo_cmd.cc: `faultline zoo` (zoo_cmd.h).
#include "tools/zoo_cmd.h"

#include <iostream>
#include <thread>

#include "campaign/campaign_limits.h"
#include "campaign/runner.h"
#include "campaign/zoo.h"

namespace fl::tools {

namespace {

constexpr int kExitPassed = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;

int status_exit(const Status& status) {
  std::cerr << "faultline zoo: " << status.to_string() << "\n";
  return status.is(Code::kInvalidArgument) ? kExitBadInput : kExitFailed;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    out.push_back(item);
    start = comma + 1;
  }
  return out;
}

}  // namespace

CLI::App* add_zoo_command(CLI::App& app, ZooArgs& args) {
  CLI::App* zoo = app.add_subcommand("zoo", "the planted-bug detection matrix: for the bug-free engine and each "
                                            "planted bug, the default campaign until its first failure or the budget");
  zoo->add_option("--budget", args.budget, "wall clock per row (60s, 5m, 1h)")->capture_default_str();
  zoo->add_option("--out", args.out, "write zoo.json and the detecting trials' campaigns and bundles here "
                                     "(missing or empty)");
  const unsigned cores = std::thread::hardware_concurrency();
  args.jobs = cores == 0 ? 1 : std::min<uint32_t>(cores, campaign::kJobsMax);
  zoo->add_option("--jobs", args.jobs, "trials run at once (threads)")->capture_default_str();
  zoo->add_option("--bugs", args.bugs, "rows to run, comma-separated (none = the bug-free engine); default: none "
                                       "and every planted bug");
  zoo->add_option("--shrink-budget", args.shrink_budget,
                  "wall clock `faultline shrink` may spend on each detecting trial (0: do not shrink)")
      ->capture_default_str();
  zoo->add_flag("--quiet", args.quiet, "no progress on stderr");
  zoo->footer("Exit: 0 `none` passed and every bug was detected, 1 otherwise, 2 bad input. See docs/campaign.md.");
  return zoo;
}

int zoo_command(const ZooArgs& args) {
  campaign::ZooOptions options;
  Result<double> budget = campaign::parse_time_budget(args.budget);
  if (!budget.ok()) {  // its message names --time-budget, the campaign's option
    return status_exit(Status::invalid_argument(
        "--budget", "\"" + args.budget + "\": expected a positive duration such as 60s, 5m or 1h, at most a week"));
  }
  options.budget_seconds = *budget;
  if (args.shrink_budget == "0" || args.shrink_budget == "0s") {
    options.shrink_budget_seconds = 0;
  } else {
    Result<double> shrink_budget = campaign::parse_time_budget(args.shrink_budget);
    if (!shrink_budget.ok()) {
      return status_exit(Status::invalid_argument(
          "--shrink-budget", "\"" + args.shrink_budget + "\": expected 0 or a positive duration such as 30s or 2m"));
    }
    options.shrink_budget_seconds = *shrink_budget;
  }
  options.jobs = args.jobs;
  if (!args.bugs.empty()) options.rows = split_list(args.bugs);
  if (!args.out.empty()) options.out_dir = args.out;
  options.progress = args.quiet ? nullptr : &std::cerr;
  if (Status valid = campaign::validate_zoo(options); !valid.ok()) return status_exit(valid);
  if (!args.quiet) {
    std::cerr << "faultline zoo: " << options.rows.size() << " rows, budget " << options.budget_seconds
              << " s each, " << options.jobs << " jobs\n";
  }
  Result<campaign::ZooResult> result = campaign::run_zoo(options);
  if (!result.ok()) return status_exit(result.status());
  std::cout << campaign::zoo_table(*result);
  if (options.out_dir) std::cout << "matrix: " << (*options.out_dir / "zoo.json").string() << "\n";
  return result->passed() ? kExitPassed : kExitFailed;
}

}  // namespace fl::tools
