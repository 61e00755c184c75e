// tests/workloads/gen.h: RapidCheck generators of valid WorkloadOptions.
#pragma once

#include <rapidcheck.h>

#include "workloads/limits.h"
#include "workloads/workload.h"

namespace fl::workloads::gen {

inline rc::Gen<Ratio> ratio() {
  return rc::gen::map(rc::gen::pair(rc::gen::inRange<uint64_t>(0, 9), rc::gen::inRange<uint64_t>(1, 9)),
                      [](std::pair<uint64_t, uint64_t> p) { return Ratio{p.first % (p.second + 1), p.second}; });
}

inline rc::Gen<KeyDistribution> distribution() {
  return rc::gen::element(KeyDistribution::kUniform, KeyDistribution::kZipfian);
}

// Valid options of a list-append or rw-register workload.
inline WorkloadOptions txn_options(WorkloadKind kind) {
  WorkloadOptions o;
  o.kind = kind;
  o.active_keys = *rc::gen::inRange<uint32_t>(1, 20);
  o.distribution = *distribution();
  o.micro_ops_min = *rc::gen::inRange<uint32_t>(1, 6);
  o.micro_ops_max = o.micro_ops_min + *rc::gen::inRange<uint32_t>(0, 6);
  o.read_ratio = *ratio();
  const uint32_t writes_max = kind == WorkloadKind::kListAppend ? list_appends_per_key_max() : 300;
  o.writes_per_key_max = *rc::gen::oneOf(rc::gen::inRange<uint32_t>(1, 8), rc::gen::inRange<uint32_t>(1, writes_max + 1));
  return o;
}

inline WorkloadOptions bank_options() {
  WorkloadOptions o;
  o.kind = WorkloadKind::kBank;
  o.distribution = *distribution();
  o.accounts = *rc::gen::inRange<uint32_t>(2, kAccountsMax + 1);
  o.initial_balance = *rc::gen::inRange<int64_t>(0, 200);
  o.transfer_max = *rc::gen::inRange<int64_t>(1, 250);
  o.bank_read_ratio = *ratio();
  return o;
}

}  // namespace fl::workloads::gen
