// campaign/sha256.cc: SHA-256 through OpenSSL's one-shot EVP_Digest (sha256.h).
#include "campaign/sha256.h"

#include <openssl/evp.h>

#include "base/assert.h"

namespace fl::campaign {

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_bytes = 0;
  // EVP_Digest fails only when libcrypto cannot allocate or the provider is
  // missing: a broken installation, not an input we could be given.
  const int done = EVP_Digest(bytes.data(), bytes.size(), digest, &digest_bytes, EVP_sha256(), nullptr);
  FL_ASSERT(done == 1);
  FL_ASSERT(digest_bytes == 32);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * digest_bytes);
  for (unsigned int i = 0; i < digest_bytes; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace fl::campaign
