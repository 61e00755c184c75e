// engine/mem_page_store.cc: the in-memory PageStore.
#include "engine/mem_page_store.h"

namespace fl::engine {

Result<Bytes> MemPageStore::read_page(uint32_t page_number) {
  auto it = pages_.find(page_number);
  if (it == pages_.end()) return Bytes(kPageSizeBytes, 0);  // [mem.1]: a hole reads as zeros
  return it->second;
}

Status MemPageStore::write_page(uint32_t page_number, std::span<const uint8_t> page) {
  FL_ASSERT(page.size() == kPageSizeBytes);
  FL_ASSERT(page_number != kHeaderPageNumber);  // [store.2]
  FL_ASSERT(page_number < meta_.page_count);
  pages_[page_number].assign(page.begin(), page.end());
  ++page_writes_;
  return Status::success();
}

Bytes& MemPageStore::mutable_page(uint32_t page_number) {
  Bytes& page = pages_[page_number];
  if (page.size() != kPageSizeBytes) page.assign(kPageSizeBytes, 0);
  return page;
}

}  // namespace fl::engine
