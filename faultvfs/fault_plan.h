// faultvfs/fault_plan.h: what FaultVfs injects, and when. Format spec:
// docs/formats/fault-plan.md.
//
// A plan is the device's configuration (sector size, fsync-failure semantics,
// ordering of namespace operations, ...) plus a list of rules
// `selector -> action`. Every operation FaultVfs sees is numbered; rules are
// tried in order and the first whose selector matches fires.
//
// [plan.1] parse_fault_plan() never aborts: malformed JSON, a missing or
//          unknown field, a value of the wrong type or out of range gives
//          kInvalidArgument naming the field path ("rules[3].when.phase").
// [plan.2] to_json(parse_fault_plan(text)) parses back to an equal plan.
// [plan.3] generate_fault_plan(profile, seed) is a pure function of its
//          arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/prng.h"
#include "base/status.h"
#include "faultvfs/phase.h"

namespace fl::faultvfs {

enum class OpKind : uint8_t {
  kOpen, kRead, kWrite, kTruncate, kSync, kDatasync, kSize, kClose,
  kRemove, kRename, kSyncDir, kList, kExists, kMkdir, kLock, kUnlock,
  kCount,
};
std::string_view op_kind_name(OpKind kind);
std::optional<OpKind> op_kind_from_name(std::string_view name);

enum class CrashKind : uint8_t { kProcess, kPower };
std::string_view crash_kind_name(CrashKind kind);

// What a failed writeback does to the pages that failed (docs/fault-model.md).
enum class FsyncSemantics : uint8_t {
  kExt4,    // marked clean, not on disk: reads return new bytes, power loss loses them
  kRevert,  // dropped from the cache: reads return the durable bytes at once
  kRetry,   // kept dirty: a later successful sync persists them
};
std::string_view fsync_semantics_name(FsyncSemantics semantics);

enum class MetaOrder : uint8_t {
  kPerDirectory,  // unsynced namespace operations persist as a prefix per directory
  kGlobal,        // ... as one prefix of all of them (a journaling file system)
};

enum class ActionKind : uint8_t {
  kFail,            // the operation fails with `err` and has no effect (read: latent sector error)
  kShortWrite,      // a write writes a prefix and returns its length
  kCorrupt,         // `bits` bit flips in the file's durable content
  kMisdirect,       // a write's bytes reach the disk at another sector-aligned offset
  kCrash,           // the process or machine stops before the operation
  kWritebackError,  // a background writeback of the file's dirty pages fails
  kCount,
};
std::string_view action_kind_name(ActionKind kind);

struct Selector {
  std::optional<OpKind> op{};           // absent: any operation
  std::optional<std::string> path{};    // glob: '*' (not '/'), '**', '?'
  std::optional<Phase> phase{};         // an active phase at or below this one
  std::optional<uint64_t> nth{};        // fire on the nth matching operation (1-based)
  std::optional<uint64_t> after_op{};   // only at global operation index >= after_op
  std::optional<Ratio> probability{};   // fire with this chance (faults stream)
  friend bool operator==(const Selector&, const Selector&) = default;
};

struct Action {
  ActionKind kind = ActionKind::kFail;
  int err = 5;                           // EIO; for kFail and kWritebackError
  CrashKind crash = CrashKind::kPower;   // for kCrash
  uint32_t bits = 1;                     // for kCorrupt
  friend bool operator==(const Action&, const Action&) = default;
};

struct Rule {
  Selector when;
  Action action;
  std::optional<uint64_t> times_max;  // fire at most this many times (absent: no limit)
  friend bool operator==(const Rule&, const Rule&) = default;
};

struct FaultPlan {
  uint64_t seed = 0;
  uint32_t sector_size_bytes = 512;
  FsyncSemantics fsync = FsyncSemantics::kExt4;
  MetaOrder meta_order = MetaOrder::kPerDirectory;
  bool size_before_data = false;
  // Chance, per operation, that the clean-but-unwritten pages of one file are
  // evicted (ext4 semantics only); reads then return the durable bytes.
  Ratio evict_unwritten{0, 1};
  // Chance that a writeback error on a file no handle has open is forgotten
  // (the inode was evicted before anyone could see the error).
  Ratio drop_unseen_error{1, 2};
  std::optional<uint64_t> capacity_bytes;  // ENOSPC past this many bytes in all files
  std::vector<Rule> rules;
  friend bool operator==(const FaultPlan&, const FaultPlan&) = default;
};

inline constexpr uint32_t kSectorSizeBytesMin = 512;
inline constexpr uint32_t kSectorSizeBytesMax = 65536;
inline constexpr size_t kPlanRulesMax = 1024;
inline constexpr uint32_t kCorruptBitsMax = 64;

Status validate_fault_plan(const FaultPlan& plan);
Result<FaultPlan> parse_fault_plan(std::string_view json_text);
std::string to_json(const FaultPlan& plan);

// Named profiles (docs/fault-model.md, "Profiles").
inline constexpr std::string_view kFaultProfileNames[] = {
    "none", "power", "torn", "fsync-eio", "mid-checkpoint", "disk-full", "bitrot", "everything"};
Result<FaultPlan> generate_fault_plan(std::string_view profile, uint64_t seed);

// Glob match for selector paths: '*' matches within one path component, '**'
// across components, '?' one character other than '/'.
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace fl::faultvfs
