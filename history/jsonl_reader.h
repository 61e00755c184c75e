// history/jsonl_reader.h: reads JSON Lines histories, streaming.
//
// [jsonl-r.1] Memory is bounded by one line (kFormBytesMax bytes,
//             kOpValuesMax values): read_jsonl(istream, ...) hands each
//             operation to the callback and keeps nothing.
// [jsonl-r.2] Malformed input gives kInvalidArgument, never a crash, an
//             assertion or an exception escaping. The message starts "line
//             L, column C: " when the JSON itself is malformed (C is the
//             byte nlohmann stopped at) and "line L: " when a well-formed
//             line is not a valid operation. A failing istream gives kIoError.
// [jsonl-r.3] Blank lines are skipped. The first non-blank line is the
//             metadata when it is an object with the single key "meta";
//             anywhere else such a line is an operation without :type (an error).
// [jsonl-r.4] Decoding follows docs/formats/history.md: a JSON string is a
//             keyword when it is a keyword name, so Jepsen-style JSON
//             ("type":"ok", "f":"txn", ["append",3,1]) reads like its EDN.
//             :index defaults to the 0-based position ([op.1]).
#pragma once

#include <istream>
#include <string>
#include <string_view>

#include "base/status.h"
#include "history/history.h"
#include "history/value.h"

namespace fl::history {

// Streams `in`: fills `*meta` (when not null) from the metadata line, then
// calls `on_op` for each operation. `source` names the input in errors.
Status read_jsonl(std::istream& in, Metadata* meta, const OpCallback& on_op,
                  std::string_view source = "history.jsonl");

Result<History> read_jsonl(std::string_view text, std::string_view source = "history.jsonl");
// A missing file is kNotFound; another failure to open it is kIoError.
Result<History> read_jsonl_file(const std::string& path);

// Decodes one JSON text in the encoding of [jsonl-w.2].
Result<Value> parse_json_value(std::string_view text, std::string_view source = "json");

}  // namespace fl::history
