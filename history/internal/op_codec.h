// history/internal/op_codec.h: operation maps and metadata maps, as both
// readers parse them, to Op and Metadata. Private to history/.
//
// Errors are kInvalidArgument whose message() is the bare description
// ("operation has no :type"); the reader prefixes the line and column.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "history/history.h"
#include "history/op.h"
#include "history/value.h"

namespace fl::history::internal {

// `map` is a parsed operation; `position` is its 0-based place in the
// stream, the :index when the map has none ([op.1]).
Result<Op> op_from_value(Value&& map, int64_t position);

// `map` is a parsed metadata map; its keys must be keywords.
Result<Metadata> metadata_from_value(Value&& map);

// A short EDN rendering of `value` for error messages.
std::string brief(const Value& value);

}  // namespace fl::history::internal
