// engine/limits.h: every bound refdb enforces, as a named constant with its
// unit last (STYLE.md "Explicit limits"). Format constants (field offsets,
// sizes) live in page_format.h and wal_format.h; these are policy limits.
#pragma once

#include <cstdint>

namespace fl::engine {

// Pages in one database, page 0 included. 2^31 pages of 4 KiB is 8 TiB; a
// page count or page number read from disk above this is Corruption.
inline constexpr uint32_t kPageCountMax = uint32_t{1} << 31;

// Frames one WAL scan examines before it stops with WalStop::kFrameLimit
// (about 17 GB of WAL at 4144 bytes per frame). Bounds the recovery loop
// independently of the file size.
inline constexpr uint64_t kWalFrameCountMax = uint64_t{1} << 22;

// Page images in one transaction (one WalWriter::append call).
inline constexpr uint64_t kWalTxnPagesMax = 1u << 16;

// Write calls WalWriter issues for one frame: the first, then continuations
// after short writes ([vfs.4]); past this the append fails with EIO.
inline constexpr uint32_t kWalWriteAttemptsMax = 8;

}  // namespace fl::engine
