// workloads/workload.h: randomized transactional workloads (ARCHITECTURE.md
// "workloads", Elle's list-append and rw-register, and a bank).
//
// A Generator hands out the next operation a client should invoke, as the
// :f and :value of a history invoke op; a Plan turns that invoke into the
// engine-level steps a client performs one at a time (so the simulator can
// interleave clients between steps), and finally into the completion value.
//
// [wl.1] Every value written is unique per key: appends and register writes
//        of key k use 1, 2, 3, ... in generation order (Elle's precondition,
//        which the checkers verify rather than assume).
// [wl.2] Key rotation: a key retires after writes_per_key_max writes and a
//        fresh key (the next unused integer) takes its slot, so list values
//        stay short (list-append values must fit kValueBytesMax of refdb).
// [wl.3] Keys are picked from the active slots uniformly or with a Zipfian
//        skew towards slot 0 (integer weights: no floating point decides).
// [wl.4] A Generator is a pure function of its options and the Prng it is
//        given: same stream, same operations.
// [wl.5] bank: `transfer` moves `amount` from one account to another and
//        fails (definitely, no effect) when the source balance is too
//        small; `read` reads every account. The total is accounts *
//        initial_balance forever; no balance is ever negative.
// [wl.6] A read of an absent key completes as nil: [:r k nil] for both
//        list-append (Elle's initial state; Elle reads nil and [] alike)
//        and rw-register, and `account nil` in a bank read (Jepsen's
//        :nil-balance). Engine keys and stored values follow
//        docs/formats/workloads.md (workload_format.h); a stored value
//        that is not one this workload writes is kCorruption, never a
//        crash and never a made-up value.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/prng.h"
#include "base/status.h"
#include "history/op.h"
#include "history/value.h"

namespace fl::workloads {

enum class WorkloadKind : uint8_t { kListAppend, kRwRegister, kBank };
std::string_view workload_name(WorkloadKind kind);  // "list-append", "rw-register", "bank"
Result<WorkloadKind> parse_workload(std::string_view name);

enum class KeyDistribution : uint8_t { kUniform, kZipfian };
std::string_view distribution_name(KeyDistribution distribution);  // "uniform", "zipfian"
Result<KeyDistribution> parse_distribution(std::string_view name);

// Which fields a workload reads: list-append and rw-register the first six
// after `kind`; bank `distribution` (over accounts) and the bank fields;
// all three the application's fields (application.h).
// Bounds are in limits.h; validate() names the first field outside them.
struct WorkloadOptions {
  WorkloadKind kind = WorkloadKind::kListAppend;
  uint32_t active_keys = 8;  // [wl.2] slots
  KeyDistribution distribution = KeyDistribution::kUniform;  // [wl.3]; bank: over accounts
  uint32_t micro_ops_min = 1;
  uint32_t micro_ops_max = 4;
  Ratio read_ratio{1, 2};             // chance that a micro-op is a read
  uint32_t writes_per_key_max = 32;   // [wl.2]; list-append: <= list_appends_per_key_max()
  uint32_t accounts = 5;              // bank: 2..kAccountsMax
  int64_t initial_balance = 100;      // bank
  int64_t transfer_max = 20;          // bank: amounts in [1, transfer_max]
  Ratio bank_read_ratio{1, 4};        // bank: chance of a whole-bank read
  // The application around every workload (application.h), for all three:
  Ratio rollback_ratio{1, 16};        // [app.1]: chance a transaction that wrote is rolled back
  uint32_t outbox_window = 32;        // [app.2]: 0 = no outbox; else records live this many invocations
  uint32_t outbox_bytes_min = 64;     // [app.2]: payload sizes, 1..kOutboxRecordBytesMax
  uint32_t outbox_bytes_max = 512;
};
// kInvalidArgument naming the field ("workload.micro_ops_max") and its bounds.
Status validate(const WorkloadOptions& options);
// The largest list-append writes_per_key_max whose longest list ("1,2,...,n")
// fits refdb's kValueBytesMax (limits.h kListValueBytesMax).
uint32_t list_appends_per_key_max();

// What an invoke asks for: :f and :value of the invoke op.
struct Invocation {
  std::string f;        // "txn", "transfer", "read"
  history::Value value;  // e.g. [[:append 3 1] [:r 4 nil]]
  friend bool operator==(const Invocation&, const Invocation&) = default;
};

class Generator {
 public:
  virtual ~Generator() = default;
  // [wl.1]-[wl.5]
  virtual Invocation next(Prng& prng) = 0;
  // Read-only invocations that together read every key next() ever used
  // (each at most kFinalReadKeysMax keys), for the final reads of a run.
  virtual std::vector<Invocation> final_reads() const = 0;
};
inline constexpr size_t kFinalReadKeysMax = 64;
// REQUIRES: validate(options).ok().
std::unique_ptr<Generator> make_generator(const WorkloadOptions& options);

// Engine-level steps. A key here is the engine's key string. Plans issue
// reads and writes only; kErase (delete the key, absent or not) is the
// application's (application.h [app.2]).
struct Step {
  enum class Kind : uint8_t { kRead, kWrite, kErase } kind = Kind::kRead;
  std::string key;
  std::string value;  // kWrite: the bytes to store
  friend bool operator==(const Step&, const Step&) = default;
};

// Executes one invocation step by step. next_step() returns the next engine
// operation, or nullopt when the transaction is ready to commit;
// record_read() gives it the result of the read it asked for (nullopt =
// absent). A plan may decide from a read that the transaction must not
// commit (bank: insufficient balance): abort_reason() then says why, and the
// client rolls back and records :fail.
// Protocol: after next_step() returns a kRead step, call record_read()
// exactly once before the next next_step(). Once abort_reason() is set
// (including by a failed record_read()), next_step() returns nullopt and
// completion() must not be called. A plan never retries or reorders.
class Plan {
 public:
  virtual ~Plan() = default;
  virtual std::optional<Step> next_step() = 0;
  // Returns kCorruption when the stored bytes are not what this workload
  // writes, naming the engine key and quoting the bytes; the plan then
  // aborts with that message as its reason (the client rolls back; the
  // garbage read belongs in the :error of the completion).
  virtual Status record_read(const std::optional<std::string>& value) = 0;
  virtual std::optional<std::string> abort_reason() const = 0;
  // The :value of the :ok completion (reads filled in).
  virtual history::Value completion() const = 0;
};
// kInvalidArgument unless `invocation` has the shape this workload's
// generator produces (:f, micro-op kinds, keys >= 0, accounts in range,
// 1..kTxnMicroOpsMax micro-ops): for invocations read back from a file.
Status check_invocation(const WorkloadOptions& options, const Invocation& invocation);
// REQUIRES: check_invocation(options, invocation).ok() (every invocation a
// Generator of `options` returns passes).
std::unique_ptr<Plan> make_plan(const WorkloadOptions& options, const Invocation& invocation);

// The engine's key for workload key `key` (docs/formats/workloads.md):
// "list/3", "register/3", "account/3". REQUIRES: key >= 0.
std::string engine_key(WorkloadKind kind, int64_t key);

// The initial state a bank run needs before any transfer: (key, value)
// pairs to write in one setup transaction. Empty for the other workloads.
std::vector<std::pair<std::string, std::string>> initial_writes(const WorkloadOptions& options);

}  // namespace fl::workloads
