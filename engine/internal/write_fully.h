// engine/internal/write_fully.h: a positioned write that continues after
// short writes ([vfs.4]), for the page file. Bounded: after
// kWalWriteAttemptsMax calls that each wrote a part, it fails with EIO
// rather than loop.
#pragma once

#include <cerrno>
#include <cstdint>
#include <span>

#include "base/status.h"
#include "engine/limits.h"
#include "faultvfs/vfs.h"

namespace fl::engine::internal {

inline Status write_fully(faultvfs::File& file, uint64_t offset, std::span<const uint8_t> bytes) {
  for (uint32_t attempt = 0; attempt < kWalWriteAttemptsMax; ++attempt) {
    FL_ASSIGN_OR_RETURN(size_t wrote, file.write(offset, bytes));
    if (wrote >= bytes.size()) return Status::success();
    offset += wrote;
    bytes = bytes.subspan(wrote);
  }
  return Status::io_error("write at offset " + std::to_string(offset), EIO);
}

}  // namespace fl::engine::internal
