// campaign/shrink_passes.cc: the dimensions of a shrink (shrink_passes.h).
//
// Method: numbers go down by halving steps (shrink.h [shrink.3]), the rule
// list by ddmin (Zeller and Hildebrandt, "Simplifying and Isolating
// Failure-Inducing Input", TSE 2002): split the list into n chunks, keep a
// chunk alone or a complement that still fails, else split finer, until the
// chunks are single rules. Every candidate goes through the oracle, which
// remembers answers, so ddmin's repeated subsets cost nothing.
#include "campaign/shrink_passes.h"

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fl::campaign::shrink_internal {

namespace {

// [pass.1]: `candidate` kept: it becomes current, and one step records it.
void keep(ShrinkState& state, const TrialConfig& candidate, const TrialRecord& record, std::string dimension,
          std::string change) {
  state.current = candidate;
  state.record = record;
  Result<ShrinkSize> size = shrink_size(candidate);
  FL_ASSERT(size.ok());  // the oracle ran it, so it is valid
  ShrinkStep step{std::move(dimension), std::move(change), *size, record.headline};
  if (state.progress != nullptr) {
    *state.progress << "  step " << state.steps.size() + 1 << ": " << step.change << " (" << size_text(step.size)
                    << ")\n";
  }
  state.steps.push_back(std::move(step));
}

// Halving steps from the current value down to `min` ([shrink.3]).
template <class T>
bool lower_number(ShrinkState& state, const char* dimension, T TrialConfig::*field, T min) {
  bool kept_any = false;
  for (;;) {
    const T now = state.current.*field;
    if (now <= min) return kept_any;
    bool kept = false;
    for (T delta = now - min; delta >= 1 && !kept; delta /= 2) {
      if (state.oracle.exhausted()) return kept_any;
      TrialConfig candidate = state.current;
      candidate.*field = now - delta;
      TrialRecord record;
      if (!state.oracle.keeps(candidate, &record)) continue;
      keep(state, candidate, record, dimension,
           std::string(dimension) + " " + std::to_string(now) + " -> " + std::to_string(now - delta));
      kept = true;
    }
    if (!kept) return kept_any;  // now - 1 does not fail: 1-minimal
    kept_any = true;
  }
}

TrialConfig with_rules(const TrialConfig& config, std::vector<faultvfs::Rule> rules) {
  TrialConfig candidate = config;
  candidate.plan->rules = std::move(rules);
  return candidate;
}

std::string rules_change(size_t before, size_t after) {
  return "rules " + std::to_string(before) + " -> " + std::to_string(after);
}

// Tries `rules` as the plan's list; keeps it when it fails the same way.
bool try_rules(ShrinkState& state, const std::vector<faultvfs::Rule>& rules) {
  const size_t before = state.current.plan->rules.size();
  if (rules.size() >= before || state.oracle.exhausted()) return false;
  const TrialConfig candidate = with_rules(state.current, rules);
  TrialRecord record;
  if (!state.oracle.keeps(candidate, &record)) return false;
  keep(state, candidate, record, "rules", rules_change(before, rules.size()));
  return true;
}

// The items of `rules` in chunk `index` of `count` (contiguous, sizes
// differing by at most one), or with `complement` every item but those.
std::vector<faultvfs::Rule> chunk(const std::vector<faultvfs::Rule>& rules, size_t index, size_t count,
                                  bool complement) {
  const size_t first = rules.size() * index / count;
  const size_t last = rules.size() * (index + 1) / count;
  std::vector<faultvfs::Rule> out;
  for (size_t i = 0; i < rules.size(); ++i) {
    if ((i >= first && i < last) != complement) out.push_back(rules[i]);
  }
  return out;
}

}  // namespace

bool shrink_txns(ShrinkState& state) { return lower_number<uint64_t>(state, "txns", &TrialConfig::txns, 1); }

bool shrink_clients(ShrinkState& state) {
  return lower_number<uint32_t>(state, "clients", &TrialConfig::clients, 1);
}

bool shrink_keys(ShrinkState& state) {
  if (state.current.workload == "bank") return false;  // bank draws from its accounts, not keys
  return lower_number<uint32_t>(state, "keys", &TrialConfig::keys, 1);
}

bool shrink_rules(ShrinkState& state) {
  FL_ASSERT(state.current.plan.has_value());
  if (state.current.plan->rules.empty()) return false;
  if (try_rules(state, {})) return true;  // no rule at all: the commonest answer for engine-only bugs
  bool kept_any = false;
  size_t count = 2;
  while (state.current.plan->rules.size() >= 2 && !state.oracle.exhausted()) {
    const std::vector<faultvfs::Rule> rules = state.current.plan->rules;  // a copy: keep() replaces it
    count = std::min(count, rules.size());
    bool kept = false;
    for (size_t i = 0; i < count && !kept; ++i) kept = try_rules(state, chunk(rules, i, count, false));
    if (kept) {
      count = 2;
    } else {
      for (size_t i = 0; i < count && !kept && count > 2; ++i) kept = try_rules(state, chunk(rules, i, count, true));
      if (kept) count = std::max<size_t>(count - 1, 2);
    }
    if (kept) {
      kept_any = true;
      continue;
    }
    if (count >= rules.size()) break;  // single rules, none removable alone (the complements were tried)
    count = std::min(count * 2, rules.size());
  }
  // ddmin with count == 2 tries the complements as the chunks; with one
  // rule left, only "none" remains, tried above.
  return kept_any;
}

bool shrink_device(ShrinkState& state) {
  FL_ASSERT(state.current.plan.has_value());
  bool kept_any = false;
  struct Knob {
    const char* change;
    bool (*is_on)(const faultvfs::FaultPlan&);
    void (*switch_off)(faultvfs::FaultPlan&);
  };
  static constexpr Knob kKnobs[] = {
      {"device: evict_unwritten off", [](const faultvfs::FaultPlan& p) { return p.evict_unwritten.numerator != 0; },
       [](faultvfs::FaultPlan& p) { p.evict_unwritten = Ratio{0, 1}; }},
      {"device: size_before_data off", [](const faultvfs::FaultPlan& p) { return p.size_before_data; },
       [](faultvfs::FaultPlan& p) { p.size_before_data = false; }},
      {"device: capacity_bytes off", [](const faultvfs::FaultPlan& p) { return p.capacity_bytes.has_value(); },
       [](faultvfs::FaultPlan& p) { p.capacity_bytes.reset(); }},
  };
  for (const Knob& knob : kKnobs) {
    if (state.oracle.exhausted()) break;
    if (!knob.is_on(*state.current.plan)) continue;
    TrialConfig candidate = state.current;
    knob.switch_off(*candidate.plan);
    TrialRecord record;
    if (!state.oracle.keeps(candidate, &record)) continue;
    keep(state, candidate, record, "device", knob.change);
    kept_any = true;
  }
  return kept_any;
}

bool shrink_rule_times(ShrinkState& state) {
  FL_ASSERT(state.current.plan.has_value());
  bool kept_any = false;
  for (size_t i = 0; i < state.current.plan->rules.size() && !state.oracle.exhausted(); ++i) {
    const faultvfs::Rule& rule = state.current.plan->rules[i];
    if (rule.times_max && *rule.times_max <= 1) continue;
    const std::string change = "times: rule #" + std::to_string(i) + " " + rule_text(rule) + " fires at most once";
    TrialConfig candidate = state.current;
    candidate.plan->rules[i].times_max = 1;
    TrialRecord record;
    if (!state.oracle.keeps(candidate, &record)) continue;
    keep(state, candidate, record, "times", change);
    kept_any = true;
  }
  return kept_any;
}

namespace {

// The fault log's fired rules ({"op_index", "op", "rule", ...} per line;
// docs/formats/fault-plan.md), as fixed rules. Lines of the crash itself
// (rule -1) and anything unreadable are skipped.
std::vector<faultvfs::Rule> fired_rules(const std::string& log, const faultvfs::FaultPlan& plan) {
  std::vector<faultvfs::Rule> rules;
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line) && rules.size() < faultvfs::kPlanRulesMax) {
    const nlohmann::json event = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!event.is_object() || !event["rule"].is_number_integer() || !event["op_index"].is_number_unsigned() ||
        !event["op"].is_string()) {
      continue;
    }
    const int64_t index = event["rule"].get<int64_t>();
    const std::optional<faultvfs::OpKind> op = faultvfs::op_kind_from_name(event["op"].get<std::string>());
    if (index < 0 || static_cast<uint64_t>(index) >= plan.rules.size() || !op) continue;
    faultvfs::Rule rule;
    rule.when.op = op;
    rule.when.after_op = event["op_index"].get<uint64_t>();
    rule.when.nth = 1;
    rule.action = plan.rules[static_cast<size_t>(index)].action;
    rule.times_max = 1;
    rules.push_back(rule);
  }
  return rules;
}

}  // namespace

