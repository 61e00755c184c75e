// campaign/html_report_trial.cc: one failing trial's section of the HTML
// report ([html.3] of html_report.h).
#include "campaign/html_report_trial.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "campaign/html_text.h"
#include "campaign/report_graphviz.h"
#include "campaign/report_limits.h"
#include "campaign/report_timeline.h"

namespace fl::campaign {
namespace {

std::string trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") + 1 - first);
}

// A cycle as inline SVG, or its DOT source with the reason it is not drawn.
std::string graph_html(const std::string& dot_source, const std::string& caption,
                       const std::optional<std::string>& dot) {
  std::string html = "<figure class=\"graph\">";
  std::string fallback_reason = "Graphviz `dot` is not installed (or not on PATH): the cycle is shown as DOT source.";
  if (dot) {
    Result<std::string> svg = dot_to_svg(*dot, dot_source);
    if (svg.ok()) return html + *svg + "<figcaption>" + html_escape(caption) + "</figcaption></figure>";
    fallback_reason = "`dot` could not draw this cycle (" + svg.status().to_string() + "): shown as DOT source.";
  }
  return html + "<p class=\"note\">" + html_escape(fallback_reason) + "</p><pre class=\"dot\">" +
         html_escape(dot_source) + "</pre><figcaption>" + html_escape(caption) + "</figcaption></figure>";
}

std::string list_items(const std::vector<std::string>& items, const char* css_class) {
  if (items.empty()) return "";
  std::string html = std::string("<ul class=\"") + css_class + "\">";
  for (const std::string& item : items) html += "<li>" + html_escape(item) + "</li>";
  return html + "</ul>";
}

std::string ops_text(const std::vector<int64_t>& ops) {
  std::string out;
  for (const int64_t op : ops) out += (out.empty() ? "" : ", ") + std::to_string(op);
  return out.empty() ? "(none)" : out;
}

// The anomalies with their explanations and cycle graphs; fills `named` for
// the timeline ([timeline.5]).
std::string anomalies_html(const Bundle& bundle, const std::optional<std::string>& dot,
                           std::map<int64_t, std::string>& named) {
  std::string html = "<h3>Anomalies</h3>";
  if (bundle.anomaly_counts.empty() && bundle.examples.empty()) {
    return html + "<p class=\"note\">The verdict names no anomaly (the trial failed on a finding, above).</p>";
  }
  html += "<ul class=\"counts\">";
  for (const auto& [type, count] : bundle.anomaly_counts) {
    html += "<li><b>" + html_escape(type) + "</b> &times; " + with_thousands(count) + "</li>";
  }
  html += "</ul>";
  if (!bundle.violated_models.empty()) {
    html += "<p class=\"models\">Violated models: ";
    bool first = true;
    for (const auto& [model, types] : bundle.violated_models) {
      std::string because;
      for (const std::string& type : types) because += (because.empty() ? "" : ", ") + type;
      html += (first ? "" : "; ") + std::string("<b>") + html_escape(model) + "</b> (by " + html_escape(because) + ")";
      first = false;
    }
    html += "</p>";
  }
  std::set<size_t> cycles_shown;
  std::map<std::string, size_t> seen_per_type;
  size_t graphs = 0, examples_cut = 0, graphs_cut = 0;
  for (const AnomalyExample& example : bundle.examples) {
    const size_t number = ++seen_per_type[example.type];
    if (number > kReportExamplesPerTypeMax) {
      ++examples_cut;
      continue;
    }
    const std::string name = example.type + " #" + std::to_string(number);
    for (const int64_t op : example.ops) named[op] += (named[op].empty() ? "" : ", ") + name;
    html += "<div class=\"anomaly\"><h4>" + html_escape(name) + " <span class=\"ops\">operations " +
            html_escape(ops_text(example.ops)) + "</span></h4><pre class=\"explain\">" +
            html_escape(example.explanation) + "</pre>";
    if (!example.dot.empty()) {
      std::string caption = name;
      for (size_t i = 0; i < bundle.cycles.size(); ++i) {
        if (!cycles_shown.contains(i) && trimmed(bundle.cycles[i].dot) == trimmed(example.dot)) {
          cycles_shown.insert(i);
          caption += " (" + bundle.cycles[i].name + ")";
          break;
        }
      }
      if (++graphs <= kReportCycleGraphsMax) {
        html += graph_html(example.dot, caption, dot);
      } else {
        ++graphs_cut;
      }
    }
    html += "</div>";
  }
  // Cycle files no example's DOT matched: still cycles of this trial.
  for (size_t i = 0; i < bundle.cycles.size(); ++i) {
    if (cycles_shown.contains(i)) continue;
    if (++graphs > kReportCycleGraphsMax) {
      ++graphs_cut;
      continue;
    }
    html += "<div class=\"anomaly\">" + graph_html(bundle.cycles[i].dot, bundle.cycles[i].name, dot) + "</div>";
  }
  if (examples_cut > 0) {
    html += "<p class=\"note\">" + std::to_string(examples_cut) + " more example(s) are in verdict.json.</p>";
  }
  if (graphs_cut > 0) {
    html += "<p class=\"note\">" + std::to_string(graphs_cut) + " more cycle graph(s) not drawn (the report draws " +
            std::to_string(kReportCycleGraphsMax) + " per trial); see the bundle's cycles/.</p>";
  }
  return html;
}

std::string timeline_html(const Bundle& bundle, const std::map<int64_t, std::string>& named,
                          std::optional<uint32_t> clients) {
  std::string html = "<h3>Timeline</h3>";
  if (!bundle.history) return html + "<p class=\"note\">No history to draw (see above).</p>";
  const Timeline timeline = render_timeline(*bundle.history, named, clients);
  html += "<p class=\"legend\"><span class=\"sw ok\"></span>:ok <span class=\"sw fail\"></span>:fail "
          "<span class=\"sw info\"></span>:info (indeterminate) <span class=\"sw open\"></span>never completed "
          "<span class=\"sw named\"></span>named by an anomaly "
          "<span class=\"ln crash\"></span>crash <span class=\"ln recover\"></span>recovery &mdash; " +
          with_thousands(timeline.transactions) + " transactions, " + with_thousands(timeline.markers) +
          " nemesis markers, " + with_thousands(timeline.named) +
          " named by anomalies. Lane = client; hover a bar for its operation.</p>";
  html += "<div class=\"scroll\">" + timeline.svg + "</div>";
  return html + list_items(timeline.notes, "note");
}

}  // namespace

