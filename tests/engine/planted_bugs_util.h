// tests/engine/planted_bugs_util.h: the harness of the planted-bug tests
// (planted_bugs*_test.cc). Each catalogue entry of engine/planted_bugs.h has
// one scripted scenario that injects the fault exposing it and returns what
// it observed that engine/db.h forbids, as Findings. The same scenario runs
// with the bug off (no finding allowed) and on (the bug's finding required).
//
// Pieces: a FaultVfs rig over MemVfs; helpers that run one transaction and
// report a Status instead of asserting; check_crash_states(), which recovers
// every image a power loss could leave now and checks each one.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/prng.h"
#include "engine/db.h"
#include "engine/planted_bugs.h"
#include "faultvfs/crash_space.h"
#include "faultvfs/fault_vfs.h"
#include "faultvfs/mem_vfs.h"

namespace fl::engine::testing {

// ---------------------------------------------------------------- findings

// One observation the engine's contract forbids.
struct Finding {
  std::string kind;  // one of the k* kinds below
  std::string detail;
};
using Findings = std::vector<Finding>;

// Finding kinds: what a checker of the framework would call the anomaly.
inline constexpr std::string_view kLostCommit = "lost-acknowledged-commit";  // [db.3]
inline constexpr std::string_view kStaleRead = "stale-read";                 // recovery went back in time
inline constexpr std::string_view kNotAtomic = "not-atomic";                 // neither before nor after a txn
inline constexpr std::string_view kTwoSnapshots = "read-from-two-snapshots";  // [db.1]
inline constexpr std::string_view kAbortedRead = "aborted-read";             // G1a
inline constexpr std::string_view kErrorAsMissing = "error-read-as-missing";  // kIoError became "absent"
inline constexpr std::string_view kFsck = "fsck-failed";                     // [db.9]
inline constexpr std::string_view kWriteSkew = "write-skew";                 // G2-item under serializable
inline constexpr std::string_view kSyncRetried = "sync-retried";             // [db.6], [sync.1]
inline constexpr std::string_view kContract = "contract";    // another [db.*] breach: outcome, poisoning
inline constexpr std::string_view kScenario = "scenario";    // the script did not run as written: a test bug

inline void note(Findings& out, std::string_view kind, std::string detail) {
  out.push_back(Finding{std::string(kind), std::move(detail)});
}

inline bool has_kind(const Findings& findings, std::string_view kind) {
  for (const Finding& f : findings) {
    if (f.kind == kind) return true;
  }
  return false;
}

inline std::string describe(const Findings& findings) {
  if (findings.empty()) return "  (no findings)\n";
  std::string out;
  for (const Finding& f : findings) out += "  " + f.kind + ": " + f.detail + "\n";
  return out;
}

// A script step that must succeed for the scenario to mean anything; false
// (and a kScenario finding) otherwise.
inline bool step_ok(Findings& out, const Status& status, std::string_view what) {
  if (status.ok()) return true;
  note(out, kScenario, std::string(what) + ": " + status.to_string());
  return false;
}

// ---------------------------------------------------------------- catalogue

// The scenario exposing one planted bug.
struct BugScenario {
  std::string_view bug;       // a kBugNames entry
  std::string_view fault;     // what is injected, for messages and the report
  std::string_view expected;  // the Finding kind the bug must produce
  Findings (*run)(const PlantedBugs& bugs);
};

// Defined in planted_bugs_durability_test.cc and planted_bugs_isolation_test.cc.
std::vector<BugScenario> durability_scenarios();
std::vector<BugScenario> isolation_scenarios();

inline PlantedBugs only_bug(std::string_view name) {
  PlantedBugs bugs;
  Result<size_t> index = parse_bug(name);
  FL_ASSERT(index.ok());  // the scenario table names catalogue entries only
  bugs.set(*index);
  return bugs;
}

// Full durability, serializable, no automatic checkpoint (the scripts run
// every checkpoint themselves).
inline Options scenario_options(const PlantedBugs& bugs) {
  Options options;
  options.isolation = Isolation::kSerializable;
  options.durability = Durability::kFull;
  options.auto_checkpoint_frames = 0;
  options.bugs = bugs;
  return options;
}

// ---------------------------------------------------------------- data

inline Status put(Db& db, std::string_view key, std::string_view value) {
  auto txn = db.begin();
  FL_TRY(txn->put(key, value));
  return txn->commit();
}

inline Status put_all(Db& db, const std::map<std::string, std::string>& values) {
  auto txn = db.begin();
  for (const auto& [key, value] : values) FL_TRY(txn->put(key, value));
  return txn->commit();
}

inline Result<std::optional<std::string>> get(Db& db, std::string_view key) {
  auto txn = db.begin();
  FL_ASSIGN_OR_RETURN(std::optional<std::string> value, txn->get(key));
  FL_TRY(txn->commit());
  return value;
}

inline std::string show(const std::optional<std::string>& value) {
  if (!value) return "(absent)";
  return value->size() <= 24 ? "\"" + *value + "\"" : "\"" + value->substr(0, 20) + "...\"";
}

// Reads `key` and notes a `kind` finding unless it reads `want`.
inline void expect_value(Db& db, std::string_view key, const std::optional<std::string>& want, std::string_view kind,
                         Findings& out) {
  Result<std::optional<std::string>> got = get(db, key);
  if (!got.ok()) {
    note(out, kind, "get(" + std::string(key) + "): " + got.status().to_string() + ", want " + show(want));
  } else if (*got != want) {
    note(out, kind, "get(" + std::string(key) + ") = " + show(*got) + ", want " + show(want));
  }
}

inline void expect_fsck_clean(Db& db, Findings& out) {
  Status checked = db.check_integrity();
  if (!checked.ok()) note(out, kFsck, checked.to_string());
}

// ---------------------------------------------------------------- rig

// Sector 4096 keeps crash spaces small (a WAL frame spans two or three
// sectors) while still tearing frames; a scenario that needs finer tearing
// sets 512.
inline faultvfs::FaultPlan default_plan() {
  faultvfs::FaultPlan plan;
  plan.sector_size_bytes = 4096;
  return plan;
}

inline faultvfs::Rule rule(faultvfs::Selector when, faultvfs::Action action,
                           std::optional<uint64_t> times = std::nullopt) {
  return faultvfs::Rule{std::move(when), action, times};
}

// A FaultVfs over a MemVfs. Injection starts off: scripts arm() it right
// before the step under test, so setup and recovery are never faulted.
class Rig {
 public:
  explicit Rig(faultvfs::FaultPlan plan = default_plan()) {
    auto created = faultvfs::FaultVfs::create(backend_, std::move(plan));
    FL_ASSERT(created.ok());  // the scripts build valid plans
    vfs_ = std::move(created).value();
    vfs_->set_injection(false);
  }

