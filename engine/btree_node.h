// engine/btree_node.h: one B+tree node decoded from / encoded into a page.
// Format: docs/formats/btree.md; constants: engine/btree_format.h.
//
// [node.1] decode_node(encode_node(n)) == n for every node that fits.
// [node.2] decode_node() never asserts on the page's bytes: a failed
//          verify_page, a type other than leaf/internal, a cell running past
//          the body, a key or value longer than its limit, keys not strictly
//          increasing, a child pointer that is 0 or >= page_count, or nonzero
//          bytes after the last cell each give kCorruption naming the page
//          and the field.
// [node.3] encode_node() FL_ASSERTs that the node fits (node_fits): callers
//          split first. That and oversized keys are programmer errors.
//
// Plain functions over caller-owned values; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "base/status.h"
#include "engine/page_store.h"

namespace fl::engine {

struct Node {
  bool leaf = true;
  std::vector<Bytes> keys;          // strictly increasing by memcmp
  std::vector<Bytes> values;        // leaf: one per key
  std::vector<uint32_t> children;   // internal: keys.size() + 1
  friend bool operator==(const Node&, const Node&) = default;
};

// memcmp order, shorter first on a common prefix (std::string's order).
int compare_keys(std::span<const uint8_t> a, std::span<const uint8_t> b);

// Bytes cell `i` takes in the encoded node.
size_t node_cell_bytes(const Node& node, size_t i);
// Bytes all cells take (the node header excluded).
size_t node_cells_bytes(const Node& node);
// True when the node fits one page (kNodeCellBytesMax of cells).
bool node_fits(const Node& node);

// [node.3]: a sealed page (LSN 0) holding `node` as page `page_number`.
Bytes encode_node(const Node& node, uint32_t page_number);
// [node.2]: `page` must already have passed verify_page.
Result<Node> decode_node(std::span<const uint8_t> page, uint32_t page_number, uint32_t page_count);

// Splits an overflowing node in two halves balanced by bytes; `node` keeps
// the left half. Returns the right half and the separator for the parent
// (leaves: the right half's first key; internal: the middle key, moved up).
// REQUIRES: a leaf has >= 2 keys, an internal node >= 3.
std::pair<Node, Bytes> split_node(Node& node);

// Index of the first key >= `key` (leaves: where `key` is or would go).
size_t node_lower_bound(const Node& node, std::span<const uint8_t> key);
// Internal nodes: the child whose subtree holds `key` (keys[i-1] <= key < keys[i]).
size_t node_child_index(const Node& node, std::span<const uint8_t> key);

}  // namespace fl::engine

namespace fl::engine {

// The outcome of search_node().
struct NodeSearch {
  bool leaf = true;
  size_t index = 0;                       // internal: the child index, as node_child_index()
  uint32_t child = 0;                     // internal: children[index]
  std::optional<std::span<const uint8_t>> value;  // leaf: the value of the key, a view into the page
};

// One lookup of `key` in an encoded node without decoding it: no allocation,
// one pass over the cells with every bound decode_node() checks on the
// cells it reads (lengths, child range, key order), so damage still gives
// kCorruption rather than a wrong answer. The hot path of get() and of the
// descent in put(); fsck and modifications use decode_node().
Result<NodeSearch> search_node(std::span<const uint8_t> page, uint32_t page_number, uint32_t page_count,
                               std::span<const uint8_t> key);

}  // namespace fl::engine
