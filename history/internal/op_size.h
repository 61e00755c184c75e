// history/internal/op_size.h: the model size of an operation or metadata
// map, as both readers count it (limits.h). Private to history/.
//
// [size.1] For the canonical text of an operation (either writer), the EDN
//          and JSONL readers count exactly op_size(op).values Values and
//          op_size(op).text_bytes bytes of text; the writers assert
//          within_limits() so that both readers accept what they write.
#pragma once

#include <cstddef>

#include "history/history.h"
#include "history/op.h"
#include "history/value.h"

namespace fl::history::internal {

struct OpSize {
  size_t values = 0;      // the map, its keys, and every Value inside
  size_t text_bytes = 0;  // string and keyword text, keys included
  int depth = 0;          // collection levels, the map being level 1
};

OpSize op_size(const Op& op);
OpSize metadata_size(const Metadata& meta);
bool within_limits(const OpSize& size);

}  // namespace fl::history::internal
