// engine/planted_bugs.h: the catalogue of real-world storage bugs refdb can
// be built to have (ARCHITECTURE.md "Planted bugs"). Each is off by default
// and switched on by name (Options::bugs, `faultline --bug NAME`); each lives
// in one small branch at the place the real bug lived, written as
//
//     if (FL_PLANTED_BUG(bugs, "skip-fsync")) { ...the buggy behaviour... }
//
// so `grep -rn FL_PLANTED_BUG engine/` finds every one of them. A misspelt
// name in FL_PLANTED_BUG does not compile (bug_index is consteval).
//
// [bugs.1] kBugNames lists the 15 names exactly as ARCHITECTURE.md spells
//          them; parse_bug() accepts exactly those and names the valid ones
//          in its error otherwise.
// [bugs.2] A default PlantedBugs has every bug off; with every bug off refdb
//          is the correct engine the framework must never flag.
#pragma once

#include <array>
#include <bitset>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include "base/status.h"

namespace fl::engine {

inline constexpr std::array<std::string_view, 15> kBugNames = {
    "skip-fsync",           // sync calls return success without syncing
    "ack-before-sync",      // a commit is acknowledged before its WAL sync
    "fsync-retry",          // after a sync EIO: retry, succeed, acknowledge
    "unsynced-dir",         // a new WAL file's directory entry is never synced
    "checkpoint-race",      // checkpoint resets the WAL over commits made while it ran
    "recovery-ignores-checkpoint",  // recovery replays a WAL the checkpoint superseded
    "no-checksum",          // torn or corrupt frames and pages are accepted
    "zombie-snapshot",      // checkpoint ignores readers whose snapshot it overwrites
    "rollback-visible",     // a rolled-back transaction's writes are briefly readable
    "index-before-commit",  // the in-memory index is updated before the WAL append
    "error-as-missing",     // a read I/O error is reported as "key not found"
    "nonatomic-freelist",   // freelist pages are written in place, outside the WAL
    "leak-on-rollback",     // pages a rolled-back transaction allocated stay allocated
    "write-skew",           // serializable skips read-set validation
    "unbounded-retry",      // a persistently failing sync is retried forever
};

consteval size_t bug_index(std::string_view name) {
  for (size_t i = 0; i < kBugNames.size(); ++i) {
    if (kBugNames[i] == name) return i;
  }
  throw "FL_PLANTED_BUG: no planted bug has this name (engine/planted_bugs.h)";
}

class PlantedBugs {
 public:
  bool on(size_t index) const { return bits_.test(index); }
  void set(size_t index, bool enabled = true) { bits_.set(index, enabled); }
  bool any() const { return bits_.any(); }
  // "none" when no bug is on, else the names joined by ','.
  std::string describe() const {
    if (!any()) return "none";
    std::string out;
    for (size_t i = 0; i < kBugNames.size(); ++i) {
      if (!on(i)) continue;
      if (!out.empty()) out += ',';
      out += kBugNames[i];
    }
    return out;
  }
  friend bool operator==(const PlantedBugs&, const PlantedBugs&) = default;

 private:
  std::bitset<kBugNames.size()> bits_;
};

// [bugs.1]: the index of `name`, or kInvalidArgument listing the valid names.
inline Result<size_t> parse_bug(std::string_view name) {
  for (size_t i = 0; i < kBugNames.size(); ++i) {
    if (kBugNames[i] == name) return i;
  }
  std::string valid;
  for (std::string_view known : kBugNames) {
    valid += valid.empty() ? "" : ", ";
    valid += known;
  }
  return Status::invalid_argument("planted bug", "unknown name '" + std::string(name) + "'; valid: " + valid);
}

}  // namespace fl::engine

// The one marker of every planted-bug branch (see the file comment).
#define FL_PLANTED_BUG(bugs, name) ((bugs).on(std::integral_constant<size_t, ::fl::engine::bug_index(name)>::value))
