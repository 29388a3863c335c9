#include "ledger/sha256.h"

#include <openssl/sha.h>

namespace ukairo::ledger {

static_assert(sizeof(Sha256) == SHA256_DIGEST_LENGTH);

Sha256 Sha256Of(std::string_view bytes) {
  Sha256 out;
  // The one-shot SHA256() is not deprecated in OpenSSL 3 and uses SHA-NI
  // where the CPU has it.
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out.data());
  return out;
}

std::string Sha256Hex(const Sha256& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(hash.size() * 2);
  for (uint8_t b : hash) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

}  // namespace ukairo::ledger
