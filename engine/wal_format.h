// engine/wal_format.h: constants of refdb's write-ahead log. The spec is
// docs/formats/wal.md; change both in the same commit. Only constants and
// static_asserts live here; encoding is wal_frame.h.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "engine/page_format.h"

namespace fl::engine {

// wal.md "WAL header": 48 bytes at offset 0.
inline constexpr std::array<uint8_t, 8> kWalMagic = {'r', 'e', 'f', 'd', 'b', 'w', 'a', 'l'};
inline constexpr uint32_t kWalFormatVersion = 1;

inline constexpr size_t kWalMagicOffset = 0;           // 8 bytes: kWalMagic
inline constexpr size_t kWalVersionOffset = 8;         // u32: kWalFormatVersion
inline constexpr size_t kWalPageSizeOffset = 12;       // u32: kPageSizeBytes
inline constexpr size_t kWalGenerationOffset = 16;     // u64: generation, >= 1, +1 per reset
inline constexpr size_t kWalStartLsnOffset = 24;       // u64: LSN of frame 0, >= 1
inline constexpr size_t kWalStartCommitSeqOffset = 32; // u64: commit_seq of the first commit frame, >= 1
inline constexpr size_t kWalSaltOffset = 40;           // u32: random per generation
inline constexpr size_t kWalHeaderCrcOffset = 44;      // u32: masked CRC32C of header bytes [0, 44)
inline constexpr size_t kWalHeaderBytes = 48;
static_assert(kWalHeaderCrcOffset + 4 == kWalHeaderBytes);

// wal.md "Frames": frame i starts at kWalHeaderBytes + i * kWalFrameBytes.
inline constexpr size_t kFramePageNumberOffset = 0;     // u32: page the image belongs to, >= 1
inline constexpr size_t kFrameDbPageCountOffset = 4;    // u32: commit marker: database size in pages, 0 = not a commit
inline constexpr size_t kFrameLsnOffset = 8;            // u64: start_lsn + frame index
inline constexpr size_t kFrameCommitSeqOffset = 16;     // u64: commit frames only, else 0
inline constexpr size_t kFrameRootPageOffset = 24;      // u32: commit frames only, else 0
inline constexpr size_t kFrameFreelistHeadOffset = 28;  // u32: commit frames only, else 0
inline constexpr size_t kFrameGenerationOffset = 32;    // u64: copied from the WAL header
inline constexpr size_t kFrameSaltOffset = 40;          // u32: copied from the WAL header
inline constexpr size_t kFrameChecksumOffset = 44;      // u32: masked chain checksum
inline constexpr size_t kFrameHeaderBytes = 48;
inline constexpr size_t kFrameChecksumCoveredBytes = kFrameChecksumOffset;  // header bytes [0, 44)
inline constexpr size_t kWalFrameBytes = kFrameHeaderBytes + kPageSizeBytes;
static_assert(kFrameChecksumOffset + 4 == kFrameHeaderBytes);
static_assert(kWalFrameBytes == 4144);
// The chain feeds the previous checksum as 4 bytes: wal.md "Checksum chain".
inline constexpr size_t kFrameChainPrefixBytes = 4;

}  // namespace fl::engine
