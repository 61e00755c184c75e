// engine/btree_check.cc: check_tree(), the B+tree and page-accounting fsck.
#include <optional>
#include <string>
#include <vector>

#include "engine/btree.h"
#include "engine/freelist.h"
#include "engine/limits.h"

namespace fl::engine {

namespace {

class TreeChecker {
 public:
  explicit TreeChecker(PageStore& store)
      : store_(store), page_count_(store.meta().page_count), what_(page_count_) {}

  // Records that `page` is used as `what` ("child 2 of btree page 7").
  Status claim(uint32_t page, std::string what) {
    const std::string at = "page " + std::to_string(page);
    if (page == 0 && what != "system page") return Status::corruption(at, what + " points at the header page");
    if (page >= page_count_) return Status::corruption(at, what + ": outside page_count " + std::to_string(page_count_));
    if (!what_[page].empty()) {
      return Status::corruption(at, "used twice: as " + what_[page] + " and as " + what);
    }
    what_[page] = std::move(what);
    return Status::success();
  }

  Status check_node(uint32_t page, const std::optional<Bytes>& lo, const std::optional<Bytes>& hi, uint32_t depth) {
    const std::string at = "btree page " + std::to_string(page);
    if (depth >= kBtreeDepthMax) return Status::corruption(at, "deeper than kBtreeDepthMax");
    FL_ASSIGN_OR_RETURN(Bytes image, read_verified_node_page(store_, page));
    FL_ASSIGN_OR_RETURN(Node node, decode_node(image, page, page_count_));  // order within the node
    if (node.keys.empty()) return Status::corruption(at, depth == 0 ? "empty root node" : "empty non-root node");
    if (lo && compare_keys(node.keys.front(), *lo) < 0) {
      return Status::corruption(at, "key 0 is below the separator bounding it in the parent (order)");
    }
    if (hi && compare_keys(node.keys.back(), *hi) >= 0) {
      return Status::corruption(at, "last key is not below the separator bounding it in the parent (order)");
    }
    if (node.leaf) {
      if (!leaf_depth_) leaf_depth_ = depth;
      if (*leaf_depth_ != depth) {
        return Status::corruption(at, "leaf at depth " + std::to_string(depth) + ", others at " +
                                          std::to_string(*leaf_depth_));
      }
      return Status::success();
    }
    for (size_t i = 0; i < node.children.size(); ++i) {
      const uint32_t child = node.children[i];
      FL_TRY(claim(child, "child " + std::to_string(i) + " of btree page " + std::to_string(page)));
      const std::optional<Bytes> child_lo = i == 0 ? lo : std::optional<Bytes>(node.keys[i - 1]);
      const std::optional<Bytes> child_hi = i == node.keys.size() ? hi : std::optional<Bytes>(node.keys[i]);
      FL_TRY(check_node(child, child_lo, child_hi, depth + 1));
    }
    return Status::success();
  }

  Status check(std::span<const uint32_t> system_pages) {
    FL_TRY(claim(kHeaderPageNumber, "system page"));
    for (uint32_t page : system_pages) {
      if (page != kHeaderPageNumber) FL_TRY(claim(page, "system page"));
    }
    const uint32_t root = store_.meta().root_page;
    if (root != 0) {
      FL_TRY(claim(root, "btree root"));
      FL_TRY(check_node(root, std::nullopt, std::nullopt, 0));
    }
    FL_TRY(freelist_walk(store_, [this](uint32_t page, uint32_t trunk) {
      return claim(page, trunk == 0 ? "freelist head trunk" : "freelist page via trunk " + std::to_string(trunk));
    }));
    for (uint32_t page = 1; page < page_count_; ++page) {
      if (what_[page].empty()) {
        return Status::corruption("page " + std::to_string(page),
                                  "leaked: not reachable from the root, not free, not a system page");
      }
    }
    return Status::success();
  }

 private:
  PageStore& store_;
  uint32_t page_count_;
  std::vector<std::string> what_;  // how the page is used; empty = not yet seen
  std::optional<uint32_t> leaf_depth_;
};

}  // namespace

Status check_tree(PageStore& store, std::span<const uint32_t> system_pages) {
  const StoreMeta meta = store.meta();
  if (meta.page_count == 0 || meta.page_count > kPageCountMax) {
    return Status::corruption("store meta", "page_count " + std::to_string(meta.page_count) + " out of range");
  }
  TreeChecker checker(store);
  return checker.check(system_pages);
}

}  // namespace fl::engine
