// engine/wal_reader.cc: the recovery scan (docs/formats/wal.md "Recovery").
#include "engine/wal_reader.h"

#include <algorithm>
#include <array>
#include <utility>

#include "engine/limits.h"
#include "engine/page.h"
#include "faultvfs/phase.h"

namespace fl::engine {

namespace {

using faultvfs::Bytes;

struct Rejection {
  WalStop stop;
  std::string detail;
};

std::string frame_where(uint64_t index, uint64_t offset) {
  return "frame " + std::to_string(index) + " at offset " + std::to_string(offset);
}

// Running state of one scan.
struct Cursor {
  WalHeader header;
  uint32_t chain = 0;
  uint64_t expected_lsn = 0;
  uint64_t expected_commit_seq = 0;
  std::vector<WalFrameInfo> pending;  // frames since the last commit
  std::vector<Bytes> pending_pages;
  bool verify_checksums = true;  // WalScanOptions::verify_checksums
};

// Checks of a frame whose chain checksum is valid: fields and the page inside.
std::optional<Rejection> check_fields(const Cursor& c, const WalFrameHeader& h, std::span<const uint8_t> page,
                                      const std::string& at) {
  if (h.page_number == kHeaderPageNumber || h.page_number >= kPageCountMax) {
    return Rejection{WalStop::kBadFrame, at + ": page_number " + std::to_string(h.page_number) + " out of range"};
  }
  if (h.lsn != c.expected_lsn) {
    return Rejection{WalStop::kSequenceBreak,
                     at + ": lsn " + std::to_string(h.lsn) + ", expected " + std::to_string(c.expected_lsn)};
  }
  if (!h.is_commit() && (h.commit_seq != 0 || h.root_page != 0 || h.freelist_head != 0)) {
    return Rejection{WalStop::kBadFrame, at + ": commit marker: commit fields set on a non-commit frame"};
  }
  if (h.is_commit()) {
    if (h.commit_seq != c.expected_commit_seq) {
      return Rejection{WalStop::kSequenceBreak, at + ": commit_seq " + std::to_string(h.commit_seq) +
                                                    ", expected " + std::to_string(c.expected_commit_seq)};
    }
    if (h.db_page_count > kPageCountMax || h.root_page >= h.db_page_count || h.freelist_head >= h.db_page_count ||
        h.page_number >= h.db_page_count) {
      return Rejection{WalStop::kBadFrame, at + ": commit marker: db_page_count " + std::to_string(h.db_page_count) +
                                               " does not cover the page, root_page or freelist_head"};
    }
    for (const WalFrameInfo& f : c.pending) {
      if (f.header.page_number >= h.db_page_count) {
        return Rejection{WalStop::kBadFrame, at + ": commit marker: db_page_count " +
                                                 std::to_string(h.db_page_count) + " excludes page " +
                                                 std::to_string(f.header.page_number) + " of its transaction"};
      }
    }
  }
  if (!c.verify_checksums) return std::nullopt;
  Status page_ok = verify_page(page, h.page_number);
  if (!page_ok.ok()) return Rejection{WalStop::kBadFrame, at + ": page image: " + page_ok.to_string()};
  if (read_page_header(page).lsn != h.lsn) {
    return Rejection{WalStop::kBadFrame, at + ": page image: page lsn " + std::to_string(read_page_header(page).lsn) +
                                             " differs from the frame lsn " + std::to_string(h.lsn)};
  }
  return std::nullopt;
}

// Validates frame `index` against the cursor ([walr.2]).
std::optional<Rejection> check_frame(const Cursor& c, std::span<const uint8_t> frame, uint64_t index,
                                     uint64_t offset) {
  const std::string at = frame_where(index, offset);
  const WalFrameHeader h = decode_wal_frame_header(frame);
  if (h.generation != c.header.generation || h.salt != c.header.salt) {
    return Rejection{WalStop::kSaltMismatch, at + ": generation " + std::to_string(h.generation) + " salt " +
                                                 std::to_string(h.salt) + ", the header has generation " +
                                                 std::to_string(c.header.generation) + " salt " +
                                                 std::to_string(c.header.salt) + " (a stale frame)"};
  }
  if (c.verify_checksums && stored_wal_frame_checksum(frame) != wal_frame_checksum(c.chain, frame)) {
    return Rejection{WalStop::kChecksumMismatch, at + ": checksum chain broken (torn, corrupt, or after a gap)"};
  }
  return check_fields(c, h, frame.subspan(kFrameHeaderBytes), at);
}

// Reads and checks the header; returns false when the scan ends there.
Result<bool> scan_header(faultvfs::File& wal, const WalScanOptions& options, WalScan& scan, Cursor& cursor) {
  std::array<uint8_t, kWalHeaderBytes> bytes{};
  FL_ASSIGN_OR_RETURN(size_t got, wal.read(0, bytes));
  if (scan.file_size_bytes < kWalHeaderBytes || got < kWalHeaderBytes) {
    scan.stop = WalStop::kNoHeader;
    scan.detail = "wal header: file is " + std::to_string(scan.file_size_bytes) + " bytes, the header needs 48";
    scan.stop_offset_bytes = 0;
    return false;
  }
  Result<WalHeader> header = decode_wal_header(std::span<const uint8_t>(bytes).first(got));
  if (!header.ok()) {
    if (header.status().is(Code::kNotSupported)) return header.take_status();
    scan.stop = WalStop::kBadHeader;
    scan.detail = header.status().to_string();
    return false;
  }
  scan.header = *header;
  const bool generation_ok = !options.expected_generation || *options.expected_generation == header->generation;
  const bool salt_ok = !options.expected_salt || *options.expected_salt == header->salt;
  if (!generation_ok || !salt_ok) {
    scan.stop = WalStop::kHeaderMismatch;
    scan.detail = "wal header: generation " + std::to_string(header->generation) + " salt " +
                  std::to_string(header->salt) + " is not the expected generation " +
                  std::to_string(options.expected_generation.value_or(header->generation)) + " salt " +
                  std::to_string(options.expected_salt.value_or(header->salt));
    return false;
  }
  cursor.header = *header;
  cursor.chain = wal_chain_seed(*header);
  cursor.expected_lsn = header->start_lsn;
  cursor.expected_commit_seq = header->start_commit_seq;
  scan.valid_end_offset_bytes = kWalHeaderBytes;
  scan.chain_checksum = cursor.chain;
  scan.next_lsn = cursor.expected_lsn;
  scan.next_commit_seq = cursor.expected_commit_seq;
  return true;
}

// Moves the pending transaction into the scan after its commit frame.
void commit_pending(Cursor& c, WalScan& scan, uint64_t end_offset) {
  for (WalFrameInfo& f : c.pending) scan.frames.push_back(f);
  for (Bytes& p : c.pending_pages) scan.pages.push_back(std::move(p));
  c.pending.clear();
  c.pending_pages.clear();
  ++c.expected_commit_seq;
  ++scan.commit_count;
  scan.valid_end_offset_bytes = end_offset;
  scan.chain_checksum = c.chain;
  scan.next_lsn = c.expected_lsn;
  scan.next_commit_seq = c.expected_commit_seq;
}

}  // namespace

std::string_view wal_stop_name(WalStop stop) {
  switch (stop) {
    case WalStop::kEndOfLog: return "end-of-log";
    case WalStop::kTornFrame: return "torn-frame";
    case WalStop::kSaltMismatch: return "salt-mismatch";
    case WalStop::kChecksumMismatch: return "checksum-mismatch";
    case WalStop::kSequenceBreak: return "sequence-break";
    case WalStop::kBadFrame: return "bad-frame";
    case WalStop::kFrameLimit: return "frame-limit";
    case WalStop::kNoHeader: return "no-header";
    case WalStop::kBadHeader: return "bad-header";
    case WalStop::kHeaderMismatch: return "header-mismatch";
  }
  return "unknown";
}

std::string WalScan::describe() const {
  return std::to_string(frames.size()) + " frames, " + std::to_string(commit_count) + " commits, " +
         std::to_string(uncommitted_frames) + " uncommitted frames ignored; stopped: " +
         std::string(wal_stop_name(stop)) + " at " + std::to_string(stop_offset_bytes) +
         (detail.empty() ? "" : ": " + detail);
}

Result<WalScan> scan_wal(faultvfs::File& wal, const WalScanOptions& options) {
  faultvfs::PhaseScope phase(faultvfs::Phase::kRecovery);
  WalScan scan;
  FL_ASSIGN_OR_RETURN(scan.file_size_bytes, wal.size());
  Cursor c;
  c.verify_checksums = options.verify_checksums;
  FL_ASSIGN_OR_RETURN(bool go_on, scan_header(wal, options, scan, c));
  if (!go_on) return scan;
  Bytes frame(kWalFrameBytes);
  uint64_t offset = kWalHeaderBytes;
  for (uint64_t index = 0;; ++index) {  // bounded by kWalFrameCountMax and by the file size
    scan.stop_offset_bytes = offset;
    if (index >= kWalFrameCountMax) {
      scan.stop = WalStop::kFrameLimit;
      scan.detail = "examined kWalFrameCountMax frames";
      break;
    }
    const uint64_t remaining_bytes = scan.file_size_bytes > offset ? scan.file_size_bytes - offset : 0;
    if (remaining_bytes == 0) {
      scan.stop = WalStop::kEndOfLog;
      break;
    }
    size_t got = 0;
    if (remaining_bytes >= kWalFrameBytes) {
      FL_ASSIGN_OR_RETURN(got, wal.read(offset, frame));
    }
    if (got < kWalFrameBytes) {
      scan.stop = WalStop::kTornFrame;
      scan.detail = frame_where(index, offset) + ": " + std::to_string(std::min<uint64_t>(remaining_bytes, kWalFrameBytes)) +
                    " of " + std::to_string(kWalFrameBytes) + " bytes present";
      break;
    }
    if (auto rejected = check_frame(c, frame, index, offset)) {
      scan.stop = rejected->stop;
      scan.detail = std::move(rejected->detail);
      break;
    }
    const WalFrameHeader h = decode_wal_frame_header(frame);
    c.chain = stored_wal_frame_checksum(frame);
    ++c.expected_lsn;
    c.pending.push_back(WalFrameInfo{h, offset});
    if (options.keep_pages) c.pending_pages.emplace_back(frame.begin() + kFrameHeaderBytes, frame.end());
    offset += kWalFrameBytes;
    if (h.is_commit()) commit_pending(c, scan, offset);
  }
  scan.uncommitted_frames = c.pending.size();
  return scan;
}

Result<Bytes> read_wal_page(faultvfs::File& wal, const WalFrameInfo& frame, bool verify_checksums) {
  Bytes page(kPageSizeBytes);
  FL_ASSIGN_OR_RETURN(size_t got, wal.read(frame.offset_bytes + kFrameHeaderBytes, page));
  const std::string at = "wal frame lsn " + std::to_string(frame.header.lsn) + " at offset " + std::to_string(frame.offset_bytes);
  if (got != kPageSizeBytes) return Status::corruption(at, "page image: truncated (" + std::to_string(got) + " bytes)");
  if (!verify_checksums) return page;
  Status ok = verify_page(page, frame.header.page_number);
  if (!ok.ok()) return Status::corruption(at, "page image: " + ok.to_string());
  if (read_page_header(page).lsn != frame.header.lsn) {
    return Status::corruption(at, "page image: page lsn differs from the frame lsn");
  }
  return page;
}

}  // namespace fl::engine
