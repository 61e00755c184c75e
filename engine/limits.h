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

namespace fl::engine {

// B+tree entries (docs/formats/btree.md). A leaf cell is 4 + key + value
// bytes, so with these bounds four cells of the largest size fill a node's
// 4064 cell bytes exactly: every node holds at least 4 entries, and a split of
// an overflowing node always yields two halves that fit (btree_format.h
// asserts both).
inline constexpr uint32_t kKeyBytesMax = 256;
inline constexpr uint32_t kValueBytesMax = 756;

// Levels from the root to a leaf. Nodes hold at least 2 children, so 2^31
// pages need fewer than 32 levels; a deeper descent is a cycle on disk and
// gives Corruption instead of looping.
inline constexpr uint32_t kBtreeDepthMax = 32;

// A non-root node whose cells take fewer bytes than this after an erase is
// merged with or rebalanced against a sibling (a quarter of the cell area).
inline constexpr uint32_t kBtreeUnderflowBytes = 1016;

}  // namespace fl::engine
