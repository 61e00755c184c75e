// workloads/limits.h: every bound the workload generators and plans enforce,
// as a named constant with its unit last (STYLE.md "Explicit limits").
// validate() turns options outside them into kInvalidArgument.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/limits.h"

namespace fl::workloads {

// Crash images one run keeps ([sim.8]), whatever their bytes: a run of
// empty images still holds a bounded list.
inline constexpr uint32_t kCrashImagesMax = 1024;

// Active key slots ([wl.2]); also bounds the Zipfian weight table.
inline constexpr uint32_t kActiveKeysMax = 1024;

// Micro-operations in one transaction a plan executes: generated ones
// (micro_ops_max) and final reads (kFinalReadKeysMax, workload.h) alike.
inline constexpr uint32_t kTxnMicroOpsMax = 64;

// Writes a register key takes before it retires ([wl.2]). list-append keys
// are bounded tighter by the value size (list_bytes_max(), workload.cc).
inline constexpr uint32_t kWritesPerKeyMax = uint32_t{1} << 20;

// list-append: the encoded list of a key that took all writes_per_key_max
// appends must fit one refdb value; validate() checks list_bytes_max().
inline constexpr uint64_t kListValueBytesMax = fl::engine::kValueBytesMax;

// bank: accounts, read by one transaction (so one final read covers them).
inline constexpr uint32_t kAccountsMax = 64;
// bank: largest initial balance and transfer amount, so that no sum of
// balances a correct engine can hold overflows int64.
inline constexpr int64_t kBalanceMax = int64_t{1} << 40;

// The application's outbox (application.h [app.2]): how many writing
// transactions back a record is deleted, and the largest payload (one
// refdb value).
inline constexpr uint32_t kOutboxWindowMax = uint32_t{1} << 20;
inline constexpr uint64_t kOutboxRecordBytesMax = fl::engine::kValueBytesMax;

// Simulator: the longest a refusing engine waits for its restart
// (simulator.h [sim.4]), in scheduler steps.
inline constexpr uint64_t kRestartDelayStepsMax = uint64_t{1} << 20;

// Zipfian key choice ([wl.3]): slot i has weight kZipfWeightScale / (i + 1),
// an integer harmonic (s = 1) distribution without floating point.
inline constexpr uint64_t kZipfWeightScale = uint64_t{1} << 20;
static_assert(kZipfWeightScale / kActiveKeysMax >= 256,
              "the last slot keeps a non-trivial integer weight");

// Bytes of a malformed stored value quoted in a kCorruption message.
inline constexpr size_t kCorruptBytesShownMax = 64;

}  // namespace fl::workloads
