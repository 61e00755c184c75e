// campaign/html_report.h: the self-contained HTML report of a campaign
// directory (docs/formats/campaign.md; ARCHITECTURE.md "campaign and
// reports"), what `faultline campaign`, `faultline merge` and `faultline
// report DIR` write as DIR/report.html.
//
// [html.1] The input is DIR/summary.json and, for each failing trial, its
//          repro bundle (verdict.json, verdict.txt, cycles/*.dot,
//          history.edn). A missing or corrupt summary.json is
//          kInvalidArgument naming the file (and the field, report_bundle.h
//          [report-in.1]); nothing else fails the report: a missing or
//          broken bundle file, or a `dot` that is absent or fails, is said
//          on the page where its content would be.
// [html.2] The page is one file that needs no network and nothing beside
//          it: inline CSS, no script, no src= attribute, no url(), no
//          http:// or https:// address (SVG from `dot` is inlined without
//          its namespace declarations, report_graphviz.h [graphviz.2]).
// [html.3] It shows: the verdict (PASS or FAIL) and the campaign's
//          configuration and totals; a table of trials (workload, seed,
//          status, validity, headline), every failing trial's row linking
//          to its section; for each failing trial (the first
//          kReportFailureSectionsMax) its headline, findings, anomalies
//          explained in words, each cycle as SVG (or as DOT source with a
//          note when `dot` could not draw it), the timeline of the trial
//          (report_timeline.h) and verdict.txt. Every limit that cut
//          something is said where it did.
// [html.4] All text taken from the directory is escaped (html_text.h).
// [html.5] Apart from `dot`'s own output, the page is a pure function of
//          the directory's content: no clock, no host name, no absolute
//          path of DIR.
// [html.6] write_html_report() writes DIR/report.html through a temporary
//          file renamed over it, so a reader never sees half a page.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "base/status.h"

namespace fl::campaign {

struct HtmlReportOptions {
  // The Graphviz `dot` to run: nullopt finds it on PATH; an empty string
  // never runs it (cycles shown as DOT source, as when it is missing).
  std::optional<std::string> dot;
};

// [html.1]-[html.5]: the page's bytes.
Result<std::string> render_html_report(const std::filesystem::path& campaign_dir,
                                       const HtmlReportOptions& options = {});

// [html.6]: renders and writes DIR/report.html.
Status write_html_report(const std::filesystem::path& campaign_dir, const HtmlReportOptions& options);
Status write_html_report(const std::filesystem::path& campaign_dir);

}  // namespace fl::campaign
