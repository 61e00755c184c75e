#include "faultvfs/internal/paged_bytes.h"

namespace fl::faultvfs::internal {

const PageRef& zero_page() {
  static const PageRef kZero = [] {
    auto page = std::make_shared<Page>();
    page->bytes.fill(0);
    return page;
  }();
  return kZero;
}

namespace {

// Frees the thread's pooled blocks at thread exit and marks the list dead.
struct PagePoolGuard {
  ~PagePoolGuard() {
    PagePoolList& list = page_pool_list();
    for (size_t i = 0; i < list.count; ++i) ::operator delete(list.blocks[i]);
    list.count = 0;
    list.dead = true;
  }
};

}  // namespace

PagePoolList& page_pool_list() {
  static thread_local constinit PagePoolList list{};  // trivially destructible: usable at any time
  static thread_local PagePoolGuard guard;
  static_cast<void>(&guard);
  return list;
}

PageRef new_page() { return std::allocate_shared_for_overwrite<Page>(PagePool<Page>()); }

}  // namespace fl::faultvfs::internal
