// Isolation checker throughput: list-append histories of 10^3..10^5
// transactions (8 clients, up to 4 micro-ops each, fixed seeds), checked for
// strict serializability (realtime edges included). "valid" histories come
// from a correct serial store; "anomalous" ones have 1 in 50 reads missing
// the newest element, so the graph is full of cycles to find and explain.
#include <benchmark/benchmark.h>

#include <vector>

#include "base/prng.h"
#include "checkers/list_append.h"
#include "history/history.h"

namespace fl::checkers {
namespace {

using history::MicroKind;
using history::MicroOp;
using history::Op;
using history::OpType;
using history::Process;

constexpr int kProcesses = 8;
constexpr int kMopsMax = 4;
constexpr int64_t kKeysPerEpoch = 16;
constexpr int64_t kTxnsPerKeyEpoch = 500;  // keys rotate so lists stay short

history::History make_history(int64_t txn_count, uint64_t seed, Ratio stale) {
  Prng prng = Prng::stream(seed, "checker-bench");
  std::vector<std::vector<int64_t>> lists;
  std::vector<int64_t> next_value;
  std::vector<history::Txn> invokes(static_cast<size_t>(txn_count));
  history::History h;
  h.ops.reserve(static_cast<size_t>(txn_count) * 2);
  auto emit = [&](int64_t t, OpType type, history::Txn txn) {
    Op op;
    op.index = static_cast<int64_t>(h.ops.size());
    op.time = op.index;
    op.type = type;
    op.process = Process::integer(t % kProcesses);
    op.f = "txn";
    op.value = std::move(txn);
    h.ops.push_back(std::move(op));
  };
  for (int64_t step = 0; step < txn_count + kProcesses - 1; ++step) {
    if (step < txn_count) {
      history::Txn txn;
      int64_t mops = static_cast<int64_t>(prng.range_inclusive(1, kMopsMax));
      for (int64_t m = 0; m < mops; ++m) {
        int64_t key = static_cast<int64_t>(prng.uniform(kKeysPerEpoch)) + kKeysPerEpoch * (step / kTxnsPerKeyEpoch);
        if (static_cast<size_t>(key) >= lists.size()) {
          lists.resize(static_cast<size_t>(key) + 1);
          next_value.resize(static_cast<size_t>(key) + 1, 1);
        }
        if (prng.chance(Ratio{1, 2})) {
          txn.push_back({MicroKind::kAppend, key, next_value[static_cast<size_t>(key)]++});
        } else {
          txn.push_back({MicroKind::kRead, key, std::monostate{}});
        }
      }
      invokes[static_cast<size_t>(step)] = txn;
      emit(step, OpType::kInvoke, std::move(txn));
    }
    int64_t done = step - (kProcesses - 1);
    if (done < 0) continue;
    history::Txn txn = invokes[static_cast<size_t>(done)];
    for (MicroOp& mop : txn) {
      std::vector<int64_t>& list = lists[static_cast<size_t>(mop.key)];
      if (mop.kind == MicroKind::kAppend) {
        list.push_back(std::get<int64_t>(mop.value));
      } else {
        size_t shown = list.size();
        if (shown > 0 && prng.chance(stale)) shown -= 1;
        mop.value = std::vector<int64_t>(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(shown));
      }
    }
    emit(done, OpType::kOk, std::move(txn));
  }
  return h;
}

void run(benchmark::State& state, Ratio stale) {
  history::History h = make_history(state.range(0), 42, stale);
  Validity validity = Validity::kValid;
  for (auto _ : state) {
    Verdict v = check_list_append(h);
    validity = v.validity;
    benchmark::DoNotOptimize(v);
  }
  state.counters["txns_per_s"] =
      benchmark::Counter(static_cast<double>(state.range(0)) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
  state.SetLabel(std::string(validity_name(validity)));
}

void BM_Checkers_ListAppendValid(benchmark::State& state) { run(state, Ratio{0, 1}); }
void BM_Checkers_ListAppendAnomalous(benchmark::State& state) { run(state, Ratio{1, 50}); }

BENCHMARK(BM_Checkers_ListAppendValid)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Checkers_ListAppendAnomalous)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fl::checkers

BENCHMARK_MAIN();
