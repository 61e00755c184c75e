// campaign/campaign_limits.h: the bounds of a campaign run (runner.h,
// seeds.h, junit.h, merge.h). Every number here is a limit a user can hit
// only with input far beyond any real campaign; hitting one is bad input
// (kInvalidArgument) with a message naming the limit, never a silent cut.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fl::campaign {

// Distinct seeds in one campaign: the 10,000-seed soak of issue 7 times
// ten. A trial's line in trials.jsonl is ~400 bytes, so three workloads of
// this many seeds stay well under kCampaignFileBytesMax.
inline constexpr uint64_t kCampaignSeedsMax = 100'000;
// Comma-separated ranges in one --seeds value.
inline constexpr size_t kSeedRangesMax = 1000;
// --shard K/N: N at most this (a matrix wider than this is not a CI job).
inline constexpr uint32_t kShardCountMax = 10'000;
// --jobs: worker threads.
inline constexpr uint32_t kJobsMax = 256;
// --time-budget, seconds (a week).
inline constexpr uint64_t kTimeBudgetSecondsMax = 7ull * 24 * 3600;
// A failing trial's verdict text in junit.xml; the full text is in the
// bundle, whose path the failure names.
inline constexpr size_t kJunitVerdictTextBytesMax = 16 << 10;
// A headline is one line; an engine finding's detail is cut to this.
inline constexpr size_t kHeadlineFindingBytesMax = 160;
// trials.jsonl, campaign.json, summary.json and a bundle's JSON files are
// read whole; larger ones are refused as corrupt.
inline constexpr uintmax_t kCampaignFileBytesMax = uintmax_t{512} << 20;
// Crash images a trial keeps (crash_images.h), in bytes: room for a few
// crashes of a refdb run (a database of a few hundred KiB) without letting
// a bundle of a large run grow without bound.
inline constexpr uint64_t kCrashImageBytesMax = 4 << 20;
// Non-TTY progress: one line at most this often (seconds), plus the last.
inline constexpr double kProgressLineIntervalSeconds = 10.0;
// TTY progress: redraw at most this often.
inline constexpr double kProgressRedrawIntervalSeconds = 0.1;

static_assert(kSeedRangesMax <= kCampaignSeedsMax);
static_assert(kCampaignSeedsMax * 3 * 1024 <= kCampaignFileBytesMax);  // 3 workloads, 1 KiB lines
static_assert(kJobsMax >= 1 && kShardCountMax >= 1);

}  // namespace fl::campaign
