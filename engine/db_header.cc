// engine/db_header.cc: the two-slot header page (docs/formats/page.md).
#include "engine/db_header.h"

#include <algorithm>
#include <optional>
#include <string>

#include "base/crc32c.h"
#include "engine/internal/le.h"
#include "engine/limits.h"

namespace fl::engine {

using internal::get_u32;
using internal::get_u64;

namespace {

constexpr std::string_view kWhere = "db header";

uint32_t slot_crc_masked(std::span<const uint8_t> slot) {
  return crc32c_mask(crc32c(slot.first(kHeaderCrcOffset)));
}

bool has_magic(std::span<const uint8_t> slot) {
  return std::equal(kHeaderMagic.begin(), kHeaderMagic.end(), slot.begin() + kHeaderMagicOffset);
}

std::string slot_where(size_t slot_index) { return std::string(kWhere) + " slot " + std::to_string(slot_index); }

// Range checks of a slot whose CRC is valid.
Status check_fields(const DbHeader& h, size_t slot_index) {
  const std::string at = slot_where(slot_index);
  if (h.checkpoint_seq % kHeaderSlotCount != slot_index) {
    return Status::corruption(at, "checkpoint_seq: " + std::to_string(h.checkpoint_seq) +
                                      " belongs in slot " + std::to_string(h.checkpoint_seq % kHeaderSlotCount) +
                                      " (a misdirected write)");
  }
  if (h.page_count < 1 || h.page_count > kPageCountMax) {
    return Status::corruption(at, "page_count: " + std::to_string(h.page_count) + " out of range [1, " +
                                      std::to_string(kPageCountMax) + "]");
  }
  if (h.freelist_head >= h.page_count) {
    return Status::corruption(at, "freelist_head: page " + std::to_string(h.freelist_head) +
                                      " is past page_count " + std::to_string(h.page_count));
  }
  if (h.root_page >= h.page_count) {
    return Status::corruption(at, "root_page: page " + std::to_string(h.root_page) + " is past page_count " +
                                      std::to_string(h.page_count));
  }
  return Status::success();
}

}  // namespace

void encode_db_header_slot(const DbHeader& h, std::span<uint8_t> slot) {
  FL_ASSERT(slot.size() == kHeaderSlotBytes);
  std::fill(slot.begin(), slot.end(), uint8_t{0});
  std::copy(kHeaderMagic.begin(), kHeaderMagic.end(), slot.begin() + kHeaderMagicOffset);
  internal::put_u32(slot, kHeaderVersionOffset, kHeaderFormatVersion);
  internal::put_u32(slot, kHeaderPageSizeOffset, kPageSizeBytes);
  internal::put_u64(slot, kHeaderCheckpointSeqOffset, h.checkpoint_seq);
  internal::put_u32(slot, kHeaderPageCountOffset, h.page_count);
  internal::put_u32(slot, kHeaderFreelistHeadOffset, h.freelist_head);
  internal::put_u32(slot, kHeaderRootPageOffset, h.root_page);
  internal::put_u32(slot, kHeaderWalSaltOffset, h.wal_salt);
  internal::put_u64(slot, kHeaderWalGenerationOffset, h.wal_generation);
  internal::put_u64(slot, kHeaderCheckpointLsnOffset, h.checkpoint_lsn);
  internal::put_u64(slot, kHeaderLastCommitSeqOffset, h.last_commit_seq);
  internal::put_u32(slot, kHeaderCrcOffset, slot_crc_masked(slot));
}

std::array<uint8_t, kPageSizeBytes> new_db_header_page(const DbHeader& header) {
  std::array<uint8_t, kPageSizeBytes> page{};
  const size_t index = db_header_slot_index(header);
  encode_db_header_slot(header, std::span<uint8_t>(page).subspan(index * kHeaderSlotBytes, kHeaderSlotBytes));
  return page;
}

Result<DbHeader> decode_db_header_slot(std::span<const uint8_t> slot, size_t slot_index) {
  const std::string at = slot_where(slot_index);
  if (slot.size() != kHeaderSlotBytes) {
    return Status::corruption(at, "size: " + std::to_string(slot.size()) + " bytes, expected 512");
  }
  if (internal::all_zero(slot)) return Status::corruption(at, "all bytes zero (never written)");
  if (!has_magic(slot)) return Status::corruption(at, "magic: not \"refdb-db\" (not a refdb database)");
  const uint32_t stored = get_u32(slot, kHeaderCrcOffset);
  if (stored != slot_crc_masked(slot)) return Status::corruption(at, "crc: mismatch (torn or corrupt header)");
  const uint32_t version = get_u32(slot, kHeaderVersionOffset);
  if (version != kHeaderFormatVersion) {
    return Status::not_supported(at, "version: format version " + std::to_string(version) + ", this build reads 1");
  }
  const uint32_t page_size = get_u32(slot, kHeaderPageSizeOffset);
  if (page_size != kPageSizeBytes) {
    return Status::not_supported(at, "page_size: " + std::to_string(page_size) + " bytes, this build uses 4096");
  }
  if (!internal::all_zero(slot.subspan(kHeaderReservedOffset, kHeaderCrcOffset - kHeaderReservedOffset))) {
    return Status::corruption(at, "reserved: bytes 64..507 are not zero");
  }
  DbHeader h;
  h.checkpoint_seq = get_u64(slot, kHeaderCheckpointSeqOffset);
  h.page_count = get_u32(slot, kHeaderPageCountOffset);
  h.freelist_head = get_u32(slot, kHeaderFreelistHeadOffset);
  h.root_page = get_u32(slot, kHeaderRootPageOffset);
  h.wal_salt = get_u32(slot, kHeaderWalSaltOffset);
  h.wal_generation = get_u64(slot, kHeaderWalGenerationOffset);
  h.checkpoint_lsn = get_u64(slot, kHeaderCheckpointLsnOffset);
  h.last_commit_seq = get_u64(slot, kHeaderLastCommitSeqOffset);
  FL_TRY(check_fields(h, slot_index));
  return h;
}

Result<DbHeader> decode_db_header(std::span<const uint8_t> page0, uint64_t file_size_bytes) {
  if (page0.size() < kPageSizeBytes || file_size_bytes < kPageSizeBytes) {
    return Status::corruption(kWhere, "file is " + std::to_string(std::min<uint64_t>(page0.size(), file_size_bytes)) +
                                          " bytes, shorter than the 4096-byte header page (truncated, or not a "
                                          "refdb database)");
  }
  bool any_magic = false;
  std::optional<DbHeader> best;
  std::string problems;
  for (size_t i = 0; i < kHeaderSlotCount; ++i) {
    auto slot = page0.subspan(i * kHeaderSlotBytes, kHeaderSlotBytes);
    any_magic = any_magic || has_magic(slot);
    Result<DbHeader> decoded = decode_db_header_slot(slot, i);
    if (decoded.ok()) {
      if (!best || decoded->checkpoint_seq > best->checkpoint_seq) best = *decoded;
      continue;
    }
    if (decoded.status().is(Code::kNotSupported)) return decoded.take_status();
    if (!problems.empty()) problems += "; ";
    problems += decoded.status().to_string();
  }
  if (!any_magic) return Status::corruption(kWhere, "magic: neither slot starts with \"refdb-db\" (not a refdb database)");
  if (!best) return Status::corruption(kWhere, "no valid slot: " + problems);
  const uint64_t needed_bytes = uint64_t{best->page_count} * kPageSizeBytes;
  if (file_size_bytes < needed_bytes) {
    return Status::corruption(kWhere, "page_count: " + std::to_string(best->page_count) + " pages need " +
                                          std::to_string(needed_bytes) + " bytes, the file has " +
                                          std::to_string(file_size_bytes) + " (truncated)");
  }
  return *best;
}

Result<DbHeader> read_db_header(faultvfs::File& file) {
  FL_ASSIGN_OR_RETURN(uint64_t size_bytes, file.size());
  std::array<uint8_t, kPageSizeBytes> page{};
  FL_ASSIGN_OR_RETURN(size_t got, file.read(0, page));
  return decode_db_header(std::span<const uint8_t>(page).first(got), size_bytes);
}

Status write_db_header(faultvfs::File& file, const DbHeader& header) {
  std::array<uint8_t, kHeaderSlotBytes> slot{};
  encode_db_header_slot(header, slot);
  const uint64_t offset = db_header_slot_index(header) * kHeaderSlotBytes;
  FL_ASSIGN_OR_RETURN(size_t wrote, file.write(offset, slot));
  if (wrote != slot.size()) {
    return Status::io_error("db header: short write of slot " + std::to_string(db_header_slot_index(header)), EIO);
  }
  return Status::success();
}

}  // namespace fl::engine
