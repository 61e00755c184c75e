// engine/wal_writer.cc: appending to the WAL (docs/formats/wal.md "Writing").
#include "engine/wal_writer.h"

#include <algorithm>
#include <utility>

#include "engine/internal/durable_sync.h"
#include "engine/limits.h"
#include "engine/page.h"
#include "faultvfs/phase.h"

namespace fl::engine {

using faultvfs::Phase;
using faultvfs::PhaseScope;

WalWriter::WalWriter(faultvfs::File& file, const WalHeader& header)
    : file_(&file),
      header_(header),
      chain_(wal_chain_seed(header)),
      next_lsn_(header.start_lsn),
      next_commit_seq_(header.start_commit_seq),
      end_offset_bytes_(kWalHeaderBytes) {}

Result<WalWriter> WalWriter::start(faultvfs::File& file, const WalHeader& header, const PlantedBugs& bugs) {
  if (header.generation == 0 || header.start_lsn == 0 || header.start_commit_seq == 0) {
    return Status::invalid_argument("wal start", "generation, start_lsn and start_commit_seq must be >= 1");
  }
  WalWriter writer(file, header);
  writer.bugs_ = bugs;
  const auto bytes = encode_wal_header(header);
  bool wrote_any = false;
  {
    PhaseScope phase(Phase::kWalAppend);
    FL_TRY(writer.write_fully(0, bytes, wrote_any));
  }
  FL_TRY(writer.sync());
  return writer;
}

Result<WalWriter> WalWriter::resume(faultvfs::File& file, const WalScan& scan, const PlantedBugs& bugs) {
  if (!scan.header || scan.stop == WalStop::kHeaderMismatch) {
    return Status::invalid_argument("wal resume", "the scan found no usable header (" +
                                                      std::string(wal_stop_name(scan.stop)) + "); start a new generation");
  }
  WalWriter writer(file, *scan.header);
  writer.bugs_ = bugs;
  writer.chain_ = scan.chain_checksum;
  writer.next_lsn_ = scan.next_lsn;
  writer.next_commit_seq_ = scan.next_commit_seq;
  writer.end_offset_bytes_ = scan.valid_end_offset_bytes;
  FL_ASSIGN_OR_RETURN(uint64_t size_bytes, file.size());
  if (size_bytes != scan.valid_end_offset_bytes) {
    PhaseScope phase(Phase::kWalAppend);
    FL_TRY(file.truncate(scan.valid_end_offset_bytes));
  }
  FL_TRY(writer.sync());
  return writer;
}

Status WalWriter::check_append(std::span<const WalPage> pages, const WalCommitMeta& meta) const {
  constexpr std::string_view kWhere = "wal append";
  if (pages.empty()) return Status::invalid_argument(kWhere, "a transaction needs at least one page");
  if (pages.size() > kWalTxnPagesMax) return Status::invalid_argument(kWhere, "more than kWalTxnPagesMax pages");
  if (meta.db_page_count == 0 || meta.db_page_count > kPageCountMax) {
    return Status::invalid_argument(kWhere, "db_page_count out of range");
  }
  if (meta.root_page >= meta.db_page_count || meta.freelist_head >= meta.db_page_count) {
    return Status::invalid_argument(kWhere, "root_page or freelist_head past db_page_count");
  }
  for (const WalPage& p : pages) {
    if (p.page_number == kHeaderPageNumber || p.page_number >= meta.db_page_count) {
      return Status::invalid_argument(kWhere, "page " + std::to_string(p.page_number) + " is 0 or past db_page_count");
    }
    FL_ASSERT(p.image.size() == kPageSizeBytes);
    // Invariant: callers log only sealed pages of the number they name ([walw.7]).
    FL_ASSERT(verify_page(p.image, p.page_number).ok());
  }
  return Status::success();
}

Status WalWriter::poison(Status failure) {
  if (poison_.ok()) poison_ = failure;
  return failure;
}

Status WalWriter::write_fully(uint64_t offset, std::span<const uint8_t> bytes, bool& wrote_any) {
  size_t done = 0;
  for (uint32_t attempt = 0; attempt < kWalWriteAttemptsMax && done < bytes.size(); ++attempt) {
    Result<size_t> wrote = file_->write(offset + done, bytes.subspan(done));
    if (!wrote.ok()) return poison(wrote.take_status());
    if (*wrote > 0) wrote_any = true;
    done += std::min(*wrote, bytes.size() - done);
  }
  if (done < bytes.size()) {
    return poison(Status::io_error("wal: short writes at offset " + std::to_string(offset) + " after " +
                                       std::to_string(kWalWriteAttemptsMax) + " attempts",
                                   EIO));
  }
  return Status::success();
}

Result<WalAppended> WalWriter::append(std::span<const WalPage> pages, const WalCommitMeta& meta,
                                      std::vector<faultvfs::Bytes>* sealed_images) {
  last_append_wrote_nothing_ = true;
  if (!poison_.ok()) return Status::poisoned("wal append", "an earlier failure: " + poison_.to_string());
  FL_TRY(check_append(pages, meta));
  PhaseScope phase(Phase::kWalAppend);
  WalAppended out{next_commit_seq_, next_lsn_, 0, end_offset_bytes_, 0};
  faultvfs::Bytes image(kPageSizeBytes);
  faultvfs::Bytes frame(kWalFrameBytes);
  bool wrote_any = false;
  uint32_t chain = chain_;
  uint64_t offset = end_offset_bytes_;
  for (size_t i = 0; i < pages.size(); ++i) {
    const bool last = i + 1 == pages.size();
    const uint64_t lsn = next_lsn_ + i;
    std::copy(pages[i].image.begin(), pages[i].image.end(), image.begin());
    set_page_lsn(image, lsn);
    seal_page(image);
    WalFrameHeader h;
    h.page_number = pages[i].page_number;
    h.lsn = lsn;
    h.generation = header_.generation;
    h.salt = header_.salt;
    if (last) {
      h.db_page_count = meta.db_page_count;
      h.commit_seq = next_commit_seq_;
      h.root_page = meta.root_page;
      h.freelist_head = meta.freelist_head;
    }
    chain = encode_wal_frame(h, image, chain, frame);
    if (sealed_images != nullptr) sealed_images->push_back(image);
    Status wrote = write_fully(offset, frame, wrote_any);
    if (!wrote.ok()) {
      last_append_wrote_nothing_ = !wrote_any;
      return wrote;
    }
    offset += kWalFrameBytes;
  }
  chain_ = chain;
  next_lsn_ += pages.size();
  out.last_lsn = next_lsn_ - 1;
  ++next_commit_seq_;
  end_offset_bytes_ = offset;
  out.end_offset_bytes = offset;
  last_append_wrote_nothing_ = false;
  return out;
}

Status WalWriter::sync() {
  if (!poison_.ok()) return Status::poisoned("wal sync", "an earlier failure: " + poison_.to_string());
  PhaseScope phase(Phase::kWalSync);
  Status synced = internal::sync_file(*file_, bugs_, internal::SyncKind::kData);
  if (!synced.ok()) return poison(std::move(synced));
  return Status::success();
}

}  // namespace fl::engine
