// checkers/report.cc: [report.1]..[report.3] of report.h.
#include "checkers/report.h"

#include <nlohmann/json.hpp>

#include <string>

namespace fl::checkers {

std::string verdict_json(const Verdict& verdict, const ReportContext& context) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  switch (verdict.validity) {
    case Validity::kValid: out["valid"] = true; break;
    case Validity::kInvalid: out["valid"] = false; break;
    case Validity::kUnknown: out["valid"] = "unknown"; break;
  }
  out["validity"] = std::string(validity_name(verdict.validity));
  out["anomaly_types"] = nlohmann::ordered_json::array();
  out["anomaly_counts"] = nlohmann::ordered_json::object();
  for (const auto& [type, count] : verdict.anomaly_counts) {
    out["anomaly_types"].push_back(type);
    out["anomaly_counts"][type] = count;
  }
  out["anomalies"] = nlohmann::ordered_json::object();
  for (const auto& [type, examples] : verdict.anomalies) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const Anomaly& anomaly : examples) {
      nlohmann::ordered_json item = nlohmann::ordered_json::object();
      item["ops"] = anomaly.op_indices;
      item["explanation"] = anomaly.explanation;
      if (!anomaly.dot.empty()) item["dot"] = anomaly.dot;
      list.push_back(std::move(item));
    }
    out["anomalies"][type] = std::move(list);
  }
  out["violated_models"] = nlohmann::ordered_json::object();
  for (const auto& [model, types] : verdict.violated_models) out["violated_models"][model] = types;
  out["possible_models"] = verdict.possible_models;
  out["notes"] = verdict.notes;
  if (!context.empty()) {
    nlohmann::ordered_json facts = nlohmann::ordered_json::object();
    for (const auto& [key, value] : context) facts[key] = value;
    out["context"] = std::move(facts);
  }
  // Explanations come from history values we formatted ourselves, but a
  // note may quote input: replace rather than throw on invalid UTF-8.
  return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string verdict_text(const Verdict& verdict, const ReportContext& context) {
  std::string text;
  switch (verdict.validity) {
    case Validity::kValid: text = "VALID\n"; break;
    case Validity::kInvalid: text = "INVALID\n"; break;
    case Validity::kUnknown: text = "UNKNOWN\n"; break;
  }
  for (const auto& [key, value] : context) text += "  " + key + ": " + value + "\n";
  for (const auto& [type, count] : verdict.anomaly_counts) {
    text += "  " + type + ": " + std::to_string(count) + (count == 1 ? " anomaly\n" : " anomalies\n");
  }
  for (const auto& [model, types] : verdict.violated_models) {
    text += "  violates " + model + " (";
    for (size_t i = 0; i < types.size(); ++i) text += (i == 0 ? "" : ", ") + types[i];
    text += ")\n";
  }
  if (!verdict.possible_models.empty()) {
    text += "  strongest possible models:";
    for (const std::string& model : verdict.possible_models) text += " " + model;
    text += "\n";
  }
  for (const auto& [type, examples] : verdict.anomalies) {
    const uint64_t count = verdict.anomaly_counts.contains(type) ? verdict.anomaly_counts.at(type) : examples.size();
    text += "\n" + type + " (" + std::to_string(examples.size()) + " of " + std::to_string(count) + " shown)\n";
    for (const Anomaly& anomaly : examples) {
      text += "  ops";
      for (int64_t index : anomaly.op_indices) text += " " + std::to_string(index);
      text += ": " + anomaly.explanation + "\n";
    }
  }
  if (!verdict.notes.empty()) text += "\nnotes\n";
  for (const std::string& note : verdict.notes) text += "  " + note + "\n";
  return text;
}

}  // namespace fl::checkers
