// tools/shrink_cmd.h: `faultline shrink`, a repro bundle made minimal
// (campaign/shrink.h, docs/campaign.md "faultline shrink"). faultline.cc
// only registers it.
//
//   faultline shrink BUNDLE [--out DIR] [--time-budget 120s] [--exact-class] [--quiet]
//
// [shrink-cmd.1] Prints on stdout the original size and class, one line per
//                kept step with the size after it, the shrunk size, the
//                trials and time taken, then where the bundle and the
//                regression test went; with progress (no --quiet), each
//                kept step also appears on stderr as it happens.
// [shrink-cmd.2] --out defaults to BUNDLE-shrunk; it must be missing or
//                empty, checked before any trial runs.
// [shrink-cmd.3] Exit 0 the shrunk bundle and test were written (also when
//                nothing could be removed, or the budget ran out: the text
//                says so), 1 the harness failed (a trial could not run, the
//                output could not be written), 2 bad input: a missing or
//                corrupt bundle, a bundle whose replay passes, a bad
//                --time-budget, an --out that is not empty.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace fl::tools {

struct ShrinkArgs {
  std::string bundle;
  std::string out;
  std::string time_budget = "120s";
  bool exact_class = false;
  bool quiet = false;
};

// Registers the `shrink` subcommand on `app`, filling `args` when parsed.
CLI::App* add_shrink_command(CLI::App& app, ShrinkArgs& args);

// [shrink-cmd.1]-[shrink-cmd.3]; returns the exit status.
int shrink_command(const ShrinkArgs& args);

}  // namespace fl::tools
