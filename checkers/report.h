// checkers/report.h: a Verdict as JSON (for machines) and as text (for a
// person). Graphviz DOT is per anomaly (Anomaly::dot), written as is.
//
// [report.1] verdict_json() returns one JSON object:
//              {"valid": true | false | "unknown",      (Elle's :valid?)
//               "validity": "valid" | "invalid" | "unknown",
//               "anomaly_types": [type, ...],           (sorted)
//               "anomaly_counts": {type: count, ...},   (exact)
//               "anomalies": {type: [{"ops": [index, ...], "explanation": "...",
//                                     "dot": "..." (only when non-empty)}, ...]},
//               "violated_models": {model: [type, ...], ...},
//               "possible_models": [model, ...],
//               "notes": [note, ...],
//               "context": {key: value, ...}}           (only when given)
//            Keys appear in this order; maps are sorted by key.
// [report.2] verdict_text() starts with one line "VALID", "INVALID" or
//            "UNKNOWN", then the counts, the violated models, every kept
//            example with its explanation, and the notes.
// [report.3] Both are pure functions of their arguments (no clock).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "checkers/verdict.h"

namespace fl::checkers {

// Extra facts about the check (history path, workload, model, promise ...),
// shown in order.
using ReportContext = std::vector<std::pair<std::string, std::string>>;

std::string verdict_json(const Verdict& verdict, const ReportContext& context = {});  // [report.1]
std::string verdict_text(const Verdict& verdict, const ReportContext& context = {});  // [report.2]

}  // namespace fl::checkers
