// SHA-256 over byte strings (OpenSSL), for the ledger's hash chain.
//
// Thread safety: free functions without shared state.
#pragma once

#include <string>
#include <string_view>

#include "ledger/event.h"

namespace ukairo::ledger {

Sha256 Sha256Of(std::string_view bytes);
// Lower-case hex, 64 characters.
std::string Sha256Hex(const Sha256& hash);
inline bool IsZero(const Sha256& hash) {
  for (uint8_t b : hash) {
    if (b != 0) return false;
  }
  return true;
}

}  // namespace ukairo::ledger
