// history/edn_writer.h: Jepsen EDN, one operation per line.
//
//   ; faultline-meta {:durability :acked}
//   {:index 0, :time 0, :type :invoke, :process 0, :f :txn, :value [[:append 3 1] [:r 4 nil]]}
//
// [edn-w.1] Output is a function of the History alone: byte-identical across
//           runs, machines and standard libraries (doubles use
//           std::to_chars' shortest round-trip form).
// [edn-w.2] Keys are written in the order :index, :time, :type, :process,
//           :f, :value, then the extras in their order; maps are "{k v, k v}",
//           vectors "[a b]", lists "(a b)", sets "#{a b}".
// [edn-w.3] Strings escape '"', '\', and every control byte below 0x20 (\n,
//           \t, \r, \b, \f, else \uXXXX), so each operation is exactly one line.
// [edn-w.4] read_edn(to_edn(h)) == h and to_edn(read_edn(to_edn(h))) ==
//           to_edn(h) (tests/history/roundtrip_prop_test.cc).
// REQUIRES: each operation and the metadata are within the limits of
// limits.h (asserted: the readers would reject them).
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "base/status.h"
#include "history/history.h"
#include "history/op.h"
#include "history/value.h"

namespace fl::history {

// Appends `value` in EDN to `out` (no newline).
void append_edn(std::string& out, const Value& value);
std::string to_edn(const Value& value);

// One operation: its EDN map and '\n'.
void append_edn_line(std::string& out, const Op& op);
std::string edn_line(const Op& op);

// "; faultline-meta {...}\n". REQUIRES: !meta.empty().
std::string edn_meta_line(const Metadata& meta);

// The metadata line (if there is metadata), then one line per operation.
std::string to_edn(const History& history);

// Writes to_edn(history) to `out`; an I/O error of the stream is kIoError
// naming `where`.
Status write_edn(std::ostream& out, const History& history, std::string_view where = "history.edn");

}  // namespace fl::history
