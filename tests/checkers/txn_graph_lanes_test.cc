// TxnGraph's ways of building ([graph.6], [graph.8], [graph.9] in
// checkers/internal/txn_graph.h): links held pending, placed in two passes
// or collected in one, on one lane or split across lanes linked by several
// threads at once, all give the graph the links define.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <map>
#include <utility>
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

// The graph the links define, row by row: one edge per ordered pair, with
// the union of its relations.
std::vector<std::tuple<uint32_t, uint32_t, uint8_t>> expected_edges(const std::vector<Link>& links) {
  std::map<std::pair<uint32_t, uint32_t>, uint8_t> rels;
  for (const Link& l : links) rels[{l.from, l.to}] |= l.rel;
  std::vector<std::tuple<uint32_t, uint32_t, uint8_t>> out;
  for (const auto& [pair, rel] : rels) out.emplace_back(pair.first, pair.second, rel);
  return out;
}

TxnGraph pending(uint32_t n, const std::vector<Link>& links) {
  TxnGraph g(n);
  for (const Link& l : links) g.link(l.from, l.to, l.rel);
  g.finish();
  return g;
}

// links[i] goes to lane lane_of[i]; each lane links from its own thread,
// in two passes or, when `collect`, in one.
TxnGraph in_lanes(uint32_t n, const std::vector<Link>& links, const std::vector<uint32_t>& lane_of, uint32_t lanes,
                  bool collect) {
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
  if (collect) {
    g.collect_pass(lanes, SIZE_MAX);
    link_all();
  } else {
    g.count_pass(lanes);
    link_all();
    g.place_pass();
    link_all();
  }
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
  const auto expected = expected_edges(links);
  uint8_t all_rels = 0;
  for (const Link& l : links) all_rels |= l.rel;
  for (const TxnGraph& g : {pending(n, links), in_lanes(n, links, lane_of, lanes, false),
                            in_lanes(n, links, lane_of, lanes, true)}) {
    RC_ASSERT(edges_of(g) == expected);
    RC_ASSERT(g.all_rels() == all_rels);
  }
}

// Links past a lane's first chunk of collected links (8192) are kept too.
TEST(TxnGraphLanes, CollectedLinksSpanningManyChunksGiveTheSameGraph) {
  constexpr uint32_t n = 500;
  std::vector<Link> links;
  std::vector<uint32_t> lane_of;
  uint64_t x = 12345;
  auto next = [&x] {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(x >> 33);
  };
  constexpr Rel kRels[] = {kWw, kWr, kRw, kProcess, kRealtime};
  for (int i = 0; i < 40000; ++i) {
    const uint32_t from = next() % n;
    const uint32_t to = (from + 1 + next() % (n - 1)) % n;
    links.push_back({from, to, kRels[next() % 5]});
    lane_of.push_back(next() % 2);
  }
  const TxnGraph g = in_lanes(n, links, lane_of, 2, true);
  EXPECT_EQ(edges_of(g), expected_edges(links));
}

// Lanes given more links together than the bound say so, and the graph
// cannot be finished; within the bound they hold them all. How the links
// were split among the lanes does not matter: the one-pass build splits
// them as its threads happen to run.
TEST(TxnGraphLanes, CollectingPastTheBoundOverflowsHoweverTheLinksAreSplit) {
  for (size_t max : {size_t{25}, size_t{39}, size_t{40}, size_t{200}}) {
    for (uint32_t lane_of_even : {0u, 1u}) {
      TxnGraph g(10);
      g.collect_pass(2, max);
      // 40 links: 10 and 30, or all 40 in lane 1.
      for (uint32_t i = 0; i < 20; ++i) g.lane(i % 2 == 1 ? 1 : lane_of_even).link(i % 10, (i + 1) % 10, kWw);
      for (uint32_t i = 0; i < 20; ++i) g.lane(1).link(i % 10, (i + 3) % 10, kRw);
      EXPECT_EQ(g.overflowed(), max < 40) << max << " " << lane_of_even;
      if (!g.overflowed()) {
        g.finish();
        EXPECT_EQ(g.edge_count(), 20u) << max;  // the 40 links make 20 distinct pairs
      }
    }
  }
}

TEST(TxnGraphLanesDeathTest, AnOverflowedGraphIsNotFinished) {
  EXPECT_DEATH(
      {
        TxnGraph g(3);
        g.collect_pass(1, 1);
        g.lane(0).link(0, 1, kWw);
        g.lane(0).link(1, 2, kWw);
        g.finish();
      },
      "FL_ASSERT");
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
