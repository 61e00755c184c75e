// faultvfs/fault_vfs.h: a Vfs that models the volatile page cache of a real
// kernel and device, and injects faults from a FaultPlan.
//
// Method. The backend holds the durable state: what the disk has as of the
// last successful sync (up to deferred write-back, see flush_backend()).
// FaultVfs keeps everything volatile beside it: per
// file, the ordered list of pending writes and truncates; per directory, the
// pending creates, renames and removes; clean-but-unwritten pages left by a
// failed writeback; Linux's per-file error sequence. Reads see the cache.
// Contents live in shared copy-on-write pages (internal/paged_bytes.h), so a
// write costs one copy and a sync none.
// A crash ends the epoch and writes the next durable state to the backend.
// The full model, with the kernel behaviour each part follows, is
// docs/fault-model.md.
//
// [fvfs.1] With an empty plan FaultVfs is observationally identical to its
//          backend for every sequence of calls (tested against MemVfs).
// [fvfs.2] A write and size change that a successful sync/datasync covered
//          survives every crash kind and every crash state; so does a name
//          whose directory was synced after it ([vfs.1], [vfs.2]).
// [fvfs.3] crash(kProcess): every completed operation persists, nothing is torn.
// [fvfs.4] crash(kPower): every file's sectors and size, and every directory's
//          names, become one crash state of CrashSpace ([fcrash.*], [names.*]).
// [fvfs.5] A writeback failure (an injected sync error or a background one)
//          is reported with Linux's errseq rules: every handle open at the
//          failure gets the error once, on its next sync/datasync; a handle
//          opened before anyone saw the error gets it too; a seen error is not
//          reported to the same handle twice. With no handle open the error
//          may be dropped (plan.drop_unseen_error).
// [fvfs.6] Given the same plan, backend content and sequence of calls, the
//          results, fault log and post-crash state are identical.
// [fvfs.7] After a crash rule fires, every call fails with an injected EIO
//          until crash() is called; handles from before a crash then return
//          EBADF.
//
// [fvfs.8] The liveness kill switch: after set_op_limit(n), the operation
//          that would be number n (0-based op_count()) and every later one
//          except File::close() throws OpLimitExceeded instead of running,
//          until the limit is cleared (close is exempt: destructors close). It is the harness's SIGKILL for an engine that loops on
//          the file system forever (retrying a sync that keeps failing): the
//          only way to stop such a loop in-process is to unwind it. It is the
//          one exception faultvfs throws; the harness catches it, clears the
//          limit, crashes the Vfs and discards the engine without letting it
//          run another operation.
//
// Threads: one mutex guards all state; Files may be used from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/prng.h"
#include "base/status.h"
#include "faultvfs/crash_space.h"
#include "faultvfs/fault_plan.h"
#include "faultvfs/internal/file_crash.h"
#include "faultvfs/internal/name_ops.h"
#include "faultvfs/vfs.h"

namespace fl::faultvfs {

// [fvfs.8]
class OpLimitExceeded : public std::runtime_error {
 public:
  OpLimitExceeded(uint64_t op_index, const std::string& path)
      : std::runtime_error("operation budget exceeded at op " + std::to_string(op_index) + " (" + path + ")"),
        op_index_(op_index) {}
  uint64_t op_index() const { return op_index_; }

 private:
  uint64_t op_index_;
};

// One injected fault or crash, as the fault log records it.
struct FaultEvent {
  uint64_t op_index = 0;   // global operation number (0-based)
  uint64_t epoch = 0;      // crashes before this event
  std::string op;          // operation kind, or "crash" for a crash applied by the harness
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string phase;       // innermost active phase, "" if none
  std::string action;      // "fail", "short-write", ..., "crash", "evict", "error-dropped"
  std::string detail;      // e.g. "EIO", "wrote 1536 of 4096", "power: 12 states"
  int rule = -1;           // index in plan.rules, -1 when no rule fired it
  friend bool operator==(const FaultEvent&, const FaultEvent&) = default;
};
std::string to_jsonl(const FaultEvent& event);

struct CrashSummary {
  CrashKind kind = CrashKind::kPower;
  CrashCount states;        // how many crash states existed at this point
  uint64_t files_changed = 0;
};

class FaultFile;

class FaultVfs final : public Vfs {
 public:
  // Scans `backend` (which must outlive this object) for its files.
  static Result<std::unique_ptr<FaultVfs>> create(Vfs& backend, FaultPlan plan);
  ~FaultVfs() override;

  Result<std::unique_ptr<File>> open(std::string_view path, OpenMode mode) override;
  Status remove(std::string_view path) override;
  Status rename(std::string_view from, std::string_view to) override;
  Status sync_dir(std::string_view dir) override;
  Result<std::vector<std::string>> list(std::string_view dir) override;
  Result<bool> exists(std::string_view path) override;
  Status mkdir(std::string_view dir) override;
  Status lock(std::string_view path) override;
  Status unlock(std::string_view path) override;

