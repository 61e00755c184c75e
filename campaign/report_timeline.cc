// campaign/report_timeline.cc: the drawing of report_timeline.h
// ([timeline.2]-[timeline.7]); report_timeline_model.cc reads the history.
#include "campaign/report_timeline.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "base/assert.h"
#include "campaign/html_text.h"
#include "campaign/report_limits.h"
#include "campaign/report_timeline_model.h"

namespace fl::campaign {
namespace {

using timeline::Bar;
using timeline::Marker;
using timeline::Model;
using timeline::Outcome;

// Geometry, in SVG user units (CSS pixels at scale 1).
constexpr double kWidth = 1200;
constexpr double kLeft = 96;   // lane names
constexpr double kRight = 16;
constexpr double kLabelRowHeight = 13;
constexpr size_t kLabelRows = 3;  // marker labels alternate rows, to overlap less
constexpr double kTop = kLabelRowHeight * kLabelRows + 8;
constexpr double kLaneHeight = 18;
constexpr double kBarHeight = 12;
constexpr double kBarWidthMin = 1.5;  // a transaction shorter than a pixel stays visible
constexpr double kAxisHeight = 34;
constexpr size_t kTicksWanted = 8;
static_assert(kBarHeight < kLaneHeight);
static_assert(kLeft + kRight < kWidth);

// Colours: outcomes, then the nemesis and the outline of named transactions.
constexpr std::array<const char*, timeline::kOutcomeCount> kOutcomeFill = {"#43a047", "#e53935", "#f9a825",
                                                                           "#9e9e9e"};
constexpr const char* kCrashColour = "#212121";
constexpr const char* kRecoverColour = "#1e88e5";
constexpr const char* kFailedColour = "#b71c1c";
constexpr const char* kNamedColour = "#d500f9";

struct Scale {
  double min, span;
  double x(int64_t at) const { return kLeft + (static_cast<double>(at) - min) / span * (kWidth - kLeft - kRight); }
};

double lane_top(size_t lane) { return kTop + static_cast<double>(lane) * kLaneHeight; }

// A step of 1, 2 or 5 times a power of ten giving about kTicksWanted ticks.
int64_t tick_step(int64_t range) {
  int64_t step = 1;
  while (step < INT64_MAX / 10) {
    for (const int64_t factor : {1, 2, 5}) {
      if (range / (step * factor) <= static_cast<int64_t>(kTicksWanted)) return step * factor;
    }
    step *= 10;
  }
  return step;
}

std::string tick_label(int64_t at, bool by_time) {
  if (!by_time) return std::to_string(at);
  return coord(static_cast<double>(at) / 1e6);  // :time is in nanoseconds; ms reads better
}

void draw_axis(std::string& svg, const Model& model, const Scale& scale, double bottom) {
  svg += "<line x1=\"" + coord(kLeft) + "\" y1=\"" + coord(bottom) + "\" x2=\"" + coord(kWidth - kRight) + "\" y2=\"" +
         coord(bottom) + "\" stroke=\"#444\"/>";
  const int64_t step = tick_step(model.max - model.min);
  FL_ASSERT(step > 0);
  const int64_t first = model.min >= 0 ? (model.min + step - 1) / step * step : model.min;
  for (int64_t at = first; at <= model.max; at += step) {
    const std::string x = coord(scale.x(at));
    svg += "<line x1=\"" + x + "\" y1=\"" + coord(bottom) + "\" x2=\"" + x + "\" y2=\"" + coord(bottom + 4) +
           "\" stroke=\"#444\"/><text x=\"" + x + "\" y=\"" + coord(bottom + 15) +
           "\" text-anchor=\"middle\" class=\"tl-tick\">" + tick_label(at, model.by_time) + "</text>";
    if (at > model.max - step) break;  // no overflow past INT64_MAX
  }
  svg += "<text x=\"" + coord(kWidth - kRight) + "\" y=\"" + coord(bottom + 29) +
         "\" text-anchor=\"end\" class=\"tl-tick\">" + (model.by_time ? ":time (ms)" : ":index") + "</text>";
}

void draw_lanes(std::string& svg, const Model& model) {
  for (size_t lane = 0; lane < model.lane_names.size(); ++lane) {
    const double top = lane_top(lane);
    if (lane % 2 == 1) {
      svg += "<rect x=\"" + coord(kLeft) + "\" y=\"" + coord(top) + "\" width=\"" + coord(kWidth - kLeft - kRight) +
             "\" height=\"" + coord(kLaneHeight) + "\" fill=\"#f4f4f4\"/>";
    }
    svg += "<text x=\"" + coord(kLeft - 6) + "\" y=\"" + coord(top + kLaneHeight - 5) +
           "\" text-anchor=\"end\" class=\"tl-lane\">" + html_escape(model.lane_names[lane]) + "</text>";
  }
}

void draw_bar(std::string& svg, const Bar& bar, const Scale& scale) {
  const double x = scale.x(bar.start);
  const double width = std::max(scale.x(bar.end) - x, kBarWidthMin);
  const double y = lane_top(bar.lane) + (kLaneHeight - kBarHeight) / 2;
  const bool named = !bar.named_by.empty();
  svg += "<rect x=\"" + coord(x) + "\" y=\"" + coord(y) + "\" width=\"" + coord(width) + "\" height=\"" +
         coord(kBarHeight) + "\" fill=\"" + kOutcomeFill[static_cast<size_t>(bar.outcome)] + "\"";
  if (named) svg += std::string(" stroke=\"") + kNamedColour + "\" stroke-width=\"2.5\" class=\"tl-named\"";
  svg += "><title>" + html_escape(bar.tooltip) + "</title></rect>";
  if (named) {
    svg += "<text x=\"" + coord(x) + "\" y=\"" + coord(y - 1) + "\" class=\"tl-named-label\">#" +
           std::to_string(bar.invoke_index) + "</text>";
  }
}

// [timeline.6]: per lane and column, one strip per outcome.
void draw_aggregated(std::string& svg, const Model& model) {
  const size_t lanes = model.lane_names.size();
  std::vector<std::array<uint32_t, timeline::kOutcomeCount>> counts(lanes * kTimelineBuckets);
  const double span = static_cast<double>(model.max - model.min) + 1;
  uint32_t most = 1;
  for (const Bar& bar : model.bars) {
    const auto column = static_cast<size_t>(static_cast<double>(bar.start - model.min) / span * kTimelineBuckets);
    const size_t cell = bar.lane * kTimelineBuckets + std::min(column, kTimelineBuckets - 1);
    uint32_t& count = counts[cell][static_cast<size_t>(bar.outcome)];
    most = std::max(most, ++count);
  }
  const double column_width = (kWidth - kLeft - kRight) / kTimelineBuckets;
  const double strip = kBarHeight / timeline::kOutcomeCount;
  for (size_t lane = 0; lane < lanes; ++lane) {
    for (size_t column = 0; column < kTimelineBuckets; ++column) {
      for (size_t outcome = 0; outcome < timeline::kOutcomeCount; ++outcome) {
        const uint32_t n = counts[lane * kTimelineBuckets + column][outcome];
        if (n == 0) continue;
        const double opacity = 0.3 + 0.7 * n / most;
        svg += "<rect x=\"" + coord(kLeft + column * column_width) + "\" y=\"" +
               coord(lane_top(lane) + (kLaneHeight - kBarHeight) / 2 + outcome * strip) + "\" width=\"" +
               coord(column_width) + "\" height=\"" + coord(strip) + "\" fill=\"" + kOutcomeFill[outcome] +
               "\" fill-opacity=\"" + coord(opacity) + "\"><title>" + std::to_string(n) +
               " transaction(s)</title></rect>";
      }
    }
  }
}

// [timeline.4]: markers at the same pixel merge.
std::vector<std::pair<double, Marker>> merged_markers(const Model& model, const Scale& scale) {
  std::vector<std::pair<double, Marker>> merged;
  for (const Marker& marker : model.markers) {
    const double x = std::round(scale.x(marker.at));
    if (!merged.empty() && merged.back().first == x) {
      Marker& into = merged.back().second;
      into.label += " + " + marker.label;
      into.tooltip += "\n" + marker.tooltip;
      into.crash = into.crash || marker.crash;
      into.recover = into.recover || marker.recover;
      into.failed = into.failed || marker.failed;
      continue;
    }
    merged.emplace_back(x, marker);
  }
  return merged;
}

void draw_markers(std::string& svg, const Model& model, const Scale& scale, double bottom, Timeline& out) {
  const std::vector<std::pair<double, Marker>> merged = merged_markers(model, scale);
  out.markers = merged.size();
  for (size_t i = 0; i < merged.size(); ++i) {
    const auto& [x, marker] = merged[i];
    const char* colour = marker.failed ? kFailedColour : marker.crash ? kCrashColour : kRecoverColour;
    svg += "<g class=\"tl-marker\"><title>" + html_escape(marker.tooltip) + "</title><line x1=\"" + coord(x) +
           "\" y1=\"" + coord(kTop - 4) + "\" x2=\"" + coord(x) + "\" y2=\"" + coord(bottom) + "\" stroke=\"" + colour +
           "\" stroke-width=\"1.5\"" + (marker.crash ? " stroke-dasharray=\"5 3\"" : "") + "/>";
    if (i < kTimelineMarkerLabelsMax) {
      const bool right_half = x > kWidth / 2;
      svg += "<text x=\"" + coord(right_half ? x - 3 : x + 3) + "\" y=\"" +
             coord(kLabelRowHeight * static_cast<double>(i % kLabelRows + 1)) + "\" text-anchor=\"" +
             (right_half ? "end" : "start") + "\" fill=\"" + colour + "\" class=\"tl-marker-label\">" +
             html_escape(marker.label) + "</text>";
    }
    svg += "</g>";
  }
  if (merged.size() > kTimelineMarkerLabelsMax) {
    out.notes.push_back(std::to_string(merged.size()) + " nemesis markers: the first " +
                        std::to_string(kTimelineMarkerLabelsMax) + " are labelled, the rest have tooltips only");
  }
}

}  // namespace

Timeline render_timeline(const history::History& history, const std::map<int64_t, std::string>& named,
                         std::optional<uint32_t> clients) {
  Timeline out;
  Model model = timeline::build_model(history, named, clients);
  out.notes = model.notes;
  out.transactions = model.bars.size();
  if (model.lane_names.empty()) model.lane_names.push_back("(no clients)");
  if (model.max == model.min) ++model.max;
  const Scale scale{static_cast<double>(model.min), static_cast<double>(model.max - model.min)};
  const double bottom = lane_top(model.lane_names.size()) + 2;
  const double height = bottom + kAxisHeight;
  std::string& svg = out.svg;
  svg = "<svg class=\"timeline\" viewBox=\"0 0 " + coord(kWidth) + " " + coord(height) + "\" width=\"" +
        coord(kWidth) + "\" height=\"" + coord(height) + "\" role=\"img\" aria-label=\"trial timeline\">";
  draw_lanes(svg, model);
  out.aggregated = model.bars.size() > kTimelineBarsMax;
  if (out.aggregated) {
    draw_aggregated(svg, model);
    out.notes.push_back(with_thousands(model.bars.size()) + " transactions, more than " +
                        with_thousands(kTimelineBarsMax) + ": drawn aggregated in " +
                        std::to_string(kTimelineBuckets) +
                        " columns per lane (one strip per outcome, darker = more), by invocation");
  }
  // Named transactions last, so that no bar covers their outline.
  for (const Bar& bar : model.bars) {
    if (bar.named_by.empty() && !out.aggregated) draw_bar(svg, bar, scale);
  }
  for (const Bar& bar : model.bars) {
    if (bar.named_by.empty()) continue;
    if (++out.named <= kTimelineHighlightsMax) {
      draw_bar(svg, bar, scale);
    } else if (!out.aggregated) {
      Bar plain = bar;
      plain.named_by.clear();
      draw_bar(svg, plain, scale);
    }
  }
  if (out.named > kTimelineHighlightsMax) {
    out.notes.push_back(std::to_string(out.named) + " transactions named by anomalies: the first " +
                        std::to_string(kTimelineHighlightsMax) + " are outlined");
  }
  draw_markers(svg, model, scale, bottom, out);
  draw_axis(svg, model, scale, bottom);
  svg += "</svg>";
  return out;
}

}  // namespace fl::campaign
