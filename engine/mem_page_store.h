// engine/mem_page_store.h: a PageStore (page_store.h) kept in memory, for
// tests and for building trees without a page file.
//
// [mem.1] read_page() returns exactly the bytes last written; a page never
//         written reads as kPageSizeBytes zeros.
// [mem.2] mutable_page() gives tests the stored bytes to damage in place
//         (flip a byte, plant a bad key); the next read sees the damage.
//
// Thread safety: none (one thread at a time).
#pragma once

#include <cstdint>
#include <map>
#include <span>

#include "engine/page_store.h"

namespace fl::engine {

class MemPageStore final : public PageStore {
 public:
  MemPageStore() = default;
  explicit MemPageStore(const StoreMeta& meta) : meta_(meta) {}

  Result<Bytes> read_page(uint32_t page_number) override;
  Status write_page(uint32_t page_number, std::span<const uint8_t> page) override;
  StoreMeta meta() const override { return meta_; }
  void set_meta(const StoreMeta& meta) override { meta_ = meta; }

  // [mem.2]: the stored image of `page_number`, created as zeros if absent.
  Bytes& mutable_page(uint32_t page_number);
  uint64_t page_writes() const { return page_writes_; }

 private:
  StoreMeta meta_;
  std::map<uint32_t, Bytes> pages_;
  uint64_t page_writes_ = 0;
};

}  // namespace fl::engine