  // A crash rule fired and the harness has not called crash() yet ([fvfs.7]).
  std::optional<CrashKind> crash_requested() const;
  // Ends the epoch: writes the next durable state to the backend, chosen with
  // the "crash-state" stream for kPower ([fvfs.3], [fvfs.4]).
  Result<CrashSummary> crash(CrashKind kind);
  // Everything a power loss could leave right now, for enumeration.
  Result<CrashSpace> crash_space() const;

  // The durable state is the backend's bytes plus pages a sync shared but
  // did not copy yet (deferred write-back: one copy per write instead of
  // several). This copies them now, so the backend alone holds the durable
  // state, as it always does right after crash() and when FaultVfs is destroyed.
  Status flush_backend();

  // Faults off: no rule is evaluated (for a harness's own setup and checks).
  void set_injection(bool enabled);
  // [fvfs.8]: nullopt clears the limit.
  void set_op_limit(std::optional<uint64_t> op_index);
  const FaultPlan& plan() const { return plan_; }
  uint64_t op_count() const;
  uint64_t epoch() const;
  std::vector<FaultEvent> fault_log() const;
  std::string fault_log_jsonl() const;
  // Bytes waiting in the cache for a sync, over all files.
  uint64_t pending_bytes() const;

 private:
  friend class FaultFile;
  struct Inode;
  struct Firing {
    int rule = -1;
    Action action;
  };
  struct OpContext {
    OpKind op;
    std::string_view path;
    Inode* inode = nullptr;
    uint64_t offset = 0;
    uint64_t length = 0;
  };

  FaultVfs(Vfs& backend, FaultPlan plan);
  Status scan_backend(const std::string& dir, int depth);

  // Rules: counts the operation, evicts pages, and returns the rule that fires.
  Result<std::optional<Firing>> begin_op_locked(const OpContext& ctx);
  bool rule_selects_locked(size_t index, const OpContext& ctx);
  bool applicable_locked(const Action& action, const OpContext& ctx) const;
  void log_locked(const OpContext& ctx, std::string action, std::string detail, int rule);
  void maybe_evict_locked();

  // Durable content of an inode (backend file or in-memory shadow).
  Status durable_read_locked(Inode& inode, uint64_t offset, std::span<uint8_t> out);
  Result<Bytes> durable_content_locked(Inode& inode);
  Result<CrashSpace> crash_space_locked();
  // The first byte of [offset, end) a read would fetch from the disk (not
  // from a dirty or clean-but-unwritten page), if any.
  std::optional<uint64_t> first_disk_byte_locked(const Inode& inode, uint64_t offset, uint64_t end) const;
  std::string name_of_locked(const Inode& inode) const;
  Status load_cache_locked(Inode& inode);
  // The backend file, or the shadow of a file whose name is not durable.
  Status backend_write_locked(Inode& inode, uint64_t offset, ByteView data);
  Status backend_truncate_locked(Inode& inode, uint64_t size_bytes);
  // Copies the durable pages not yet in the backend there.
  Status flush_all_locked(Inode& inode);
  // The bytes a pending write wrote, as it wrote them.
  Bytes op_bytes_locked(const Inode& inode, const internal::DataOp& op) const;
  void share_durable_pages_locked(Inode& inode, uint64_t start, uint64_t end);
  Status persist_by_replay_locked(Inode& inode);
  Result<std::unique_ptr<File>> open_handle_locked(Inode& inode, std::string_view path);
  Status persist_data_locked(Inode& inode);
  void writeback_failed_locked(Inode& inode, int err, const OpContext& ctx);
  // The rule's effect common to all operations; a non-ok Status stops the op.
  Status fire_locked(const Firing& firing, const OpContext& ctx);
  void corrupt_locked(Inode& inode, uint32_t bits, const OpContext& ctx, int rule);
  Status persist_names_locked(const internal::Persisted& persisted);
  Status apply_name_op_locked(const internal::NameOp& op);
  void collect_garbage_locked();
  Inode& new_inode_locked();
  Inode* inode_at_locked(std::string_view path);
  bool dir_exists_locked(std::string_view dir) const;
  Status check_parent_locked(std::string_view path) const;
  uint64_t used_bytes_locked() const;

  Vfs& backend_;
  const FaultPlan plan_;
  mutable std::mutex mu_;
  Prng faults_prng_;
  Prng crash_prng_;
  bool injection_ = true;
  uint64_t op_index_ = 0;
  std::optional<uint64_t> op_limit_;
  uint64_t epoch_ = 0;
  uint64_t next_inode_ = 1;
  std::optional<CrashKind> crash_requested_;
  std::vector<uint64_t> rule_matches_;
  std::vector<uint64_t> rule_fires_;
  std::map<uint64_t, std::unique_ptr<Inode>> inodes_;
  internal::Namespace current_;
  internal::Namespace durable_;
  std::vector<internal::NameOp> pending_names_;
  std::set<std::string, std::less<>> locks_;
  std::vector<FaultEvent> log_;
};

}  // namespace fl::faultvfs
