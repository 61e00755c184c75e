// engine/wal_frame.h: encoding of the WAL header and WAL frames, shared by
// WalWriter and the WAL scan. Format: docs/formats/wal.md; constants:
// engine/wal_format.h.
//
// [frame.1] decode_wal_header(encode_wal_header(h)) == h for every h with
//           generation, start_lsn and start_commit_seq >= 1.
// [frame.2] decode_wal_header() never asserts on its bytes: a short buffer,
//           wrong magic, CRC mismatch or a zero generation/LSN/commit_seq is
//           kCorruption; a valid header of another version or page size is
//           kNotSupported.
// [frame.3] The chain: frame i's checksum is CRC32C(LE32(c[i-1]) || frame
//           header bytes [0, 44) || page image), c[-1] = wal_chain_seed(header),
//           stored masked. Changing any covered byte, or any earlier frame,
//           changes it.
// [frame.4] decode_wal_frame_header() returns the fields as stored, without
//           validation; the scan validates (wal_reader.h).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "base/status.h"
#include "engine/wal_format.h"

namespace fl::engine {

struct WalHeader {
  uint64_t generation = 1;        // >= 1; strictly increasing across resets
  uint64_t start_lsn = 1;         // LSN of frame 0, >= 1
  uint64_t start_commit_seq = 1;  // commit_seq of the first commit frame, >= 1
  uint32_t salt = 0;
  friend bool operator==(const WalHeader&, const WalHeader&) = default;
};

std::array<uint8_t, kWalHeaderBytes> encode_wal_header(const WalHeader& header);
Result<WalHeader> decode_wal_header(std::span<const uint8_t> bytes);
// c[-1] of [frame.3]: the unmasked CRC32C of header bytes [0, 44).
uint32_t wal_chain_seed(const WalHeader& header);

struct WalFrameHeader {
  uint32_t page_number = 0;
  uint32_t db_page_count = 0;  // the commit marker: nonzero only on a commit frame
  uint64_t lsn = 0;
  uint64_t commit_seq = 0;
  uint32_t root_page = 0;
  uint32_t freelist_head = 0;
  uint64_t generation = 0;
  uint32_t salt = 0;
  bool is_commit() const { return db_page_count != 0; }
  friend bool operator==(const WalFrameHeader&, const WalFrameHeader&) = default;
};

// Writes header and `page` (kPageSizeBytes) into `out` (kWalFrameBytes),
// chained to `prev_checksum`; returns this frame's unmasked checksum.
uint32_t encode_wal_frame(const WalFrameHeader& header, std::span<const uint8_t> page, uint32_t prev_checksum,
                          std::span<uint8_t> out);
WalFrameHeader decode_wal_frame_header(std::span<const uint8_t> frame);
// The unmasked checksum `frame` (kWalFrameBytes) should carry after `prev_checksum`.
uint32_t wal_frame_checksum(uint32_t prev_checksum, std::span<const uint8_t> frame);
// The checksum as stored in `frame`, unmasked.
uint32_t stored_wal_frame_checksum(std::span<const uint8_t> frame);

}  // namespace fl::engine
