// engine/btree_format.h: constants of refdb's B+tree node pages and freelist
// trunk pages. The spec is docs/formats/btree.md; change both in the same
// commit. Only constants and static_asserts live here; encoding is
// btree_node.h (nodes) and freelist.h (trunks).
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/limits.h"
#include "engine/page_format.h"

namespace fl::engine {

// btree.md "Node body": offsets relative to the page body (page byte 24).
inline constexpr size_t kNodeCellCountOffset = 0;  // u16: cells in the node
inline constexpr size_t kNodeReservedOffset = 2;   // u16, zero
inline constexpr size_t kNodeFirstChildOffset = 4; // u32: internal: child 0; leaf: zero
inline constexpr size_t kNodeHeaderBytes = 8;
inline constexpr size_t kNodeCellBytesMax = kPageBodyBytes - kNodeHeaderBytes;  // 4064

// btree.md "Leaf cell": u16 key_len, u16 value_len, key, value.
inline constexpr size_t kLeafCellHeaderBytes = 4;
// btree.md "Internal cell": u16 key_len, u32 child, key.
inline constexpr size_t kInternalCellHeaderBytes = 6;

inline constexpr size_t kLeafCellBytesMax = kLeafCellHeaderBytes + kKeyBytesMax + kValueBytesMax;
inline constexpr size_t kInternalCellBytesMax = kInternalCellHeaderBytes + kKeyBytesMax;

// At least 4 entries per node ([btree.2]), and a quarter-node cell bound is what
// makes a bytes-balanced split of an overflowing node fit in two pages.
static_assert(4 * kLeafCellBytesMax <= kNodeCellBytesMax);
static_assert(4 * kInternalCellBytesMax <= kNodeCellBytesMax);
static_assert(kKeyBytesMax <= UINT16_MAX && kValueBytesMax <= UINT16_MAX);
static_assert(kBtreeUnderflowBytes * 4 == kNodeCellBytesMax);
static_assert(kNodeCellBytesMax / kInternalCellHeaderBytes <= UINT16_MAX, "cell_count fits u16");

// btree.md "Freelist trunk pages": offsets relative to the page body.
inline constexpr size_t kTrunkNextOffset = 0;     // u32: next trunk page, 0 = last
inline constexpr size_t kTrunkCountOffset = 4;    // u32: entries in this trunk
inline constexpr size_t kTrunkEntriesOffset = 8;  // u32 each: free page numbers
inline constexpr uint32_t kTrunkEntriesMax = (kPageBodyBytes - kTrunkEntriesOffset) / 4;  // 1016
static_assert(kTrunkEntriesOffset + 4 * size_t{kTrunkEntriesMax} <= kPageBodyBytes);

}  // namespace fl::engine
