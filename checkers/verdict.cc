#include "checkers/verdict.h"

#include <algorithm>
#include <set>
#include <utility>

#include "base/assert.h"
#include "checkers/consistency_models.h"

namespace fl::checkers {

std::string_view validity_name(Validity validity) {
  switch (validity) {
    case Validity::kValid:
      return "valid";
    case Validity::kInvalid:
      return "invalid";
    case Validity::kUnknown:
      return "unknown";
  }
  return "?";
}

void Verdict::add(Anomaly anomaly) {
  FL_ASSERT(!anomaly.type.empty());
  anomaly_counts[anomaly.type] += 1;
  std::vector<Anomaly>& examples = anomalies[anomaly.type];
  if (examples.size() < kExamplesPerType) examples.push_back(std::move(anomaly));
  validity = Validity::kInvalid;  // [verdict.1]
}

void Verdict::unknown(std::string note) {
  notes.push_back(std::move(note));
  if (validity == Validity::kValid) validity = Validity::kUnknown;  // [verdict.1]
}

namespace {

int validity_rank(Validity validity) {
  switch (validity) {
    case Validity::kValid:
      return 0;
    case Validity::kUnknown:
      return 1;
    case Validity::kInvalid:
      return 2;
  }
  return 2;
}

}  // namespace

void merge(Verdict& into, Verdict other) {
  if (validity_rank(other.validity) > validity_rank(into.validity)) into.validity = other.validity;  // [verdict.3]
  for (auto& [type, examples] : other.anomalies) {
    std::vector<Anomaly>& mine = into.anomalies[type];
    for (Anomaly& anomaly : examples) {
      if (mine.size() >= kExamplesPerType) break;
      mine.push_back(std::move(anomaly));
    }
  }
  for (const auto& [type, count] : other.anomaly_counts) into.anomaly_counts[type] += count;
  bool any_violation = !into.violated_models.empty() || !other.violated_models.empty();
  for (auto& [model, reasons] : other.violated_models) {
    std::vector<std::string>& mine = into.violated_models[model];
    for (std::string& reason : reasons) {
      if (std::find(mine.begin(), mine.end(), reason) == mine.end()) mine.push_back(std::move(reason));
    }
    std::sort(mine.begin(), mine.end());
  }
  if (into.possible_models.empty()) {
    into.possible_models = std::move(other.possible_models);
  } else if (!other.possible_models.empty() && any_violation) {
    // Both judged models: what stays possible is what neither ruled out.
    std::set<std::string> ruled_out;
    for (const auto& [model, reasons] : into.violated_models) ruled_out.insert(model);
    into.possible_models = strongest_possible_models(ruled_out);
  }
  for (std::string& note : other.notes) into.notes.push_back(std::move(note));
}

}  // namespace fl::checkers
