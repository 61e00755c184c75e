// workloads/workload.cc: names, option checks and the dispatch of
// workload.h to the three workloads (list_append.cc, rw_register.cc,
// bank.cc, internal/txn_generator.cc).
#include "workloads/workload.h"

#include "base/assert.h"
#include "workloads/internal/codec.h"
#include "workloads/internal/workloads_impl.h"
#include "workloads/limits.h"
#include "workloads/workload_format.h"

namespace fl::workloads {
namespace {

static_assert(kFinalReadKeysMax <= kTxnMicroOpsMax, "a final read is a plan like any other");
static_assert(kAccountsMax <= kFinalReadKeysMax, "bank's final read covers every account");
static_assert(kAccountsMax * kBalanceMax <= INT64_MAX / 2, "a bank total never overflows");

constexpr WorkloadKind kKinds[] = {WorkloadKind::kListAppend, WorkloadKind::kRwRegister, WorkloadKind::kBank};
constexpr KeyDistribution kDistributions[] = {KeyDistribution::kUniform, KeyDistribution::kZipfian};

Status out_of_range(std::string_view field, int64_t value, int64_t low, int64_t high) {
  return Status::invalid_argument(std::string("workload.") + std::string(field),
                                  std::to_string(value) + " outside " + std::to_string(low) + ".." +
                                      std::to_string(high));
}

Status check_ratio(std::string_view field, Ratio ratio) {
  if (ratio.valid()) return Status::success();
  return Status::invalid_argument(std::string("workload.") + std::string(field),
                                  std::to_string(ratio.numerator) + "/" + std::to_string(ratio.denominator) +
                                      " is not a probability (need numerator <= denominator, denominator > 0)");
}

Status validate_txn(const WorkloadOptions& o) {
  if (o.active_keys < 1 || o.active_keys > kActiveKeysMax) {
    return out_of_range("active_keys", o.active_keys, 1, kActiveKeysMax);
  }
  if (o.micro_ops_min < 1 || o.micro_ops_min > kTxnMicroOpsMax) {
    return out_of_range("micro_ops_min", o.micro_ops_min, 1, kTxnMicroOpsMax);
  }
  if (o.micro_ops_max < o.micro_ops_min || o.micro_ops_max > kTxnMicroOpsMax) {
    return out_of_range("micro_ops_max", o.micro_ops_max, o.micro_ops_min, kTxnMicroOpsMax);
  }
  FL_TRY(check_ratio("read_ratio", o.read_ratio));
  if (o.writes_per_key_max < 1 || o.writes_per_key_max > kWritesPerKeyMax) {
    return out_of_range("writes_per_key_max", o.writes_per_key_max, 1, kWritesPerKeyMax);
  }
  if (o.kind == WorkloadKind::kListAppend && internal::list_bytes_max(o.writes_per_key_max) > kListValueBytesMax) {
    return Status::invalid_argument(
        "workload.writes_per_key_max",
        std::to_string(o.writes_per_key_max) + " appends make a list of " +
            std::to_string(internal::list_bytes_max(o.writes_per_key_max)) + " bytes, above the " +
            std::to_string(kListValueBytesMax) + "-byte value limit (at most " +
            std::to_string(list_appends_per_key_max()) + ")");
  }
  return Status::success();
}

Status validate_bank(const WorkloadOptions& o) {
  if (o.accounts < 2 || o.accounts > kAccountsMax) return out_of_range("accounts", o.accounts, 2, kAccountsMax);
  if (o.initial_balance < 0 || o.initial_balance > kBalanceMax) {
    return out_of_range("initial_balance", o.initial_balance, 0, kBalanceMax);
  }
  if (o.transfer_max < 1 || o.transfer_max > kBalanceMax) {
    return out_of_range("transfer_max", o.transfer_max, 1, kBalanceMax);
  }
  return check_ratio("bank_read_ratio", o.bank_read_ratio);
}

// application.h: the fields every workload shares.
Status validate_application(const WorkloadOptions& o) {
  FL_TRY(check_ratio("rollback_ratio", o.rollback_ratio));
  if (o.outbox_window > kOutboxWindowMax) return out_of_range("outbox_window", o.outbox_window, 0, kOutboxWindowMax);
  if (o.outbox_bytes_min < 1 || o.outbox_bytes_min > kOutboxRecordBytesMax) {
    return out_of_range("outbox_bytes_min", o.outbox_bytes_min, 1, kOutboxRecordBytesMax);
  }
  if (o.outbox_bytes_max < o.outbox_bytes_min || o.outbox_bytes_max > kOutboxRecordBytesMax) {
    return out_of_range("outbox_bytes_max", o.outbox_bytes_max, o.outbox_bytes_min, kOutboxRecordBytesMax);
  }
  return Status::success();
}

}  // namespace

std::string_view workload_name(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::kListAppend: return "list-append";
    case WorkloadKind::kRwRegister: return "rw-register";
    case WorkloadKind::kBank: return "bank";
  }
  FL_ASSERT(false);
  return "";
}

