// campaign/report_limits.h: the bounds of the HTML report (html_report.h).
// A campaign of 10,000 seeds, or a trial of 10^5 operations, must still give
// a page a browser opens in a second; every cap that cuts something is said
// on the page, next to what it cut.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fl::campaign {

// summary.json and bundle files larger than this are not read (a summary
// of 10^5 trials is about 40 MiB).
inline constexpr uintmax_t kReportSummaryBytesMax = uintmax_t{256} << 20;
inline constexpr uintmax_t kReportBundleFileBytesMax = uintmax_t{64} << 20;
// history.edn above this gets no timeline (the whole history is held in
// memory while its timeline is drawn).
inline constexpr uintmax_t kReportHistoryBytesMax = uintmax_t{64} << 20;

// Rows of the per-seed table; failing rows are always listed, passing rows
// fill what is left.
inline constexpr size_t kReportTrialRowsMax = 2000;
// Failing trials with a section of their own (the table lists the rest):
// a section of a 1000-transaction trial weighs about 0.5 MB of SVG.
inline constexpr size_t kReportFailureSectionsMax = 20;
// Explanations shown per anomaly type of one trial (verdicts keep at most
// checkers::kExamplesPerType anyway).
inline constexpr size_t kReportExamplesPerTypeMax = 8;
// Cycle graphs rendered per trial (each is one `dot` run).
inline constexpr size_t kReportCycleGraphsMax = 24;
// verdict.txt shown per trial; the rest is in the bundle.
inline constexpr size_t kReportVerdictTextBytesMax = 256 << 10;

// Graphviz: DOT inputs above this are shown as source, not run; `dot` gets
// this long before its process is killed; larger SVG output is dropped.
inline constexpr size_t kDotInputBytesMax = 1 << 20;
inline constexpr uint64_t kDotTimeoutSeconds = 30;
inline constexpr size_t kDotSvgBytesMax = 8 << 20;

// Timeline: above kTimelineBarsMax transactions the bars are aggregated into
// kTimelineBuckets columns per lane; transactions named by an anomaly are
// still drawn one by one, up to kTimelineHighlightsMax.
inline constexpr size_t kTimelineBarsMax = 3000;
inline constexpr size_t kTimelineBuckets = 400;
inline constexpr size_t kTimelineHighlightsMax = 200;
inline constexpr size_t kTimelineLanesMax = 64;
// Nemesis markers beyond this many keep their line and tooltip but lose
// their label (labels would overlap into noise).
inline constexpr size_t kTimelineMarkerLabelsMax = 60;
// A bar's tooltip shows at most this much of the operation's :value.
inline constexpr size_t kTimelineTooltipBytesMax = 160;

static_assert(kTimelineHighlightsMax <= kTimelineBarsMax);
static_assert(kReportFailureSectionsMax <= kReportTrialRowsMax);

}  // namespace fl::campaign
