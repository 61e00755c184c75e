// engine/wal_reader.h: the recovery scan of a WAL file. Format:
// docs/formats/wal.md.
//
// [walr.1] scan_wal() returns the frames of every transaction up to and
//          including the LAST VALID COMMIT FRAME, in log order, and nothing
//          after it: valid frames of a transaction without a commit frame are
//          counted in uncommitted_frames but not returned.
// [walr.2] The scan stops at the first frame that is incomplete (kTornFrame),
//          carries another generation or salt than the header (kSaltMismatch:
//          a stale frame of an older generation), breaks the checksum chain
//          (kChecksumMismatch: torn, corrupt, or after a gap), is checksummed
//          but does not follow in LSN/commit_seq (kSequenceBreak), or is
//          checksummed but holds an invalid field or page image (kBadFrame);
//          or at the end of the file on a frame boundary (kEndOfLog), or after
//          kWalFrameCountMax frames (kFrameLimit). stop, detail and
//          stop_offset_bytes say which and where, for diagnostics.
// [walr.3] The WAL header is checked first. A file shorter than the header
//          (kNoHeader) or a header with bad magic or CRC (kBadHeader: torn by
//          a crash, or not a WAL) gives an ok scan with no frames, as SQLite
//          treats an invalid WAL header: WalWriter syncs the header before the
//          first frame, so no acknowledged commit can sit behind it. A header
//          whose generation or salt differs from options.expected_* gives
//          kHeaderMismatch and no frames. A valid header of another version or
//          page size is the error kNotSupported.
// [walr.4] Never asserts on the file's bytes and never allocates more than the
//          file holds; the only errors are I/O errors, passed through, and
//          [walr.3]'s kNotSupported.
// [walr.5] valid_end_offset_bytes, chain_checksum, next_lsn and
//          next_commit_seq describe the log after the last commit, which is
//          where WalWriter::resume() continues.
//
// The scan runs inside PhaseScope(Phase::kRecovery). The caller owns the File.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/wal_frame.h"
#include "faultvfs/vfs.h"

namespace fl::engine {

enum class WalStop : uint8_t {
  kEndOfLog,
  kTornFrame,
  kSaltMismatch,
  kChecksumMismatch,
  kSequenceBreak,
  kBadFrame,
  kFrameLimit,
  kNoHeader,
  kBadHeader,
  kHeaderMismatch,
};
std::string_view wal_stop_name(WalStop stop);

struct WalFrameInfo {
  WalFrameHeader header;
  uint64_t offset_bytes = 0;  // where the frame starts in the file
};

struct WalScanOptions {
  std::optional<uint64_t> expected_generation;  // from the DbHeader, when known
  std::optional<uint32_t> expected_salt;
  bool keep_pages = false;  // also return the page images (WalScan::pages)
  // false skips the chain checksum and the page checks, accepting torn and
  // corrupt frames: only the `no-checksum` planted bug sets it.
  bool verify_checksums = true;
};

struct WalScan {
  std::optional<WalHeader> header;   // absent for kNoHeader and kBadHeader
  std::vector<WalFrameInfo> frames;  // committed frames only ([walr.1])
  std::vector<faultvfs::Bytes> pages;  // parallel to frames when keep_pages
  uint64_t commit_count = 0;
  uint64_t uncommitted_frames = 0;   // valid frames after the last commit, ignored
  WalStop stop = WalStop::kEndOfLog;
  std::string detail;                // human-readable reason for `stop`
  uint64_t stop_offset_bytes = 0;    // the rejected frame's offset, or the file size
  uint64_t file_size_bytes = 0;
  // [walr.5]: the log right after the last commit (after the header if none).
  uint64_t valid_end_offset_bytes = 0;
  uint32_t chain_checksum = 0;
  uint64_t next_lsn = 0;
  uint64_t next_commit_seq = 0;

  // "12 frames, 3 commits; stopped: checksum-mismatch at 12476: ..."
  std::string describe() const;
};

Result<WalScan> scan_wal(faultvfs::File& wal, const WalScanOptions& options = {});

// Reads the page image of one frame a scan returned and checks it again
// (page CRC, page number, page LSN == frame LSN): for readers that look pages
// up in the WAL after recovery. Corruption names the frame's offset.
// verify_checksums = false skips the checks (the `no-checksum` planted bug).
Result<faultvfs::Bytes> read_wal_page(faultvfs::File& wal, const WalFrameInfo& frame, bool verify_checksums = true);

}  // namespace fl::engine
