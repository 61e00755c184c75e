// workloads/internal/workloads_impl.h: the per-workload halves of
// workload.h, which workload.cc dispatches to by WorkloadKind.
#pragma once

#include <memory>

#include "base/status.h"
#include "history/op.h"
#include "workloads/workload.h"

namespace fl::workloads::internal {

// list-append and rw-register (txn_generator.cc): transactions of reads and
// writes of `write_kind` (kAppend or kWrite) over rotating key slots.
std::unique_ptr<Generator> make_txn_generator(const WorkloadOptions& options, history::MicroKind write_kind);
// The txn workloads' invocation check (txn_generator.cc).
Status check_txn_invocation(const Invocation& invocation, history::MicroKind write_kind);

// list_append.cc, rw_register.cc. REQUIRES: check_txn_invocation() passed.
std::unique_ptr<Plan> make_list_append_plan(history::Txn txn);
std::unique_ptr<Plan> make_rw_register_plan(history::Txn txn);

// bank.cc
std::unique_ptr<Generator> make_bank_generator(const WorkloadOptions& options);
Status check_bank_invocation(const WorkloadOptions& options, const Invocation& invocation);
std::unique_ptr<Plan> make_bank_plan(const WorkloadOptions& options, const Invocation& invocation);

}  // namespace fl::workloads::internal