Result<WorkloadKind> parse_workload(std::string_view name) {
  for (WorkloadKind kind : kKinds) {
    if (workload_name(kind) == name) return kind;
  }
  return Status::invalid_argument("workload", "unknown workload '" + std::string(name) +
                                                  "'; valid: list-append, rw-register, bank");
}

std::string_view distribution_name(KeyDistribution distribution) {
  return distribution == KeyDistribution::kZipfian ? "zipfian" : "uniform";
}

Result<KeyDistribution> parse_distribution(std::string_view name) {
  for (KeyDistribution distribution : kDistributions) {
    if (distribution_name(distribution) == name) return distribution;
  }
  return Status::invalid_argument("key distribution", "unknown distribution '" + std::string(name) +
                                                          "'; valid: uniform, zipfian");
}

uint32_t list_appends_per_key_max() {
  uint32_t n = 1;
  while (internal::list_bytes_max(n + 1) <= kListValueBytesMax) n += 1;  // at most kListValueBytesMax steps
  return n;
}

Status validate(const WorkloadOptions& options) {
  switch (options.kind) {
    case WorkloadKind::kListAppend:
    case WorkloadKind::kRwRegister: FL_TRY(validate_txn(options)); break;
    case WorkloadKind::kBank: FL_TRY(validate_bank(options)); break;
    default:
      return Status::invalid_argument("workload.kind",
                                      "unknown kind " + std::to_string(static_cast<int>(options.kind)));
  }
  return validate_application(options);
}

std::unique_ptr<Generator> make_generator(const WorkloadOptions& options) {
  Status valid = validate(options);
  FL_ASSERT(valid.ok());  // REQUIRES: validate(options).ok()
  switch (options.kind) {
    case WorkloadKind::kListAppend: return internal::make_txn_generator(options, history::MicroKind::kAppend);
    case WorkloadKind::kRwRegister: return internal::make_txn_generator(options, history::MicroKind::kWrite);
    case WorkloadKind::kBank: return internal::make_bank_generator(options);
  }
  FL_ASSERT(false);
  return nullptr;
}

Status check_invocation(const WorkloadOptions& options, const Invocation& invocation) {
  switch (options.kind) {
    case WorkloadKind::kListAppend: return internal::check_txn_invocation(invocation, history::MicroKind::kAppend);
    case WorkloadKind::kRwRegister: return internal::check_txn_invocation(invocation, history::MicroKind::kWrite);
    case WorkloadKind::kBank: return internal::check_bank_invocation(options, invocation);
  }
  FL_ASSERT(false);
  return Status::success();
}

std::unique_ptr<Plan> make_plan(const WorkloadOptions& options, const Invocation& invocation) {
  Status valid = check_invocation(options, invocation);
  FL_ASSERT(valid.ok());  // REQUIRES: check_invocation(options, invocation).ok()
  switch (options.kind) {
    case WorkloadKind::kListAppend: return internal::make_list_append_plan(*history::txn_from_value(invocation.value));
    case WorkloadKind::kRwRegister: return internal::make_rw_register_plan(*history::txn_from_value(invocation.value));
    case WorkloadKind::kBank: return internal::make_bank_plan(options, invocation);
  }
  FL_ASSERT(false);
  return nullptr;
}

std::string engine_key(WorkloadKind kind, int64_t key) {
  FL_ASSERT(key >= 0);
  std::string_view prefix;
  switch (kind) {
    case WorkloadKind::kListAppend: prefix = format::kListKeyPrefix; break;
    case WorkloadKind::kRwRegister: prefix = format::kRegisterKeyPrefix; break;
    case WorkloadKind::kBank: prefix = format::kAccountKeyPrefix; break;
  }
  FL_ASSERT(!prefix.empty());
  std::string out(prefix);
  out += std::to_string(key);
  FL_ASSERT(out.size() <= format::kEngineKeyBytesMax);
  return out;
}

std::vector<std::pair<std::string, std::string>> initial_writes(const WorkloadOptions& options) {
  std::vector<std::pair<std::string, std::string>> writes;
  if (options.kind != WorkloadKind::kBank) return writes;
  FL_ASSERT(options.accounts <= kAccountsMax);
  for (uint32_t account = 0; account < options.accounts; ++account) {
    writes.emplace_back(engine_key(WorkloadKind::kBank, account), internal::encode_int(options.initial_balance));
  }
  return writes;
}

}  // namespace fl::workloads
