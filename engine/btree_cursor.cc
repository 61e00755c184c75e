// engine/btree_cursor.cc: ordered scans over a BTree ([btree.8]).
#include "engine/btree.h"

namespace fl::engine {

// Pushes frames from `page_number` down to a leaf: towards `key`, or leftmost.
Status BTreeCursor::descend(uint32_t page_number, std::optional<std::span<const uint8_t>> key) {
  for (;;) {
    FL_ASSIGN_OR_RETURN(Node node, tree_.load(page_number, static_cast<uint32_t>(path_.size())));
    const bool leaf = node.leaf;
    size_t index = 0;
    if (key) index = leaf ? node_lower_bound(node, *key) : node_child_index(node, *key);
    const uint32_t child = leaf ? 0 : node.children[index];
    path_.push_back(Frame{page_number, std::move(node), index});
    if (leaf) return Status::success();
    page_number = child;
  }
}

// Moves past leaves whose index is at their end; the path empties past the last entry.
Status BTreeCursor::skip_exhausted_leaves() {
  while (!path_.empty() && path_.back().index >= path_.back().node.keys.size()) {
    path_.pop_back();  // the exhausted leaf
    while (!path_.empty()) {
      Frame& parent = path_.back();
      if (++parent.index < parent.node.children.size()) {
        FL_TRY(descend(parent.node.children[parent.index], std::nullopt));
        break;
      }
      path_.pop_back();
    }
  }
  return Status::success();
}

Status BTreeCursor::first() {
  path_.clear();
  const uint32_t root = tree_.store().meta().root_page;
  if (root == 0) return Status::success();
  Status status = descend(root, std::nullopt);
  if (status.ok()) status = skip_exhausted_leaves();
  if (!status.ok()) path_.clear();
  return status;
}

Status BTreeCursor::seek(std::span<const uint8_t> key) {
  path_.clear();
  const uint32_t root = tree_.store().meta().root_page;
  if (root == 0) return Status::success();
  Status status = descend(root, key);
  if (status.ok()) status = skip_exhausted_leaves();
  if (!status.ok()) path_.clear();
  return status;
}

Status BTreeCursor::next() {
  FL_ASSERT(valid());
  ++path_.back().index;
  Status status = skip_exhausted_leaves();
  if (!status.ok()) path_.clear();
  return status;
}

const Bytes& BTreeCursor::key() const {
  FL_ASSERT(valid());
  return path_.back().node.keys[path_.back().index];
}

const Bytes& BTreeCursor::value() const {
  FL_ASSERT(valid());
  return path_.back().node.values[path_.back().index];
}

}  // namespace fl::engine
