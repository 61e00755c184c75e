// Generators and plans over random valid options: [wl.1]-[wl.4] hold for
// every seed, and list-append run serially against the map model reads
// back exactly the appends made, in order, within refdb's value limit.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>

#include "engine/limits.h"
#include "history/op.h"
#include "tests/workloads/gen.h"
#include "tests/workloads/workload_util.h"

namespace fl::workloads::testing {
namespace {

using history::MicroKind;
using history::MicroOp;
using history::Txn;

RC_GTEST_PROP(GeneratorProp, TxnWorkloadsKeepTheirPromises, ()) {
  const WorkloadKind kind = *rc::gen::element(WorkloadKind::kListAppend, WorkloadKind::kRwRegister);
  const WorkloadOptions options = gen::txn_options(kind);
  RC_ASSERT(validate(options).ok());
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  const size_t count = *rc::gen::inRange<size_t>(0, 150);
  const std::vector<Invocation> invocations = generate(options, seed, count);
  RC_ASSERT(generate(options, seed, count) == invocations);  // [wl.4]

  std::map<int64_t, int64_t> writes;  // key -> values handed out
  std::set<int64_t> used;
  for (const Invocation& invocation : invocations) {
    RC_ASSERT(check_invocation(options, invocation).ok());
    const Txn txn = *history::txn_from_value(invocation.value);
    RC_ASSERT(txn.size() >= options.micro_ops_min);
    RC_ASSERT(txn.size() <= options.micro_ops_max);
    for (const MicroOp& micro : txn) {
      used.insert(micro.key);
      if (micro.kind == MicroKind::kRead) continue;
      const int64_t value = std::get<int64_t>(micro.value);
      RC_ASSERT(value == writes[micro.key] + 1);  // [wl.1]
      writes[micro.key] = value;
      RC_ASSERT(value <= static_cast<int64_t>(options.writes_per_key_max));  // [wl.2]
    }
  }
  // Final reads: the keys used, each once, in bounded batches.
  std::unique_ptr<Generator> generator = make_generator(options);
  Prng prng = Prng::stream(seed, "workload");
  for (size_t i = 0; i < count; ++i) (void)generator->next(prng);
  std::set<int64_t> read;
  for (const Invocation& invocation : generator->final_reads()) {
    const Txn txn = *history::txn_from_value(invocation.value);
    RC_ASSERT(!txn.empty());
    RC_ASSERT(txn.size() <= kFinalReadKeysMax);
    for (const MicroOp& micro : txn) RC_ASSERT(read.insert(micro.key).second);
  }
  RC_ASSERT(read == used);
}

RC_GTEST_PROP(GeneratorProp, ListAppendSerialRunReadsEveryAppendInOrder, ()) {
  const WorkloadOptions options = gen::txn_options(WorkloadKind::kListAppend);
  const std::vector<Invocation> invocations =
      generate(options, *rc::gen::arbitrary<uint64_t>(), *rc::gen::inRange<size_t>(1, 200));
  MapEngine engine;
  std::map<int64_t, std::vector<int64_t>> model;
  for (const Invocation& invocation : invocations) {
    const Outcome out = engine.run(options, invocation);
    RC_ASSERT(out.type == Outcome::Type::kOk);
    const Txn completed = *history::txn_from_value(out.completion);
    for (const MicroOp& micro : completed) {
      if (micro.kind == MicroKind::kAppend) {
        model[micro.key].push_back(std::get<int64_t>(micro.value));
      } else if (model[micro.key].empty()) {
        RC_ASSERT(std::holds_alternative<std::monostate>(micro.value));  // [wl.6]
      } else {
        RC_ASSERT(std::get<std::vector<int64_t>>(micro.value) == model[micro.key]);
      }
    }
    for (const Step& step : out.steps) RC_ASSERT(step.value.size() <= engine::kValueBytesMax);
  }
}

RC_GTEST_PROP(GeneratorProp, RwRegisterSerialRunReadsTheLastWrite, ()) {
  const WorkloadOptions options = gen::txn_options(WorkloadKind::kRwRegister);
  const std::vector<Invocation> invocations =
      generate(options, *rc::gen::arbitrary<uint64_t>(), *rc::gen::inRange<size_t>(1, 150));
  MapEngine engine;
  std::map<int64_t, int64_t> model;
  for (const Invocation& invocation : invocations) {
    const Outcome out = engine.run(options, invocation);
    RC_ASSERT(out.type == Outcome::Type::kOk);
    const Txn completed = *history::txn_from_value(out.completion);
    for (const MicroOp& micro : completed) {
      if (micro.kind == MicroKind::kWrite) {
        model[micro.key] = std::get<int64_t>(micro.value);
      } else if (auto found = model.find(micro.key); found == model.end()) {
        RC_ASSERT(std::holds_alternative<std::monostate>(micro.value));
      } else {
        RC_ASSERT(std::get<int64_t>(micro.value) == found->second);
      }
    }
  }
}

}  // namespace
}  // namespace fl::workloads::testing
