// campaign/progress.cc: campaign progress on stderr (progress.h).
#include "campaign/progress.h"

#include <cstdio>

#include "campaign/campaign_limits.h"

namespace fl::campaign {

namespace {

std::string duration_text(double seconds) {
  char text[64];
  if (seconds < 60) {
    std::snprintf(text, sizeof text, "%.1fs", seconds);
  } else if (seconds < 3600) {
    std::snprintf(text, sizeof text, "%dm%02ds", static_cast<int>(seconds) / 60, static_cast<int>(seconds) % 60);
  } else {
    std::snprintf(text, sizeof text, "%dh%02dm", static_cast<int>(seconds) / 3600,
                  static_cast<int>(seconds) % 3600 / 60);
  }
  return text;
}

}  // namespace

Progress::Progress(std::ostream* out, bool tty, uint64_t total, uint64_t done_before)
    : out_(out), tty_(tty), total_(total), done_before_(done_before) {
  FL_ASSERT(done_before <= total);
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

std::string Progress::status_line() const {
  const uint64_t finished = done_before_ + done_;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char line[256];
  std::snprintf(line, sizeof line, "[%llu/%llu] %3d%%  failed %llu, errors %llu  %s",
                static_cast<unsigned long long>(finished), static_cast<unsigned long long>(total_),
                total_ == 0 ? 100 : static_cast<int>(100 * finished / total_),
                static_cast<unsigned long long>(failed_), static_cast<unsigned long long>(errors_),
                duration_text(elapsed).c_str());
  std::string text = line;
  if (done_ > 0 && finished < total_) {
    text += ", eta " + duration_text(elapsed / static_cast<double>(done_) * static_cast<double>(total_ - finished));
  }
  return text;
}

void Progress::draw(bool force) {
  if (out_ == nullptr) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  const double interval = tty_ ? kProgressRedrawIntervalSeconds : kProgressLineIntervalSeconds;
  if (!force && since < interval) return;
  last_draw_ = now;
  if (tty_) {
    *out_ << "\r\033[K" << status_line() << std::flush;  // \033[K: clear the rest of the line
    drawn_ = true;
  } else {
    *out_ << "faultline campaign: " << status_line() << "\n" << std::flush;
  }
}

void Progress::trial_done(const TrialRecord& record, const std::string& bundle_path) {
  ++done_;
  failed_ += record.status == TrialStatus::kFail ? 1 : 0;
  errors_ += record.status == TrialStatus::kError ? 1 : 0;
  if (out_ != nullptr && record.status != TrialStatus::kPass) {
    if (tty_ && drawn_) *out_ << "\r\033[K";
    *out_ << (record.status == TrialStatus::kFail ? "FAIL " : "ERROR ") << record.key.workload << " seed "
          << record.key.seed << ": " << record.headline << "\n";
    if (!bundle_path.empty()) *out_ << "  repro: faultline repro " << bundle_path << "\n";
    draw(/*force=*/tty_);  // a CI log gets its periodic line only
    return;
  }
  draw(false);
}

void Progress::finish(bool budget_ran_out) {
  if (out_ == nullptr) return;
  if (tty_ && drawn_) *out_ << "\r\033[K";
  *out_ << "faultline campaign: " << status_line();
  if (budget_ran_out) *out_ << " (time budget ran out: the remaining trials were not run)";
  *out_ << "\n" << std::flush;
}

}  // namespace fl::campaign
