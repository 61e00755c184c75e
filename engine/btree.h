// engine/btree.h: refdb's ordered index, a B+tree of byte-string keys and
// values stored in pages of a PageStore (page_store.h). Node format:
// docs/formats/btree.md.
//
// [btree.1] Keys are ordered by memcmp (a shorter key first on a common
//           prefix), the order of std::string. get() after put(k, v) returns
//           v; after erase(k) it returns nullopt.
// [btree.2] A key is at most kKeyBytesMax bytes and a value at most
//           kValueBytesMax (engine/limits.h); every node holds at least 4
//           entries of the largest size. Longer input gives kInvalidArgument
//           and changes nothing.
// [btree.3] All leaves are at one depth. A node that overflows on put splits
//           into two halves balanced by bytes; the root splitting adds a level.
// [btree.4] Underflow policy on erase: a non-root node whose cells take fewer
//           than kBtreeUnderflowBytes is merged with a sibling (its right one,
//           or its left one if it is the last child) when the two fit in one
//           page, and the sibling page is freed; otherwise the two are
//           rebalanced by bytes and the separator in the parent is replaced.
//           If the new separator makes the parent overflow, the parent splits
//           as on put. An internal root left with one child is freed and its
//           child becomes the root; an empty leaf root is freed (root_page 0).
//           Hence every non-root leaf holds >= 1 entry and every internal
//           node >= 1 key; nodes are not guaranteed half full.
// [btree.5] Every page read is verified (verify_page + node decode,
//           btree_node.h [node.2]); damage gives kCorruption naming the page,
//           never an assert. A descent deeper than kBtreeDepthMax is
//           kCorruption (a cycle on disk).
// [btree.6] Pages the tree no longer uses go back to the freelist through
//           PageStore::free_page(); new pages come from allocate_page().
// [btree.7] After a non-ok Status the tree may be partly updated
//           (page_store.h [store.6]).
// [btree.8] A BTreeCursor sees the tree as of its last first()/seek(); any
//           put or erase on the tree invalidates it (call seek() again).
//
// Thread safety: a BTree and its cursors are used by one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/btree_node.h"
#include "engine/limits.h"
#include "engine/page_store.h"

namespace fl::engine {

inline std::span<const uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

class BTreeCursor;

class BTree {
 public:
  // The tree rooted at store.meta().root_page (0 = empty). `store` outlives the tree.
  explicit BTree(PageStore& store) : store_(store) {}

  // [btree.1]: the value of `key`, or nullopt when absent.
  Result<std::optional<Bytes>> get(std::span<const uint8_t> key);
  // [btree.1]-[btree.3]: inserts or replaces.
  Status put(std::span<const uint8_t> key, std::span<const uint8_t> value);
  // [btree.4]: true when `key` was present.
  Result<bool> erase(std::span<const uint8_t> key);

  PageStore& store() { return store_; }

 private:
  friend class BTreeCursor;
  struct Split {
    Bytes separator;      // the first key of the right half (leaves) or the key moved up
    uint32_t right_page;  // the new right sibling
  };
  struct EraseOutcome {
    bool found = false;
    bool underflow = false;      // the node's cells < kBtreeUnderflowBytes
    std::optional<Split> split;  // a rebalance made the node overflow, and it split
  };

  Result<Node> load(uint32_t page_number, uint32_t depth);
  Result<NodeSearch> search(uint32_t page_number, uint32_t depth, std::span<const uint8_t> key);
  Status save(uint32_t page_number, const Node& node);
  Result<std::optional<Split>> put_into(uint32_t page_number, std::span<const uint8_t> key,
                                        std::span<const uint8_t> value, uint32_t depth);
  Result<EraseOutcome> erase_from(uint32_t page_number, std::span<const uint8_t> key, uint32_t depth);
  Status rebalance(Node& parent, size_t child, uint32_t depth);
  Result<std::optional<Split>> finish_node(uint32_t page_number, Node& node);
  Status grow_root(uint32_t old_root, const Split& split);
  Status shrink_root();

  PageStore& store_;
};

// An ordered scan ([btree.8]): first(), seek(key) positions at the first entry
// >= key; next() advances; valid() is false past the last entry.
class BTreeCursor {
 public:
  explicit BTreeCursor(BTree& tree) : tree_(tree) {}

  Status first();
  Status seek(std::span<const uint8_t> key);
  Status next();
  bool valid() const { return !path_.empty(); }
  // REQUIRES: valid().
  const Bytes& key() const;
  const Bytes& value() const;

 private:
  struct Frame {
    uint32_t page_number;
    Node node;
    size_t index;
  };
  Status descend(uint32_t page_number, std::optional<std::span<const uint8_t>> key);
  Status skip_exhausted_leaves();

  BTree& tree_;
  std::vector<Frame> path_;  // root first; empty = not positioned
};

// fsck of the tree and the page accounting of `store`:
//  - every node page verifies and decodes ([btree.5]); keys are strictly
//    increasing within a node and lie within the bounds its ancestors'
//    separators give (keys[i-1] <= key < keys[i] for child i);
//  - all leaves are at one depth; non-root nodes are non-empty ([btree.4]);
//  - every page in [1, page_count) is exactly one of: reachable once from the
//    root, on the freelist once, or in `system_pages`; nothing is referenced
//    twice (two parents, a page both in the tree and free, a free page listed
//    twice) and nothing is leaked.
// Returns the first problem as kCorruption naming the page, ok when clean.
Status check_tree(PageStore& store, std::span<const uint32_t> system_pages = {});

}  // namespace fl::engine
