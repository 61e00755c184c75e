// engine/btree_erase.cc: B+tree erase and its underflow policy ([btree.4]).
#include <string>
#include <utility>

#include "engine/btree.h"
#include "engine/btree_format.h"
#include "engine/limits.h"

namespace fl::engine {

namespace {

template <class T>
void append(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

template <class T>
void erase_at(std::vector<T>& items, size_t i) {
  items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
}

bool underflows(const Node& node) { return node_cells_bytes(node) < kBtreeUnderflowBytes; }

// `left` and `right` as one node; internal nodes take the parent's separator between them.
Node concatenate(const Node& left, const Node& right, const Bytes& separator) {
  Node both = left;
  if (!left.leaf) both.keys.push_back(separator);
  append(both.keys, right.keys);
  append(both.values, right.values);
  append(both.children, right.children);
  return both;
}

}  // namespace

// [btree.4]: child `child` of `parent` underflowed; merge it with a sibling or
// rebalance the two. Changes `parent` in memory only (the caller saves it).
Status BTree::rebalance(Node& parent, size_t child, uint32_t depth) {
  FL_ASSERT(!parent.leaf);
  FL_ASSERT(child < parent.children.size());
  if (parent.keys.empty()) return Status::success();  // no sibling: check_tree reports such a node
  const size_t l = child + 1 < parent.children.size() ? child : child - 1;
  const uint32_t left_page = parent.children[l];
  const uint32_t right_page = parent.children[l + 1];
  FL_ASSIGN_OR_RETURN(Node left, load(left_page, depth + 1));
  FL_ASSIGN_OR_RETURN(Node right, load(right_page, depth + 1));
  if (left.leaf != right.leaf) {
    return Status::corruption("btree page " + std::to_string(left_page),
                              "sibling page " + std::to_string(right_page) + " is at another level");
  }
  Node both = concatenate(left, right, parent.keys[l]);
  if (node_fits(both)) {  // merge into the left page, free the right one
    FL_TRY(save(left_page, both));
    FL_TRY(store_.free_page(right_page));
    erase_at(parent.keys, l);
    erase_at(parent.children, l + 1);
    return Status::success();
  }
  // Invariant: only a node with entries underflows without fitting beside its
  // sibling (an empty one would fit), so both halves stay non-empty.
  auto [new_right, separator] = split_node(both);
  FL_TRY(save(left_page, both));
  FL_TRY(save(right_page, new_right));
  parent.keys[l] = std::move(separator);  // may overflow the parent: erase_from splits it
  return Status::success();
}

Result<BTree::EraseOutcome> BTree::erase_from(uint32_t page_number, std::span<const uint8_t> key, uint32_t depth) {
  FL_ASSIGN_OR_RETURN(Node node, load(page_number, depth));
  EraseOutcome outcome;
  if (node.leaf) {
    const size_t i = node_lower_bound(node, key);
    if (i == node.keys.size() || compare_keys(node.keys[i], key) != 0) return outcome;
    erase_at(node.keys, i);
    erase_at(node.values, i);
    FL_TRY(save(page_number, node));
    outcome.found = true;
    outcome.underflow = underflows(node);
    return outcome;
  }
  const size_t i = node_child_index(node, key);
  FL_ASSIGN_OR_RETURN(EraseOutcome below, erase_from(node.children[i], key, depth + 1));
  outcome.found = below.found;
  if (below.split) {
    node.keys.insert(node.keys.begin() + static_cast<std::ptrdiff_t>(i), std::move(below.split->separator));
    node.children.insert(node.children.begin() + static_cast<std::ptrdiff_t>(i + 1), below.split->right_page);
  } else if (below.underflow) {
    FL_TRY(rebalance(node, i, depth));
  } else {
    return outcome;  // this node is unchanged
  }
  FL_ASSIGN_OR_RETURN(outcome.split, finish_node(page_number, node));
  outcome.underflow = !outcome.split && underflows(node);
  return outcome;
}

// [btree.4]: an internal root with one child hands the root to it; an empty
// leaf root leaves an empty tree. Each step frees the old root page.
Status BTree::shrink_root() {
  for (uint32_t depth = 0; depth < kBtreeDepthMax; ++depth) {
    StoreMeta meta = store_.meta();
    const uint32_t root = meta.root_page;
    FL_ASSIGN_OR_RETURN(Node node, load(root, 0));
    if (!node.keys.empty()) return Status::success();
    meta.root_page = node.leaf ? 0 : node.children[0];
    store_.set_meta(meta);
    FL_TRY(store_.free_page(root));
    if (node.leaf) return Status::success();
  }
  return Status::corruption("btree root", "more than kBtreeDepthMax single-child levels");
}

Result<bool> BTree::erase(std::span<const uint8_t> key) {
  const uint32_t root = store_.meta().root_page;
  if (root == 0 || key.size() > kKeyBytesMax) return false;
  FL_ASSIGN_OR_RETURN(EraseOutcome outcome, erase_from(root, key, 0));
  if (!outcome.found) return false;
  if (outcome.split) {
    FL_TRY(grow_root(root, *outcome.split));
  } else {
    FL_TRY(shrink_root());
  }
  return true;
}

}  // namespace fl::engine
