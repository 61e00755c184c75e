// tools/shrink_cmd.cc: `faultline shrink` (shrink_cmd.h).
#include "tools/shrink_cmd.h"

#include <iostream>

#include "campaign/runner.h"
#include "campaign/shrink.h"
#include "campaign/shrink_regression.h"
#include "tools/bundle_tar.h"

namespace fl::tools {

namespace {

constexpr int kExitShrunk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;

int status_exit(const Status& status) {
  std::cerr << "faultline shrink: " << status.to_string() << "\n";
  return status.is(Code::kInvalidArgument) ? kExitBadInput : kExitFailed;
}

}  // namespace

CLI::App* add_shrink_command(CLI::App& app, ShrinkArgs& args) {
  CLI::App* shrink = app.add_subcommand(
      "shrink", "minimize a repro bundle (fewer clients, txns, keys, fault rules) while the same failure class "
                "still appears; write the minimal bundle and a GoogleTest regression test");
  shrink->add_option("bundle", args.bundle, "the repro bundle directory, or its .tar (campaign --tar)")->required();
  shrink->add_option("--out", args.out, "where the minimal bundle goes (missing or empty; default BUNDLE-shrunk)");
  shrink->add_option("--time-budget", args.time_budget, "start no trial after this long (90s, 5m); the result "
                                                        "still fails the same way, and says it may not be minimal")
      ->capture_default_str();
  shrink->add_flag("--exact-class", args.exact_class, "keep only candidates whose failure class equals the "
                                                      "original's (default: shares a member with it)");
  shrink->add_flag("--quiet", args.quiet, "no progress on stderr");
  shrink->footer("Exit: 0 written, 1 the harness failed, 2 bad input (missing, corrupt or passing bundle, "
                 "--out not empty). See docs/campaign.md.");
  return shrink;
}

int shrink_command(const ShrinkArgs& args) {
  campaign::ShrinkOptions options;
  Result<double> budget = campaign::parse_time_budget(args.time_budget);
  if (!budget.ok()) return status_exit(budget.status());
  options.time_budget_seconds = *budget;
  options.exact_class = args.exact_class;
  options.progress = args.quiet ? nullptr : &std::cerr;
  const std::filesystem::path out = args.out.empty() ? campaign::default_shrink_out_dir(args.bundle) : std::filesystem::path(args.out);
  if (Status usable = campaign::check_shrink_out_dir(out); !usable.ok()) return status_exit(usable);  // [shrink-cmd.2]
  Result<BundleDir> bundle = BundleDir::open(args.bundle);
  if (!bundle.ok()) return status_exit(bundle.status());
  Result<campaign::ShrinkResult> result = campaign::shrink_bundle(bundle->dir(), options);
  if (!result.ok()) return status_exit(bundle->relabel(result.status()));
  if (Status wrote = campaign::write_shrink_output(*result, out); !wrote.ok()) return status_exit(wrote);
  const campaign::RegressionTest test = campaign::regression_test(*result);
  std::cout << campaign::shrink_text(*result) << "  bundle:   " << out.string() << " (faultline repro "
            << out.string() << ")\n  test:     " << (out / "regression_test.cc").string() << ": TEST(" << test.suite
            << ", " << test.name << "), as tests/regressions/" << test.file_name << "\n";
  return kExitShrunk;
}

}  // namespace fl::tools
