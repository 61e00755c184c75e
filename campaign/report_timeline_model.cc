// campaign/report_timeline_model.cc: [timeline.1]-[timeline.5] of
// report_timeline.h, the part that reads the history.
#include "campaign/report_timeline_model.h"

#include <algorithm>
#include <set>

#include "campaign/html_text.h"
#include "campaign/report_limits.h"
#include "history/edn_writer.h"

namespace fl::campaign::timeline {
namespace {

using history::Op;
using history::OpType;
using history::Value;

// [timeline.3]
bool times_vary(const history::History& history) {
  for (const Op& op : history.ops) {
    if (op.time != history.ops.front().time) return true;
  }
  return false;
}

// [timeline.1]: the lane of each integer process, and the lanes' names.
struct Lanes {
  std::optional<uint32_t> clients;
  std::map<int64_t, size_t> of_process;  // when clients are unknown
  std::vector<std::string> names;
  bool folded = false;

  size_t lane(int64_t process) const {
    if (clients) return static_cast<size_t>(((process % *clients) + *clients) % *clients);
    return of_process.at(process);
  }
};

Lanes make_lanes(const history::History& history, std::optional<uint32_t> clients) {
  Lanes lanes;
  if (const Value* meta = history.meta.get("clients"); meta != nullptr && meta->kind() == Value::Kind::kInt &&
                                                       meta->as_int() > 0 && meta->as_int() <= 1 << 20) {
    clients = static_cast<uint32_t>(meta->as_int());
  }
  if (clients && *clients > kTimelineLanesMax) clients.reset();
  if (clients) {
    lanes.clients = clients;
    for (uint32_t i = 0; i < *clients; ++i) lanes.names.push_back("client " + std::to_string(i));
    return lanes;
  }
  std::set<int64_t> processes;
  for (const Op& op : history.ops) {
    if (std::optional<int64_t> id = op.process.id()) processes.insert(*id);
  }
  lanes.folded = processes.size() > kTimelineLanesMax;
  for (const int64_t process : processes) {
    const size_t lane = lanes.of_process.size() % kTimelineLanesMax;
    lanes.of_process[process] = lane;
    if (lane == lanes.names.size()) lanes.names.push_back("process " + std::to_string(process));
  }
  return lanes;
}

std::string value_text(const Op& op) {
  return truncated(history::to_edn(op.generic_value()), kTimelineTooltipBytesMax);
}

std::string outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk: return "ok";
    case Outcome::kFail: return "fail";
    case Outcome::kInfo: return "info (indeterminate)";
    case Outcome::kOpen: return "never completed";
  }
  return "?";
}

Outcome outcome_of(OpType type) {
  switch (type) {
    case OpType::kOk: return Outcome::kOk;
    case OpType::kFail: return Outcome::kFail;
    case OpType::kInfo: return Outcome::kInfo;
    case OpType::kInvoke: break;
  }
  return Outcome::kOpen;
}

// [timeline.4]
Marker marker_of(const Op& op, int64_t at) {
  Marker marker;
  marker.at = at;
  const Value value = op.generic_value();
  if (op.f == "crash") {
    marker.crash = true;
    const Value* kind = value.find("kind");
    marker.label = "crash";
    if (kind != nullptr && (kind->kind() == Value::Kind::kKeyword || kind->kind() == Value::Kind::kString)) {
      marker.label += " " + kind->text();
    }
  } else if (op.f == "recover") {
    marker.recover = true;
    const Value* integrity = value.find("integrity");
    if (value.find("error") != nullptr) {
      marker.failed = true;
      marker.label = "recovery failed";
    } else if (integrity != nullptr && !integrity->is_keyword("ok")) {
      marker.failed = true;
      marker.label = "recovered, integrity failed";
    } else {
      marker.label = "recovered";
    }
  } else {
    marker.label = op.f.empty() ? std::string("nemesis") : op.f;
  }
  marker.tooltip = ":" + std::string(history::op_type_name(op.type)) + " :" + (op.f.empty() ? "?" : op.f) + " " +
                   history::to_edn(value);
  marker.tooltip = truncated(marker.tooltip, kTimelineTooltipBytesMax);
  return marker;
}

