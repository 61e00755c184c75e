// campaign/shrink_passes.h: the dimensions of a shrink (shrink.h
// [shrink.3]), one function each. Internal to campaign/shrink*.
//
// [pass.1] A pass only ever replaces `state.current` with a candidate the
//          oracle kept ([shrink.2]), and appends one ShrinkStep per
//          replacement, so every step in a result is a config that fails.
// [pass.2] Each pass returns whether it kept anything; it stops early once
//          the oracle is exhausted ([oracle.3]).
#pragma once

#include <ostream>
#include <vector>

#include "campaign/shrink.h"
#include "campaign/shrink_oracle.h"

namespace fl::campaign::shrink_internal {

struct ShrinkState {
  ShrinkOracle& oracle;
  TrialConfig current;    // fails, in the original's class
  TrialRecord record;     // current's
  std::vector<ShrinkStep>& steps;
  std::ostream* progress;  // a line per kept step, or null
};

bool shrink_txns(ShrinkState& state);
bool shrink_clients(ShrinkState& state);
bool shrink_keys(ShrinkState& state);  // not for bank: keys do not change its transactions
// REQUIRES: state.current.plan (the plan made explicit, [shrink.4]).
bool shrink_rules(ShrinkState& state);
bool shrink_device(ShrinkState& state);
bool shrink_rule_times(ShrinkState& state);
// The faults that fired in the current run (its fault log), each as a
// fixed rule {op, after_op: its index, nth: 1, times: 1} with the action
// of the rule that fired, in place of the plan's rules: no probability is
// drawn, so removing one fault no longer reshuffles the others.
bool fix_fired_faults(ShrinkState& state);
// Each rule with an after_op fires earlier: after_op lowered by halving
// steps toward 0 (the "earlier crash" of [shrink.3]).
bool shrink_rule_after_op(ShrinkState& state);

// "crash(power)", "fail(write, ENOSPC)": a rule for a person.
std::string rule_text(const faultvfs::Rule& rule);

}  // namespace fl::campaign::shrink_internal
