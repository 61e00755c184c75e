// history/history.h: a whole history (operations plus metadata), and the
// callback type the streaming readers hand operations to.
//
// [history.1] Metadata maps keyword names to Values in insertion order; set()
//             on an existing key replaces its value in place.
// [history.2] Both formats carry the same metadata (docs/formats/history.md):
//             the EDN "; faultline-meta {...}" comment line and the JSONL
//             {"meta": {...}} first line.
// [history.3] A History holds its operations in file order; nothing here
//             sorts, renumbers or validates them (checkers do).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "history/op.h"
#include "history/value.h"

namespace fl::history {

class Metadata {
 public:
  using Entry = std::pair<std::string, Value>;

  // The value under `key`, or null.
  const Value* get(std::string_view key) const;
  // REQUIRES: is_keyword_name(key). Replaces or appends [history.1].
  void set(std::string key, Value value);
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

  friend bool operator==(const Metadata&, const Metadata&) = default;

 private:
  std::vector<Entry> entries_;
};

struct History {
  Metadata meta;
  std::vector<Op> ops;
  friend bool operator==(const History&, const History&) = default;
};

// Receives each operation a streaming reader parses, in file order. A
// non-ok Status stops the reader, which returns that Status unchanged.
using OpCallback = std::function<Status(Op&& op)>;

}  // namespace fl::history
