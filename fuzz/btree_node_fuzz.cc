// libFuzzer target: decoding a B+tree node from arbitrary page bytes must
// give a Status or a node that encodes back to a page decoding to itself
// ([node.1], [node.2]), never crash.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/btree_node.h"
#include "engine/page_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fl::engine;
  std::array<uint8_t, kPageSizeBytes> page{};
  std::memcpy(page.data(), data, std::min(size, page.size()));
  constexpr uint32_t kPageNumber = 3;
  constexpr uint32_t kPageCount = 64;
  auto node = decode_node(page, kPageNumber, kPageCount);
  if (!node.ok()) return 0;
  FL_ASSERT(node_fits(*node));  // a decoded node came from one page
  const auto again = encode_node(*node, kPageNumber);
  auto decoded = decode_node(again, kPageNumber, kPageCount);
  FL_ASSERT(decoded.ok());
  FL_ASSERT(*decoded == *node);
  return 0;
}
