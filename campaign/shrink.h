// campaign/shrink.h: `faultline shrink`: a failing trial's repro bundle made
// as small as it can be while it still fails the same way, by delta
// debugging, with a GoogleTest regression test that replays it
// (docs/campaign.md "faultline shrink").
//
// [shrink.1] A failing trial's failure class is the set of its verdict's
//            anomaly types when it has any, else the set of kinds of its
//            engine findings (integrity, recovery, liveness; never
//            "unavailable", [rec.2]). It is the zoo's "anomaly class". A
//            passing trial has none.
// [shrink.2] "Same class": a candidate (a smaller TrialConfig) keeps the
//            failure when it fails ([rec.2]) and its class shares at least
//            one member with the original trial's class (with exact_class:
//            equals it). It is always compared with the original's class,
//            never the previous step's, so the class cannot drift step by
//            step. When the bundle plants bugs and the original passes with
//            them all off, a candidate must also pass with them off, so the
//            failure stays the bugs' doing (as the zoo's [zoo.7]).
// [shrink.3] Dimensions, in this order, in rounds until a round keeps no
//            reduction (or kShrinkRoundsMax): txns, clients, keys (not for
//            bank, which uses its accounts), fault rules (ddmin over the
//            plan's rules, order kept), the device knobs (evict_unwritten,
//            size_before_data, capacity_bytes switched off), the faults
//            that fired made fixed rules (then ddmin over those: one rule
//            is one injected fault), a firing cap (`times` 1) per rule,
//            and each fixed fault moved earlier (after_op lowered). txns
//            also makes a crash earlier: a run that stops just after the
//            failing crash. Numbers are lowered by halving steps: from n,
//            try n - d for d = (n - min), (n - min) / 2, ..., 1, keep the
//            first that keeps the failure, repeat; so the result is
//            1-minimal in each number (n - 1 does not fail).
// [shrink.4] The plan is made explicit (trial.h [trial.4]) before rules
//            are touched; if the shrunk plan still equals the profile's,
//            the override is dropped again, so the shrunk config.json says
//            only `faults`; if it became the plan of `none` (no rule, no
//            device knob), it is dropped for `faults: none`.
// [shrink.5] Deterministic: the result is a pure function of the bundle,
//            the options and the code version, unless the time budget (wall
//            clock) ran out, which the result says (budget_ran_out); the
//            trial budget (kShrinkTrialsMax) counts trials, so it cuts
//            deterministically (trials_ran_out).
// [shrink.6] Bad input is kInvalidArgument naming the problem: a missing or
//            corrupt bundle ([bundle.2]), a bundle whose replay passes, an
//            output directory that is not empty, a non-positive budget.
// [shrink.7] write_shrink_output() fills `out_dir` (missing or empty) with
//            the minimal bundle ([bundle.1]; `faultline repro` replays it
//            byte-identically), shrink.json (the steps and sizes) and
//            regression_test.cc (shrink_regression.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/status.h"
#include "campaign/trial.h"
#include "campaign/trial_record.h"

namespace fl::campaign {

std::vector<std::string> failure_class(const TrialRecord& record);  // [shrink.1], sorted

// What shrinking makes smaller.
struct ShrinkSize {
  uint32_t clients = 0;
  uint64_t txns = 0;
  uint32_t keys = 0;
  uint64_t rules = 0;  // of the plan the trial runs with (trial.h effective_plan)
  friend bool operator==(const ShrinkSize&, const ShrinkSize&) = default;
};
Result<ShrinkSize> shrink_size(const TrialConfig& config);
// "2 clients, 37 txns, 3 keys, 1 rule"
std::string size_text(const ShrinkSize& size);

struct ShrinkOptions {
  double time_budget_seconds = 120;  // [shrink.5]
  bool exact_class = false;          // [shrink.2]
  std::ostream* progress = nullptr;  // one line per kept step, or null
};

// One kept reduction.
struct ShrinkStep {
  std::string dimension;  // "txns", "clients", "keys", "rules", "device", "times", "earlier"
  std::string change;     // "txns 500 -> 250", "rules 9 -> 2 (kept #3, #7)"
  ShrinkSize size;        // after the step
  std::string headline;   // of the trial after the step
};

struct ShrinkResult {
  std::filesystem::path bundle;  // as given
  TrialConfig original;
  TrialConfig shrunk;
  ShrinkSize original_size;
  ShrinkSize shrunk_size;
  std::vector<std::string> original_class;  // [shrink.1], of the replay
  std::vector<std::string> shrunk_class;
  TrialRecord original_record;  // the replay of the bundle
  TrialRecord shrunk_record;
  // [shrink.2]: candidates also had to pass with the bugs off. False for a
  // bug-free bundle, or when the original fails with the bugs off too.
  bool bug_free_passes = false;
  bool exact_class = false;  // ShrinkOptions::exact_class
  std::vector<ShrinkStep> steps;
  uint64_t trials = 0;           // trials run (each candidate once; bug-off runs count)
  uint64_t rounds = 0;
  bool budget_ran_out = false;   // wall clock [shrink.5]
  bool trials_ran_out = false;   // kShrinkTrialsMax
  std::vector<std::string> notes;  // replay differences and the like, for a person
  double seconds = 0;              // wall clock
};

Result<ShrinkResult> shrink_bundle(const std::filesystem::path& bundle, const ShrinkOptions& options);

// [shrink.6]: `out_dir` is missing or an empty directory.
Status check_shrink_out_dir(const std::filesystem::path& out_dir);
// BUNDLE-shrunk, beside the bundle (a trailing '/' and a .tar suffix ignored).
std::filesystem::path default_shrink_out_dir(const std::filesystem::path& bundle);
// [shrink.7]: re-runs result.shrunk and writes it out.
Status write_shrink_output(const ShrinkResult& result, const std::filesystem::path& out_dir);

// The result for a person: origin, class, one line per step, the end size.
std::string shrink_text(const ShrinkResult& result);
// shrink.json (docs/formats/campaign.md "shrink.json").
std::string shrink_json(const ShrinkResult& result);

}  // namespace fl::campaign