bool fix_fired_faults(ShrinkState& state) {
  FL_ASSERT(state.current.plan.has_value());
  // Once fixed, never again: the earlier pass moves after_op below the
  // index a fault fires at, and fixing would move it back up.
  const auto fixed_rule = [](const faultvfs::Rule& rule) {
    return rule.when.after_op && rule.when.nth == 1 && rule.times_max == 1 && !rule.when.probability;
  };
  const std::vector<faultvfs::Rule>& rules = state.current.plan->rules;
  if (state.oracle.exhausted() || std::all_of(rules.begin(), rules.end(), fixed_rule)) return false;
  const std::optional<std::string> log = state.oracle.fault_log(state.current);
  if (!log) return false;
  std::vector<faultvfs::Rule> fixed = fired_rules(*log, *state.current.plan);
  if (fixed == state.current.plan->rules) return false;
  const size_t before = state.current.plan->rules.size();
  const TrialConfig candidate = with_rules(state.current, fixed);
  TrialRecord record;
  if (!state.oracle.keeps(candidate, &record)) return false;
  keep(state, candidate, record, "rules",
       "rules " + std::to_string(before) + " -> " + std::to_string(fixed.size()) + ": the faults that fired, fixed");
  return true;
}

bool shrink_rule_after_op(ShrinkState& state) {
  FL_ASSERT(state.current.plan.has_value());
  bool kept_any = false;
  for (size_t i = 0; i < state.current.plan->rules.size(); ++i) {
    for (bool kept = true; kept;) {  // halving steps, as lower_number
      kept = false;
      const faultvfs::Rule& rule = state.current.plan->rules[i];
      if (!rule.when.after_op || *rule.when.after_op == 0) break;
      const uint64_t now = *rule.when.after_op;
      const std::string what = "earlier: rule #" + std::to_string(i) + " " + rule_text(rule) + " after_op ";
      for (uint64_t delta = now; delta >= 1 && !kept; delta /= 2) {
        if (state.oracle.exhausted()) return kept_any;
        TrialConfig candidate = state.current;
        candidate.plan->rules[i].when.after_op = now - delta;
        TrialRecord record;
        if (!state.oracle.keeps(candidate, &record)) continue;
        keep(state, candidate, record, "earlier", what + std::to_string(now) + " -> " + std::to_string(now - delta));
        kept = kept_any = true;
      }
    }
  }
  return kept_any;
}

std::string rule_text(const faultvfs::Rule& rule) {
  std::string out(faultvfs::action_kind_name(rule.action.kind));
  std::vector<std::string> parts;
  if (rule.when.op) parts.emplace_back(faultvfs::op_kind_name(*rule.when.op));
  if (rule.when.phase) parts.emplace_back(faultvfs::phase_name(*rule.when.phase));
  if (rule.action.kind == faultvfs::ActionKind::kCrash) parts.emplace_back(faultvfs::crash_kind_name(rule.action.crash));
  if (rule.action.kind == faultvfs::ActionKind::kFail || rule.action.kind == faultvfs::ActionKind::kWritebackError) {
    const int err = rule.action.err;
    parts.emplace_back(err == EIO ? "EIO" : err == ENOSPC ? "ENOSPC" : "errno " + std::to_string(err));
  }
  std::string joined;
  for (const std::string& part : parts) joined += (joined.empty() ? "" : ", ") + part;
  return out + "(" + joined + ")";
}

}  // namespace fl::campaign::shrink_internal