std::string trial_anchor(const SummaryTrial& trial) {
  return "trial-" + html_id(trial.workload) + "-seed" + std::to_string(trial.seed);
}

std::string trial_section(const std::filesystem::path& campaign_dir, const SummaryTrial& trial,
                          const TrialSectionOptions& options) {
  const std::string status = trial.status == "fail" ? "FAIL" : trial.status == "error" ? "ERROR" : trial.status;
  std::string html = "<section class=\"trial\" id=\"" + trial_anchor(trial) + "\"><h2>" +
                     html_escape(trial.workload) + " seed " + std::to_string(trial.seed) +
                     " <span class=\"badge bad\">" + html_escape(status) + "</span></h2>";
  if (!trial.bundle) {
    html += "<p class=\"headline\">" + html_escape(trial.headline.empty() ? "(no headline)" : trial.headline) + "</p>";
    html += list_items(trial.findings, "findings");
    return html + "<p class=\"note\">No repro bundle was written for this trial.</p></section>";
  }
  const Bundle bundle = load_bundle(campaign_dir, *trial.bundle);
  const std::string headline = !trial.headline.empty() ? trial.headline : bundle.headline;
  html += "<p class=\"headline\">" + html_escape(headline.empty() ? "(no headline)" : headline) + "</p>";
  html += "<p>Bundle <code>" + html_escape(*trial.bundle) + "</code>; replay it with <code>faultline repro " +
          html_escape(*trial.bundle) + "</code>.</p>";
  if (!bundle.crash_images.empty()) {
    std::string images;
    for (const CrashImageDigest& image : bundle.crash_images) {
      images += std::string(images.empty() ? "" : ", ") + "<code>" + html_escape(image_dir_name(image)) + "</code> (" +
                std::to_string(image.bytes) + " bytes)";
    }
    html += "<p>Crash images, the disk as each crash left it before recovery, in <code>" +
            html_escape(*trial.bundle) + "/crash-images/</code>: " + images + ".</p>";
  }
  html += list_items(bundle.problems, "problems");
  if (!trial.findings.empty()) html += "<h3>Findings</h3>" + list_items(trial.findings, "findings");
  if (!bundle.found) return html + "</section>";
  // The timeline comes first, as the overview of where things broke; it
  // outlines what the anomalies below name.
  std::map<int64_t, std::string> named;
  const std::string anomalies = anomalies_html(bundle, options.dot, named);
  html += timeline_html(bundle, named, options.clients);
  html += anomalies + list_items(bundle.notes, "note");
  if (!bundle.verdict_text.empty()) {
    html += "<details><summary>verdict.txt</summary><pre class=\"verdict-text\">" + html_escape(bundle.verdict_text) +
            (bundle.verdict_text_cut ? "\n[cut: the rest is in the bundle's verdict.txt]" : "") + "</pre></details>";
  }
  return html + "</section>";
}

}  // namespace fl::campaign
