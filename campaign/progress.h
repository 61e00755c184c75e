// campaign/progress.h: what a running campaign tells the person or CI log
// watching it (stderr). On a terminal: one line redrawn in place, with
// failures printed above it as they happen. Otherwise (CI logs): a plain
// line at most every kProgressLineIntervalSeconds, every failure on its
// own line, and a last line at the end. Only the runner's lock holder
// calls it; nothing here reaches a result file.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "campaign/trial_record.h"

namespace fl::campaign {

class Progress {
 public:
  // `out` may be null (silent). `done_before`: trials a resumed run found
  // finished; they count towards the total but not the rate.
  Progress(std::ostream* out, bool tty, uint64_t total, uint64_t done_before);
  void trial_done(const TrialRecord& record, const std::string& bundle_path);
  void finish(bool budget_ran_out);

 private:
  std::string status_line() const;
  void draw(bool force);

  std::ostream* out_;
  bool tty_;
  uint64_t total_, done_before_, done_ = 0, failed_ = 0, errors_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

}  // namespace fl::campaign
