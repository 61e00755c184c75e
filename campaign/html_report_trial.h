// campaign/html_report_trial.h: the section of one failing trial in the
// HTML report (html_report.h [html.3]); only html_report*.cc include it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "campaign/report_bundle.h"

namespace fl::campaign {

// The id of the trial's section ("trial-list-append-seed17").
std::string trial_anchor(const SummaryTrial& trial);

struct TrialSectionOptions {
  std::optional<std::string> dot;   // the `dot` to run; nullopt: none (show DOT source)
  std::optional<uint32_t> clients;  // the campaign's, for the timeline's lanes
};

// The <section> of a failing trial: reads its bundle (never fails:
// problems are shown in it).
std::string trial_section(const std::filesystem::path& campaign_dir, const SummaryTrial& trial,
                          const TrialSectionOptions& options);

}  // namespace fl::campaign
