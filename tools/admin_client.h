// A small synchronous client for the running gateway's admin API, for CLI
// commands that must not open the ledger (the gateway holds its lock).
//
// Plain HTTP only: the admin API is meant for the local machine. Every call
// is bounded by one deadline covering resolve, connect, write and read, so a
// hung gateway cannot hang a script.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace ukairo::tools {

// "http://host[:port][/prefix]", parsed. `base_path` has no trailing '/'.
struct AdminUrl {
  std::string host;
  uint16_t port = 80;
  std::string base_path;
  std::string text;  // as given, for messages
};

// InvalidArgument for anything but plain http with a host and a valid port.
Result<AdminUrl> ParseAdminUrl(const std::string& text);

struct AdminReply {
  unsigned status = 0;  // HTTP status
  std::string body;
};

struct AdminCallOptions {
  std::string method = "GET";
  std::string path;         // e.g. "/budgets", appended to the URL's base path
  std::string body;         // sent as application/json when not empty
  std::string bearer_key;   // the master key; never logged or echoed
  int64_t timeout_ms = 10'000;
};

inline constexpr size_t kAdminReplyBytesMax = 32 << 20;

// One request on a fresh connection. Any HTTP status is a reply (the caller
// judges it); Unavailable when the gateway cannot be reached (resolve or
// connect failed), IOError when it stopped answering or timed out.
Result<AdminReply> AdminCall(const AdminUrl& url, const AdminCallOptions& options);

// The message of an OpenAI-style error body ({"error":{"message":...}}), or
// the body itself (trimmed, shortened) when it is not one.
std::string AdminErrorMessage(const std::string& body);

}  // namespace ukairo::tools
