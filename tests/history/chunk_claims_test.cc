// history/internal/chunk_claims.h: who parses which chunk of a block.
#include "history/internal/chunk_claims.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace fl::history::internal {
namespace {

TEST(ChunkClaims, FrontAndBackMeetAndEveryChunkIsTakenOnce) {
  ChunkClaims claims(5);
  EXPECT_EQ(claims.front(), 0u);
  EXPECT_EQ(claims.back(), 4u);
  EXPECT_EQ(claims.back(), 3u);
  EXPECT_EQ(claims.front(), 1u);
  EXPECT_EQ(claims.front(), 2u);
  EXPECT_EQ(claims.front(), std::nullopt);
  EXPECT_EQ(claims.back(), std::nullopt);
  EXPECT_EQ(claims.taken_from_front(), 3u);
  ChunkClaims none(0);
  EXPECT_EQ(none.front(), std::nullopt);
  EXPECT_EQ(none.back(), std::nullopt);
  EXPECT_EQ(none.taken_from_front(), 0u);
}

// One thread at the front and three at the back, racing: each chunk is
// taken once, the front's are [0, taken_from_front()) in order, and the
// back's the rest.
TEST(ChunkClaims, RacingClaimersSplitTheChunksAtOnePoint) {
  constexpr uint32_t kChunks = 20000;
  for (int round = 0; round < 20; ++round) {
    ChunkClaims claims(kChunks);
    std::vector<std::vector<uint32_t>> backs(3);
    std::vector<std::thread> threads;
    for (auto& taken : backs) {
      threads.emplace_back([&claims, &taken] {
        while (std::optional<uint32_t> i = claims.back()) taken.push_back(*i);
      });
    }
    std::vector<uint32_t> front;
    while (std::optional<uint32_t> i = claims.front()) front.push_back(*i);
    for (std::thread& t : threads) t.join();
    const uint32_t split = claims.taken_from_front();
    ASSERT_EQ(front.size(), split);
    for (uint32_t i = 0; i < split; ++i) ASSERT_EQ(front[i], i);
    std::vector<int> times(kChunks, 0);
    for (uint32_t i : front) times[i] += 1;
    for (const auto& taken : backs) {
      for (uint32_t i : taken) {
        ASSERT_GE(i, split);
        times[i] += 1;
      }
    }
    for (uint32_t i = 0; i < kChunks; ++i) ASSERT_EQ(times[i], 1) << i;
  }
}

}  // namespace
}  // namespace fl::history::internal
