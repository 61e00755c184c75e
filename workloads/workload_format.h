// workloads/workload_format.h: the engine-level encoding of the workloads'
// keys and values. Constants only; the spec, with examples, is
// docs/formats/workloads.md. Changing any of these changes what existing
// databases and recorded runs mean.
#pragma once

#include <string_view>

#include "engine/limits.h"

namespace fl::workloads::format {

// Engine key of workload key k (k >= 0, decimal, no padding): prefix + k.
inline constexpr std::string_view kListKeyPrefix = "list/";          // list-append
inline constexpr std::string_view kRegisterKeyPrefix = "register/";  // rw-register
inline constexpr std::string_view kAccountKeyPrefix = "account/";    // bank

// The application's outbox records (application.h [app.2]): prefix + the
// record number in exactly kOutboxDigits decimal digits, zero-padded, so
// that keys sort as their numbers do. Never part of a history.
inline constexpr std::string_view kOutboxKeyPrefix = "outbox/";
inline constexpr size_t kOutboxDigits = 20;  // every uint64

// A list-append value: its elements in canonical decimal, joined by ','
// ("1,2,3"). Never empty: an absent key is the empty (nil) list.
inline constexpr char kListSeparator = ',';

// An int64 in canonical decimal: "0", or an optional '-' and digits without
// a leading zero. Register values and bank balances.
inline constexpr size_t kInt64DigitsMax = 19;
inline constexpr size_t kInt64BytesMax = kInt64DigitsMax + 1;  // with '-'

// The longest engine key: a prefix and a non-negative int64.
inline constexpr size_t kEngineKeyBytesMax = 9 + kInt64DigitsMax;
static_assert(kRegisterKeyPrefix.size() <= 9 && kListKeyPrefix.size() <= 9 && kAccountKeyPrefix.size() <= 9);
static_assert(kOutboxKeyPrefix.size() + kOutboxDigits <= kEngineKeyBytesMax);
static_assert(kEngineKeyBytesMax <= fl::engine::kKeyBytesMax, "every engine key fits refdb");
static_assert(kInt64BytesMax <= fl::engine::kValueBytesMax, "every register and balance fits refdb");

}  // namespace fl::workloads::format
