// B+tree, freelist and fsck: engine/btree.h [btree.*], engine/freelist.h
// [free.*], engine/page_store.h [store.*].
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "engine/btree.h"
#include "engine/btree_format.h"
#include "engine/freelist.h"
#include "engine/internal/le.h"
#include "engine/mem_page_store.h"
#include "engine/page.h"

namespace fl::engine {
namespace {

std::string key_of(int i, size_t width = 8) {
  std::string digits = std::to_string(i);
  return std::string(width > digits.size() ? width - digits.size() : 0, '0') + digits;
}

std::string text(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

std::vector<std::pair<std::string, std::string>> scan_all(BTree& tree) {
  std::vector<std::pair<std::string, std::string>> out;
  BTreeCursor cursor(tree);
  EXPECT_TRUE(cursor.first().ok());
  while (cursor.valid()) {
    out.emplace_back(text(cursor.key()), text(cursor.value()));
    EXPECT_TRUE(cursor.next().ok());
  }
  return out;
}

int tree_depth(MemPageStore& store) {
  int depth = 0;
  uint32_t page = store.meta().root_page;
  while (page != 0) {
    ++depth;
    auto node = decode_node(store.mutable_page(page), page, store.meta().page_count);
    EXPECT_TRUE(node.ok());
    page = node->leaf ? 0 : node->children[0];
  }
  return depth;
}

TEST(Freelist, EmptyFreelistGrowsPageCount) {  // [free.1]
  MemPageStore store;
  EXPECT_EQ(*freelist_allocate(store), 1u);
  EXPECT_EQ(*freelist_allocate(store), 2u);
  EXPECT_EQ(store.meta().page_count, 3u);
}

TEST(Freelist, FreedPagesAreReusedAndNeverHandedOutTwice) {  // [free.1], [free.2], [store.3]
  MemPageStore store;
  std::vector<uint32_t> pages;
  for (int i = 0; i < 3000; ++i) pages.push_back(*store.allocate_page());
  for (uint32_t page : pages) ASSERT_TRUE(store.free_page(page).ok());  // needs several trunks
  EXPECT_TRUE(check_tree(store).ok());
  std::vector<bool> seen(store.meta().page_count);
  for (int i = 0; i < 3000; ++i) {
    const uint32_t page = *store.allocate_page();
    ASSERT_FALSE(seen[page]) << "page " << page << " allocated twice";
    seen[page] = true;
  }
  EXPECT_EQ(store.meta().page_count, 3001u);  // all came from the freelist
  EXPECT_EQ(store.meta().freelist_head, 0u);
}

TEST(Freelist, DamagedTrunkIsCorruptionNamingThePage) {  // [free.3]
  MemPageStore store;
  for (int i = 0; i < 4; ++i) (void)*store.allocate_page();
  ASSERT_TRUE(store.free_page(2).ok());
  ASSERT_TRUE(store.free_page(3).ok());
  store.mutable_page(2)[100] ^= 0x01;
  auto page = store.allocate_page();
  ASSERT_TRUE(page.status().is(Code::kCorruption));
  EXPECT_NE(page.status().to_string().find("page 2"), std::string::npos) << page.status().to_string();
}

TEST(BTree, EmptyTreeGetsNothingAndScansNothing) {
  MemPageStore store;
  BTree tree(store);
  EXPECT_FALSE(tree.get(as_bytes("a"))->has_value());
  EXPECT_FALSE(*tree.erase(as_bytes("a")));
  EXPECT_TRUE(scan_all(tree).empty());
  EXPECT_TRUE(check_tree(store).ok());
}

TEST(BTree, PutGetReplaceErase) {  // [btree.1]
  MemPageStore store;
  BTree tree(store);
  ASSERT_TRUE(tree.put(as_bytes("k"), as_bytes("v1")).ok());
  EXPECT_EQ(text(**tree.get(as_bytes("k"))), "v1");
  ASSERT_TRUE(tree.put(as_bytes("k"), as_bytes("v2")).ok());
  EXPECT_EQ(text(**tree.get(as_bytes("k"))), "v2");
  EXPECT_TRUE(*tree.erase(as_bytes("k")));
  EXPECT_FALSE(tree.get(as_bytes("k"))->has_value());
  EXPECT_EQ(store.meta().root_page, 0u);
  EXPECT_TRUE(check_tree(store).ok());
}

TEST(BTree, FourLargestEntriesFitOneLeafAndTheFifthSplits) {  // [btree.2], [btree.3]
  MemPageStore store;
  BTree tree(store);
  const std::string value(kValueBytesMax, 'v');
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(tree.put(as_bytes(std::string(kKeyBytesMax, char('a' + i))), as_bytes(value)).ok());
  EXPECT_EQ(tree_depth(store), 1);
  EXPECT_EQ(store.meta().page_count, 2u);  // header + one leaf, filled to exactly kNodeCellBytesMax
  ASSERT_TRUE(tree.put(as_bytes(std::string(kKeyBytesMax, 'e')), as_bytes(value)).ok());
  EXPECT_EQ(tree_depth(store), 2);
  EXPECT_EQ(store.meta().page_count, 4u);  // two leaves and a root
  EXPECT_TRUE(check_tree(store).ok());
  EXPECT_EQ(scan_all(tree).size(), 5u);
}

TEST(BTree, OversizedKeyOrValueIsInvalidArgument) {  // [btree.2]
  MemPageStore store;
  BTree tree(store);
  EXPECT_TRUE(tree.put(as_bytes(std::string(kKeyBytesMax + 1, 'k')), as_bytes("v")).is(Code::kInvalidArgument));
  EXPECT_TRUE(tree.put(as_bytes("k"), as_bytes(std::string(kValueBytesMax + 1, 'v'))).is(Code::kInvalidArgument));
  EXPECT_EQ(store.meta().page_count, 1u);
}

TEST(BTree, ThousandsOfKeysMakeSeveralLevelsAndScanInOrder) {  // [btree.1], [btree.3]
  MemPageStore store;
  BTree tree(store);
  std::map<std::string, std::string> model;
  for (int i = 0; i < 5000; ++i) {
    const int k = (i * 7919) % 5000;
    const std::string key = key_of(k, 120);
    const std::string value = std::string(200, char('a' + k % 26));
    ASSERT_TRUE(tree.put(as_bytes(key), as_bytes(value)).ok());
    model[key] = value;
  }
  EXPECT_GE(tree_depth(store), 3);
  ASSERT_TRUE(check_tree(store).ok()) << check_tree(store).to_string();
  const std::vector<std::pair<std::string, std::string>> expected(model.begin(), model.end());
  EXPECT_EQ(scan_all(tree), expected);
  BTreeCursor cursor(tree);
  ASSERT_TRUE(cursor.seek(as_bytes(key_of(2500, 120) + "x")).ok());  // between keys
  ASSERT_TRUE(cursor.valid());
  EXPECT_EQ(text(cursor.key()), key_of(2501, 120));
  ASSERT_TRUE(cursor.seek(as_bytes("z")).ok());
  EXPECT_FALSE(cursor.valid());
}

TEST(BTree, DeletingEveryKeyFreesEveryPage) {  // [btree.4], [btree.6]
  MemPageStore store;
  BTree tree(store);
  for (int i = 0; i < 3000; ++i) ASSERT_TRUE(tree.put(as_bytes(key_of(i, 100)), as_bytes(std::string(300, 'v'))).ok());
  const uint32_t pages = store.meta().page_count;
  for (int i = 0; i < 3000; ++i) {
    const int k = (i * 1237) % 3000;
    ASSERT_TRUE(*tree.erase(as_bytes(key_of(k, 100))));
    if (i % 250 == 0) {
      ASSERT_TRUE(check_tree(store).ok()) << check_tree(store).to_string();
    }
  }
  EXPECT_EQ(store.meta().root_page, 0u);
  EXPECT_EQ(store.meta().page_count, pages);
  ASSERT_TRUE(check_tree(store).ok());
  // Everything is free: refilling allocates no new page numbers.
  for (int i = 0; i < 3000; ++i) ASSERT_TRUE(tree.put(as_bytes(key_of(i, 100)), as_bytes(std::string(300, 'v'))).ok());
  EXPECT_LE(store.meta().page_count, pages + 1);
  EXPECT_TRUE(check_tree(store).ok());
}

TEST(BTree, FlippedByteInAStoredPageIsCorruptionOnRead) {  // [btree.5]
  MemPageStore store;
  BTree tree(store);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(tree.put(as_bytes(key_of(i)), as_bytes(std::string(100, 'v'))).ok());
  const uint32_t root = store.meta().root_page;
  store.mutable_page(root)[kPageHeaderBytes + 10] ^= 0x40;
  auto got = tree.get(as_bytes(key_of(5)));
  ASSERT_TRUE(got.status().is(Code::kCorruption));
  EXPECT_NE(got.status().to_string().find("page " + std::to_string(root)), std::string::npos);
  EXPECT_TRUE(tree.put(as_bytes("x"), as_bytes("y")).is(Code::kCorruption));
  EXPECT_TRUE(tree.erase(as_bytes(key_of(5))).status().is(Code::kCorruption));
  EXPECT_TRUE(check_tree(store).is(Code::kCorruption));
  BTreeCursor cursor(tree);
  EXPECT_TRUE(cursor.first().is(Code::kCorruption));
  EXPECT_FALSE(cursor.valid());
}

// Builds a two-level tree and returns the root node.
Node two_level_tree(MemPageStore& store, BTree& tree) {
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(tree.put(as_bytes(key_of(i)), as_bytes(std::string(200, 'v'))).ok());
  EXPECT_EQ(tree_depth(store), 2);
  const uint32_t root = store.meta().root_page;
  return *decode_node(store.mutable_page(root), root, store.meta().page_count);
}

TEST(CheckTree, CatchesAKeyOutsideItsSeparatorBounds) {
  MemPageStore store;
  BTree tree(store);
  Node root = two_level_tree(store, tree);
  const uint32_t leaf_page = root.children[0];
  Node leaf = *decode_node(store.mutable_page(leaf_page), leaf_page, store.meta().page_count);
  leaf.keys.back() = Bytes{'z'};  // ordered within the leaf, above the separator
  store.mutable_page(leaf_page) = encode_node(leaf, leaf_page);
  const Status status = check_tree(store);
  ASSERT_TRUE(status.is(Code::kCorruption));
  EXPECT_NE(status.to_string().find("btree page " + std::to_string(leaf_page)), std::string::npos);
  EXPECT_NE(status.to_string().find("order"), std::string::npos) << status.to_string();
}

TEST(CheckTree, CatchesKeysOutOfOrderWithinAPage) {
  MemPageStore store;
  BTree tree(store);
  Node root = two_level_tree(store, tree);
  const uint32_t leaf_page = root.children[1];
  Bytes& page = store.mutable_page(leaf_page);
  // Swap the first byte of the first two keys' last digits: both cells keep their size.
  const size_t first_key = kPageHeaderBytes + kNodeHeaderBytes + kLeafCellHeaderBytes;
  const size_t second_key = first_key + 8 + 200 + kLeafCellHeaderBytes;
  std::swap(page[first_key + 7], page[second_key + 7]);
  seal_page(page);
  const Status status = check_tree(store);
  ASSERT_TRUE(status.is(Code::kCorruption));
  EXPECT_NE(status.to_string().find("order"), std::string::npos) << status.to_string();
}

TEST(CheckTree, CatchesALeakedPage) {
  MemPageStore store;
  BTree tree(store);
  two_level_tree(store, tree);
  const uint32_t leaked = *store.allocate_page();  // allocated, never linked
  const Status status = check_tree(store);
  ASSERT_TRUE(status.is(Code::kCorruption));
  EXPECT_NE(status.to_string().find("page " + std::to_string(leaked)), std::string::npos);
  EXPECT_NE(status.to_string().find("leaked"), std::string::npos) << status.to_string();
}

TEST(CheckTree, CatchesADoubleReferencedPage) {
  MemPageStore store;
  BTree tree(store);
  Node root = two_level_tree(store, tree);
  const uint32_t root_page = store.meta().root_page;
  root.children[1] = root.children[0];  // two parents' pointers to one leaf
  store.mutable_page(root_page) = encode_node(root, root_page);
  const Status status = check_tree(store);
  ASSERT_TRUE(status.is(Code::kCorruption));
  EXPECT_NE(status.to_string().find("used twice"), std::string::npos) << status.to_string();
}

TEST(CheckTree, CatchesAPageBothInTheTreeAndFree) {
  MemPageStore store;
  BTree tree(store);
  Node root = two_level_tree(store, tree);
  ASSERT_TRUE(store.free_page(*store.allocate_page()).ok());  // a trunk exists
  ASSERT_TRUE(store.free_page(root.children[0]).ok());         // the bug: free a live leaf
  const Status status = check_tree(store);
  ASSERT_TRUE(status.is(Code::kCorruption));
  EXPECT_NE(status.to_string().find("used twice"), std::string::npos) << status.to_string();
}

TEST(CheckTree, SystemPagesAreAccountedFor) {
  MemPageStore store;
  BTree tree(store);
  two_level_tree(store, tree);
  const uint32_t system = *store.allocate_page();
  const uint32_t system_pages[] = {system};
  EXPECT_TRUE(check_tree(store, system_pages).ok());
}

TEST(BTreeFormat, LeafMatchesTheSpecWorkedExample) {  // docs/formats/btree.md
  Node leaf;
  leaf.keys = {Bytes{'a'}, Bytes{'b', 'c'}};
  leaf.values = {Bytes{'x'}, Bytes{}};
  const Bytes page = encode_node(leaf, 3);
  const Bytes body(page.begin() + kPageHeaderBytes, page.begin() + kPageHeaderBytes + 22);
  const Bytes expected = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // count 2, reserved, first_child 0
                          0x01, 0x00, 0x01, 0x00, 'a', 'x',                // key "a", value "x"
                          0x02, 0x00, 0x00, 0x00, 'b', 'c', 0x00, 0x00};   // key "bc", value ""
  EXPECT_EQ(body, expected);
  EXPECT_EQ(*decode_node(page, 3, 4), leaf);
}

TEST(BTreeFormat, InternalMatchesTheSpecWorkedExample) {
  Node node;
  node.leaf = false;
  node.keys = {Bytes{'m'}};
  node.children = {5, 9};
  const Bytes page = encode_node(node, 2);
  const Bytes body(page.begin() + kPageHeaderBytes, page.begin() + kPageHeaderBytes + 16);
  const Bytes expected = {0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
                          0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 'm', 0x00};
  EXPECT_EQ(body, expected);
  EXPECT_EQ(*decode_node(page, 2, 10), node);
  EXPECT_TRUE(decode_node(page, 2, 9).status().is(Code::kCorruption));  // child 9 >= page_count
}

}  // namespace
}  // namespace fl::engine
