// campaign/seeds.h: which trials a campaign (or one shard of it) runs.
// docs/formats/campaign.md ("campaign.json") is the contract.
//
// [seeds.1] parse_seed_ranges() accepts "A..B" (A <= B), "A", and a comma
//           list of those ("1..10,20..30"); integers are unsigned decimal
//           and fit uint64. The ranges come back sorted by first seed.
//           Anything else (empty, "5..1", "1..", "x", overlapping ranges,
//           more than kCampaignSeedsMax seeds) is kInvalidArgument quoting
//           the offending part.
// [seeds.2] parse_shard() accepts "K/N" with 1 <= K <= N <= kShardCountMax
//           and returns the 0-based index K-1.
// [seeds.3] shard_from_env() reads, in this order, the first one set:
//           FAULTLINE_SHARD=K/N; JOB_COMPLETION_INDEX (Kubernetes Indexed
//           Jobs, 0-based) with FAULTLINE_SHARD_COUNT (Kubernetes exports no
//           completion count); CI_NODE_INDEX/CI_NODE_TOTAL (GitLab parallel
//           jobs, 1-based); BUILDKITE_PARALLEL_JOB/BUILDKITE_PARALLEL_JOB_COUNT
//           (0-based); CIRCLE_NODE_INDEX/CIRCLE_NODE_TOTAL (0-based). None
//           set: shard 1/1. A half-set pair or a bad value is
//           kInvalidArgument naming the variables.
// [seeds.4] shard_seeds(): the i-th distinct seed (0-based, ascending)
//           belongs to shard i % count, so all workloads of one seed stay
//           together and shards differ in size by at most one seed. For a
//           single range A..B this is (s - A) % count.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace fl::campaign {

struct SeedRange {
  uint64_t first = 1;
  uint64_t last = 1;  // inclusive
  friend bool operator==(const SeedRange&, const SeedRange&) = default;
};

struct ShardSpec {
  uint32_t index = 0;  // 0-based
  uint32_t count = 1;
  friend bool operator==(const ShardSpec&, const ShardSpec&) = default;
};

// A shard and where it came from ("--shard", "FAULTLINE_SHARD", ...).
struct ShardSource {
  ShardSpec shard;
  std::string source;
};

Result<std::vector<SeedRange>> parse_seed_ranges(std::string_view text);  // [seeds.1]
// Checks ranges built by hand (or read from campaign.json) as [seeds.1] does.
Status validate_seed_ranges(const std::vector<SeedRange>& ranges);
uint64_t seed_count(const std::vector<SeedRange>& ranges);
std::string seed_ranges_text(const std::vector<SeedRange>& ranges);  // "1..10,20..30"

Result<ShardSpec> parse_shard(std::string_view text);  // [seeds.2]
std::string shard_text(const ShardSpec& shard);        // "K/N", 1-based

// Looks a variable up; empty optional when unset. Tests pass a map.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup process_env();
Result<ShardSource> shard_from_env(const EnvLookup& env);  // [seeds.3]

std::vector<uint64_t> shard_seeds(const std::vector<SeedRange>& ranges, const ShardSpec& shard);  // [seeds.4]

}  // namespace fl::campaign
