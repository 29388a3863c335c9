// The live gateway: an OpenAI-compatible HTTP server (Beast/Asio) that drives
// the router core with real time, real timers and real upstream HTTP.
//
// Every RouterCore call runs on one strand, so the core sees its inputs one at
// a time in a definite order; the events each call emits are appended to the
// ledger (WAL) before any response from that call is written to a client.
// Restart = LoadProjection (snapshot + tail) → RouterCore → Start(), which
// expires reservations left open by a crash with events.
//
// Thread safety: Start/Stop/Wait from one controlling thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "base/status.h"
#include "router/core/config.h"

namespace ukairo::gateway {

struct GatewayOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4000;             // 0 = any free port (tests)
  int threads = 2;                  // I/O worker threads
  std::string ledger_dir;
  ledger::Durability durability = ledger::Durability::kWal;
  int64_t group_commit_window_micros = 0;
  uint64_t snapshot_every_events = 100'000;
  int64_t idle_timeout_ms = 60'000; // idle keep-alive and slow clients
  int64_t drain_deadline_ms = 10'000;
  uint64_t seed = 1;                // the core's RNG (balancing, jitter)
  std::string config_path;          // for /config/reload
  std::string ca_file;              // extra trusted CAs for HTTPS upstreams
  // Admission limits: past either, a new request gets 503 with Retry-After
  // at once (nothing recorded, nothing sent upstream) instead of queueing
  // without bound. Requests already admitted always finish.
  size_t requests_in_flight_max = 4096;   // requests between admission and answer
  size_t ledger_queue_events_max = 65536; // events waiting for the ledger writer
};

struct GatewayCounters {
  uint64_t http_requests = 0;
  uint64_t http_errors = 0;         // answered with 4xx/5xx by the gateway itself
  uint64_t ledger_appends = 0;
  uint64_t ledger_events = 0;
  uint64_t refused_overload = 0;    // 503: requests_in_flight_max reached
  uint64_t refused_ledger_queue = 0;  // 503: ledger_queue_events_max reached
};

class Gateway {
 public:
  virtual ~Gateway() = default;
  // Opens the ledger, restores state, records the config if it changed,
  // starts listening. Errors: IOError (ledger, port), InvalidArgument.
  static Result<std::unique_ptr<Gateway>> Start(const GatewayOptions& options,
                                                std::shared_ptr<const router::Config> config);
  virtual uint16_t port() const = 0;
  // Stops accepting, lets requests in flight finish up to drain_deadline_ms,
  // flushes the ledger, joins the threads.
  virtual void Stop() = 0;
  virtual GatewayCounters counters() const = 0;
};

}  // namespace ukairo::gateway
