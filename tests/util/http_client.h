// A small synchronous HTTP/1.1 client (Beast) for tests on 127.0.0.1.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/status.h"

namespace ukairo::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// One request on a fresh connection. timeout_ms bounds the whole exchange.
Result<HttpResponse> HttpRequest(const std::string& method, uint16_t port,
                                 const std::string& target, const std::string& body = "",
                                 const std::map<std::string, std::string>& headers = {},
                                 int64_t timeout_ms = 5000);

}  // namespace ukairo::testing
