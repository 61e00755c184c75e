// campaign/campaign_summary.h: a campaign's results and the files that
// report them: summary.json, junit.xml, the summary table
// (docs/formats/campaign.md).
//
// [sum.1] CampaignResult::records holds the finished trials, sorted by
//         output_order ((workload, seed)); a trial of the config's list
//         with no record was not run. The totals are counted from them.
// [sum.2] summary_json() is a pure function of the result, except
//         "seconds" and "elapsed_seconds" (wall clock): the same campaign
//         gives the same bytes with those removed, whatever --jobs was.
//         Its "anomaly_types" counts the trials in which each type appears.
// [sum.3] junit_xml(): one <testsuite> per workload (by name), one
//         <testcase name="seed-S"> per trial of the config in seed order.
//         A failure's message is the headline and its body the start of
//         the bundle's verdict.txt (at most kJunitVerdictTextBytesMax),
//         the bundle path and the repro command; an error holds <error>,
//         a trial not run <skipped>. Every text and attribute is escaped;
//         bytes XML 1.0 forbids are replaced by '?'.
// [sum.4] parse_summary_json(summary_json(r)) gives r back (seconds to the
//         microsecond); a summary whose trials are not in the config's
//         list, appear twice, or are malformed is kInvalidArgument.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/status.h"
#include "campaign/campaign_config.h"
#include "campaign/trial_record.h"

namespace fl::campaign {

struct CampaignTotals {
  uint64_t trials = 0, passed = 0, failed = 0, errors = 0, not_run = 0;
};

struct CampaignResult {
  CampaignConfig config;
  std::vector<TrialRecord> records;  // [sum.1]
  double elapsed_seconds = 0;        // wall clock

  CampaignTotals totals() const;
  bool all_passed() const;  // no fail, no error (not-run trials do not fail a campaign)
};

// Sorts `records` into output order and checks them against the config's
// trial list (what [sum.4] refuses).
Status normalize_records(const CampaignConfig& config, std::vector<TrialRecord>& records, const std::string& where);

std::string summary_json(const CampaignResult& result);  // [sum.2]
Result<CampaignResult> parse_summary_json(std::string_view text, const std::string& file);  // [sum.4]
// `campaign_dir` is where the failing trials' bundles are read from.
std::string junit_xml(const CampaignResult& result, const std::filesystem::path& campaign_dir);  // [sum.3]
std::string xml_escape(std::string_view text);
// Per workload: trials, passed, failed, errors, not run, first failing seed.
std::string summary_table(const CampaignResult& result);

// summary.json and junit.xml into `dir` (and, once wired in, report.html).
Status write_campaign_reports(const std::filesystem::path& dir, const CampaignResult& result);

}  // namespace fl::campaign
