// The parts of the campaign's HTML report that need no campaign directory:
// text escaping (campaign/html_text.h), inlining Graphviz output
// (campaign/report_graphviz.h) and the trial timeline
// (campaign/report_timeline.h), on hand-made inputs. report_test.cc tests
// the whole page.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "campaign/html_text.h"
#include "campaign/report_graphviz.h"
#include "campaign/report_limits.h"
#include "campaign/report_timeline.h"
#include "history/history.h"

namespace fl::campaign::testing {
namespace {

size_t count_of(const std::string& text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}
TEST(HtmlText, EscapesMarkupQuotesAndBadBytes) {
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(html_escape("ok\xC3\xA9\tx\n"), "ok\xC3\xA9\tx\n");
  EXPECT_EQ(html_escape("a\xFF" "b\x01" "c\xC0\xAF"), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(truncated("h\xC3\xA9llo", 2), "h\xE2\x80\xA6");
  EXPECT_EQ(with_thousands(1234567), "1,234,567");
}

TEST(Graphviz, InlineSvgDropsPrologDoctypeAndNamespaces) {
  const std::string document =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
      "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n<!-- Generated -->\n<svg width=\"8pt\" "
      "xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n<g/>\n</svg>\n";
  EXPECT_EQ(inline_svg(document), "<svg width=\"8pt\">\n<g/>\n</svg>");
  EXPECT_EQ(inline_svg("no svg here"), std::nullopt);
  EXPECT_EQ(locate_dot(std::string()), std::nullopt);
  EXPECT_EQ(locate_dot(std::string("/nonexistent/dot")), std::nullopt);
}

TEST(Graphviz, BadDotIsAnErrorNotACrash) {
  const std::optional<std::string> dot = locate_dot(std::nullopt);
  if (!dot) GTEST_SKIP() << "Graphviz `dot` is not installed (apt-get install graphviz)";
  Result<std::string> svg = dot_to_svg(*dot, "digraph { a -> ");
  EXPECT_FALSE(svg.ok());
  Result<std::string> good = dot_to_svg(*dot, "digraph { \"<T1>\" -> T2 }");
  ASSERT_TRUE(good.ok()) << good.status().to_string();
  EXPECT_EQ(good->rfind("<svg", 0), 0u);
  EXPECT_NE(good->find("&lt;T1&gt;"), std::string::npos);
}

history::Op op(int64_t index, int64_t time, history::OpType type, history::Process process, std::string f) {
  history::Op out;
  out.index = index;
  out.time = time;
  out.type = type;
  out.process = std::move(process);
  out.f = std::move(f);
  return out;
}

// [timeline.1]-[timeline.5] on a hand-made history without :time.
TEST(Timeline, PairsOperationsPerProcessAndMergesMarkers) {
  using history::OpType;
  using history::Process;
  history::History h;
  h.ops = {op(0, 0, OpType::kInvoke, Process::integer(0), "txn"),
           op(1, 0, OpType::kInvoke, Process::integer(1), "txn"),
           op(2, 0, OpType::kOk, Process::integer(0), "txn"),
           op(3, 0, OpType::kInvoke, Process::nemesis(), "crash"),
           op(4, 0, OpType::kInfo, Process::integer(1), "txn"),
           op(5, 0, OpType::kInfo, Process::nemesis(), "crash"),
           op(6, 0, OpType::kInvoke, Process::nemesis(), "recover"),
           op(7, 0, OpType::kInfo, Process::nemesis(), "recover"),
           op(8, 0, OpType::kInvoke, Process::integer(2), "txn"),
           op(9, 0, OpType::kFail, Process::integer(2), "txn"),
           op(10, 0, OpType::kInvoke, Process::integer(3), "txn")};
  h.ops[5].set_value(history::Value::map({{history::Value::keyword("kind"), history::Value::keyword("power")}}));
  const Timeline t = render_timeline(h, {{9, "G1a #1"}}, 2);
  EXPECT_EQ(t.transactions, 4u);
  EXPECT_EQ(t.named, 1u);
  EXPECT_FALSE(t.aggregated);
  EXPECT_NE(t.svg.find(":index</text>"), std::string::npos);  // all times 0: by :index
  EXPECT_NE(t.svg.find(">client 1</text>"), std::string::npos);
  EXPECT_EQ(t.svg.find(">client 2</text>"), std::string::npos);  // process 2 is client 0, 3 is client 1
  for (const char* fill : {"#43a047", "#e53935", "#f9a825", "#9e9e9e"}) {
    EXPECT_EQ(count_of(t.svg, std::string("fill=\"") + fill + "\""), 1u) << fill;
  }
  // The crash and the recovery 2 indices apart share no pixel; both labelled.
  EXPECT_NE(t.svg.find(">crash power</text>"), std::string::npos);
  EXPECT_NE(t.svg.find(">recovered</text>"), std::string::npos);
  EXPECT_NE(t.svg.find(">#8</text>"), std::string::npos);  // the named one, by its invocation
  EXPECT_EQ(t.markers, 2u);
}

// [timeline.6]
TEST(Timeline, AggregatesLargeHistoriesAndSaysSo) {
  using history::OpType;
  history::History h;
  const int64_t txns = static_cast<int64_t>(kTimelineBarsMax) + 1000;
  for (int64_t i = 0; i < txns; ++i) {
    h.ops.push_back(op(2 * i, 2 * i * 1000, OpType::kInvoke, history::Process::integer(i % 4), "txn"));
    h.ops.push_back(op(2 * i + 1, (2 * i + 1) * 1000, i % 3 == 0 ? OpType::kFail : OpType::kOk,
                       history::Process::integer(i % 4), "txn"));
  }
  const Timeline t = render_timeline(h, {{4001, "G0 #1"}}, std::nullopt);
  EXPECT_TRUE(t.aggregated);
  EXPECT_EQ(t.transactions, static_cast<size_t>(txns));
  EXPECT_LE(count_of(t.svg, "<rect"), 4 * kTimelineBuckets * 2 + 2 + 1);  // strips + lane shading + the named bar
  EXPECT_EQ(count_of(t.svg, "class=\"tl-named\""), 1u);
  ASSERT_FALSE(t.notes.empty());
  EXPECT_NE(t.notes.back().find("aggregated"), std::string::npos);
}

}  // namespace
}  // namespace fl::campaign::testing
