// tools/report_cmd.h: `faultline report DIR`: (re)writes DIR/report.html
// from DIR/summary.json and DIR/bundles/ (campaign/html_report.h) and prints
// the report's path on stdout.
//
// [report-cmd.1] Exit 0 when the report was written; 2 when DIR is not a
//                campaign directory (no directory, a missing or corrupt
//                summary.json: the message names the file); 1 when the
//                report could not be written (an I/O error).
// [report-cmd.2] A missing `dot` or a broken bundle does not change the
//                exit status: the page says what it could not show.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace fl::tools {

struct ReportArgs {
  std::string dir;
};

// Registers the `report` subcommand on `app`, filling `args` when parsed.
CLI::App* add_report_command(CLI::App& app, ReportArgs& args);

// [report-cmd.1], [report-cmd.2]: what `faultline report` does; returns
// the exit status.
int report_command(const ReportArgs& args);

}  // namespace fl::tools
