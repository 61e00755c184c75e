// TxnGraph's ways of building ([graph.6], [graph.8] in
// checkers/internal/txn_graph.h): links held pending, placed in two passes
// on one lane, or split across lanes linked by several threads at once,
// give the same graph.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <thread>
#include <tuple>
#include <vector>

#include "checkers/internal/txn_graph.h"

namespace fl::checkers::internal {
namespace {

struct Link {
  uint32_t from;
  uint32_t to;
  Rel rel;
};

// Every edge of `g`, row by row: (from, to, relations).
std::vector<std::tuple<uint32_t, uint32_t, uint8_t>> edges_of(const TxnGraph& g) {
  std::vector<std::tuple<uint32_t, uint32_t, uint8_t>> out;
  for (uint32_t v = 0; v < g.vertex_count(); ++v) {
    for (uint32_t e = g.out_begin(v); e < g.out_end(v); ++e) out.emplace_back(v, g.target(e), g.rels(e));
  }
  return out;
}

TxnGraph pending(uint32_t n, const std::vector<Link>& links) {
  TxnGraph g(n);
  for (const Link& l : links) g.link(l.from, l.to, l.rel);
  g.finish();
  return g;
}

// links[i] goes to lane lane_of[i]; each lane links from its own thread.
TxnGraph in_lanes(uint32_t n, const std::vector<Link>& links, const std::vector<uint32_t>& lane_of, uint32_t lanes) {
  TxnGraph g(n);
  auto link_all = [&] {
    std::vector<std::thread> threads;
    for (uint32_t lane = 0; lane < lanes; ++lane) {
      threads.emplace_back([&, lane] {
        for (size_t i = 0; i < links.size(); ++i) {
          if (lane_of[i] == lane) g.lane(lane).link(links[i].from, links[i].to, links[i].rel);
        }
      });
    }
    for (std::thread& t : threads) t.join();
  };
  g.count_pass(lanes);
  link_all();
  g.place_pass();
  link_all();
  g.finish();
  return g;
}

RC_GTEST_PROP(TxnGraphLanes, EveryWayOfBuildingGivesTheSameGraph, ()) {
  const auto n = *rc::gen::inRange<uint32_t>(2, 30);
  const auto lanes = *rc::gen::inRange<uint32_t>(1, 4);
  const auto count = *rc::gen::inRange<size_t>(0, 200);
  std::vector<Link> links;
  std::vector<uint32_t> lane_of;
  for (size_t i = 0; i < count; ++i) {
    const auto from = *rc::gen::inRange<uint32_t>(0, n);
    auto to = *rc::gen::inRange<uint32_t>(0, n - 1);
    if (to >= from) to += 1;  // never a self-loop
    const Rel rel = *rc::gen::element(kWw, kWr, kRw, kProcess, kRealtime);
    links.push_back({from, to, rel});
    lane_of.push_back(*rc::gen::inRange<uint32_t>(0, lanes));
  }
  const TxnGraph expected = pending(n, links);
  const TxnGraph laned = in_lanes(n, links, lane_of, lanes);
  RC_ASSERT(edges_of(laned) == edges_of(expected));
  RC_ASSERT(laned.all_rels() == expected.all_rels());
}

// A lane that places a link it did not count fails an assertion, even when
// the lanes' totals agree ([graph.6]).
TEST(TxnGraphLanesDeathTest, ALaneThatPlacesWhatItDidNotCountIsCaught) {
  EXPECT_DEATH(
      {
        TxnGraph g(3);
        g.count_pass(2);
        g.lane(0).link(0, 1, kWw);
        g.lane(1).link(0, 2, kWr);
        g.place_pass();
        g.lane(0).link(0, 1, kWw);
        g.lane(0).link(0, 2, kWr);  // lane 1's link, made by lane 0
      },
      "FL_ASSERT");
}

}  // namespace
}  // namespace fl::checkers::internal
