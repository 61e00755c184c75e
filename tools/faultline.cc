// faultline: the command-line entry point.
//
//   faultline run --engine refdb --workload list-append --clients 8
//                 --txns 10000 --faults everything --seed 42 [--bug NAME]...
//                 [--isolation serializable|snapshot] [--durability full|group|off]
//                 [--keys N] --out DIR
//   faultline check HISTORY [--model strict-serializable] [--workload list-append|rw-register|bank]
//                   [--durability acked|none] [--json]
//                   [--elle] [--elle-path PATH] [--elle-timeout SECONDS] [--elle-required]
//
// run: exit 0 done, 2 bad input (an unknown option or value, named in the
// message), 1 the run itself failed (a harness error). The verdict of the
// history it wrote is printed, but does not change the exit status.
// check (docs/checking.md): exit 0 valid, 1 anomalies found, 2 bad input
// (unreadable file, parse error, unknown option value), 3 unknown.
// With --elle (tools/elle_bridge.h) the exit status is still our verdict's:
// Elle's answer, and whether it agrees, are reported, not acted on. A
// missing or non-executable --elle-path is bad input (2); Elle that cannot
// run or gives no verdict is reported as "elle: not available/failed" and
// changes nothing, unless --elle-required, which makes it 2.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <sys/resource.h>

#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "campaign/trial.h"
#include "checkers/check.h"
#include "checkers/consistency_models.h"
#include "checkers/report.h"
#include "history/compact_reader.h"
#include "history/edn_reader.h"
#include "history/jsonl_reader.h"
#include "tools/campaign_cmd.h"
#include "tools/report_cmd.h"
#include "tools/shrink_cmd.h"
#include "tools/zoo_cmd.h"
#include "tools/elle_bridge.h"

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitFailed = 1;
constexpr int kExitValid = 0;
constexpr int kExitAnomalies = 1;
constexpr int kExitUnknown = 3;
static_assert(kExitAnomalies == kExitFailed);  // STYLE.md: 1 is "findings" for every subcommand

// A short verdict for `faultline run`, after the summary.
void print_run_verdict(const fl::history::History& history) {
  // The models the engine claims (its :isolation): serializable engines
  // must be strict-serializable, snapshot ones snapshot-isolated.
  fl::checkers::CheckOptions options;
  const fl::history::Value* isolation = history.meta.get("isolation");
  if (isolation != nullptr && isolation->is_keyword("snapshot")) options.models = {"snapshot-isolation"};
  const fl::checkers::CheckResult checked = fl::checkers::check_history(history, options);
  const fl::checkers::Verdict& verdict = checked.verdict;
  std::cout << "  verdict        " << fl::checkers::validity_name(verdict.validity) << " (" << checked.workload
            << ", durability " << fl::checkers::durability_promise_name(checked.promise) << ", "
            << checked.crashes << " crashes, models " << options.models.front() << ")\n";
  for (const auto& [type, count] : verdict.anomaly_counts) {
    std::cout << "    " << type << ": " << count << "\n";
  }
  if (verdict.validity != fl::checkers::Validity::kValid) {
    std::cout << "  (faultline check on the history shows the explanations)\n";
  }
}

int run_command(const fl::campaign::TrialConfig& config, const std::string& out_dir) {
  if (fl::Status valid = fl::campaign::validate(config); !valid.ok()) {
    std::cerr << "faultline run: " << valid.to_string() << "\n";
    return kExitBadInput;
  }
  auto output = fl::campaign::run_trial(config);
  if (!output.ok()) {
    std::cerr << "faultline run: " << output.status().to_string() << "\n";
    return output.status().is(fl::Code::kInvalidArgument) ? kExitBadInput : kExitFailed;
  }
  if (fl::Status wrote = fl::campaign::write_trial(config, *output, out_dir); !wrote.ok()) {
    std::cerr << "faultline run: writing " << out_dir << ": " << wrote.to_string() << "\n";
    return kExitFailed;
  }
  std::cout << fl::campaign::summary_text(config, *output) << "  artifacts      " << out_dir << "/\n";
  print_run_verdict(output->sim.history);
  return 0;
}

