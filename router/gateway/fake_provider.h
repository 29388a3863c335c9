// A fake OpenAI-compatible provider for end-to-end tests and load benchmarks.
//
// It speaks the OpenAI HTTP API, and Anthropic's Messages API on
// POST /v1/messages (router/gateway/fake_messages.h), on loopback (Beast, async, keep-alive, N
// threads) and behaves as scripted: latency, token counts, 429 with
// Retry-After, 5xx, hangs (for timeouts), outage windows, failing the first N
// requests or every Nth one. Behaviour can be changed while it runs with
// POST /_fake/config (JSON with the same keys) and its hit counters read with
// GET /_fake/stats, so a test can make a provider fail and then recover.
//
// It is test equipment, not part of the gateway's data path: it reads the
// real clock (outage windows are relative to its start) and sleeps via timers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"

namespace ukairo::gateway {

struct FakeBehavior {
  int64_t latency_ms = 0;           // before answering
  uint32_t status = 200;            // status of every answer (unless a rule below)
  int64_t retry_after_s = -1;       // sent with 429/503 when >= 0
  uint32_t fail_first = 0;          // the first N requests fail with fail_status
  uint32_t error_every = 0;         // every Nth request fails with fail_status (0: never)
  uint32_t fail_status = 500;
  int64_t outage_from_s = -1;       // [from, to) seconds after start: 503
  int64_t outage_to_s = -1;
  int64_t hang_ms = 0;              // > 0: wait this long, then drop the connection
  int64_t stream_gap_ms = 0;        // > 0: send a stream's events one by one, this far apart
  uint32_t stream_break_after = 0;  // > 0: drop a stream's connection after N events
  int64_t prompt_tokens = 0;        // 0: estimate from the request (chars / 4)
  int64_t completion_tokens = 16;   // capped by the request's max_tokens
  uint32_t context_window = 0;      // > 0: prompts above it get a context error
  // Messages API only: prompt-cache tokens reported beside prompt_tokens
  // (Anthropic's input_tokens, which excludes them), and a stream that ends
  // in an overloaded_error event after N events (0: never).
  int64_t cache_read_tokens = 0;
  int64_t cache_write_tokens = 0;
  uint32_t stream_error_after = 0;
  // "name: value": a request without that header (exactly) gets a 400 naming
  // it, so a test can check what the gateway sends (x-api-key, anthropic-beta).
  std::string required_header;
  std::string model;                // "" = echo the requested model
};

// Parses the keys above from a JSON object text; unknown keys are errors.
Result<FakeBehavior> ParseFakeBehaviorJson(const std::string& json_text,
                                           const FakeBehavior& base);
// Same keys from a YAML file.
Result<FakeBehavior> LoadFakeBehaviorYaml(const std::string& path, const FakeBehavior& base);

struct FakeProviderStats {
  uint64_t requests = 0;
  uint64_t ok = 0;
  uint64_t errors = 0;
  uint64_t hangs = 0;
};

class FakeProvider {
 public:
  virtual ~FakeProvider() = default;
  // Binds host:port (port 0 = any free port) and starts `threads` workers.
  static Result<std::unique_ptr<FakeProvider>> Start(const std::string& host, uint16_t port,
                                                     int threads, FakeBehavior behavior);
  virtual uint16_t port() const = 0;
  virtual void SetBehavior(FakeBehavior behavior) = 0;
  virtual FakeProviderStats stats() const = 0;
  // Stops accepting, closes connections, joins the workers.
  virtual void Stop() = 0;
  // Blocks until Stop() (from a signal handler thread or another thread).
  virtual void Wait() = 0;
};

}  // namespace ukairo::gateway
