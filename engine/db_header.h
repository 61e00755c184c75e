// engine/db_header.h: the header page (page 0) of a refdb page file: what the
// last completed checkpoint recorded. Format: docs/formats/page.md "Header
// page"; constants: engine/page_format.h.
//
// Page 0 holds two slots of 512 bytes, each a complete header with its own
// CRC. Checkpoint sequence s is written to slot s % 2 only, so a torn header
// write damages at most the slot being written and the previous checkpoint's
// slot still describes a consistent database.
//
// [hdr.1] decode_db_header() of a page whose valid slots include the one
//         encode_db_header_slot() wrote for the highest checkpoint_seq returns
//         exactly that DbHeader.
// [hdr.2] A slot is valid when its magic, CRC, version, page size, slot parity
//         (checkpoint_seq % 2 == slot index), field ranges (1 <= page_count <=
//         kPageCountMax, freelist_head and root_page < page_count) and reserved
//         bytes all check. The valid slot with the higher checkpoint_seq wins.
// [hdr.3] Never asserts on the bytes: a file shorter than one page, with no
//         magic in either slot ("not a refdb database"), with no valid slot,
//         or shorter than page_count pages gives kCorruption naming the field;
//         a valid slot with another format version or page size gives
//         kNotSupported.
// [hdr.4] write_db_header() writes exactly the 512 bytes of slot
//         checkpoint_seq % 2 and does not sync (the checkpoint orders its syncs).
//
// Thread safety: plain functions over caller-owned buffers and Files.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "base/status.h"
#include "engine/page_format.h"
#include "faultvfs/vfs.h"

namespace fl::engine {

struct DbHeader {
  uint64_t checkpoint_seq = 0;   // 0 for a new database; +1 per completed checkpoint
  uint32_t page_count = 1;       // pages in the database, page 0 included
  uint32_t freelist_head = 0;    // 0 = empty freelist
  uint32_t root_page = 0;        // 0 = empty tree
  uint32_t wal_salt = 0;         // the WAL generation recovery must find after this checkpoint
  uint64_t wal_generation = 0;
  uint64_t checkpoint_lsn = 0;   // last LSN whose page image is in the page file (0 = none)
  uint64_t last_commit_seq = 0;  // last commit sequence whose effects are in the page file
  friend bool operator==(const DbHeader&, const DbHeader&) = default;
};

// Encodes `header` into one 512-byte slot (the slot index is checkpoint_seq % 2).
void encode_db_header_slot(const DbHeader& header, std::span<uint8_t> slot);
// The slot `header` belongs to.
constexpr size_t db_header_slot_index(const DbHeader& header) { return header.checkpoint_seq % kHeaderSlotCount; }
// A whole page 0 for a new database: `header`'s slot filled, the other zero.
std::array<uint8_t, kPageSizeBytes> new_db_header_page(const DbHeader& header);

// Decodes one slot read from disk ([hdr.2]); `slot_index` is where it was read.
Result<DbHeader> decode_db_header_slot(std::span<const uint8_t> slot, size_t slot_index);
// Picks the newest valid slot of page 0 ([hdr.2], [hdr.3]). `file_size_bytes`
// is the page file's size, checked against page_count.
Result<DbHeader> decode_db_header(std::span<const uint8_t> page0, uint64_t file_size_bytes);

// Reads page 0 from `file` and decodes it; I/O errors pass through.
Result<DbHeader> read_db_header(faultvfs::File& file);
// [hdr.4]: writes `header`'s slot of page 0.
Status write_db_header(faultvfs::File& file, const DbHeader& header);

}  // namespace fl::engine