enum class HistoryFormat { kEdn, kJsonl };

// By extension (.edn; .jsonl or .json), else by the first non-blank byte:
// '{' followed by '"' is JSON, anything else EDN.
std::optional<HistoryFormat> history_format(const std::string& path) {
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".edn")) return HistoryFormat::kEdn;
  if (ends_with(".jsonl") || ends_with(".json")) return HistoryFormat::kJsonl;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  char c = 0;
  while (in.get(c) && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
  }
  if (c != '{') return HistoryFormat::kEdn;
  while (in.get(c) && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
  }
  return c == '"' ? HistoryFormat::kJsonl : HistoryFormat::kEdn;
}

struct CheckArgs {
  std::string path;
  std::vector<std::string> models{"strict-serializable"};
  std::string workload;
  std::string durability;
  bool json = false;
  bool stats = false;
  // The Elle bridge: --elle, or implied by any other --elle-* option.
  bool elle = false;
  std::optional<std::string> elle_path;
  uint64_t elle_timeout_seconds = fl::tools::kElleTimeoutSecondsDefault;
  bool elle_timeout_given = false;
  bool elle_required = false;
  bool elle_requested() const { return elle || elle_path || elle_timeout_given || elle_required; }
};

// Validates the --elle-* options before anything runs; false after
// printing the error (bad input).
bool check_elle_options(const CheckArgs& args) {
  if (args.elle_timeout_given &&
      (args.elle_timeout_seconds == 0 || args.elle_timeout_seconds > fl::tools::kElleTimeoutSecondsMax)) {
    std::cerr << "faultline check: --elle-timeout: " << args.elle_timeout_seconds << " outside [1, "
              << fl::tools::kElleTimeoutSecondsMax << "] seconds\n";
    return false;
  }
  if (args.elle_path) {
    std::vector<std::string> tried;
    fl::Result<std::string> found = fl::tools::locate_elle_check(args.elle_path, &tried);
    if (!found.ok()) {
      std::cerr << "faultline check: " << found.status().to_string() << "\n";
      return false;
    }
  }
  return true;
}

