// libFuzzer target: the JSONL history reader must reject any input with a
// Status naming a line, never crash, hang or abort ([jsonl-r.2]); what it
// accepts must round-trip through both writers and both readers exactly
// ([jsonl-w.2], [edn-w.4], [size.1]).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/assert.h"
#include "history/edn_reader.h"
#include "history/edn_writer.h"
#include "history/jsonl_reader.h"
#include "history/jsonl_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace h = fl::history;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fl::Result<h::History> parsed = h::read_jsonl(text);
  if (!parsed.ok()) {
    FL_ASSERT(parsed.status().code() == fl::Code::kInvalidArgument);
    FL_ASSERT(parsed.status().message().substr(0, 5) == "line ");
    return 0;
  }
  const std::string jsonl = h::to_jsonl(*parsed);
  fl::Result<h::History> again = h::read_jsonl(jsonl);
  FL_ASSERT(again.ok());
  FL_ASSERT(*again == *parsed);
  FL_ASSERT(h::to_jsonl(*again) == jsonl);
  fl::Result<h::History> via_edn = h::read_edn(h::to_edn(*parsed));
  FL_ASSERT(via_edn.ok());
  FL_ASSERT(*via_edn == *parsed);
  FL_ASSERT(h::to_jsonl(*via_edn) == jsonl);
  return 0;
}
