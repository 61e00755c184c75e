// history/compact_reader.h: reads a history file straight into a
// CompactHistory, on several threads.
//
// [compact-r.1] The result equals CompactHistory::from_history of what
//               read_edn / read_jsonl give for the same input, and every
//               error is theirs, word for word (same Status, same line and
//               column): the fast path only accepts what it is sure of.
// [compact-r.2] EDN fast path: one operation map per line, its keys among
//               :index :time :type :process :f :value, :index present, and
//               :value a transaction. Other lines (nemesis operations,
//               extras, strings) go through the EDN parser one line at a
//               time. Anything that needs more than one line (a form
//               spanning lines, a history that is one big vector) or any
//               error sends the whole input through read_edn instead.
//               Within the fast path, a line in exactly the shape our EDN
//               writer emits (key order, ", " separators, one space inside
//               micro-ops) is matched literal by literal; any other line
//               is scanned key by key.
// [compact-r.3] The file is read in blocks of kBlockBytes (a regular file
//               through a window mapped onto it, anything else into a
//               buffer), so the text is never held whole. Each block's
//               lines are cut into chunks the threads take as they come
//               (the calling thread from the front, into the history, the
//               others from the back), and the chunks are concatenated in
//               order: what is read does not depend on who read what.
// [compact-r.4] JSONL goes through read_jsonl_file and from_history (not
//               tuned for speed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "history/compact.h"

namespace fl::history {

inline constexpr size_t kBlockBytes = size_t{64} << 20;

// `threads` 0 means std::thread::hardware_concurrency().
Result<CompactHistory> read_compact_edn(std::string_view text, std::string_view source = "history.edn",
                                        unsigned threads = 0);
// How a file was read, for tests of the paths and of how the arrays were
// sized.
struct ReadStats {
  enum class Path : uint8_t {
    kMapped,    // through a window mapped onto the file
    kBuffered,  // read into a buffer, block by block
    kWhole,     // not seekable: held whole, then read as text (by either path)
    kGeneral,   // read_edn_file and from_history [compact-r.2]
  };
  Path path = Path::kGeneral;
  size_t blocks = 0;  // blocks parsed on the fast path
  // Parts of blocks during whose parsing an array of the history ran out of
  // the room it was sized for and was regrown (copied whole). The first
  // lines, read to judge the sizes, do not count.
  size_t parts_regrown = 0;
  // Chunks of blocks parsed by helper threads, joined afterwards
  // [compact-r.3]; how many depends on how the threads ran.
  size_t chunks_by_helpers = 0;
};

// `block_bytes` is exposed for tests of block boundaries, and `map` (false:
// read a regular file into a buffer too) for tests of the buffered path.
Result<CompactHistory> read_compact_edn_file(const std::string& path, unsigned threads = 0,
                                             size_t block_bytes = kBlockBytes, bool map = true,
                                             ReadStats* stats = nullptr);
Result<CompactHistory> read_compact_jsonl_file(const std::string& path);

}  // namespace fl::history
