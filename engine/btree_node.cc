// engine/btree_node.cc: node encode/decode (docs/formats/btree.md).
#include "engine/btree_node.h"

#include <algorithm>
#include <utility>
#include <cstring>
#include <string>

#include "engine/btree_format.h"
#include "engine/internal/le.h"
#include "engine/limits.h"
#include "engine/page.h"

namespace fl::engine {

namespace {

uint16_t get_u16(std::span<const uint8_t> buf, size_t offset) { return internal::get_le<uint16_t>(buf, offset); }
void put_u16(std::span<uint8_t> buf, size_t offset, uint16_t value) { internal::put_le<uint16_t>(buf, offset, value); }

std::string where(uint32_t page_number) { return "btree page " + std::to_string(page_number); }

void put_bytes(std::span<uint8_t> body, size_t offset, const Bytes& bytes) {
  FL_ASSERT(offset + bytes.size() <= body.size());
  std::copy(bytes.begin(), bytes.end(), body.begin() + static_cast<std::ptrdiff_t>(offset));
}

Bytes take_bytes(std::span<const uint8_t> body, size_t offset, size_t length) {
  return Bytes(body.begin() + static_cast<std::ptrdiff_t>(offset),
               body.begin() + static_cast<std::ptrdiff_t>(offset + length));
}

// Decodes the cells of `node` (already typed) from `body`; returns the end offset.
Result<size_t> decode_cells(std::span<const uint8_t> body, uint32_t page_number, uint32_t page_count,
                            size_t cell_count, Node& node) {
  size_t offset = kNodeHeaderBytes;
  const size_t header_bytes = node.leaf ? kLeafCellHeaderBytes : kInternalCellHeaderBytes;
  node.keys.reserve(cell_count);
  if (node.leaf) node.values.reserve(cell_count);
  if (!node.leaf) node.children.reserve(cell_count + 1);
  for (size_t i = 0; i < cell_count; ++i) {
    const std::string cell = "cell " + std::to_string(i);  // short: no allocation (SSO)
    if (body.size() - offset < header_bytes) return Status::corruption(where(page_number), cell + ": header past the body");
    const size_t key_len = get_u16(body, offset);
    const size_t value_len = node.leaf ? get_u16(body, offset + 2) : 0;
    if (key_len > kKeyBytesMax) {
      return Status::corruption(where(page_number), cell + ": key_len " + std::to_string(key_len) + " > kKeyBytesMax");
    }
    if (value_len > kValueBytesMax) {
      return Status::corruption(where(page_number),
                                cell + ": value_len " + std::to_string(value_len) + " > kValueBytesMax");
    }
    if (body.size() - offset - header_bytes < key_len + value_len) {
      return Status::corruption(where(page_number), cell + ": key/value past the body");
    }
    if (!node.leaf) {
      const uint32_t child = internal::get_u32(body, offset + 2);
      if (child == 0 || child >= page_count) {
        return Status::corruption(where(page_number), cell + ": child " + std::to_string(child) +
                                                          " outside [1, page_count)");
      }
      node.children.push_back(child);
    }
    node.keys.push_back(take_bytes(body, offset + header_bytes, key_len));
    if (node.leaf) node.values.push_back(take_bytes(body, offset + header_bytes + key_len, value_len));
    if (i > 0 && compare_keys(node.keys[i - 1], node.keys[i]) >= 0) {
      return Status::corruption(where(page_number), cell + ": key not greater than the previous key (order)");
    }
    offset += header_bytes + key_len + value_len;
  }
  return offset;
}

// The longest prefix of cells whose bytes stay within half the total,
// clamped to [lo, hi]: the index of the first cell of the right half
// (internal nodes: of the key that moves up).
size_t split_point(const Node& node, size_t lo, size_t hi) {
  FL_ASSERT(lo <= hi);
  const size_t total = node_cells_bytes(node);
  size_t prefix = 0;
  size_t m = 0;
  while (m < node.keys.size() && prefix + node_cell_bytes(node, m) <= total / 2) prefix += node_cell_bytes(node, m++);
  return std::clamp(m, lo, hi);
}

}  // namespace

// Splits an overflowing `node` in two; `node` keeps the left half. Returns the
// right half and the separator for the parent.
std::pair<Node, Bytes> split_node(Node& node) {
  const size_t n = node.keys.size();
  Node right;
  right.leaf = node.leaf;
  Bytes separator;
  if (node.leaf) {
    FL_ASSERT(n >= 2);
    const size_t m = split_point(node, 1, n - 1);
    right.keys.assign(node.keys.begin() + static_cast<std::ptrdiff_t>(m), node.keys.end());
    right.values.assign(node.values.begin() + static_cast<std::ptrdiff_t>(m), node.values.end());
    node.keys.resize(m);
    node.values.resize(m);
    separator = right.keys.front();
  } else {
    FL_ASSERT(n >= 3);
    const size_t m = split_point(node, 1, n - 2);
    separator = node.keys[m];
    right.keys.assign(node.keys.begin() + static_cast<std::ptrdiff_t>(m + 1), node.keys.end());
    right.children.assign(node.children.begin() + static_cast<std::ptrdiff_t>(m + 1), node.children.end());
    node.keys.resize(m);
    node.children.resize(m + 1);
  }
  // Invariant: cells are at most a quarter node (btree_format.h), so halves
  // balanced by bytes both fit and both are non-empty.
  FL_ASSERT(node_fits(node) && node_fits(right));
  FL_ASSERT(!node.keys.empty() && !right.keys.empty());
  return {std::move(right), std::move(separator)};
}


int compare_keys(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  const size_t common = std::min(a.size(), b.size());
  const int c = common == 0 ? 0 : std::memcmp(a.data(), b.data(), common);
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

size_t node_cell_bytes(const Node& node, size_t i) {
  FL_ASSERT(i < node.keys.size());
  if (node.leaf) return kLeafCellHeaderBytes + node.keys[i].size() + node.values[i].size();
  return kInternalCellHeaderBytes + node.keys[i].size();
}

size_t node_cells_bytes(const Node& node) {
  size_t total = 0;
  for (size_t i = 0; i < node.keys.size(); ++i) total += node_cell_bytes(node, i);
  return total;
}

bool node_fits(const Node& node) { return node_cells_bytes(node) <= kNodeCellBytesMax; }

Bytes encode_node(const Node& node, uint32_t page_number) {
  FL_ASSERT(node_fits(node));  // [node.3]
  FL_ASSERT(node.leaf ? node.values.size() == node.keys.size() : node.children.size() == node.keys.size() + 1);
  Bytes page(kPageSizeBytes);
  init_page(page, node.leaf ? PageType::kBtreeLeaf : PageType::kBtreeInternal, page_number);
  auto body = page_body(std::span<uint8_t>(page));
  put_u16(body, kNodeCellCountOffset, static_cast<uint16_t>(node.keys.size()));
  internal::put_u32(body, kNodeFirstChildOffset, node.leaf ? 0 : node.children[0]);
  size_t offset = kNodeHeaderBytes;
  for (size_t i = 0; i < node.keys.size(); ++i) {
    const Bytes& key = node.keys[i];
    FL_ASSERT(key.size() <= kKeyBytesMax);
    put_u16(body, offset, static_cast<uint16_t>(key.size()));
    if (node.leaf) {
      const Bytes& value = node.values[i];
      FL_ASSERT(value.size() <= kValueBytesMax);
      put_u16(body, offset + 2, static_cast<uint16_t>(value.size()));
      put_bytes(body, offset + kLeafCellHeaderBytes, key);
      put_bytes(body, offset + kLeafCellHeaderBytes + key.size(), value);
    } else {
      internal::put_u32(body, offset + 2, node.children[i + 1]);
      put_bytes(body, offset + kInternalCellHeaderBytes, key);
    }
    offset += node_cell_bytes(node, i);
  }
  seal_page(page);
  return page;
}

Result<Node> decode_node(std::span<const uint8_t> page, uint32_t page_number, uint32_t page_count) {
  FL_ASSERT(page.size() == kPageSizeBytes);
  const PageType type = read_page_header(page).type;
  if (type != PageType::kBtreeLeaf && type != PageType::kBtreeInternal) {
    return Status::corruption(where(page_number), "type: " + std::string(page_type_name(type)) + ", not a btree node");
  }
  const auto body = page_body(page);
  Node node;
  node.leaf = type == PageType::kBtreeLeaf;
  const size_t cell_count = get_u16(body, kNodeCellCountOffset);
  if (get_u16(body, kNodeReservedOffset) != 0) return Status::corruption(where(page_number), "reserved: not zero");
  const uint32_t first_child = internal::get_u32(body, kNodeFirstChildOffset);
  if (node.leaf && first_child != 0) return Status::corruption(where(page_number), "first_child: nonzero in a leaf");
  if (!node.leaf) {
    if (first_child == 0 || first_child >= page_count) {
      return Status::corruption(where(page_number), "first_child: " + std::to_string(first_child) +
                                                        " outside [1, page_count)");
    }
    node.children.push_back(first_child);
  }
  FL_ASSIGN_OR_RETURN(size_t end, decode_cells(body, page_number, page_count, cell_count, node));
  if (!internal::all_zero(body.subspan(end))) {
    return Status::corruption(where(page_number), "free space: nonzero bytes after the last cell");
  }
  return node;
}

size_t node_lower_bound(const Node& node, std::span<const uint8_t> key) {
  auto it = std::lower_bound(node.keys.begin(), node.keys.end(), key, [](const Bytes& a, std::span<const uint8_t> b) {
    return compare_keys(a, b) < 0;
  });
  return static_cast<size_t>(it - node.keys.begin());
}

size_t node_child_index(const Node& node, std::span<const uint8_t> key) {
  FL_ASSERT(!node.leaf);
  auto it = std::upper_bound(node.keys.begin(), node.keys.end(), key, [](std::span<const uint8_t> a, const Bytes& b) {
    return compare_keys(a, b) < 0;
  });
  return static_cast<size_t>(it - node.keys.begin());
}

}  // namespace fl::engine

namespace fl::engine {

Result<NodeSearch> search_node(std::span<const uint8_t> page, uint32_t page_number, uint32_t page_count,
                               std::span<const uint8_t> key) {
  FL_ASSERT(page.size() == kPageSizeBytes);
  const PageType type = read_page_header(page).type;
  if (type != PageType::kBtreeLeaf && type != PageType::kBtreeInternal) {
    return Status::corruption(where(page_number), "type: " + std::string(page_type_name(type)) + ", not a btree node");
  }
  const auto body = page_body(page);
  NodeSearch out;
  out.leaf = type == PageType::kBtreeLeaf;
  const size_t cell_count = get_u16(body, kNodeCellCountOffset);
  if (!out.leaf) {
    out.child = internal::get_u32(body, kNodeFirstChildOffset);
    if (out.child == 0 || out.child >= page_count) {
      return Status::corruption(where(page_number), "first_child: " + std::to_string(out.child) + " outside [1, page_count)");
    }
  }
  const size_t header_bytes = out.leaf ? kLeafCellHeaderBytes : kInternalCellHeaderBytes;
  size_t offset = kNodeHeaderBytes;
  std::span<const uint8_t> previous;
  for (size_t i = 0; i < cell_count; ++i) {
    auto bad = [&](std::string_view what) {
      return Status::corruption(where(page_number), "cell " + std::to_string(i) + ": " + std::string(what));
    };
    if (body.size() - offset < header_bytes) return bad("header past the body");
    const size_t key_len = get_u16(body, offset);
    const size_t value_len = out.leaf ? get_u16(body, offset + 2) : 0;
    if (key_len > kKeyBytesMax || value_len > kValueBytesMax) return bad("key_len or value_len above its maximum");
    if (body.size() - offset - header_bytes < key_len + value_len) return bad("key/value past the body");
    const auto cell_key = body.subspan(offset + header_bytes, key_len);
    if (i > 0 && compare_keys(previous, cell_key) >= 0) return bad("key not greater than the previous key (order)");
    previous = cell_key;
    const int order = compare_keys(key, cell_key);
    if (out.leaf) {
      if (order == 0) out.value = body.subspan(offset + header_bytes + key_len, value_len);
      if (order <= 0) return out;  // sorted: the key is here or nowhere
    } else {
      if (order < 0) return out;  // upper bound: keys[i-1] <= key < keys[i]
      const uint32_t child = internal::get_u32(body, offset + 2);
      if (child == 0 || child >= page_count) return bad("child " + std::to_string(child) + " outside [1, page_count)");
      out.child = child;
      out.index = i + 1;
    }
    offset += header_bytes + key_len + value_len;
  }
  return out;
}

}  // namespace fl::engine
