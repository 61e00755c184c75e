// campaign/campaign_dir.cc: the output directory of a run: preparing it,
// resuming from its trials.jsonl (runner.h [run.2], [run.3]), and the
// --time-budget syntax.
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>

#include "campaign/campaign_dir.h"
#include "campaign/campaign_limits.h"
#include "campaign/json_fields.h"

namespace fl::campaign {

namespace fs = std::filesystem;

Result<double> parse_time_budget(std::string_view text) {
  const auto bad = [&](std::string_view what) {
    return Status::invalid_argument("--time-budget", "\"" + std::string(text) + "\": " + std::string(what));
  };
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return bad("expected a duration such as 300s, 5m or 2h");
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  uint64_t scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  if (unit == "m") scale = 60;
  if (unit == "h") scale = 3600;
  if (scale == 0) return bad("unknown unit \"" + std::string(unit) + "\" (expected s, m or h)");
  if (value == 0) return bad("must be positive");
  if (value > kTimeBudgetSecondsMax / scale) {
    return bad("longer than " + std::to_string(kTimeBudgetSecondsMax) + " seconds");
  }
  return static_cast<double>(value * scale);
}

Result<std::vector<TrialRecord>> read_trial_log(const fs::path& dir, bool drop_torn_tail) {
  const fs::path path = dir / "trials.jsonl";
  std::error_code error;
  if (!fs::exists(path, error)) return std::vector<TrialRecord>{};
  FL_ASSIGN_OR_RETURN(std::string text, json_fields::read_file(path.string()));
  std::vector<TrialRecord> records;
  size_t start = 0;
  for (uint64_t line = 1; start < text.size(); ++line) {
    const size_t newline = text.find('\n', start);
    const std::string where = path.string() + ": line " + std::to_string(line);
    if (newline == std::string::npos) {
      if (drop_torn_tail) break;  // [run.3]: a write cut by a kill
      return Status::invalid_argument(where, "ends without a newline (a cut line)");
    }
    const std::string_view body(text.data() + start, newline - start);
    start = newline + 1;
    if (body.empty()) continue;
    FL_ASSIGN_OR_RETURN(nlohmann::json j, json_fields::parse(body, where));
    FL_ASSIGN_OR_RETURN(TrialRecord record, parse_trial_record(j, where));
    records.push_back(std::move(record));
  }
  return records;
}

namespace {

bool empty_or_missing(const fs::path& dir) {
  std::error_code error;
  if (!fs::exists(dir, error)) return true;
  return fs::is_directory(dir, error) && fs::is_empty(dir, error);
}

Status write_new_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return Status::io_error(path.string(), EIO);
  return Status::success();
}

// Cuts a torn last line off trials.jsonl, so new lines start on their own.
Status drop_torn_tail(const fs::path& path) {
  std::error_code error;
  if (!fs::exists(path, error)) return Status::success();
  FL_ASSIGN_OR_RETURN(std::string text, json_fields::read_file(path.string()));
  const size_t keep = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  if (keep == text.size()) return Status::success();
  fs::resize_file(path, keep, error);
  if (error) return Status::io_error(path.string() + ": " + error.message(), error.value());
  return Status::success();
}

}  // namespace

Result<std::vector<TrialRecord>> prepare_out_dir(const CampaignConfig& config, const fs::path& dir, bool resume) {
  std::error_code error;
  const fs::path campaign_file = dir / "campaign.json";
  std::vector<TrialRecord> done;
  if (!empty_or_missing(dir)) {
    if (!fs::is_directory(dir, error)) return Status::invalid_argument(dir.string(), "exists and is not a directory");
    if (!resume) {
      return Status::invalid_argument(dir.string(), "is not empty: pass --resume to continue the campaign in it, "
                                                    "or choose another --out");
    }
    if (!fs::exists(campaign_file, error)) {
      return Status::invalid_argument(dir.string(), "is not empty and has no campaign.json: not a campaign to resume");
    }
    FL_ASSIGN_OR_RETURN(std::string text, json_fields::read_file(campaign_file.string()));
    FL_ASSIGN_OR_RETURN(CampaignConfig old_config, parse_campaign_json(text, campaign_file.string()));
    const std::vector<std::string> differences = campaign_differences(old_config, config, false);
    if (!differences.empty()) {
      std::string list;
      for (const std::string& difference : differences) list += "\n  " + difference;
      return Status::invalid_argument(campaign_file.string(),
                                      "--resume: this is another campaign than the one in the directory:" + list);
    }
    FL_ASSIGN_OR_RETURN(done, read_trial_log(dir, /*drop_torn_tail=*/true));
    FL_TRY(normalize_records(config, done, (dir / "trials.jsonl").string()));
    FL_TRY(drop_torn_tail(dir / "trials.jsonl"));
  }
  fs::create_directories(dir / "bundles", error);
  if (error) return Status::io_error(dir.string() + ": " + error.message(), error.value());
  // [run.4]: only a finished run leaves these.
  for (const char* name : {"summary.json", "junit.xml", "report.html"}) fs::remove(dir / name, error);
  FL_TRY(write_new_file(campaign_file, campaign_json(config)));
  return done;
}

}  // namespace fl::campaign
