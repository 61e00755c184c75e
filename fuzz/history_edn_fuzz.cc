// libFuzzer target: the EDN history reader must reject any input with a
// Status naming a line, never crash, hang or abort ([edn-r.2]); what it
// accepts must round-trip through both writers and both readers exactly
// ([edn-w.4], [jsonl-w.2], [size.1]). The compact reader, with its fast
// paths, must give exactly the general reader's history or error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/assert.h"
#include "history/compact.h"
#include "history/compact_reader.h"
#include "history/edn_reader.h"
#include "history/edn_writer.h"
#include "history/jsonl_reader.h"
#include "history/jsonl_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace h = fl::history;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fl::Result<h::History> parsed = h::read_edn(text);
  fl::Result<h::CompactHistory> compact = h::read_compact_edn(text, "history.edn", 2);
  FL_ASSERT(compact.ok() == parsed.ok());
  if (!parsed.ok()) {
    FL_ASSERT(compact.status().to_string() == parsed.status().to_string());
    FL_ASSERT(parsed.status().code() == fl::Code::kInvalidArgument);
    FL_ASSERT(parsed.status().message().substr(0, 5) == "line ");
    return 0;
  }
  FL_ASSERT(compact->to_history() == *parsed);
  const std::string edn = h::to_edn(*parsed);
  fl::Result<h::History> again = h::read_edn(edn);
  FL_ASSERT(again.ok());
  FL_ASSERT(*again == *parsed);
  FL_ASSERT(h::to_edn(*again) == edn);
  // The writer's own lines: the compact reader's literal-matching path.
  fl::Result<h::CompactHistory> compact_again = h::read_compact_edn(edn, "history.edn", 2);
  FL_ASSERT(compact_again.ok());
  FL_ASSERT(compact_again->to_history() == *parsed);
  fl::Result<h::History> via_jsonl = h::read_jsonl(h::to_jsonl(*parsed));
  FL_ASSERT(via_jsonl.ok());
  FL_ASSERT(*via_jsonl == *parsed);
  FL_ASSERT(h::to_edn(*via_jsonl) == edn);
  return 0;
}
