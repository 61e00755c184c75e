// engine/internal/durable_sync.h: every fsync refdb issues goes through
// sync_file(), so the planted bugs about syncing live in one place.
//
// [sync.1] With no planted bug on, sync_file() calls File::datasync() (or
//          sync()) exactly once and returns its Status: a failed sync is
//          never retried. After a failed fsync Linux may already have
//          dropped the dirty pages and marked them clean, so a second fsync
//          can succeed without the data ever reaching the disk (the
//          "fsyncgate" lesson); the only safe reaction is to stop.
#pragma once

#include "base/status.h"
#include "engine/planted_bugs.h"
#include "faultvfs/vfs.h"

namespace fl::engine::internal {

enum class SyncKind : uint8_t { kData, kFull };

inline Status sync_file(faultvfs::File& file, const PlantedBugs& bugs, SyncKind kind) {
  if (FL_PLANTED_BUG(bugs, "skip-fsync")) return Status::success();  // pretends; nothing reaches the disk
  auto once = [&] { return kind == SyncKind::kData ? file.datasync() : file.sync(); };
  Status synced = once();
  if (!synced.ok() && FL_PLANTED_BUG(bugs, "unbounded-retry")) {
    while (!synced.ok()) synced = once();  // spins for as long as the device keeps failing
  }
  if (!synced.ok() && FL_PLANTED_BUG(bugs, "fsync-retry")) {
    synced = once();  // the error was reported once; this "succeeds" over pages the kernel dropped
  }
  return synced;
}

}  // namespace fl::engine::internal
