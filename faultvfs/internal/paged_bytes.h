// faultvfs/internal/paged_bytes.h: a byte array in shared, copy-on-write pages.
//
// FaultVfs keeps a file's page cache, its durable bytes not yet copied to the
// backend, and the bytes of every pending write as references to the same
// immutable pages. A write copies its bytes once, into a page nobody else
// holds; a sync shares pages instead of copying them. This is what keeps
// FaultVfs within a small factor of its backend (bench/faultvfs_bench.cc).
//
// [paged.1] A page referenced from more than one place is never modified:
//           write() and resize() copy it first (copy-on-write).
// [paged.2] Bytes past size() in the last page are zero.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "base/assert.h"

namespace fl::faultvfs::internal {

inline constexpr uint64_t kPageBytes = 4096;

struct Page {
  std::array<uint8_t, kPageBytes> bytes;
};
using PageRef = std::shared_ptr<Page>;

// The shared page of zeros (never written: it is always shared).
const PageRef& zero_page();

// Recycles page allocations (page and reference count in one block) through
// a small per-thread free list: a page write costs a copy, not a malloc of
// 4 KiB (measured: bench/faultvfs_bench.cc, overwrite + sync).
//
// The list is trivially destructible, so it can be touched while thread-local
// and static objects are destroyed (a FaultVfs with static storage frees its
// pages then); a guard frees its blocks at thread exit and marks it dead,
// after which blocks go straight back to the heap.
struct PagePoolList {  // one per thread; see page_pool_list()
  static constexpr size_t kBlocksMax = 1024;
  void* blocks[kBlocksMax];
  size_t count;
  bool dead;
};
PagePoolList& page_pool_list();

template <class T>
struct PagePool {
  using value_type = T;
  PagePool() = default;
  template <class U>
  PagePool(const PagePool<U>&) {}  // NOLINT: rebinding
  T* allocate(size_t n) {
    PagePoolList& list = page_pool_list();
    if (n == 1 && !list.dead && list.count > 0) {
      return static_cast<T*>(list.blocks[--list.count]);
    }
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }
  void deallocate(T* block, size_t n) {
    PagePoolList& list = page_pool_list();
    if (n == 1 && !list.dead && list.count < PagePoolList::kBlocksMax) {
      list.blocks[list.count++] = block;
      return;
    }
    ::operator delete(block);
  }
  template <class U>
  bool operator==(const PagePool<U>&) const { return true; }
};

// The only user of PagePool, so every pooled block has one size.
PageRef new_page();

class PagedBytes {
 public:
  uint64_t size() const { return size_; }
  size_t page_count() const { return pages_.size(); }
  const PageRef& page(size_t index) const { return pages_[index]; }

  void read(uint64_t offset, std::span<uint8_t> out) const {
    FL_ASSERT(offset + out.size() <= size_);
    size_t done = 0;
    while (done < out.size()) {
      const uint64_t at = offset + done;
      const uint64_t in_page = at % kPageBytes;
      const size_t n = static_cast<size_t>(std::min<uint64_t>(kPageBytes - in_page, out.size() - done));
      std::memcpy(out.data() + done, pages_[at / kPageBytes]->bytes.data() + in_page, n);
      done += n;
    }
  }
  uint8_t at(uint64_t offset) const {
    FL_ASSERT(offset < size_);
    return pages_[offset / kPageBytes]->bytes[offset % kPageBytes];
  }

  // Writes `data` at offset, growing the array (zeros in any gap).
  void write(uint64_t offset, std::span<const uint8_t> data) {
    if (data.empty()) return;
    if (offset + data.size() > size_) resize(offset + data.size());
    size_t done = 0;
    while (done < data.size()) {
      const uint64_t at = offset + done;
      const uint64_t in_page = at % kPageBytes;
      const size_t n = static_cast<size_t>(std::min<uint64_t>(kPageBytes - in_page, data.size() - done));
      Page& page = writable(at / kPageBytes, /*whole=*/n == kPageBytes);
      std::memcpy(page.bytes.data() + in_page, data.data() + done, n);
      done += n;
    }
  }
  void set(uint64_t offset, uint8_t value) {
    FL_ASSERT(offset < size_);
    writable(offset / kPageBytes, false).bytes[offset % kPageBytes] = value;
  }

  void resize(uint64_t size_bytes) {
    const size_t pages = static_cast<size_t>((size_bytes + kPageBytes - 1) / kPageBytes);
    if (size_bytes < size_ && size_bytes % kPageBytes != 0) {
      // [paged.2]: zero the tail of what becomes the last page.
      const size_t last = static_cast<size_t>(size_bytes / kPageBytes);
      if (pages_[last] != zero_page()) {
        Page& page = writable(last, false);
        std::memset(page.bytes.data() + size_bytes % kPageBytes, 0, kPageBytes - size_bytes % kPageBytes);
      }
    }
    pages_.resize(pages, zero_page());
    size_ = size_bytes;
  }

  void clear() {
    pages_.clear();
    size_ = 0;
  }

 private:
  // [paged.1]: the page at index, private to this array.
  Page& writable(size_t index, bool whole) {
    PageRef& ref = pages_[index];
    if (ref.use_count() > 1 || ref == zero_page()) {
      PageRef fresh = new_page();
      if (!whole) fresh->bytes = ref->bytes;
      ref = std::move(fresh);
    }
    return *ref;
  }

  std::vector<PageRef> pages_;
  uint64_t size_ = 0;
};

}  // namespace fl::faultvfs::internal
