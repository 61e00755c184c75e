// campaign/campaign_summary.cc: totals, summary.json and the summary table
// (campaign_summary.h). junit.xml is in junit.cc.
#include "campaign/campaign_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "campaign/html_report.h"
#include "campaign/json_fields.h"

namespace fl::campaign {

namespace fs = std::filesystem;

CampaignTotals CampaignResult::totals() const {
  CampaignTotals totals;
  totals.trials = campaign_trials(config).size();
  for (const TrialRecord& record : records) {
    switch (record.status) {
      case TrialStatus::kPass: ++totals.passed; break;
      case TrialStatus::kFail: ++totals.failed; break;
      case TrialStatus::kError: ++totals.errors; break;
    }
  }
  FL_ASSERT(records.size() <= totals.trials);  // Invariant: normalize_records() kept only listed trials
  totals.not_run = totals.trials - records.size();
  return totals;
}

bool CampaignResult::all_passed() const {
  const CampaignTotals totals = this->totals();
  return totals.failed == 0 && totals.errors == 0;
}

Status normalize_records(const CampaignConfig& config, std::vector<TrialRecord>& records, const std::string& where) {
  std::vector<TrialKey> expected = campaign_trials(config);
  std::sort(expected.begin(), expected.end(), output_order);
  std::sort(records.begin(), records.end(),
            [](const TrialRecord& a, const TrialRecord& b) { return output_order(a.key, b.key); });
  for (size_t i = 0; i < records.size(); ++i) {
    const TrialKey& key = records[i].key;
    const std::string name = key.workload + " seed " + std::to_string(key.seed);
    if (i > 0 && records[i - 1].key == key) return Status::invalid_argument(where, name + " is listed twice");
    if (!std::binary_search(expected.begin(), expected.end(), key, output_order)) {
      return Status::invalid_argument(where, name + " is not a trial of this campaign (shard " +
                                                 shard_text(config.shard) + ")");
    }
  }
  return Status::success();
}

namespace {

nlohmann::ordered_json totals_object(const CampaignTotals& totals) {
  nlohmann::ordered_json j;
  j["trials"] = totals.trials;
  j["passed"] = totals.passed;
  j["failed"] = totals.failed;
  j["errors"] = totals.errors;
  j["not_run"] = totals.not_run;
  return j;
}

}  // namespace

std::string summary_json(const CampaignResult& result) {
  nlohmann::ordered_json first = nullptr;
  std::map<std::string, uint64_t> types;
  for (const TrialRecord& record : result.records) {
    if (first.is_null() && record.status != TrialStatus::kPass) {
      first = {{"seed", record.key.seed}, {"workload", record.key.workload}};
    }
    for (const std::string& type : record.anomaly_types) ++types[type];
  }
  // Written by hand around compact pieces: one trial per line keeps a
  // 30,000-trial summary readable and diffable, and it is still one JSON
  // document.
  std::string out = "{\"faultline_version\": " + nlohmann::ordered_json(result.config.faultline_version).dump();
  out += ",\n \"campaign\": " + nlohmann::ordered_json::parse(campaign_json(result.config)).dump();
  out += ",\n \"totals\": " + totals_object(result.totals()).dump();
  out += ",\n \"first_failure\": " + first.dump();
  out += ",\n \"anomaly_types\": " + nlohmann::ordered_json(types).dump();
  out += ",\n \"trials\": [";
  for (size_t i = 0; i < result.records.size(); ++i) {
    out += (i == 0 ? "\n  " : ",\n  ") + trial_record_json(result.records[i]);
  }
  out += "\n ],\n \"elapsed_seconds\": " +
         nlohmann::ordered_json(std::round(result.elapsed_seconds * 1e3) / 1e3).dump() + "}\n";
  return out;
}

Result<CampaignResult> parse_summary_json(std::string_view text, const std::string& file) {
  FL_ASSIGN_OR_RETURN(nlohmann::json j, json_fields::parse(text, file));
  const json_fields::Object object(j, file);
  FL_TRY(object.is_object());
  CampaignResult result;
  FL_ASSIGN_OR_RETURN(const nlohmann::json* campaign, object.field("campaign"));
  FL_ASSIGN_OR_RETURN(result.config, parse_campaign_json(campaign->dump(), file + ": campaign"));
  FL_ASSIGN_OR_RETURN(const nlohmann::json* trials, object.field("trials"));
  if (!trials->is_array()) return object.bad("trials", "expected an array");
  for (size_t i = 0; i < trials->size(); ++i) {
    FL_ASSIGN_OR_RETURN(TrialRecord record,
                        parse_trial_record((*trials)[i], file + ": trials[" + std::to_string(i) + "]"));
    result.records.push_back(std::move(record));
  }
  FL_TRY(normalize_records(result.config, result.records, file));
  FL_ASSIGN_OR_RETURN(result.elapsed_seconds, object.number("elapsed_seconds"));
  return result;
}

std::string summary_table(const CampaignResult& result) {
  struct Row {
    CampaignTotals totals;
    std::optional<uint64_t> first_failing_seed;
  };
  std::map<std::string, Row> rows;
  for (const TrialKey& key : campaign_trials(result.config)) ++rows[key.workload].totals.trials;
  for (const TrialRecord& record : result.records) {
    Row& row = rows[record.key.workload];
    if (record.status == TrialStatus::kPass) ++row.totals.passed;
    if (record.status == TrialStatus::kFail) ++row.totals.failed;
    if (record.status == TrialStatus::kError) ++row.totals.errors;
    if (record.status != TrialStatus::kPass && !row.first_failing_seed) row.first_failing_seed = record.key.seed;
  }
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-14s %8s %8s %8s %8s %8s  %s\n", "workload", "trials", "passed", "failed",
                "errors", "not run", "first failing seed");
  out << line;
  CampaignTotals sum;
  for (auto& [workload, row] : rows) {
    row.totals.not_run = row.totals.trials - row.totals.passed - row.totals.failed - row.totals.errors;
    const std::string first = row.first_failing_seed ? std::to_string(*row.first_failing_seed) : "-";
    std::snprintf(line, sizeof line, "%-14s %8llu %8llu %8llu %8llu %8llu  %s\n", workload.c_str(),
                  static_cast<unsigned long long>(row.totals.trials),
                  static_cast<unsigned long long>(row.totals.passed),
                  static_cast<unsigned long long>(row.totals.failed),
                  static_cast<unsigned long long>(row.totals.errors),
                  static_cast<unsigned long long>(row.totals.not_run), first.c_str());
    out << line;
    sum.trials += row.totals.trials;
    sum.passed += row.totals.passed;
    sum.failed += row.totals.failed;
    sum.errors += row.totals.errors;
    sum.not_run += row.totals.not_run;
  }
  std::snprintf(line, sizeof line, "%-14s %8llu %8llu %8llu %8llu %8llu\n", "total",
                static_cast<unsigned long long>(sum.trials), static_cast<unsigned long long>(sum.passed),
                static_cast<unsigned long long>(sum.failed), static_cast<unsigned long long>(sum.errors),
                static_cast<unsigned long long>(sum.not_run));
  out << line;
  return out.str();
}

namespace {

// Written to NAME.tmp then renamed, so a reader (or a kill) never sees half
// a summary.
Status write_atomically(const fs::path& path, std::string_view text) {
  const fs::path temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) return Status::io_error(temp.string(), EIO);
  }
  std::error_code error;
  fs::rename(temp, path, error);
  if (error) return Status::io_error(path.string() + ": " + error.message(), error.value());
  return Status::success();
}

}  // namespace

Status write_campaign_reports(const fs::path& dir, const CampaignResult& result) {
  FL_TRY(write_atomically(dir / "summary.json", summary_json(result)));
  FL_TRY(write_atomically(dir / "junit.xml", junit_xml(result, dir)));
  // The HTML report reads summary.json and the bundles: it comes last.
  return write_html_report(dir);
}

}  // namespace fl::campaign
