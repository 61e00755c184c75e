// campaign/report_timeline.h: a trial's history drawn as an SVG timeline,
// for the HTML report (html_report.h), so a person sees where in the run
// things broke.
//
// [timeline.1] One lane per client. When the number of clients is known
//              (the history's :clients metadata, else the caller's), a
//              client process p is drawn in lane p mod clients: the
//              simulator, like Jepsen, gives a client a fresh process id
//              after each crash, and p mod clients is the client. Otherwise
//              one lane per distinct integer process, in order, folded
//              modulo kTimelineLanesMax beyond that many (a note says so).
// [timeline.2] A transaction is an :invoke and the next completion of the
//              same process; it is a bar from the one to the other, filled
//              by the completion's type (:ok, :fail, :info). An invocation
//              never completed runs to the end of the axis, grey.
// [timeline.3] The x axis is :time when the operations' times are not all
//              equal, else :index.
// [timeline.4] Operations of a non-integer process (:nemesis) are vertical
//              markers across every lane, at their completion (or their
//              invocation, when none came): "crash <kind>", "recovered",
//              "recovered, integrity failed", "recovery failed", else
//              their :f. Markers at the same pixel share one line and
//              their labels join with " + ". Above kTimelineMarkerLabelsMax
//              markers the rest keep their line and tooltip only.
// [timeline.5] A transaction one of whose operations (invocation or
//              completion :index) an anomaly names is outlined, labelled
//              "#<invocation index>", and its tooltip names the anomalies.
// [timeline.6] Above kTimelineBarsMax transactions, bars are aggregated:
//              kTimelineBuckets columns per lane, one strip per outcome
//              whose opacity grows with its count; the named transactions
//              are still drawn one by one (up to kTimelineHighlightsMax).
//              Timeline::notes says what was aggregated or cut.
// [timeline.7] Every piece of text from the history is escaped
//              (html_text.h); the SVG names no external resource.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "history/history.h"

namespace fl::campaign {

struct Timeline {
  std::string svg;                 // one <svg> element
  std::vector<std::string> notes;  // plain text, for the page (escape it)
  size_t transactions = 0;
  size_t markers = 0;
  size_t named = 0;  // transactions an anomaly names ([timeline.5]), outlined or not
  bool aggregated = false;
};

// `named`: op :index -> the anomalies that name it ("G2-item #1").
Timeline render_timeline(const history::History& history, const std::map<int64_t, std::string>& named,
                         std::optional<uint32_t> clients);

}  // namespace fl::campaign
