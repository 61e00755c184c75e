// tools/zoo_cmd.h: `faultline zoo`, the planted-bug detection matrix
// (campaign/zoo.h, docs/campaign.md "faultline zoo"). faultline.cc only
// registers it.
//
//   faultline zoo --budget 60s [--out DIR] [--jobs N] [--bugs none,write-skew,...] [--shrink-budget 30s]
//
// [zoo-cmd.1] Prints the matrix (campaign/zoo.h zoo_table) on stdout and a
//             line per finished row on stderr (unless --quiet).
// [zoo-cmd.2] Exit 0 when `none` had no failing trial and every bug row
//             detected its bug; 1 otherwise (or when the harness failed);
//             2 on bad input: a bad --budget, --shrink-budget or --jobs, an unknown or
//             repeated name in --bugs, an --out that is not empty.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace fl::tools {

struct ZooArgs {
  std::string budget = "60s";
  std::string shrink_budget = "30s";  // [zoo.8]; "0" does not shrink
  std::string out;
  uint32_t jobs = 1;  // add_zoo_command sets it to the number of cores
  std::string bugs;   // empty: none and every planted bug
  bool quiet = false;
};

// Registers the `zoo` subcommand on `app`, filling `args` when parsed.
CLI::App* add_zoo_command(CLI::App& app, ZooArgs& args);

// [zoo-cmd.1], [zoo-cmd.2]: what `faultline zoo` does; returns the exit status.
int zoo_command(const ZooArgs& args);

}  // namespace fl::tools
