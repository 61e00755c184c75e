// engine/btree.cc: B+tree get/put/erase and its cursor (btree.h).
#include "engine/btree.h"

#include <string>
#include <utility>

#include "engine/btree_format.h"
#include "engine/limits.h"

namespace fl::engine {

namespace {

template <class T>
void insert_at(std::vector<T>& items, size_t i, T item) {
  items.insert(items.begin() + static_cast<std::ptrdiff_t>(i), std::move(item));
}

}  // namespace

Result<Node> BTree::load(uint32_t page_number, uint32_t depth) {
  if (depth >= kBtreeDepthMax) {
    return Status::corruption("btree page " + std::to_string(page_number),
                              "deeper than kBtreeDepthMax levels (a cycle of child pointers)");
  }
  FL_ASSIGN_OR_RETURN(Bytes page, read_verified_node_page(store_, page_number));
  return decode_node(page, page_number, store_.meta().page_count);
}

// Only for descending: the result's `value` would point into a freed page.
Result<NodeSearch> BTree::search(uint32_t page_number, uint32_t depth, std::span<const uint8_t> key) {
  if (depth >= kBtreeDepthMax) {
    return Status::corruption("btree page " + std::to_string(page_number),
                              "deeper than kBtreeDepthMax levels (a cycle of child pointers)");
  }
  FL_ASSIGN_OR_RETURN(Bytes page, read_verified_node_page(store_, page_number));
  FL_ASSIGN_OR_RETURN(NodeSearch found, search_node(page, page_number, store_.meta().page_count, key));
  found.value.reset();
  return found;
}

Status BTree::save(uint32_t page_number, const Node& node) {
  return store_.write_page(page_number, encode_node(node, page_number));
}

Result<std::optional<Bytes>> BTree::get(std::span<const uint8_t> key) {
  uint32_t page_number = store_.meta().root_page;
  if (page_number == 0 || key.size() > kKeyBytesMax) return std::optional<Bytes>();
  for (uint32_t depth = 0;; ++depth) {
    if (depth >= kBtreeDepthMax) {
      return Status::corruption("btree page " + std::to_string(page_number),
                                "deeper than kBtreeDepthMax levels (a cycle of child pointers)");
    }
    // The page must outlive `found`, whose value is a view into it.
    FL_ASSIGN_OR_RETURN(Bytes page, read_verified_node_page(store_, page_number));
    FL_ASSIGN_OR_RETURN(NodeSearch found, search_node(page, page_number, store_.meta().page_count, key));
    if (!found.leaf) {
      page_number = found.child;
      continue;
    }
    if (!found.value) return std::optional<Bytes>();
    return std::optional<Bytes>(Bytes(found.value->begin(), found.value->end()));
  }
}

Result<std::optional<BTree::Split>> BTree::finish_node(uint32_t page_number, Node& node) {
  if (node_fits(node)) {
    FL_TRY(save(page_number, node));
    return std::optional<Split>();
  }
  auto [right, separator] = split_node(node);
  FL_ASSIGN_OR_RETURN(uint32_t right_page, store_.allocate_page());
  FL_TRY(save(page_number, node));
  FL_TRY(save(right_page, right));
  return std::optional<Split>(Split{std::move(separator), right_page});
}

Result<std::optional<BTree::Split>> BTree::put_into(uint32_t page_number, std::span<const uint8_t> key,
                                                    std::span<const uint8_t> value, uint32_t depth) {
  // An internal node on the way down changes only when its child splits,
  // so the descent finds the child without decoding the node.
  FL_ASSIGN_OR_RETURN(NodeSearch found, search(page_number, depth, key));
  if (!found.leaf) {
    FL_ASSIGN_OR_RETURN(std::optional<Split> split, put_into(found.child, key, value, depth + 1));
    if (!split) return std::optional<Split>();
    FL_ASSIGN_OR_RETURN(Node node, load(page_number, depth));
    if (node.leaf || node.children.size() <= found.index || node.children[found.index] != found.child) {
      return Status::corruption("btree page " + std::to_string(page_number), "changed type or children during a put");
    }
    insert_at(node.keys, found.index, std::move(split->separator));
    insert_at(node.children, found.index + 1, split->right_page);
    return finish_node(page_number, node);
  }
  FL_ASSIGN_OR_RETURN(Node node, load(page_number, depth));
  if (!node.leaf) return Status::corruption("btree page " + std::to_string(page_number), "changed type during a put");
  const size_t i = node_lower_bound(node, key);
  if (i < node.keys.size() && compare_keys(node.keys[i], key) == 0) {
    node.values[i].assign(value.begin(), value.end());
  } else {
    insert_at(node.keys, i, Bytes(key.begin(), key.end()));
    insert_at(node.values, i, Bytes(value.begin(), value.end()));
  }
  return finish_node(page_number, node);
}

Status BTree::grow_root(uint32_t old_root, const Split& split) {
  Node root;
  root.leaf = false;
  root.keys.push_back(split.separator);
  root.children = {old_root, split.right_page};
  FL_ASSIGN_OR_RETURN(uint32_t root_page, store_.allocate_page());
  FL_TRY(save(root_page, root));
  StoreMeta meta = store_.meta();
  meta.root_page = root_page;
  store_.set_meta(meta);
  return Status::success();
}

Status BTree::put(std::span<const uint8_t> key, std::span<const uint8_t> value) {
  if (key.size() > kKeyBytesMax || value.size() > kValueBytesMax) {  // [btree.2]
    return Status::invalid_argument("btree put", "key " + std::to_string(key.size()) + " bytes (max " +
                                                     std::to_string(kKeyBytesMax) + "), value " +
                                                     std::to_string(value.size()) + " bytes (max " +
                                                     std::to_string(kValueBytesMax) + ")");
  }
  const uint32_t root = store_.meta().root_page;
  if (root == 0) {
    Node leaf;
    leaf.keys.emplace_back(key.begin(), key.end());
    leaf.values.emplace_back(value.begin(), value.end());
    FL_ASSIGN_OR_RETURN(uint32_t root_page, store_.allocate_page());
    FL_TRY(save(root_page, leaf));
    StoreMeta meta = store_.meta();
    meta.root_page = root_page;
    store_.set_meta(meta);
    return Status::success();
  }
  FL_ASSIGN_OR_RETURN(std::optional<Split> split, put_into(root, key, value, 0));
  if (split) return grow_root(root, *split);
  return Status::success();
}

}  // namespace fl::engine
