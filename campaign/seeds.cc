// campaign/seeds.cc: seed ranges and shards (seeds.h).
#include "campaign/seeds.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "campaign/campaign_limits.h"

namespace fl::campaign {

namespace {

Status bad_seeds(std::string_view part, std::string_view what) {
  return Status::invalid_argument("--seeds", "\"" + std::string(part) + "\": " + std::string(what));
}

std::optional<uint64_t> parse_u64(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

Result<SeedRange> parse_one_range(std::string_view part) {
  const size_t dots = part.find("..");
  if (dots == std::string_view::npos) {
    const std::optional<uint64_t> seed = parse_u64(part);
    if (!seed) return bad_seeds(part, "expected a seed (unsigned integer) or a range A..B");
    return SeedRange{*seed, *seed};
  }
  const std::optional<uint64_t> first = parse_u64(part.substr(0, dots));
  const std::optional<uint64_t> last = parse_u64(part.substr(dots + 2));
  if (!first || !last) return bad_seeds(part, "expected A..B with unsigned integers A and B");
  if (*first > *last) return bad_seeds(part, "the range is empty (the first seed is larger than the last)");
  return SeedRange{*first, *last};
}

}  // namespace

Status validate_seed_ranges(const std::vector<SeedRange>& ranges) {
  if (ranges.empty()) return Status::invalid_argument("--seeds", "no seeds given");
  if (ranges.size() > kSeedRangesMax) {
    return Status::invalid_argument("--seeds", "more than " + std::to_string(kSeedRangesMax) + " ranges");
  }
  uint64_t total = 0;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const SeedRange& range = ranges[i];
    const std::string text = seed_ranges_text({range});
    if (range.first > range.last) return bad_seeds(text, "the range is empty");
    if (i > 0 && ranges[i - 1].last >= range.first) {
      return bad_seeds(text, "overlaps or is out of order with \"" + seed_ranges_text({ranges[i - 1]}) + "\"");
    }
    const uint64_t size = range.last - range.first;  // + 1 below, without overflowing 0..2^64-1
    if (size >= kCampaignSeedsMax || total + size + 1 > kCampaignSeedsMax) {
      return Status::invalid_argument("--seeds", "more than " + std::to_string(kCampaignSeedsMax) +
                                                     " seeds in one campaign (split it into several)");
    }
    total += size + 1;
  }
  return Status::success();
}

Result<std::vector<SeedRange>> parse_seed_ranges(std::string_view text) {
  std::vector<SeedRange> ranges;
  if (trim(text).empty()) return Status::invalid_argument("--seeds", "no seeds given (expected e.g. 1..500)");
  size_t start = 0;
  while (start <= text.size()) {
    if (ranges.size() >= kSeedRangesMax) {
      return Status::invalid_argument("--seeds", "more than " + std::to_string(kSeedRangesMax) + " ranges");
    }
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view part = trim(text.substr(start, comma - start));
    FL_ASSIGN_OR_RETURN(SeedRange range, parse_one_range(part));
    ranges.push_back(range);
    start = comma + 1;
  }
  std::sort(ranges.begin(), ranges.end(), [](const SeedRange& a, const SeedRange& b) { return a.first < b.first; });
  FL_TRY(validate_seed_ranges(ranges));
  return ranges;
}

uint64_t seed_count(const std::vector<SeedRange>& ranges) {
  uint64_t total = 0;
  for (const SeedRange& range : ranges) total += range.last - range.first + 1;
  return total;
}

std::string seed_ranges_text(const std::vector<SeedRange>& ranges) {
  std::string out;
  for (const SeedRange& range : ranges) {
    if (!out.empty()) out += ',';
    out += std::to_string(range.first);
    if (range.last != range.first) out += ".." + std::to_string(range.last);
  }
  return out;
}

Result<ShardSpec> parse_shard(std::string_view text) {
  const auto bad = [&](std::string_view what) {
    return Status::invalid_argument("--shard", "\"" + std::string(text) + "\": " + std::string(what));
  };
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad("expected K/N (shard K of N, 1 <= K <= N)");
  const std::optional<uint64_t> k = parse_u64(trim(text.substr(0, slash)));
  const std::optional<uint64_t> n = parse_u64(trim(text.substr(slash + 1)));
  if (!k || !n) return bad("expected K/N with unsigned integers (shard K of N, 1 <= K <= N)");
  if (*n == 0 || *n > kShardCountMax) return bad("N must be in 1.." + std::to_string(kShardCountMax));
  if (*k == 0) return bad("K is 1-based: the first shard is 1/" + std::to_string(*n));
  if (*k > *n) return bad("K must not exceed N");
  return ShardSpec{static_cast<uint32_t>(*k - 1), static_cast<uint32_t>(*n)};
}

std::string shard_text(const ShardSpec& shard) {
  return std::to_string(shard.index + 1) + "/" + std::to_string(shard.count);
}

EnvLookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);  // read once, before any worker thread starts
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
  };
}

