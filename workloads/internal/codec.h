// workloads/internal/codec.h: stored-value encodings of the workloads
// (workload_format.h, docs/formats/workloads.md).
//
// [codec.1] decode_list(encode_list(l)) == l for every non-empty list of
//           non-negative integers; decode_int(encode_int(i)) == i for every
//           int64.
// [codec.2] Decoders accept exactly the canonical encodings: anything else
//           (empty, a leading zero, a sign where none belongs, a stray byte,
//           out of range) is kCorruption naming the engine key, the byte
//           offset and the bytes (escaped, at most kCorruptBytesShownMax).
//           No input aborts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace fl::workloads::internal {

// REQUIRES: !list.empty(), every element >= 0.
std::string encode_list(const std::vector<int64_t>& list);
Result<std::vector<int64_t>> decode_list(std::string_view engine_key, std::string_view bytes);

std::string encode_int(int64_t value);
Result<int64_t> decode_int(std::string_view engine_key, std::string_view bytes);

// Bytes of encode_list({1, 2, ..., n}): the longest list a key that takes
// n appends can hold ([wl.1], [wl.2]).
uint64_t list_bytes_max(uint64_t n);

// `bytes` quoted for a message: printable ASCII as is, '"' and '\' escaped,
// anything else as \xNN; cut after kCorruptBytesShownMax bytes.
std::string quote_bytes(std::string_view bytes);

}  // namespace fl::workloads::internal
