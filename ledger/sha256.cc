#include "ledger/sha256.h"
#include "base/check.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

namespace ukairo::ledger {
namespace {

// OpenSSL 3's one-shot SHA256() fetches the algorithm on every call, which
// costs as much as hashing a small event. Fetch once per process and keep
// one digest context per thread instead.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) std::abort();  // libcrypto without SHA-256: unusable
  return md;
}

struct ContextDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* ThreadContext() {
  thread_local std::unique_ptr<EVP_MD_CTX, ContextDeleter> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) std::abort();
  return ctx.get();
}

}  // namespace

Sha256 Sha256Of(std::string_view bytes) {
  Sha256 out;
  EVP_MD_CTX* ctx = ThreadContext();
  unsigned int size = 0;
  const bool ok = EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, out.data(), &size) == 1;
  if (!ok) std::abort();  // only on allocation failure inside libcrypto
  UKAIRO_CHECK(size == out.size());
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
