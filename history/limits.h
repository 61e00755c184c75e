// history/limits.h: every bound the history readers and writers enforce.
//
// The readers take input from anywhere (a Jepsen run, a hand-edited file, a
// fuzzer), so each bound turns into a clear kInvalidArgument when input
// exceeds it, never into unbounded memory or stack.
//
// The bounds that matter are on the model, so they are the same in both
// formats: nesting, Values and text bytes per operation (or metadata map).
// Both readers count them identically, and both writers assert them
// (FL_ASSERT), so whatever a writer emits, either reader accepts, and
// EDN -> JSONL -> EDN never fails on size. The bound on raw input bytes
// (kFormBytesMax) only bounds memory; it is derived from the model bounds so
// that it can never be the one that rejects a writer's output.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fl::history {

// Collections nested inside one top-level form, counting the form itself: an
// operation map is level 1, its :value vector level 2, a micro-op level 3.
// Bounds the parsers' recursion, so hostile input cannot exhaust the stack.
constexpr int kNestingDepthMax = 64;

// Values in one operation or metadata map: the map itself, its keys, and
// every Value inside (a collection and each of its items). A Value is about
// 48 bytes, so this bounds memory per operation to about 48 MiB.
constexpr size_t kOpValuesMax = size_t{1} << 20;

// Bytes of string and keyword text in one operation or metadata map, after
// unescaping (keys included: :index counts 5).
constexpr size_t kOpTextBytesMax = size_t{4} << 20;

// The most bytes either writer spends on one Value besides its text: digits
// of an int64 (20) or a double (25), brackets, tags such as {"#list":[..]},
// quotes, separators.
constexpr size_t kValueSyntaxBytesMax = 32;
// A text byte takes at most 6 bytes once escaped (\u001f).
constexpr size_t kEscapedBytesPerTextByteMax = 6;
// Field names, the metadata marker and wrapper, the newline.
constexpr size_t kLineOverheadBytesMax = 4096;

// Raw bytes of one top-level EDN form, one JSONL line, or the metadata
// comment. A history of any length streams through.
constexpr size_t kFormBytesMax = size_t{64} << 20;
static_assert(kFormBytesMax >= kOpValuesMax * kValueSyntaxBytesMax +
                                   kOpTextBytesMax * kEscapedBytesPerTextByteMax + kLineOverheadBytesMax,
              "a writer's output within the model bounds must fit the raw bound in both formats");

// JSON nesting per Value level: a map with non-keyword keys is
// {"#map": [[k, v]]}, three JSON levels for one Value level; the metadata
// line adds its {"meta": ...} wrapper.
constexpr int kJsonLevelsPerValueLevel = 3;
constexpr int kJsonNestingDepthMax = kNestingDepthMax * kJsonLevelsPerValueLevel + 1;

// Bytes the readers request from their std::istream at a time.
constexpr size_t kReadChunkBytes = size_t{64} << 10;

static_assert(kNestingDepthMax >= 4, "an op map holding a txn of micro-ops needs 4 levels");
static_assert(kOpValuesMax <= kFormBytesMax, "every value takes at least one byte of input");
static_assert(kReadChunkBytes >= 2, "the EDN lexer looks ahead two bytes");

}  // namespace fl::history
