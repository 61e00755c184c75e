// engine/page_store.cc: verified reads and the default freelist allocation.
#include "engine/page_store.h"

#include <string>

#include "engine/freelist.h"
#include "engine/page.h"

namespace fl::engine {

namespace {

Result<Bytes> read_checked(PageStore& store, uint32_t page_number) {
  const uint32_t page_count = store.meta().page_count;
  if (page_number == kHeaderPageNumber || page_number >= page_count) {  // [store.2]
    return Status::corruption("page " + std::to_string(page_number),
                              "page number outside [1, page_count " + std::to_string(page_count) + ")");
  }
  FL_ASSIGN_OR_RETURN(Bytes page, store.read_page(page_number));
  if (!store.reads_verified()) FL_TRY(verify_page(page, page_number));
  return page;
}

std::string type_mismatch(PageType found) {
  return std::string("type: ") + std::string(page_type_name(found)) + ", expected ";
}

}  // namespace

Result<Bytes> read_verified_page(PageStore& store, uint32_t page_number, PageType expected_type) {
  FL_ASSIGN_OR_RETURN(Bytes page, read_checked(store, page_number));
  const PageType found = read_page_header(page).type;
  if (found != expected_type) {
    return Status::corruption("page " + std::to_string(page_number),
                              type_mismatch(found) + std::string(page_type_name(expected_type)));
  }
  return page;
}

Result<Bytes> read_verified_node_page(PageStore& store, uint32_t page_number) {
  FL_ASSIGN_OR_RETURN(Bytes page, read_checked(store, page_number));
  const PageType found = read_page_header(page).type;
  if (found != PageType::kBtreeLeaf && found != PageType::kBtreeInternal) {
    return Status::corruption("page " + std::to_string(page_number), type_mismatch(found) + "a btree node");
  }
  return page;
}

Result<uint32_t> PageStore::allocate_page() { return freelist_allocate(*this); }

Status PageStore::free_page(uint32_t page_number) { return freelist_free(*this, page_number); }

}  // namespace fl::engine
