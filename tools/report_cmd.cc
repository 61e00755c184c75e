// tools/report_cmd.cc: [report-cmd.1], [report-cmd.2] of report_cmd.h.
#include "tools/report_cmd.h"

#include <filesystem>
#include <iostream>
#include <system_error>

#include "campaign/html_report.h"

namespace fl::tools {
namespace {

// STYLE.md "Command line".
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;

}  // namespace

CLI::App* add_report_command(CLI::App& app, ReportArgs& args) {
  CLI::App* report = app.add_subcommand("report", "(re)write DIR/report.html from a campaign directory");
  report->add_option("dir", args.dir, "the campaign directory (holds summary.json)")->required();
  report->footer("Exit: 0 written (its path is printed), 1 could not write it, 2 not a campaign directory "
                 "(missing or corrupt summary.json). See docs/formats/campaign.md.");
  return report;
}

int report_command(const ReportArgs& args) {
  std::error_code ec;
  if (!std::filesystem::is_directory(args.dir, ec)) {
    std::cerr << "faultline report: " << args.dir << ": not a directory (expected a campaign directory)\n";
    return kExitBadInput;
  }
  const Status wrote = campaign::write_html_report(args.dir);
  if (!wrote.ok()) {
    std::cerr << "faultline report: " << wrote.to_string() << "\n";
    return wrote.is(Code::kInvalidArgument) ? kExitBadInput : kExitFailed;
  }
  std::cout << (std::filesystem::path(args.dir) / "report.html").string() << "\n";
  return kExitOk;
}

}  // namespace fl::tools
