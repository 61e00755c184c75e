// history/jsonl_writer.h: JSON Lines, one operation per line.
//
//   {"meta":{"durability":"acked"}}
//   {"index":0,"time":0,"type":"invoke","process":0,"f":"txn","value":[["append",3,1],["r",4,null]]}
//
// [jsonl-w.1] Output is a function of the History alone (byte-identical
//             across runs); keys in the order of [edn-w.2].
// [jsonl-w.2] Keywords, :type, :f and a keyword :process (e.g. "nemesis")
//             are JSON strings. Values JSON cannot express (sets, lists,
//             maps with non-keyword keys, strings that look like keywords)
//             use the tagged objects of docs/formats/history.md, so
//             read_jsonl(to_jsonl(h)) == h and EDN -> JSONL -> EDN is exact.
// [jsonl-w.3] Metadata, when present, is the first line: {"meta": {...}}.
// REQUIRES: limits as for edn_writer.h (asserted).
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "base/status.h"
#include "history/history.h"
#include "history/op.h"
#include "history/value.h"

namespace fl::history {

// One operation: a JSON object and '\n'.
std::string jsonl_line(const Op& op);

// {"meta": {...}} and '\n'. REQUIRES: !meta.empty().
std::string jsonl_meta_line(const Metadata& meta);

// A Value in the JSON encoding of [jsonl-w.2] (no newline).
std::string to_json(const Value& value);

std::string to_jsonl(const History& history);

// Writes to_jsonl(history) to `out`; a stream failure is kIoError naming `where`.
Status write_jsonl(std::ostream& out, const History& history, std::string_view where = "history.jsonl");

}  // namespace fl::history
