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

}  // namespace fl::faultvfs::internal
