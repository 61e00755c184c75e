// bank ([wl.5]) run serially against the map model: every read sums to
// accounts * initial_balance, no balance is negative, a transfer fails
// exactly when its source is short, and a failed transfer changes nothing.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tests/workloads/gen.h"
#include "tests/workloads/workload_util.h"
#include "workloads/internal/codec.h"

namespace fl::workloads::testing {
namespace {

RC_GTEST_PROP(BankProp, SerialRunConservesTheTotal, ()) {
  const WorkloadOptions options = gen::bank_options();
  RC_ASSERT(validate(options).ok());
  const std::vector<Invocation> invocations =
      generate(options, *rc::gen::arbitrary<uint64_t>(), *rc::gen::inRange<size_t>(1, 150));
  const int64_t total = static_cast<int64_t>(options.accounts) * options.initial_balance;
  MapEngine engine;
  engine.setup(options);
  std::vector<int64_t> model(options.accounts, options.initial_balance);
  std::vector<Invocation> all = invocations;
  all.push_back(make_generator(options)->final_reads().at(0));
  for (const Invocation& invocation : all) {
    const std::map<std::string, std::string> before = engine.data;
    const Outcome out = engine.run(options, invocation);
    if (invocation.f == "transfer") {
      const int64_t from = invocation.value.find("from")->as_int();
      const int64_t to = invocation.value.find("to")->as_int();
      const int64_t amount = invocation.value.find("amount")->as_int();
      const bool short_source = model[from] < amount;
      RC_ASSERT((out.type == Outcome::Type::kFail) == short_source);
      if (short_source) {
        RC_ASSERT(engine.data == before);
      } else {
        RC_ASSERT(out.completion == invocation.value);
        model[from] -= amount;
        model[to] += amount;
      }
      continue;
    }
    RC_ASSERT(out.type == Outcome::Type::kOk);
    const std::vector<history::MapEntry>& balances = out.completion.entries();
    RC_ASSERT(balances.size() == options.accounts);
    int64_t sum = 0;
    for (size_t i = 0; i < balances.size(); ++i) {
      RC_ASSERT(balances[i].key.as_int() == static_cast<int64_t>(i));
      RC_ASSERT(balances[i].value.as_int() == model[i]);
      RC_ASSERT(balances[i].value.as_int() >= 0);
      sum += balances[i].value.as_int();
    }
    RC_ASSERT(sum == total);
  }
  int64_t stored = 0;
  for (const auto& [key, value] : engine.data) stored += *internal::decode_int(key, value);
  RC_ASSERT(stored == total);
}

}  // namespace
}  // namespace fl::workloads::testing
