// engine/page_format.h: constants of refdb's page file. The spec is
// docs/formats/page.md; change both in the same commit. Only constants and
// static_asserts live here; encoding is page.h (data pages) and db_header.h
// (page 0).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace fl::engine {

// page.md "Page file": fixed-size pages, page N at byte N * kPageSizeBytes.
inline constexpr uint32_t kPageSizeBytes = 4096;
inline constexpr uint32_t kSectorSizeBytesMin = 512;  // the smallest unit a device tears in
static_assert(kPageSizeBytes % kSectorSizeBytesMin == 0);

// page.md "Data pages": the common page header (every page but page 0).
inline constexpr size_t kPageCrcOffset = 0;        // u32: masked CRC32C of bytes [4, 4096)
inline constexpr size_t kPageTypeOffset = 4;       // u8: PageType
inline constexpr size_t kPageReservedAOffset = 5;  // 3 bytes, zero
inline constexpr size_t kPageNumberOffset = 8;     // u32: this page's own number
inline constexpr size_t kPageReservedBOffset = 12; // u32, zero
inline constexpr size_t kPageLsnOffset = 16;       // u64: LSN of the WAL frame that last wrote it
inline constexpr size_t kPageHeaderBytes = 24;
inline constexpr size_t kPageCrcCoveredOffset = kPageCrcOffset + 4;
inline constexpr size_t kPageBodyBytes = kPageSizeBytes - kPageHeaderBytes;
static_assert(kPageLsnOffset + 8 == kPageHeaderBytes);
static_assert(kPageReservedAOffset + 3 == kPageNumberOffset);

// page.md "Page types". 0 is never valid, so a zeroed page is rejected.
enum class PageType : uint8_t {
  kBtreeInternal = 1,
  kBtreeLeaf = 2,
  kFreelist = 3,
};
inline constexpr uint8_t kPageTypeMin = 1;
inline constexpr uint8_t kPageTypeMax = 3;

// page.md "Header page": page 0 holds two independent 512-byte slots, each a
// whole header with its own checksum; checkpoint sequence s lives in slot s % 2.
inline constexpr uint32_t kHeaderPageNumber = 0;
inline constexpr size_t kHeaderSlotBytes = 512;
inline constexpr size_t kHeaderSlotCount = 2;
static_assert(kHeaderSlotBytes == kSectorSizeBytesMin, "a slot must fit one sector so it tears alone");
static_assert(kHeaderSlotBytes * kHeaderSlotCount <= kPageSizeBytes);

inline constexpr std::array<uint8_t, 8> kHeaderMagic = {'r', 'e', 'f', 'd', 'b', '-', 'd', 'b'};
inline constexpr uint32_t kHeaderFormatVersion = 1;

inline constexpr size_t kHeaderMagicOffset = 0;           // 8 bytes: kHeaderMagic
inline constexpr size_t kHeaderVersionOffset = 8;         // u32: kHeaderFormatVersion
inline constexpr size_t kHeaderPageSizeOffset = 12;       // u32: kPageSizeBytes
inline constexpr size_t kHeaderCheckpointSeqOffset = 16;  // u64: checkpoint sequence, selects the slot
inline constexpr size_t kHeaderPageCountOffset = 24;      // u32: pages in the database, page 0 included
inline constexpr size_t kHeaderFreelistHeadOffset = 28;   // u32: first freelist page, 0 = none
inline constexpr size_t kHeaderRootPageOffset = 32;       // u32: B+tree root, 0 = empty tree
inline constexpr size_t kHeaderWalSaltOffset = 36;        // u32: salt of the WAL generation after the checkpoint
inline constexpr size_t kHeaderWalGenerationOffset = 40;  // u64: that WAL generation
inline constexpr size_t kHeaderCheckpointLsnOffset = 48;  // u64: last LSN copied into the page file
inline constexpr size_t kHeaderLastCommitSeqOffset = 56;  // u64: last commit sequence copied
inline constexpr size_t kHeaderReservedOffset = 64;       // [64, 508) zero
inline constexpr size_t kHeaderCrcOffset = 508;           // u32: masked CRC32C of slot bytes [0, 508)
static_assert(kHeaderLastCommitSeqOffset + 8 == kHeaderReservedOffset);
static_assert(kHeaderCrcOffset + 4 == kHeaderSlotBytes);

}  // namespace fl::engine
