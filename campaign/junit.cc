// campaign/junit.cc: junit.xml (campaign_summary.h [sum.3]), in the shape
// Jenkins, GitLab and GitHub test reporters read: <testsuites> of
// <testsuite>s of <testcase>s with <failure>, <error> or <skipped>.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "campaign/campaign_limits.h"
#include "campaign/campaign_summary.h"

namespace fl::campaign {

namespace fs = std::filesystem;

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      // Kept in attributes as character references: a parser would
      // otherwise normalize them to spaces.
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;
      default:
        // XML 1.0 forbids the other C0 controls, even as references.
        out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    }
  }
  return out;
}

namespace {

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", seconds);
  return text;
}

// The start of the bundle's verdict.txt, or why it is absent.
std::string verdict_excerpt(const fs::path& campaign_dir, const std::string& bundle) {
  std::ifstream in(campaign_dir / bundle / "verdict.txt", std::ios::binary);
  if (!in) return "(verdict.txt is missing from the bundle)\n";
  std::string text(kJunitVerdictTextBytesMax, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (in.gcount() == static_cast<std::streamsize>(kJunitVerdictTextBytesMax) && in.peek() != EOF) {
    text += "\n... (cut; the whole verdict is in the bundle)\n";
  }
  return text;
}

struct Suite {
  std::vector<const TrialRecord*> cases;  // null: not run
  std::vector<uint64_t> seeds;
  uint64_t failures = 0, errors = 0, skipped = 0;
  double seconds = 0;
};

void write_case(std::ostringstream& out, const std::string& suite_name, uint64_t seed, const TrialRecord* record,
                const fs::path& campaign_dir) {
  out << "    <testcase classname=\"" << xml_escape(suite_name) << "\" name=\"seed-" << seed << "\" time=\""
      << seconds_text(record != nullptr ? record->seconds : 0) << "\"";
  if (record == nullptr) {
    out << ">\n      <skipped message=\"not run: the campaign's time budget ran out\"/>\n    </testcase>\n";
    return;
  }
  if (record->status == TrialStatus::kPass) {
    out << "/>\n";
    return;
  }
  if (record->status == TrialStatus::kError) {
    out << ">\n      <error message=\"" << xml_escape(record->headline) << "\" type=\"harness\"/>\n    </testcase>\n";
    return;
  }
  std::string body = record->bundle ? verdict_excerpt(campaign_dir, *record->bundle) : "";
  for (const std::string& finding : record->findings) body += "finding: " + finding + "\n";
  if (record->bundle) {
    body += "bundle: " + *record->bundle + "\nrepro: faultline repro " + (campaign_dir / *record->bundle).string() +
            "\n";
  }
  out << ">\n      <failure message=\"" << xml_escape(record->headline) << "\" type=\"" << xml_escape(record->validity)
      << "\">" << xml_escape(body) << "</failure>\n    </testcase>\n";
}

}  // namespace

std::string junit_xml(const CampaignResult& result, const fs::path& campaign_dir) {
  std::map<std::string, const TrialRecord*> by_key;  // "workload\nseed" is unambiguous: names have no newline
  for (const TrialRecord& record : result.records) {
    by_key[record.key.workload + "\n" + std::to_string(record.key.seed)] = &record;
  }
  std::map<std::string, Suite> suites;
  std::vector<TrialKey> trials = campaign_trials(result.config);
  std::sort(trials.begin(), trials.end(), output_order);
  for (const TrialKey& key : trials) {
    Suite& suite = suites[key.workload];
    const auto it = by_key.find(key.workload + "\n" + std::to_string(key.seed));
    const TrialRecord* record = it == by_key.end() ? nullptr : it->second;
    suite.cases.push_back(record);
    suite.seeds.push_back(key.seed);
    if (record == nullptr) {
      ++suite.skipped;
      continue;
    }
    suite.failures += record->status == TrialStatus::kFail ? 1 : 0;
    suite.errors += record->status == TrialStatus::kError ? 1 : 0;
    suite.seconds += record->seconds;
  }
  const CampaignTotals totals = result.totals();
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"faultline\" tests=\"" << totals.trials << "\" failures=\"" << totals.failed
      << "\" errors=\"" << totals.errors << "\" skipped=\"" << totals.not_run << "\" time=\""
      << seconds_text(result.elapsed_seconds) << "\">\n";
  for (const auto& [workload, suite] : suites) {
    const std::string name = "faultline." + workload;
    out << "  <testsuite name=\"" << xml_escape(name) << "\" tests=\"" << suite.cases.size() << "\" failures=\""
        << suite.failures << "\" errors=\"" << suite.errors << "\" skipped=\"" << suite.skipped << "\" time=\""
        << seconds_text(suite.seconds) << "\">\n";
    for (size_t i = 0; i < suite.cases.size(); ++i) write_case(out, name, suite.seeds[i], suite.cases[i], campaign_dir);
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace fl::campaign
