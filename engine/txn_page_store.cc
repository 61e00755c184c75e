// engine/txn_page_store.cc: snapshot reads over WAL + page file, buffered writes.
#include "engine/txn_page_store.h"

#include <memory>
#include <string>
#include <vector>

#include "engine/limits.h"
#include "engine/page.h"
#include "engine/wal_format.h"
#include "engine/wal_reader.h"

namespace fl::engine {

namespace {

StoreMeta snapshot_meta(const WalIndex& index, const DbHeader& db_header, uint64_t snapshot_commit_seq) {
  if (auto meta = index.commit_meta(snapshot_commit_seq)) {
    return StoreMeta{meta->db_page_count, meta->freelist_head, meta->root_page};
  }
  return StoreMeta{db_header.page_count, db_header.freelist_head, db_header.root_page};
}

std::string where(uint32_t page_number) { return "page " + std::to_string(page_number); }

}  // namespace

TxnPageStore::TxnPageStore(faultvfs::File& page_file, faultvfs::File& wal, WalIndex& index, const DbHeader& db_header,
                           uint64_t snapshot_commit_seq, const PlantedBugs& bugs)
    : page_file_(&page_file),
      wal_(&wal),
      index_(&index),
      snapshot_commit_seq_(snapshot_commit_seq),
      base_meta_(snapshot_meta(index, db_header, snapshot_commit_seq)),
      meta_(base_meta_),
      bugs_(bugs) {
  FL_ASSERT(base_meta_.page_count >= 1);
}

Result<Bytes> TxnPageStore::read_page(uint32_t page_number) {
  if (page_number == kHeaderPageNumber || page_number >= meta_.page_count) {  // [store.2]
    return Status::corruption(where(page_number), "page number outside [1, page_count " +
                                                      std::to_string(meta_.page_count) + ")");
  }
  if (auto own = dirty_.find(page_number); own != dirty_.end()) return own->second;
  if (const WalIndexEntry* entry = index_->find_entry(page_number, snapshot_commit_seq_)) {
    if (entry->image) return *entry->image;  // [txn.6]
    const auto frame = index_->find_frame(page_number, snapshot_commit_seq_);
    Result<Bytes> page = read_wal_page(*wal_, *frame, !FL_PLANTED_BUG(bugs_, "no-checksum"));
    if (!page.ok() && page.status().is(Code::kCorruption)) {
      return Status::corruption(where(page_number), page.status().to_string());
    }
    return page;
  }
  return read_page_file(page_number);
}

Result<Bytes> TxnPageStore::read_page_file(uint32_t page_number) {
  Bytes page(kPageSizeBytes);
  const uint64_t offset = uint64_t{page_number} * kPageSizeBytes;
  FL_ASSIGN_OR_RETURN(size_t got, page_file_->read(offset, page));
  if (got != kPageSizeBytes) {
    return Status::corruption(where(page_number), "page file holds " + std::to_string(got) + " of its " +
                                                      std::to_string(kPageSizeBytes) + " bytes at offset " +
                                                      std::to_string(offset));
  }
  if (FL_PLANTED_BUG(bugs_, "no-checksum")) return page;  // a torn or rotten page passes as good
  FL_TRY(verify_page(page, page_number));  // [page.2]: kCorruption naming the page
  return page;
}

Status TxnPageStore::write_page(uint32_t page_number, std::span<const uint8_t> page) {
  FL_ASSERT(!committed_);  // [txn.5]
  FL_ASSERT(page.size() == kPageSizeBytes);
  FL_ASSERT(page_number != kHeaderPageNumber);  // [store.2]
  FL_ASSERT(page_number < meta_.page_count);
  if (FL_PLANTED_BUG(bugs_, "nonatomic-freelist") &&
      read_page_header(page).type == PageType::kFreelist) {
    // The freelist is updated in place, outside the WAL: it changes for
    // every snapshot at once and survives a crash whether or not this
    // transaction commits. commit() leaves such pages out of the log.
    FL_ASSIGN_OR_RETURN(size_t wrote, page_file_->write(uint64_t{page_number} * kPageSizeBytes, page));
    (void)wrote;
    in_place_.insert(page_number);
  } else {
    in_place_.erase(page_number);
  }
  auto own = dirty_.find(page_number);
  if (own == dirty_.end()) {
    if (dirty_.size() >= kWalTxnPagesMax) {  // [txn.2]
      return Status::invalid_argument(where(page_number), "transaction already holds kWalTxnPagesMax (" +
                                                              std::to_string(kWalTxnPagesMax) + ") dirty pages");
    }
    dirty_.emplace(page_number, Bytes(page.begin(), page.end()));
  } else {
    own->second.assign(page.begin(), page.end());
  }
  return Status::success();
}

void TxnPageStore::set_meta(const StoreMeta& meta) {
  FL_ASSERT(!committed_);  // [txn.5]
  FL_ASSERT(meta.page_count >= 1);
  meta_ = meta;
}

Result<WalAppended> TxnPageStore::commit(WalWriter& writer) {
  FL_ASSERT(!committed_);  // [txn.5]
  for (uint32_t number : in_place_) dirty_.erase(number);  // `nonatomic-freelist`: already "written"
  if (dirty_.empty()) {
    if (meta_ == base_meta_) {  // [txn.4]: read-only
      committed_ = true;
      return WalAppended{};
    }
    return Status::invalid_argument("commit", "meta changed without any dirty page");
  }
  if (!index_->has_room_for(dirty_.size())) {  // [widx.4]: refuse before writing anything
    return Status::busy("commit", "wal index full (kWalFrameCountMax frames): checkpoint needed");
  }
  std::vector<WalPage> pages;
  std::vector<uint32_t> page_numbers;
  pages.reserve(dirty_.size());
  page_numbers.reserve(dirty_.size());
  for (const auto& [number, image] : dirty_) {
    pages.push_back(WalPage{number, image});
    page_numbers.push_back(number);
  }
  const WalCommitMeta meta{meta_.page_count, meta_.root_page, meta_.freelist_head};
  if (FL_PLANTED_BUG(bugs_, "index-before-commit")) {
    // Publishes the commit to readers first; a failed append below leaves it
    // visible (a phantom) until the process restarts.
    std::vector<std::shared_ptr<const Bytes>> images;
    uint64_t lsn = writer.next_lsn();
    for (const WalPage& page : pages) {
      Bytes image(page.image.begin(), page.image.end());
      set_page_lsn(image, lsn++);
      seal_page(image);
      images.push_back(std::make_shared<const Bytes>(std::move(image)));
    }
    const uint64_t first_offset = writer.end_offset_bytes();
    const WalAppended planned{writer.next_commit_seq(), writer.next_lsn(), writer.next_lsn() + pages.size() - 1,
                              first_offset, first_offset + pages.size() * kWalFrameBytes};
    FL_TRY(index_->add_commit(page_numbers, planned, meta, images));
    FL_ASSIGN_OR_RETURN(WalAppended appended, writer.append(pages, meta));
    dirty_.clear();
    committed_ = true;
    return appended;
  }
  std::vector<Bytes> sealed;  // [txn.6]: the images as logged
  sealed.reserve(pages.size());
  FL_ASSIGN_OR_RETURN(WalAppended appended, writer.append(pages, meta, &sealed));  // [txn.4]: Status passed through
  FL_ASSERT(appended.commit_seq > index_->last_commit_seq());
  std::vector<std::shared_ptr<const Bytes>> images;
  images.reserve(sealed.size());
  for (Bytes& image : sealed) images.push_back(std::make_shared<const Bytes>(std::move(image)));
  FL_TRY(index_->add_commit(page_numbers, appended, meta, images));
  dirty_.clear();
  committed_ = true;
  return appended;
}

}  // namespace fl::engine