// Runs Elle on `history` and prints our report with the comparison; returns
// false when Elle gave no verdict (for --elle-required).
bool print_with_elle(const CheckArgs& args, const fl::history::History& history,
                     const fl::checkers::CheckResult& checked, const fl::checkers::ReportContext& context) {
  if (!args.json) {
    std::cout << fl::checkers::verdict_text(checked.verdict, context) << std::flush;  // ours first: Elle takes seconds
  }
  fl::tools::ElleOptions options;
  options.elle_path = args.elle_path;
  options.models = args.models;
  options.workload = checked.workload;
  options.timeout_seconds = args.elle_timeout_seconds;
  const fl::tools::ElleResult elle = fl::tools::run_elle(history, options);
  std::optional<fl::tools::ElleComparison> comparison;
  if (elle.status == fl::tools::ElleStatus::kCompared) {
    comparison = fl::tools::compare_with_elle(checked.verdict, elle);
  } else {
    std::cerr << "faultline check: elle: " << fl::tools::elle_status_words(elle.status) << ": " << elle.why << "\n";
  }
  const fl::tools::ElleComparison* compared = comparison ? &*comparison : nullptr;
  std::cout << (args.json ? fl::tools::with_elle_json(fl::checkers::verdict_json(checked.verdict, context), elle,
                                                      compared, checked.crashes)
                          : fl::tools::elle_text(elle, compared, checked.crashes));
  return comparison.has_value();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Peak resident memory of this process, in MiB.
double peak_rss_mib() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

int check_command(const CheckArgs& args) {
  fl::checkers::CheckOptions options;
  for (const std::string& model : args.models) {
    if (!fl::checkers::is_known_model(model)) {
      std::string known;
      for (const std::string& name : fl::checkers::known_models()) known += (known.empty() ? "" : ", ") + name;
      std::cerr << "faultline check: --model: unknown model \"" << model << "\" (expected one of: " << known << ")\n";
      return kExitBadInput;
    }
  }
  options.models = args.models;
  if (!args.durability.empty()) {
    options.durability = fl::checkers::durability_promise_from_name(args.durability);
    if (!options.durability) {
      std::cerr << "faultline check: --durability: unknown promise \"" << args.durability
                << "\" (expected one of: acked, none)\n";
      return kExitBadInput;
    }
  }
  if (!args.workload.empty()) {
    bool known = false;
    for (std::string_view name : fl::checkers::kWorkloadNames) known = known || name == args.workload;
    if (!known) {
      std::cerr << "faultline check: --workload: unknown workload \"" << args.workload
                << "\" (expected one of: list-append, rw-register, bank)\n";
      return kExitBadInput;
    }
    options.workload = args.workload;
  }
  if (args.elle_requested() && !check_elle_options(args)) return kExitBadInput;
  const std::optional<HistoryFormat> format = history_format(args.path);
  if (!format) {
    std::cerr << "faultline check: " << args.path << ": cannot open the file\n";
    return kExitBadInput;
  }
  // Flat arrays, parsed on every core: 10^6-transaction histories check in
  // seconds (history/compact_reader.h).
  const auto load_start = std::chrono::steady_clock::now();
  fl::Result<fl::history::CompactHistory> history = *format == HistoryFormat::kEdn
                                                        ? fl::history::read_compact_edn_file(args.path)
                                                        : fl::history::read_compact_jsonl_file(args.path);
  if (!history.ok()) {
    std::cerr << "faultline check: " << args.path << ": " << history.status().to_string() << "\n";
    return kExitBadInput;
  }
  if (fl::Status formed = history->check_well_formed(); !formed.ok()) {
    std::cerr << "faultline check: " << args.path << ": " << formed.to_string() << "\n";
    return kExitBadInput;
  }
  const double load_seconds = seconds_since(load_start);
  const auto check_start = std::chrono::steady_clock::now();
  const fl::checkers::CheckResult checked = fl::checkers::check_history(*history, options);
  if (args.stats) {
    size_t txns = 0;
    for (const fl::history::CompactOp& op : history->ops()) txns += op.type == fl::history::OpType::kInvoke ? 1 : 0;
    const double check_seconds = seconds_since(check_start);
    std::cerr << "stats: ops " << history->size() << ", invocations " << txns << ", load " << load_seconds
              << " s, check " << check_seconds << " s, total " << load_seconds + check_seconds << " s, "
              << static_cast<double>(txns) / (load_seconds + check_seconds) << " txn/s, peak rss " << peak_rss_mib()
              << " MiB, history " << static_cast<double>(history->bytes()) / (1 << 20) << " MiB\n";
  }
  std::string models;
  for (const std::string& model : args.models) models += (models.empty() ? "" : ", ") + model;
  const fl::checkers::ReportContext context = {
      {"history", args.path},
      {"workload", checked.workload.empty() ? "unknown" : checked.workload},
      {"models", models},
      {"durability", std::string(fl::checkers::durability_promise_name(checked.promise))},
      {"crashes", std::to_string(checked.crashes)},
  };
  if (args.elle_requested()) {
    const bool compared = print_with_elle(args, history->to_history(), checked, context);
    if (!compared && args.elle_required) return kExitBadInput;
  } else {
    std::cout << (args.json ? fl::checkers::verdict_json(checked.verdict, context)
                            : fl::checkers::verdict_text(checked.verdict, context));
  }
  switch (checked.verdict.validity) {
    case fl::checkers::Validity::kValid: return kExitValid;
    case fl::checkers::Validity::kInvalid: return kExitAnomalies;
    case fl::checkers::Validity::kUnknown: return kExitUnknown;
  }
  return kExitUnknown;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"faultline: fault injection and history checking for storage engines"};
  app.require_subcommand(1);
  fl::campaign::TrialConfig config;
  std::string out_dir;
  CLI::App* run = app.add_subcommand("run", "run one trial and write its history and fault log");
  run->add_option("--engine", config.engine, "engine under test")->capture_default_str();
  run->add_option("--workload", config.workload, "list-append, rw-register or bank")->capture_default_str();
  run->add_option("--clients", config.clients, "logical clients")->capture_default_str();
  run->add_option("--txns", config.txns, "transactions to invoke")->capture_default_str();
  run->add_option("--keys", config.keys, "active keys")->capture_default_str();
  run->add_option("--faults", config.faults, "fault profile")->capture_default_str();
  run->add_option("--seed", config.seed, "trial seed")->capture_default_str();
  run->add_option("--bug", config.bugs, "planted bug to switch on (repeatable)");
  run->add_option("--isolation", config.isolation, "serializable or snapshot")->capture_default_str();
  run->add_option("--durability", config.durability, "full, group or off")->capture_default_str();
  run->add_option("--out", out_dir, "directory for the artifacts")->required();
  CheckArgs check_args;
  CLI::App* check = app.add_subcommand("check", "check a history (EDN or JSONL) for anomalies");
  check->add_option("history", check_args.path, "the history file (.edn or .jsonl)")->required();
  check->add_option("--model", check_args.models, "consistency model(s) expected (repeatable)")
      ->capture_default_str();
  check->add_option("--workload", check_args.workload, "list-append, rw-register or bank (default: detected)");
  check->add_option("--durability", check_args.durability, "acked or none (default: the history's metadata)");
  check->add_flag("--json", check_args.json, "print the verdict as JSON");
  check->add_flag("--stats", check_args.stats,
                  "print to stderr the time spent loading and checking, transactions per second and peak memory");
  check->footer("Exit: 0 valid, 1 anomalies found, 2 bad input (or --elle-required and Elle gave no verdict), "
                "3 unknown. Elle's answer never changes it otherwise. See docs/checking.md.");
  check->add_flag("--elle", check_args.elle,
                  "also run Elle (elle-check, in a JVM) on the history and print where it agrees; the exit status "
                  "stays ours. Not available (no elle-check, no java) or failed: reported, exit unchanged");
  check->add_option("--elle-path", check_args.elle_path,
                    "the elle-check to run (implies --elle; must exist, else exit 2). Default: the build's "
                    "../shared/elle/elle-check, then ../shared/elle/elle-check under the current directory");
  check->add_option("--elle-timeout", check_args.elle_timeout_seconds,
                    "seconds Elle may take before it is killed (implies --elle; reported as failed)")
      ->capture_default_str()
      ->each([&](const std::string&) { check_args.elle_timeout_given = true; });
  check->add_flag("--elle-required", check_args.elle_required,
                  "implies --elle; exit 2 when Elle gives no verdict (not available, failed, not applicable)");
  const auto campaign_commands = fl::tools::add_campaign_commands(app);  // campaign, merge, repro
  fl::tools::ReportArgs report_args;
  CLI::App* report = fl::tools::add_report_command(app, report_args);
  fl::tools::ZooArgs zoo_args;
  CLI::App* zoo = fl::tools::add_zoo_command(app, zoo_args);
  fl::tools::ShrinkArgs shrink_args;
  CLI::App* shrink = fl::tools::add_shrink_command(app, shrink_args);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    std::cerr << "faultline: " << error.what() << "\n";
    return kExitBadInput;
  }
  if (run->parsed()) return run_command(config, out_dir);
  if (check->parsed()) return check_command(check_args);
  if (report->parsed()) return fl::tools::report_command(report_args);
  if (zoo->parsed()) return fl::tools::zoo_command(zoo_args);
  if (shrink->parsed()) return fl::tools::shrink_command(shrink_args);
  if (const std::optional<int> exit = fl::tools::run_campaign_commands(*campaign_commands)) return *exit;
  return kExitBadInput;
}