std::string bar_tooltip(const Bar& bar, const Op& invoke, bool by_time, const std::string& lane_name) {
  std::string text = lane_name + ", process " + std::to_string(bar.process) + ": " + outcome_name(bar.outcome) +
                     "\n:index " + std::to_string(bar.invoke_index);
  if (bar.complete_index >= 0) text += " to " + std::to_string(bar.complete_index);
  if (by_time) {
    text += ", time " + std::to_string(bar.start) + " to " + (bar.complete_index >= 0 ? std::to_string(bar.end) : "?") +
            " ns";
  }
  text += "\n:" + (invoke.f.empty() ? std::string("?") : invoke.f) + " " + value_text(invoke);
  if (!bar.named_by.empty()) text += "\nnamed by " + bar.named_by;
  return text;
}

std::string named_by(const std::map<int64_t, std::string>& named, int64_t a, int64_t b) {
  std::string out;
  for (const int64_t index : {a, b}) {
    const auto it = named.find(index);
    if (it != named.end() && out.find(it->second) == std::string::npos) out += (out.empty() ? "" : ", ") + it->second;
  }
  return out;
}

}  // namespace

Model build_model(const history::History& history, const std::map<int64_t, std::string>& named,
                  std::optional<uint32_t> clients) {
  Model model;
  if (history.ops.empty()) return model;
  model.by_time = times_vary(history);
  const auto axis = [&](const Op& op) { return model.by_time ? op.time : op.index; };
  model.min = model.max = axis(history.ops.front());
  for (const Op& op : history.ops) {
    model.min = std::min(model.min, axis(op));
    model.max = std::max(model.max, axis(op));
  }
  const Lanes lanes = make_lanes(history, clients);
  model.lane_names = lanes.names;
  if (lanes.folded) {
    model.notes.push_back("more than " + std::to_string(kTimelineLanesMax) + " processes: lanes are shared (process " +
                          "order modulo " + std::to_string(kTimelineLanesMax) + ")");
  }
  std::map<int64_t, size_t> open_invoke;  // process -> position in history.ops
  std::optional<size_t> nemesis_invoke;
  size_t unpaired = 0;
  const auto add_bar = [&](const Op& invoke, const Op* completion) {
    Bar bar;
    bar.process = *invoke.process.id();
    bar.lane = lanes.lane(bar.process);
    bar.start = axis(invoke);
    bar.end = completion != nullptr ? axis(*completion) : model.max;
    bar.outcome = completion != nullptr ? outcome_of(completion->type) : Outcome::kOpen;
    bar.invoke_index = invoke.index;
    bar.complete_index = completion != nullptr ? completion->index : -1;
    bar.named_by = named_by(named, bar.invoke_index, bar.complete_index);
    bar.tooltip = bar_tooltip(bar, invoke, model.by_time, model.lane_names[bar.lane]);
    model.bars.push_back(std::move(bar));
  };
  // A nemesis operation that never completed is marked where it was invoked.
  const auto marker_at_invocation = [&](size_t at) { return marker_of(history.ops[at], axis(history.ops[at])); };
  for (size_t i = 0; i < history.ops.size(); ++i) {
    const Op& op = history.ops[i];
    const std::optional<int64_t> process = op.process.id();
    if (!process) {  // [timeline.4]
      if (op.type == OpType::kInvoke) {
        if (nemesis_invoke) model.markers.push_back(marker_at_invocation(*nemesis_invoke));
        nemesis_invoke = i;
      } else {
        model.markers.push_back(marker_of(op, axis(op)));
        nemesis_invoke.reset();
      }
      continue;
    }
    if (op.type == OpType::kInvoke) {
      if (const auto it = open_invoke.find(*process); it != open_invoke.end()) {
        add_bar(history.ops[it->second], nullptr);  // invoked again without completing: never completed
      }
      open_invoke[*process] = i;
      continue;
    }
    const auto it = open_invoke.find(*process);
    if (it == open_invoke.end()) {
      ++unpaired;
      continue;
    }
    add_bar(history.ops[it->second], &op);
    open_invoke.erase(it);
  }
  for (const auto& [process, at] : open_invoke) add_bar(history.ops[at], nullptr);
  if (nemesis_invoke) model.markers.push_back(marker_at_invocation(*nemesis_invoke));
  if (unpaired > 0) {
    model.notes.push_back(std::to_string(unpaired) +
                          " completion(s) without an invocation by their process are not drawn");
  }
  return model;
}

}  // namespace fl::campaign::timeline
