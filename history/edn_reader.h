// history/edn_reader.h: reads Jepsen EDN histories, streaming.
//
// Input is a sequence of top-level forms, normally one operation map per
// line as edn_writer.h writes it; forms may also span lines, and the whole
// history may be one top-level vector or list of operation maps (it is
// streamed all the same). The subset and its limits are in
// docs/formats/history.md.
//
// [edn-r.1] Memory is bounded by one operation (kFormBytesMax, kOpValuesMax,
//           kOpTextBytesMax), not by the history: read_edn(istream, ...)
//           hands each operation to the callback and keeps nothing.
// [edn-r.2] Malformed input gives kInvalidArgument, never a crash, an
//           assertion or an exception. The message is "line L, column C:
//           what", L and C (1-based; columns count bytes) pointing at the
//           offending byte, token, or unterminated opening delimiter; an
//           operation-level error (no :type, a bad :index) points at the
//           operation's first byte. A failing istream gives kIoError.
// [edn-r.3] A comment line "; faultline-meta {map}" before the first
//           operation is the history's metadata (at most one). Comments
//           after the first operation are only comments.
// [edn-r.4] Tagged records such as #jepsen.history.Op{...} read as their
//           map; the tag is not kept.
// [edn-r.5] Operations are delivered in input order; :index defaults to the
//           0-based position in the stream ([op.1]).
#pragma once

#include <istream>
#include <string>
#include <string_view>

#include "base/status.h"
#include "history/history.h"
#include "history/value.h"

namespace fl::history {

// Streams `in`: fills `*meta` (when not null) as soon as the metadata line
// is read, then calls `on_op` for each operation. `source` names the input
// in error messages (a path, or "history.edn").
Status read_edn(std::istream& in, Metadata* meta, const OpCallback& on_op, std::string_view source = "history.edn");

// Reads a whole history held in memory or in a file. A missing file is
// kNotFound; another failure to open it is kIoError.
Result<History> read_edn(std::string_view text, std::string_view source = "history.edn");
Result<History> read_edn_file(const std::string& path);

// Parses exactly one EDN form (surrounding whitespace and comments allowed).
Result<Value> parse_edn_value(std::string_view text, std::string_view source = "edn");

}  // namespace fl::history
