// campaign/report_bundle.cc: [report-in.1]-[report-in.3] of report_bundle.h.
#include "campaign/report_bundle.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "campaign/report_limits.h"
#include "history/edn_reader.h"

namespace fl::campaign {
namespace {

namespace fs = std::filesystem;
// Ordered: the page shows campaign.json's fields in the file's order.
using json = nlohmann::ordered_json;

// A whole file of at most `bytes_max` bytes. Missing is kNotFound, larger
// is kInvalidArgument, unreadable kIoError: the caller says which.
Result<std::string> read_small_file(const fs::path& path, uintmax_t bytes_max) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) return Status::not_found(path.string(), "no such file");
  if (!fs::is_regular_file(status)) return Status::invalid_argument(path.string(), "not a regular file");
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) return Status::io_error(path.string(), ec.value());
  if (size > bytes_max) {
    return Status::invalid_argument(path.string(), std::to_string(size) + " bytes, above the report's limit of " +
                                                       std::to_string(bytes_max));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io_error(path.string(), EIO);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::io_error(path.string(), EIO);
  return text.str();
}

std::string string_or(const json& object, const char* key, std::string fallback = "") {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::optional<uint64_t> unsigned_of(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<uint64_t>();
}

std::vector<std::string> strings_of(const json& object, const char* key) {
  std::vector<std::string> out;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return out;
  for (const json& item : *it) out.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  return out;
}

std::map<std::string, uint64_t> counts_of(const json& object, const char* key) {
  std::map<std::string, uint64_t> out;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_object()) return out;
  for (const auto& [name, count] : it->items()) {
    if (count.is_number_unsigned()) out[name] = count.get<uint64_t>();
  }
  return out;
}

// The "JSON text" of [CampaignSummary::campaign]: strings bare, the rest dumped.
std::string shown(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string out;
    for (const json& item : value) out += (out.empty() ? "" : ", ") + shown(item);
    return out.empty() ? "(none)" : out;
  }
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<SummaryTrial> trial_of(const json& item, const std::string& where) {
  if (!item.is_object()) return Status::invalid_argument(where, "expected an object");
  SummaryTrial trial;
  const std::optional<uint64_t> seed = unsigned_of(item, "seed");
  if (!seed) return Status::invalid_argument(where + ".seed", "expected an unsigned integer");
  trial.seed = *seed;
  for (const auto& [key, field] : {std::pair{"workload", &trial.workload}, std::pair{"status", &trial.status}}) {
    const auto it = item.find(key);
    if (it == item.end() || !it->is_string()) {
      return Status::invalid_argument(where + "." + key, "expected a string");
    }
    *field = it->get<std::string>();
  }
  trial.validity = string_or(item, "validity");
  trial.headline = string_or(item, "headline");
  trial.findings = strings_of(item, "findings");
  if (const auto it = item.find("bundle"); it != item.end() && it->is_string()) trial.bundle = it->get<std::string>();
  trial.ops = unsigned_of(item, "ops");
  trial.crashes = unsigned_of(item, "crashes");
  return trial;
}

void read_totals(const json& root, CampaignSummary& summary) {
  uint64_t passed = 0, failed = 0, errors = 0;
  for (const SummaryTrial& trial : summary.rows) {
    passed += trial.status == "pass" ? 1 : 0;
    failed += trial.status == "fail" ? 1 : 0;
    errors += trial.status != "pass" && trial.status != "fail" ? 1 : 0;
  }
  const json empty = json::object();
  const auto it = root.find("totals");
  const json& totals = it != root.end() && it->is_object() ? *it : empty;
  summary.trials = unsigned_of(totals, "trials").value_or(summary.rows.size());
  summary.passed = unsigned_of(totals, "passed").value_or(passed);
  summary.failed = unsigned_of(totals, "failed").value_or(failed);
  summary.errors = unsigned_of(totals, "errors").value_or(errors);
  summary.not_run = unsigned_of(totals, "not_run").value_or(0);
}

bool escapes_campaign_dir(const fs::path& relative) {
  if (relative.is_absolute()) return true;
  return std::any_of(relative.begin(), relative.end(), [](const fs::path& part) { return part == ".."; });
}

// [report-in.3]
std::vector<CycleFile> read_cycles(const fs::path& dir, const std::string& shown_dir, Bundle& bundle) {
  std::vector<std::pair<std::pair<uint64_t, std::string>, fs::path>> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const fs::path& path = entry.path();
    if (path.extension() != ".dot") continue;
    const std::string stem = path.stem().string();
    const bool numeric = !stem.empty() && stem.size() < 19 && std::all_of(stem.begin(), stem.end(), ::isdigit);
    files.push_back({{numeric ? std::stoull(stem) : UINT64_MAX, path.filename().string()}, path});
  }
  if (ec) bundle.problems.push_back(shown_dir + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<CycleFile> cycles;
  for (const auto& [key, path] : files) {
    Result<std::string> dot = read_small_file(path, kDotInputBytesMax);
    if (!dot.ok()) {
      bundle.problems.push_back(dot.status().to_string());
      continue;
    }
    cycles.push_back({shown_dir + "/" + key.second, std::move(*dot)});
  }
  return cycles;
}

