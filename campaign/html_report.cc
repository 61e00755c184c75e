// campaign/html_report.cc: [html.1]-[html.6] of html_report.h: the page's
// frame, the campaign's verdict and totals, and the table of trials; each
// failing trial's section is html_report_trial.cc's.
#include "campaign/html_report.h"

#include <unistd.h>

#include <fstream>
#include <set>
#include <system_error>

#include "campaign/html_report_trial.h"
#include "campaign/html_text.h"
#include "campaign/report_bundle.h"
#include "campaign/report_graphviz.h"
#include "campaign/report_limits.h"

namespace fl::campaign {
namespace {

namespace fs = std::filesystem;

// Inline style only ([html.2]): system fonts, nothing fetched.
constexpr std::string_view kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1260px;padding:16px;color:#212121;background:#fff}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:18px;margin:24px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
h4{font-size:14px;margin:10px 0 4px}
.verdict{padding:16px 20px;border-radius:6px;color:#fff;margin-bottom:12px}
.verdict.pass{background:#2e7d32}.verdict.fail{background:#c62828}
.verdict .big{font-size:44px;font-weight:700;letter-spacing:2px}
table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}
tr.bad td{background:#ffebee}
table.trials td:nth-child(-n+6){white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:700}
.badge.ok{background:#2e7d32}.badge.bad{background:#c62828}.badge.unknown{background:#757575}
.headline{font-weight:600;font-size:15px}
pre{background:#fafafa;border:1px solid #eee;padding:8px;white-space:pre-wrap;word-break:break-word;font-size:12px}
.note,.problems{color:#6d4c41;font-size:13px}
.models{font-size:13px}
.ops{font-weight:400;color:#616161;font-size:12px}
.anomaly{border-left:3px solid #d500f9;padding-left:10px;margin:10px 0}
figure.graph{margin:6px 0}figure.graph svg{max-width:100%;height:auto}
figcaption{font-size:12px;color:#616161}
.scroll{overflow-x:auto}svg.timeline{max-width:100%;height:auto;font-size:10px}
.tl-lane,.tl-tick{font-size:10px;fill:#424242}.tl-marker-label{font-size:10px}
.tl-named-label{font-size:9px;fill:#aa00ff}
.legend{font-size:12px}.sw,.ln{display:inline-block;width:14px;height:10px;margin:0 3px 0 10px;vertical-align:middle}
.sw.ok{background:#43a047}.sw.fail{background:#e53935}.sw.info{background:#f9a825}.sw.open{background:#9e9e9e}
.sw.named{border:2px solid #d500f9;width:10px;height:6px}
.ln.crash{border-left:2px dashed #212121;width:0}.ln.recover{border-left:2px solid #1e88e5;width:0}
section.trial{margin-top:28px}
footer{margin-top:32px;font-size:12px;color:#757575}
)";

std::string status_badge(const std::string& status) {
  const char* css = status == "pass" ? "ok" : "bad";
  return std::string("<span class=\"badge ") + css + "\">" + html_escape(status) + "</span>";
}

std::string verdict_header(const CampaignSummary& summary) {
  const bool pass = summary.passed_all();
  std::string html = std::string("<header class=\"verdict ") + (pass ? "pass" : "fail") +
                     "\"><h1>faultline campaign</h1><div class=\"big\">" + (pass ? "PASS" : "FAIL") + "</div><div>";
  if (pass) {
    html += "all " + with_thousands(summary.passed) + " trials passed";
  } else {
    html += with_thousands(summary.failed) + " of " + with_thousands(summary.trials) + " trials failed, " +
            with_thousands(summary.errors) + " harness error(s)";
  }
  if (summary.not_run > 0) html += "; " + with_thousands(summary.not_run) + " not run (time budget)";
  return html + "</div></header>";
}

std::string campaign_table(const CampaignSummary& summary) {
  std::string html = "<h2>Campaign</h2><table class=\"kv\">";
  const auto row = [&](const std::string& key, const std::string& value) {
    html += "<tr><th>" + html_escape(key) + "</th><td>" + html_escape(value) + "</td></tr>";
  };
  for (const auto& [key, value] : summary.campaign) row(key, value);
  if (summary.campaign.empty()) row("configuration", "(not in summary.json)");
  if (!summary.faultline_version.empty()) row("summary written by faultline", summary.faultline_version);
  return html + "</table>";
}

std::string totals_table(const CampaignSummary& summary, const std::set<std::string>& anchors) {
  std::string html = "<h2>Totals</h2><table class=\"kv\">";
  const auto row = [&](const std::string& key, const std::string& value_html) {
    html += "<tr><th>" + html_escape(key) + "</th><td>" + value_html + "</td></tr>";
  };
  row("trials", with_thousands(summary.trials));
  row("passed", with_thousands(summary.passed));
  row("failed", with_thousands(summary.failed));
  row("harness errors", with_thousands(summary.errors));
  row("not run", with_thousands(summary.not_run));
  std::string types;
  for (const auto& [type, count] : summary.anomaly_types) {
    types += (types.empty() ? "" : ", ") + html_escape(type) + " &times; " + with_thousands(count);
  }
  row("anomaly types", types.empty() ? "(none)" : types);
  if (summary.first_failure) {
    SummaryTrial first;
    first.workload = summary.first_failure->first;
    first.seed = summary.first_failure->second;
    const std::string text = html_escape(first.workload) + " seed " + std::to_string(first.seed);
    const std::string anchor = trial_anchor(first);
    row("first failure", anchors.contains(anchor) ? "<a href=\"#" + anchor + "\">" + text + "</a>" : text);
  }
  if (summary.elapsed_seconds) row("elapsed", html_escape(coord(*summary.elapsed_seconds)) + " s (wall clock)");
  return html + "</table>";
}

// [html.3] Failing rows always; passing rows up to kReportTrialRowsMax.
std::string trials_table(const CampaignSummary& summary, const std::vector<bool>& has_section) {
  size_t failing = 0;
  for (const SummaryTrial& trial : summary.rows) failing += trial.failing() ? 1 : 0;
  const size_t passing_room = failing >= kReportTrialRowsMax ? 0 : kReportTrialRowsMax - failing;
  std::string html =
      "<h2>Trials</h2><table class=\"trials\"><tr><th>workload</th><th>seed</th><th>status</th><th>validity</th>"
      "<th>ops</th><th>crashes</th><th>headline</th></tr>";
  size_t passing_shown = 0;
  for (size_t i = 0; i < summary.rows.size(); ++i) {
    const SummaryTrial& trial = summary.rows[i];
    if (!trial.failing() && ++passing_shown > passing_room) continue;
    const std::string seed = std::to_string(trial.seed);
    html += std::string("<tr") + (trial.failing() ? " class=\"bad\"" : "") + "><td>" + html_escape(trial.workload) +
            "</td><td>" + (has_section[i] ? "<a href=\"#" + trial_anchor(trial) + "\">" + seed + "</a>" : seed) +
            "</td><td>" + status_badge(trial.status) + "</td><td>" + html_escape(trial.validity) + "</td><td>" +
            (trial.ops ? with_thousands(*trial.ops) : "") + "</td><td>" +
            (trial.crashes ? with_thousands(*trial.crashes) : "") + "</td><td>" + html_escape(trial.headline) +
            "</td></tr>";
  }
  html += "</table>";
  if (passing_shown > passing_room) {
    html += "<p class=\"note\">" + with_thousands(passing_shown - passing_room) +
            " passing trial(s) not listed (the table lists every failing trial and at most " +
            with_thousands(kReportTrialRowsMax) + " rows); summary.json has them all.</p>";
  }
  return html;
}

}  // namespace

Result<std::string> render_html_report(const fs::path& campaign_dir, const HtmlReportOptions& options) {
  FL_ASSIGN_OR_RETURN(const CampaignSummary summary, load_summary(campaign_dir / "summary.json"));
  std::vector<bool> has_section(summary.rows.size(), false);
  std::set<std::string> anchors;
  size_t failing = 0;
  for (size_t i = 0; i < summary.rows.size(); ++i) {
    if (!summary.rows[i].failing()) continue;
    has_section[i] = ++failing <= kReportFailureSectionsMax;
    if (has_section[i]) anchors.insert(trial_anchor(summary.rows[i]));
  }
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<title>faultline campaign: " + std::string(summary.passed_all() ? "PASS" : "FAIL") +
                     "</title><style>" + std::string(kStyle) + "</style></head><body>\n";
  html += verdict_header(summary) + "\n" + campaign_table(summary) + "\n" + totals_table(summary, anchors) + "\n";
  html += trials_table(summary, has_section) + "\n";
  if (failing > 0) {
    html += "<h2>Failures</h2>";
    if (failing > kReportFailureSectionsMax) {
      html += "<p class=\"note\">" + with_thousands(failing) + " failing trials: the first " +
              std::to_string(kReportFailureSectionsMax) + " have a section here; every bundle is under bundles/.</p>";
    }
    TrialSectionOptions trial_options{locate_dot(options.dot), summary.clients};
    for (size_t i = 0; i < summary.rows.size(); ++i) {
      if (has_section[i]) html += trial_section(campaign_dir, summary.rows[i], trial_options) + "\n";
    }
  }
  html += "<footer>Written by <code>faultline report</code> from summary.json and the repro bundles "
          "(docs/formats/campaign.md). Self-contained: no network needed.</footer></body></html>\n";
  return html;
}

Status write_html_report(const fs::path& campaign_dir, const HtmlReportOptions& options) {
  FL_ASSIGN_OR_RETURN(const std::string html, render_html_report(campaign_dir, options));
  const fs::path target = campaign_dir / "report.html";
  const fs::path temp = campaign_dir / (".report.html.tmp-" + std::to_string(::getpid()));
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << html;
    if (!out.flush()) {
      std::error_code ignored;
      fs::remove(temp, ignored);
      return Status::io_error(temp.string(), EIO);
    }
  }
  std::error_code ec;
  fs::rename(temp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    return Status::io_error(target.string(), ec.value());
  }
  return Status::success();
}

Status write_html_report(const fs::path& campaign_dir) { return write_html_report(campaign_dir, {}); }

}  // namespace fl::campaign