  faultvfs::FaultVfs& vfs() { return *vfs_; }
  void arm() { vfs_->set_injection(true); }
  void disarm() { vfs_->set_injection(false); }

  // Creates the database with every bug off and closes it, so every
  // scenario starts from the same durable files.
  Status create() {
    FL_ASSIGN_OR_RETURN(auto db, Db::open(*vfs_, "", scenario_options({})));
    return db->close();
  }

  // Opens (recovers) the database through `through` (default: the FaultVfs)
  // with injection off; injection stays off until arm().
  Result<std::unique_ptr<Db>> open(const Options& options, faultvfs::Vfs* through = nullptr) {
    disarm();
    return Db::open(through ? *through : *vfs_, "", options);
  }

  // Faults the plan's rules injected so far.
  size_t injected() const {
    size_t count = 0;
    for (const faultvfs::FaultEvent& event : vfs_->fault_log()) count += event.rule >= 0 ? 1 : 0;
    return count;
  }

 private:
  faultvfs::MemVfs backend_;
  std::unique_ptr<faultvfs::FaultVfs> vfs_;
};

// ---------------------------------------------------------------- crash states

// Crash states recovered per check: every one when there are at most this
// many, else this many sampled with a fixed seed (and a kScenario finding).
inline constexpr uint64_t kCrashStatesCheckedMax = 4096;

struct CrashCheck {
  Findings findings;  // one per kind: "N of M states; first (state i): detail"
  uint64_t visited = 0;
  bool exhaustive = false;
};

// Recovers every image a power loss could leave `vfs` with right now (the
// FaultVfs itself is untouched), opening each with `options`, and runs
// `check` on the recovered database. A failed recovery is itself a finding
// of kind `open_failure_kind`.
inline CrashCheck check_crash_states(const faultvfs::FaultVfs& vfs, const Options& options,
                                     const std::function<void(Db&, Findings&)>& check,
                                     std::string_view open_failure_kind = kLostCommit) {
  CrashCheck result;
  Result<faultvfs::CrashSpace> space = vfs.crash_space();
  if (!space.ok()) {
    note(result.findings, kScenario, "crash_space: " + space.status().to_string());
    return result;
  }
  std::map<std::string, std::pair<uint64_t, std::string>> by_kind;  // kind -> (states, first detail)
  Prng prng(0xc0ffee);
  uint64_t index = 0;
  faultvfs::CrashVisit visit = space->for_each(kCrashStatesCheckedMax, prng, [&](const faultvfs::DiskImage& image) {
    faultvfs::MemVfs restored(image);
    Findings found;
    {
      Result<std::unique_ptr<Db>> db = Db::open(restored, "", options);
      if (!db.ok()) {
        note(found, open_failure_kind, "recovery failed: " + db.status().to_string());
      } else {
        check(**db, found);
      }
    }
    std::map<std::string, std::string> first_of_state;
    for (Finding& f : found) first_of_state.try_emplace(f.kind, std::move(f.detail));
    for (auto& [kind, detail] : first_of_state) {
      by_kind.try_emplace(kind, 0, "state " + std::to_string(index) + ": " + detail).first->second.first += 1;
    }
    ++index;
    return true;
  });
  result.visited = visit.visited;
  result.exhaustive = visit.exhaustive;
  for (auto& [kind, entry] : by_kind) {
    note(result.findings, kind,
         "after power loss, " + std::to_string(entry.first) + " of " + std::to_string(visit.visited) +
             (visit.exhaustive ? " (all)" : " (sampled)") + " crash states; first, " + entry.second);
  }
  // The scripts keep their crash spaces small enough to check whole: a
  // clean bug-off run then means "no crash state loses anything".
  if (!visit.exhaustive) {
    note(result.findings, kScenario, std::to_string(visit.count.states) + " crash states, more than the " +
                                         std::to_string(kCrashStatesCheckedMax) + " checked");
  }
  return result;
}

inline void merge(Findings& into, Findings from) {
  for (Finding& f : from) into.push_back(std::move(f));
}

}  // namespace fl::engine::testing
