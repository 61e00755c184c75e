// campaign/sha256.h: SHA-256 of a byte string as lowercase hex, the hash
// that pins a trial's history (history_sha256, docs/formats/campaign.md).
//
// [sha.1] sha256_hex(bytes) is the FIPS 180-4 SHA-256 digest, 64 lowercase
//         hex digits; thread-safe.
// It is OpenSSL's libcrypto (Debian libssl-dev, installed by ci/setup):
// a hash that decides whether a repro matched must not be home-made.
#pragma once

#include <string>
#include <string_view>

namespace fl::campaign {

std::string sha256_hex(std::string_view bytes);  // [sha.1]

}  // namespace fl::campaign