void read_verdict(const fs::path& file, Bundle& bundle) {
  Result<std::string> text = read_small_file(file, kReportBundleFileBytesMax);
  if (!text.ok()) {
    bundle.problems.push_back("verdict.json: " + text.status().to_string());
    return;
  }
  const json verdict = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!verdict.is_object()) {
    bundle.problems.push_back(file.string() + ": not a JSON object");
    return;
  }
  bundle.validity = string_or(verdict, "validity");
  bundle.anomaly_counts = counts_of(verdict, "anomaly_counts");
  bundle.notes = strings_of(verdict, "notes");
  if (const auto context = verdict.find("context"); context != verdict.end() && context->is_object()) {
    bundle.headline = string_or(*context, "headline");
  }
  if (const auto models = verdict.find("violated_models"); models != verdict.end() && models->is_object()) {
    for (const auto& [model, types] : models->items()) {
      bundle.violated_models[model] = strings_of(*models, model.c_str());
    }
  }
  const auto anomalies = verdict.find("anomalies");
  if (anomalies == verdict.end() || !anomalies->is_object()) return;
  for (const auto& [type, examples] : anomalies->items()) {
    if (!examples.is_array()) continue;
    for (const json& example : examples) {
      if (!example.is_object()) continue;
      AnomalyExample out{type, {}, string_or(example, "explanation"), string_or(example, "dot")};
      if (const auto ops = example.find("ops"); ops != example.end() && ops->is_array()) {
        for (const json& op : *ops) {
          if (op.is_number_integer()) out.ops.push_back(op.get<int64_t>());
        }
      }
      bundle.examples.push_back(std::move(out));
    }
  }
}

}  // namespace

Result<CampaignSummary> load_summary(const fs::path& summary_json) {
  const std::string where = summary_json.string();
  Result<std::string> text = read_small_file(summary_json, kReportSummaryBytesMax);
  if (!text.ok()) return Status::invalid_argument(where, std::string(text.status().to_string()));
  json root = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status::invalid_argument(where, "not valid JSON");
  if (!root.is_object()) return Status::invalid_argument(where, "expected a JSON object");
  const auto trials = root.find("trials");
  if (trials == root.end() || !trials->is_array()) {
    return Status::invalid_argument(where + ": trials", "expected an array of trial objects");
  }
  CampaignSummary summary;
  summary.faultline_version = string_or(root, "faultline_version");
  for (size_t i = 0; i < trials->size(); ++i) {
    FL_ASSIGN_OR_RETURN(SummaryTrial trial, trial_of((*trials)[i], where + ": trials[" + std::to_string(i) + "]"));
    summary.rows.push_back(std::move(trial));
  }
  if (const auto campaign = root.find("campaign"); campaign != root.end() && campaign->is_object()) {
    for (const auto& [key, value] : campaign->items()) summary.campaign.emplace_back(key, shown(value));
    if (const std::optional<uint64_t> clients = unsigned_of(*campaign, "clients"); clients && *clients > 0 &&
                                                                                   *clients <= UINT32_MAX) {
      summary.clients = static_cast<uint32_t>(*clients);
    }
  }
  read_totals(root, summary);
  summary.anomaly_types = counts_of(root, "anomaly_types");
  if (const auto first = root.find("first_failure"); first != root.end() && first->is_object()) {
    if (const std::optional<uint64_t> seed = unsigned_of(*first, "seed")) {
      summary.first_failure = std::pair{string_or(*first, "workload"), *seed};
    }
  }
  if (const auto elapsed = root.find("elapsed_seconds"); elapsed != root.end() && elapsed->is_number()) {
    summary.elapsed_seconds = elapsed->get<double>();
  }
  return summary;
}

Bundle load_bundle(const fs::path& campaign_dir, const std::string& relative) {
  Bundle bundle;
  bundle.path = relative;
  if (escapes_campaign_dir(relative)) {
    bundle.problems.push_back("bundle path \"" + relative + "\" leaves the campaign directory; not read");
    return bundle;
  }
  const fs::path dir = campaign_dir / relative;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    bundle.problems.push_back("bundle " + relative + " is missing");
    return bundle;
  }
  bundle.found = true;
  read_verdict(dir / "verdict.json", bundle);
  if (Result<std::string> text = read_small_file(dir / "verdict.txt", kReportBundleFileBytesMax); text.ok()) {
    bundle.verdict_text_cut = text->size() > kReportVerdictTextBytesMax;
    if (bundle.verdict_text_cut) text->resize(kReportVerdictTextBytesMax);
    bundle.verdict_text = std::move(*text);
  } else {
    bundle.problems.push_back("verdict.txt: " + text.status().to_string());
  }
  if (fs::is_directory(dir / "cycles", ec)) bundle.cycles = read_cycles(dir / "cycles", relative + "/cycles", bundle);
  if (Result<std::optional<std::vector<CrashImageDigest>>> images = read_crash_image_digests(dir); !images.ok()) {
    bundle.problems.push_back(images.status().to_string());
  } else if (*images) {
    bundle.crash_images = std::move(**images);
  }
  const fs::path history = dir / "history.edn";
  const uintmax_t history_bytes = fs::file_size(history, ec);
  if (ec) {
    bundle.problems.push_back("history.edn: cannot read: " + ec.message());
  } else if (history_bytes > kReportHistoryBytesMax) {
    bundle.problems.push_back("history.edn: " + std::to_string(history_bytes) +
                              " bytes, above the report's limit: no timeline");
  } else if (Result<history::History> read = history::read_edn_file(history.string()); read.ok()) {
    bundle.history = std::move(*read);
  } else {
    bundle.problems.push_back("history.edn: " + read.status().to_string());
  }
  return bundle;
}

}  // namespace fl::campaign
