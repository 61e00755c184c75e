// engine/wal_frame.cc: WAL header and frame encoding (docs/formats/wal.md).
#include "engine/wal_frame.h"

#include <algorithm>
#include <string>

#include "base/crc32c.h"
#include "engine/internal/le.h"

namespace fl::engine {

using internal::get_u32;
using internal::get_u64;

namespace {
constexpr std::string_view kWhere = "wal header";
}  // namespace

std::array<uint8_t, kWalHeaderBytes> encode_wal_header(const WalHeader& h) {
  std::array<uint8_t, kWalHeaderBytes> out{};
  std::copy(kWalMagic.begin(), kWalMagic.end(), out.begin() + kWalMagicOffset);
  internal::put_u32(out, kWalVersionOffset, kWalFormatVersion);
  internal::put_u32(out, kWalPageSizeOffset, kPageSizeBytes);
  internal::put_u64(out, kWalGenerationOffset, h.generation);
  internal::put_u64(out, kWalStartLsnOffset, h.start_lsn);
  internal::put_u64(out, kWalStartCommitSeqOffset, h.start_commit_seq);
  internal::put_u32(out, kWalSaltOffset, h.salt);
  internal::put_u32(out, kWalHeaderCrcOffset, crc32c_mask(crc32c(std::span<const uint8_t>(out).first(kWalHeaderCrcOffset))));
  return out;
}

uint32_t wal_chain_seed(const WalHeader& header) {
  return crc32c_unmask(get_u32(encode_wal_header(header), kWalHeaderCrcOffset));
}

Result<WalHeader> decode_wal_header(std::span<const uint8_t> b) {
  if (b.size() < kWalHeaderBytes) {
    return Status::corruption(kWhere, "size: " + std::to_string(b.size()) + " bytes, the header needs 48 (torn)");
  }
  if (!std::equal(kWalMagic.begin(), kWalMagic.end(), b.begin() + kWalMagicOffset)) {
    return Status::corruption(kWhere, "magic: not \"refdbwal\" (not a refdb WAL)");
  }
  const uint32_t stored = get_u32(b, kWalHeaderCrcOffset);
  if (stored != crc32c_mask(crc32c(b.first(kWalHeaderCrcOffset)))) {
    return Status::corruption(kWhere, "crc: mismatch (torn or corrupt header)");
  }
  const uint32_t version = get_u32(b, kWalVersionOffset);
  if (version != kWalFormatVersion) {
    return Status::not_supported(kWhere, "version: format version " + std::to_string(version) + ", this build reads 1");
  }
  const uint32_t page_size = get_u32(b, kWalPageSizeOffset);
  if (page_size != kPageSizeBytes) {
    return Status::not_supported(kWhere, "page_size: " + std::to_string(page_size) + " bytes, this build uses 4096");
  }
  WalHeader h;
  h.generation = get_u64(b, kWalGenerationOffset);
  h.start_lsn = get_u64(b, kWalStartLsnOffset);
  h.start_commit_seq = get_u64(b, kWalStartCommitSeqOffset);
  h.salt = get_u32(b, kWalSaltOffset);
  if (h.generation == 0) return Status::corruption(kWhere, "generation: 0 (generations start at 1)");
  if (h.start_lsn == 0) return Status::corruption(kWhere, "start_lsn: 0 (LSNs start at 1)");
  if (h.start_commit_seq == 0) return Status::corruption(kWhere, "start_commit_seq: 0 (commit sequences start at 1)");
  return h;
}

uint32_t wal_frame_checksum(uint32_t prev_checksum, std::span<const uint8_t> frame) {
  FL_ASSERT(frame.size() == kWalFrameBytes);
  std::array<uint8_t, kFrameChainPrefixBytes> prev{};
  internal::put_u32(prev, 0, prev_checksum);
  uint32_t crc = crc32c(prev);
  crc = crc32c_extend(crc, frame.first(kFrameChecksumCoveredBytes));
  return crc32c_extend(crc, frame.subspan(kFrameHeaderBytes));
}

uint32_t stored_wal_frame_checksum(std::span<const uint8_t> frame) {
  return crc32c_unmask(get_u32(frame, kFrameChecksumOffset));
}

uint32_t encode_wal_frame(const WalFrameHeader& h, std::span<const uint8_t> page, uint32_t prev_checksum,
                          std::span<uint8_t> out) {
  FL_ASSERT(page.size() == kPageSizeBytes);
  FL_ASSERT(out.size() == kWalFrameBytes);
  internal::put_u32(out, kFramePageNumberOffset, h.page_number);
  internal::put_u32(out, kFrameDbPageCountOffset, h.db_page_count);
  internal::put_u64(out, kFrameLsnOffset, h.lsn);
  internal::put_u64(out, kFrameCommitSeqOffset, h.commit_seq);
  internal::put_u32(out, kFrameRootPageOffset, h.root_page);
  internal::put_u32(out, kFrameFreelistHeadOffset, h.freelist_head);
  internal::put_u64(out, kFrameGenerationOffset, h.generation);
  internal::put_u32(out, kFrameSaltOffset, h.salt);
  std::copy(page.begin(), page.end(), out.begin() + kFrameHeaderBytes);
  const uint32_t checksum = wal_frame_checksum(prev_checksum, out);
  internal::put_u32(out, kFrameChecksumOffset, crc32c_mask(checksum));
  return checksum;
}

WalFrameHeader decode_wal_frame_header(std::span<const uint8_t> f) {
  FL_ASSERT(f.size() >= kFrameHeaderBytes);
  WalFrameHeader h;
  h.page_number = get_u32(f, kFramePageNumberOffset);
  h.db_page_count = get_u32(f, kFrameDbPageCountOffset);
  h.lsn = get_u64(f, kFrameLsnOffset);
  h.commit_seq = get_u64(f, kFrameCommitSeqOffset);
  h.root_page = get_u32(f, kFrameRootPageOffset);
  h.freelist_head = get_u32(f, kFrameFreelistHeadOffset);
  h.generation = get_u64(f, kFrameGenerationOffset);
  h.salt = get_u32(f, kFrameSaltOffset);
  return h;
}

}  // namespace fl::engine
