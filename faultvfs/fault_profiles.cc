// Named fault profiles: plans generated from a seed (docs/fault-model.md,
// "Profiles"). The numbers are per-operation chances, chosen so that a trial
// of a few thousand operations sees a handful of faults, not a storm.
#include <cerrno>

#include "faultvfs/fault_plan.h"

namespace fl::faultvfs {
namespace {

Rule rule(Selector when, Action action, std::optional<uint64_t> times_max = std::nullopt) {
  return Rule{std::move(when), action, times_max};
}
Selector any_op(Ratio probability) { return Selector{.probability = probability}; }
Selector op_with(OpKind op, Ratio probability) { return Selector{.op = op, .probability = probability}; }
Action fail(int err) { return Action{.kind = ActionKind::kFail, .err = err}; }
Action crash(CrashKind kind) { return Action{.kind = ActionKind::kCrash, .crash = kind}; }

void add_power_crashes(FaultPlan& plan, Prng& prng) {
  // One power loss every 300..1000 operations on average.
  plan.rules.push_back(rule(any_op({1, prng.range_inclusive(300, 1000)}), crash(CrashKind::kPower)));
  plan.rules.push_back(rule(any_op({1, 5000}), crash(CrashKind::kProcess)));
}

void add_fsync_errors(FaultPlan& plan, Prng& prng) {
  plan.rules.push_back(rule(op_with(OpKind::kSync, {1, prng.range_inclusive(20, 80)}), fail(EIO)));
  plan.rules.push_back(rule(op_with(OpKind::kDatasync, {1, prng.range_inclusive(20, 80)}), fail(EIO)));
  plan.rules.push_back(rule(op_with(OpKind::kWrite, {1, 400}),
                            Action{.kind = ActionKind::kWritebackError, .err = EIO}));
}

}  // namespace

Result<FaultPlan> generate_fault_plan(std::string_view profile, uint64_t seed) {
  FaultPlan plan;
  plan.seed = seed;
  Prng prng = Prng::stream(seed, "fault-profile");
  if (profile == "none") return plan;
  if (profile == "power") {
    add_power_crashes(plan, prng);
  } else if (profile == "torn") {
    plan.size_before_data = true;
    add_power_crashes(plan, prng);
    // Crash while a multi-sector write is likely pending: inside WAL appends.
    plan.rules.insert(plan.rules.begin(),
                      rule(Selector{.op = OpKind::kWrite, .phase = Phase::kWalAppend, .probability = Ratio{1, 200}},
                           crash(CrashKind::kPower)));
  } else if (profile == "fsync-eio") {
    add_fsync_errors(plan, prng);
    add_power_crashes(plan, prng);
  } else if (profile == "mid-checkpoint") {
    plan.rules.push_back(rule(Selector{.phase = Phase::kCheckpoint, .probability = Ratio{1, prng.range_inclusive(4, 16)}},
                              crash(CrashKind::kPower)));
    plan.rules.push_back(rule(any_op({1, 3000}), crash(CrashKind::kPower)));
  } else if (profile == "disk-full") {
    plan.capacity_bytes = uint64_t{64} << (10 + prng.uniform(6));  // 64 KiB .. 2 MiB
    plan.rules.push_back(rule(op_with(OpKind::kWrite, {1, 300}), fail(ENOSPC)));
    plan.rules.push_back(rule(op_with(OpKind::kWrite, {1, 500}), Action{.kind = ActionKind::kShortWrite}));
    plan.rules.push_back(rule(any_op({1, 2000}), crash(CrashKind::kPower)));
  } else if (profile == "bitrot") {
    plan.rules.push_back(rule(op_with(OpKind::kRead, {1, 2000}), fail(EIO)));
    plan.rules.push_back(rule(op_with(OpKind::kRead, {1, 3000}), Action{.kind = ActionKind::kCorrupt, .bits = 1}));
    plan.rules.push_back(rule(op_with(OpKind::kWrite, {1, 5000}), Action{.kind = ActionKind::kMisdirect}));
    plan.rules.push_back(rule(any_op({1, 2000}), crash(CrashKind::kPower)));
  } else if (profile == "everything") {
    // Every fault a correct engine is expected to survive (report, retry or
    // recover from). Silent corruption and misdirected writes are left to
    // `bitrot`: an engine can detect them, not undo them.
    plan.size_before_data = true;
    plan.evict_unwritten = {1, 200};
    add_fsync_errors(plan, prng);
    plan.rules.push_back(rule(Selector{.phase = Phase::kCheckpoint, .probability = Ratio{1, 64}},
                              crash(CrashKind::kPower)));
    plan.rules.push_back(rule(op_with(OpKind::kWrite, {1, 1000}), fail(ENOSPC)));
    plan.rules.push_back(rule(op_with(OpKind::kWrite, {1, 1000}), Action{.kind = ActionKind::kShortWrite}));
    plan.rules.push_back(rule(op_with(OpKind::kRead, {1, 3000}), fail(EIO)));
    add_power_crashes(plan, prng);
  } else {
    std::string names;
    for (std::string_view name : kFaultProfileNames) names += (names.empty() ? "" : ", ") + std::string(name);
    return Status::invalid_argument("fault profile", "unknown profile \"" + std::string(profile) +
                                                         "\" (expected one of: " + names + ")");
  }
  FL_TRY(validate_fault_plan(plan));
  return plan;
}

}  // namespace fl::faultvfs
