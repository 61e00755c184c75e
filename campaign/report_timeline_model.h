// campaign/report_timeline_model.h: the history reduced to what the
// timeline draws (report_timeline.h): bars per lane, nemesis markers and the
// axis. Split from the drawing so each half stays readable; only
// report_timeline*.cc include it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "history/history.h"

namespace fl::campaign::timeline {

enum class Outcome : uint8_t { kOk, kFail, kInfo, kOpen };
inline constexpr size_t kOutcomeCount = 4;

struct Bar {
  size_t lane = 0;
  int64_t start = 0, end = 0;  // axis units ([timeline.3])
  Outcome outcome = Outcome::kOpen;
  int64_t invoke_index = 0;
  int64_t complete_index = -1;  // -1: never completed
  int64_t process = 0;
  std::string tooltip;        // plain text
  std::string named_by;       // anomalies naming it ([timeline.5]); empty if none
};

struct Marker {
  int64_t at = 0;
  bool crash = false;
  bool recover = false;
  bool failed = false;  // a recovery that failed or found damage
  std::string label;    // plain text
  std::string tooltip;
};

struct Model {
  bool by_time = true;  // else by :index
  int64_t min = 0, max = 1;
  std::vector<std::string> lane_names;
  std::vector<Bar> bars;
  std::vector<Marker> markers;
  std::vector<std::string> notes;
};

Model build_model(const history::History& history, const std::map<int64_t, std::string>& named,
                  std::optional<uint32_t> clients);

}  // namespace fl::campaign::timeline
