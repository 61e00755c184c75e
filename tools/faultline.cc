// faultline: the command-line entry point.
//
//   faultline run --engine refdb --workload list-append --clients 8
//                 --txns 10000 --faults everything --seed 42 [--bug NAME]...
//                 [--isolation serializable|snapshot] [--durability full|group|off]
//                 [--keys N] --out DIR
//
// Exit status: 0 done, 2 bad input (an unknown option or value, named in
// the message), 1 the run itself failed (a harness error).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <string>

#include "campaign/trial.h"

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitFailed = 1;

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
  return 0;
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
  return kExitBadInput;
}
