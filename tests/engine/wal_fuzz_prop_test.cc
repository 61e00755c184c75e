// Bad input never crashes the scan: random bytes, and random damage to valid
// logs, give an ok scan of a prefix of what was written (or an error for
// unsupported headers) ([walr.4]).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tests/engine/wal_util.h"

namespace fl::engine::testing {
namespace {

RC_GTEST_PROP(WalFuzz, RandomBytesGiveNoFrames, ()) {
  const auto bytes = *rc::gen::container<std::vector<uint8_t>>(
      *rc::gen::inRange<size_t>(0, 3 * kWalFrameBytes), rc::gen::arbitrary<uint8_t>());
  auto scan = scan_bytes(bytes);
  RC_ASSERT(scan.ok());
  RC_ASSERT(scan->frames.empty());
}

RC_GTEST_PROP(WalFuzz, RandomFramesAfterAValidHeaderGiveNoFrames, ()) {
  Bytes bytes = write_wal({}).bytes;
  const auto tail = *rc::gen::container<std::vector<uint8_t>>(
      *rc::gen::inRange<size_t>(0, 3 * kWalFrameBytes), rc::gen::arbitrary<uint8_t>());
  bytes.insert(bytes.end(), tail.begin(), tail.end());
  auto scan = scan_bytes(bytes);
  RC_ASSERT(scan.ok());
  RC_ASSERT(scan->frames.empty());
}

struct Damage {
  enum Kind { kFlip, kTruncate, kZero, kCopyFrame } kind;
  size_t a;
  size_t b;
  uint8_t mask;
};

RC_GTEST_PROP(WalFuzz, DamagedLogRecoversAPrefixOfWhatWasWritten, ()) {
  std::vector<TxnSpec> txns;
  uint32_t tag = 1;
  const size_t n = *rc::gen::inRange<size_t>(1, 5);
  for (size_t i = 0; i < n; ++i) {
    TxnSpec txn;
    const size_t pages = *rc::gen::inRange<size_t>(1, 3);
    for (size_t p = 0; p < pages; ++p) txn.pages.emplace_back(*rc::gen::inRange<uint32_t>(1, 6), tag++);
    txns.push_back(txn);
  }
  Bytes bytes = write_wal(txns).bytes;
  const size_t damages = *rc::gen::inRange<size_t>(1, 4);
  for (size_t d = 0; d < damages && !bytes.empty(); ++d) {
    const auto kind = *rc::gen::inRange(0, 4);
    const size_t a = *rc::gen::inRange<size_t>(0, bytes.size());
    const size_t b = *rc::gen::inRange<size_t>(0, bytes.size());
    switch (kind) {
      case 0: bytes[a] ^= *rc::gen::inRange<uint8_t>(1, 255); break;
      case 1: bytes.resize(a); break;
      case 2: std::fill(bytes.begin() + std::min(a, b), bytes.begin() + std::max(a, b), uint8_t{0}); break;
      default: {  // one whole frame copied over another (a misdirected write)
        const size_t frames = (bytes.size() - std::min(bytes.size(), kWalHeaderBytes)) / kWalFrameBytes;
        if (frames < 2) break;
        const size_t from = kWalHeaderBytes + (a % frames) * kWalFrameBytes;
        const size_t to = kWalHeaderBytes + (b % frames) * kWalFrameBytes;
        std::copy(bytes.begin() + from, bytes.begin() + from + kWalFrameBytes, bytes.begin() + to);
      }
    }
  }
  auto scan = scan_bytes(bytes);
  RC_ASSERT(scan.ok());
  RC_ASSERT(is_prefix(recovered_txns(*scan), txns));
}

}  // namespace
}  // namespace fl::engine::testing