namespace {

// An index/count pair of variables; `one_based` for GitLab's CI_NODE_INDEX.
struct ShardVars {
  const char* index;
  const char* count;
  bool one_based;
};

constexpr ShardVars kShardVars[] = {
    {"JOB_COMPLETION_INDEX", "FAULTLINE_SHARD_COUNT", false},  // Kubernetes Indexed Job
    {"CI_NODE_INDEX", "CI_NODE_TOTAL", true},                   // GitLab CI `parallel:`
    {"BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", false},
    {"CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", false},
};

Result<ShardSource> shard_from_vars(const ShardVars& vars, const std::string& index, const std::string& count) {
  const std::string source = std::string(vars.index) + "/" + vars.count;
  const std::optional<uint64_t> i = parse_u64(index);
  const std::optional<uint64_t> n = parse_u64(count);
  const auto bad = [&](std::string_view what) {
    return Status::invalid_argument(source, std::string(vars.index) + "=\"" + index + "\", " + vars.count + "=\"" +
                                                count + "\": " + std::string(what));
  };
  if (!i || !n) return bad("expected unsigned integers");
  if (*n == 0 || *n > kShardCountMax) return bad("the count must be in 1.." + std::to_string(kShardCountMax));
  const uint64_t zero_based = vars.one_based ? *i - 1 : *i;
  if (vars.one_based && *i == 0) return bad("the index is 1-based here, 0 is out of range");
  if (zero_based >= *n) return bad("the index is out of range for the count");
  return ShardSource{ShardSpec{static_cast<uint32_t>(zero_based), static_cast<uint32_t>(*n)}, source};
}

}  // namespace

Result<ShardSource> shard_from_env(const EnvLookup& env) {
  if (std::optional<std::string> spec = env("FAULTLINE_SHARD")) {
    Result<ShardSpec> shard = parse_shard(*spec);
    if (!shard.ok()) {
      return Status::invalid_argument("FAULTLINE_SHARD", std::string(shard.status().message()));
    }
    return ShardSource{*shard, "FAULTLINE_SHARD"};
  }
  for (const ShardVars& vars : kShardVars) {
    const std::optional<std::string> index = env(vars.index);
    if (!index) continue;
    const std::optional<std::string> count = env(vars.count);
    if (!count) {
      return Status::invalid_argument(vars.index, std::string("is set but ") + vars.count +
                                                      " is not: set it to the number of shards, or pass --shard K/N");
    }
    return shard_from_vars(vars, *index, *count);
  }
  return ShardSource{ShardSpec{}, "default (no --shard, no CI shard variables)"};
}

std::vector<uint64_t> shard_seeds(const std::vector<SeedRange>& ranges, const ShardSpec& shard) {
  FL_ASSERT(shard.count >= 1 && shard.index < shard.count);
  std::vector<uint64_t> seeds;
  uint64_t position = 0;  // of the seed among all distinct seeds, ascending
  for (const SeedRange& range : ranges) {
    for (uint64_t seed = range.first;; ++seed) {
      if (position % shard.count == shard.index) seeds.push_back(seed);
      ++position;
      if (seed == range.last) break;  // not `seed <= last`: last may be UINT64_MAX
    }
  }
  return seeds;
}

}  // namespace fl::campaign
