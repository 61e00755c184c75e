// Round trips of both formats on random histories with every Value kind
// ([edn-w.4], [jsonl-w.2]), and robustness of both readers against random
// corruption of valid files ([edn-r.2], [jsonl-r.2]).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <sstream>

#include "history/edn_reader.h"
#include "history/edn_writer.h"
#include "history/jsonl_reader.h"
#include "history/jsonl_writer.h"
#include "tests/history/gen.h"

namespace fl::history {
namespace {

RC_GTEST_PROP(HistoryRoundTrip, EdnReadsBackEqualAndRewritesIdentically, ()) {
  const History h = *gen::history();
  const std::string text = to_edn(h);
  RC_LOG() << text;
  Result<History> back = read_edn(text);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == h);
  RC_ASSERT(to_edn(*back) == text);
}

RC_GTEST_PROP(HistoryRoundTrip, JsonlReadsBackEqualAndRewritesIdentically, ()) {
  const History h = *gen::history();
  const std::string text = to_jsonl(h);
  RC_LOG() << text;
  Result<History> back = read_jsonl(text);
  if (!back.ok()) RC_LOG() << back.status().to_string();
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == h);
  RC_ASSERT(to_jsonl(*back) == text);
}

RC_GTEST_PROP(HistoryRoundTrip, EdnToJsonlToEdnIsExact, ()) {
  const History h = *gen::history();
  const std::string edn = to_edn(h);
  Result<History> from_edn = read_edn(edn);
  RC_ASSERT(from_edn.ok());
  Result<History> from_jsonl = read_jsonl(to_jsonl(*from_edn));
  RC_ASSERT(from_jsonl.ok());
  RC_ASSERT(to_edn(*from_jsonl) == edn);
}

RC_GTEST_PROP(HistoryRoundTrip, StreamingReadersMatchWholeReaders, ()) {
  const History h = *gen::history();
  std::istringstream edn(to_edn(h));
  std::istringstream jsonl(to_jsonl(h));
  History streamed_edn;
  History streamed_jsonl;
  auto into = [](History* target) {
    return [target](Op&& op) {
      target->ops.push_back(std::move(op));
      return Status::success();
    };
  };
  RC_ASSERT(read_edn(edn, &streamed_edn.meta, into(&streamed_edn)).ok());
  RC_ASSERT(read_jsonl(jsonl, &streamed_jsonl.meta, into(&streamed_jsonl)).ok());
  RC_ASSERT(streamed_edn == h);
  RC_ASSERT(streamed_jsonl == h);
}

RC_GTEST_PROP(ValueRoundTrip, EdnAndJsonGiveTheValueBack, ()) {
  const Value v = *gen::value(4);
  const std::string edn = to_edn(v);
  RC_LOG() << edn;
  Result<Value> from_edn = parse_edn_value(edn);
  RC_ASSERT(from_edn.ok());
  RC_ASSERT(*from_edn == v);
  Result<Value> from_json = parse_json_value(to_json(v));
  RC_ASSERT(from_json.ok());
  RC_ASSERT(*from_json == v);
}

RC_GTEST_PROP(TxnRoundTrip, TypedAndGenericFormsAgree, ()) {
  const Txn t = *gen::txn();
  std::optional<Txn> back = txn_from_value(txn_to_value(t));
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == t);
}

// Flips, deletes or inserts bytes of a valid file: the readers return ok or
// kInvalidArgument naming a line, and never crash (ASan builds check memory).
std::string corrupt(std::string text) {
  int edits = *rc::gen::inRange(1, 4);
  for (int i = 0; i < edits && !text.empty(); i++) {
    size_t at = *rc::gen::inRange<size_t>(0, text.size());
    char byte = *rc::gen::element('"', '\\', '[', ']', '{', '}', '#', ':', ';', '\n', ' ', '\xff', 'N', '0', '_');
    switch (*rc::gen::inRange(0, 3)) {
      case 0: text[at] = byte; break;
      case 1: text.erase(at, 1); break;
      default: text.insert(at, 1, byte); break;
    }
  }
  return text;
}

RC_GTEST_PROP(HistoryCorruption, ReadersRejectWithALineOrAccept, ()) {
  const History h = *gen::history();
  for (bool edn : {true, false}) {
    const std::string text = corrupt(edn ? to_edn(h) : to_jsonl(h));
    Result<History> back = edn ? read_edn(text) : read_jsonl(text);
    if (back.ok()) continue;
    RC_ASSERT(back.status().code() == Code::kInvalidArgument);
    RC_ASSERT(back.status().message().find("line ") == 0);
  }
}

}  // namespace
}  // namespace fl::history
