// search_node() (btree_node.h) answers exactly as the decoded node does:
// for random leaves and internal nodes and random probe keys, the child
// index and child of an internal node equal node_child_index(), and a leaf
// finds the value node_lower_bound() finds. Damage to a cell's lengths is
// kCorruption, never an answer.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>
#include <string>

#include "engine/btree_node.h"
#include "engine/btree_format.h"
#include "engine/limits.h"
#include "engine/page_format.h"

namespace fl::engine {
namespace {

constexpr uint32_t kPage = 7;
constexpr uint32_t kPageCount = 1000;

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

Node gen_node(bool leaf) {
  const auto keys = *rc::gen::container<std::set<std::string>>(
      rc::gen::container<std::string>(*rc::gen::inRange<size_t>(1, 12), rc::gen::inRange<char>('a', 'f')));
  Node node;
  node.leaf = leaf;
  if (!leaf) node.children.push_back(*rc::gen::inRange<uint32_t>(1, kPageCount));
  for (const std::string& key : keys) {
    Node grown = node;
    grown.keys.push_back(bytes_of(key));
    if (leaf) {
      grown.values.push_back(bytes_of(*rc::gen::container<std::string>(rc::gen::inRange<char>('0', 'z'))));
    } else {
      grown.children.push_back(*rc::gen::inRange<uint32_t>(1, kPageCount));
    }
    if (!node_fits(grown)) break;
    node = std::move(grown);
  }
  return node;
}

RC_GTEST_PROP(BTreeSearch, AgreesWithTheDecodedNode, ()) {
  const bool leaf = *rc::gen::arbitrary<bool>();
  const Node node = gen_node(leaf);
  RC_PRE(leaf || !node.keys.empty());
  const Bytes page = encode_node(node, kPage);
  for (int probe = 0; probe < 16; ++probe) {
    const std::string key_text = *rc::gen::oneOf(
        rc::gen::container<std::string>(*rc::gen::inRange<size_t>(0, 13), rc::gen::inRange<char>('a', 'f')),
        rc::gen::map(rc::gen::elementOf(node.keys.empty() ? std::vector<Bytes>{bytes_of("a")} : node.keys),
                     [](const Bytes& b) { return std::string(b.begin(), b.end()); }));
    const Bytes key = bytes_of(key_text);
    auto found = search_node(page, kPage, kPageCount, key);
    RC_ASSERT(found.ok());
    RC_ASSERT(found->leaf == leaf);
    if (leaf) {
      const size_t i = node_lower_bound(node, key);
      const bool present = i < node.keys.size() && node.keys[i] == key;
      RC_ASSERT(found->value.has_value() == present);
      if (present) RC_ASSERT(Bytes(found->value->begin(), found->value->end()) == node.values[i]);
    } else {
      const size_t i = node_child_index(node, key);
      RC_ASSERT(found->index == i);
      RC_ASSERT(found->child == node.children[i]);
    }
  }
}

TEST(BTreeSearch, OverlongCellIsCorruption) {
  Node node;
  node.leaf = true;
  node.keys = {bytes_of("a"), bytes_of("b")};
  node.values = {bytes_of("1"), bytes_of("2")};
  Bytes page = encode_node(node, kPage);
  // The first cell's key_len (after the 24-byte page header and the node
  // header) claims more than the body holds.
  const size_t first_cell = kPageHeaderBytes + kNodeHeaderBytes;
  page[first_cell] = 0xff;
  page[first_cell + 1] = 0x0f;
  auto found = search_node(page, kPage, kPageCount, bytes_of("b"));
  ASSERT_FALSE(found.ok());
  EXPECT_TRUE(found.status().is(Code::kCorruption)) << found.status().to_string();
}

}  // namespace
}  // namespace fl::engine
