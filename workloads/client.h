// workloads/client.h: how the simulator drives a database under test. The
// interface is engine-neutral (refdb today; SQLite and out-of-process
// engines implement the same two classes).
//
// [client.1] A Session runs one transaction at a time: begin(), any number
//            of read()/write()/erase(), then commit() or rollback().
//            erase() of an absent key succeeds (a delete that matched no row).
// [client.2] commit() classifies its outcome exactly as the history needs
//            it: kOk (acknowledged), kFail (the engine guarantees no effect:
//            a conflict, a validation failure, a failure before any byte of
//            the commit was written) or kInfo (indeterminate: any I/O error
//            during or after the commit write).
// [client.3] A read or write error inside the transaction leaves it open;
//            the caller rolls back and records :fail (nothing was
//            committed).
// [client.4] Engine::kill() drops the open database the way a killed
//            process does: nothing is closed, synced or flushed. The harness
//            crashes the Vfs first, so any I/O the teardown attempts fails.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "faultvfs/vfs.h"

namespace fl::workloads {

enum class CommitStatus : uint8_t { kOk, kFail, kInfo };

struct CommitResult {
  CommitStatus status = CommitStatus::kOk;
  std::string error;  // empty for kOk
};

class Session {
 public:
  virtual ~Session() = default;
  virtual Status begin() = 0;
  virtual Result<std::optional<std::string>> read(std::string_view key) = 0;
  virtual Status write(std::string_view key, std::string_view value) = 0;
  virtual Status erase(std::string_view key) = 0;
  virtual CommitResult commit() = 0;
  virtual void rollback() = 0;
};

// What an engine promises, recorded in the history's metadata so the
// checkers judge it against its own claims.
struct EngineClaims {
  std::string engine;      // "refdb"
  std::string isolation;   // "serializable", "snapshot", ...
  std::string durability;  // "acked": every acknowledged commit survives a crash; "none"
};

class Engine {
 public:
  virtual ~Engine() = default;
  // Opens, creating or recovering, the database in `dir` of `vfs`.
  virtual Status open(faultvfs::Vfs& vfs, std::string_view dir) = 0;
  virtual Status check_integrity() = 0;
  virtual std::unique_ptr<Session> session() = 0;
  // A background maintenance step (refdb: one checkpoint step), so a
  // checkpoint can interleave with transactions; ok(false) when idle.
  virtual Result<bool> maintenance_step() = 0;
  virtual void kill() = 0;  // [client.4]
  // True when the engine refuses writes until it is reopened (refdb after a
  // failed sync); the simulator then restarts it.
  virtual bool needs_restart() const { return false; }
  virtual Status close() = 0;
  virtual EngineClaims claims() const = 0;
};

}  // namespace fl::workloads
