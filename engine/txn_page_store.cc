// engine/txn_page_store.cc: snapshot reads over WAL + page file, buffered writes.
#include "engine/txn_page_store.h"

#include <string>
#include <vector>

#include "engine/limits.h"
#include "engine/page.h"
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
                           uint64_t snapshot_commit_seq)
    : page_file_(&page_file),
      wal_(&wal),
      index_(&index),
      snapshot_commit_seq_(snapshot_commit_seq),
      base_meta_(snapshot_meta(index, db_header, snapshot_commit_seq)),
      meta_(base_meta_) {
  FL_ASSERT(base_meta_.page_count >= 1);
}

Result<Bytes> TxnPageStore::read_page(uint32_t page_number) {
  if (page_number == kHeaderPageNumber || page_number >= meta_.page_count) {  // [store.2]
    return Status::corruption(where(page_number), "page number outside [1, page_count " +
                                                      std::to_string(meta_.page_count) + ")");
  }
  if (auto own = dirty_.find(page_number); own != dirty_.end()) return own->second;
  if (auto frame = index_->find_frame(page_number, snapshot_commit_seq_)) {
    Result<Bytes> page = read_wal_page(*wal_, *frame);
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
  FL_TRY(verify_page(page, page_number));  // [page.2]: kCorruption naming the page
  return page;
}

Status TxnPageStore::write_page(uint32_t page_number, std::span<const uint8_t> page) {
  FL_ASSERT(!committed_);  // [txn.5]
  FL_ASSERT(page.size() == kPageSizeBytes);
  FL_ASSERT(page_number != kHeaderPageNumber);  // [store.2]
  FL_ASSERT(page_number < meta_.page_count);
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
  FL_ASSIGN_OR_RETURN(WalAppended appended, writer.append(pages, meta));  // [txn.4]: Status passed through
  FL_ASSERT(appended.commit_seq > index_->last_commit_seq());
  FL_TRY(index_->add_commit(page_numbers, appended, meta));
  committed_ = true;
  return appended;
}

}  // namespace fl::engine
