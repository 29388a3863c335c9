// Recorded health probes, for a replay's probes.
//
// A replayed probe of a deployment at `now` answers as the recording's probe
// of that deployment did when the recording probed it at about the same time:
// the first recorded probe result of that deployment in [now, now + window]
// (a probe's event is written when its result arrives, a little after it was
// sent), each used once; else the most recent recorded probe result before
// `now` when it is at most one probe interval old; else nothing (the caller
// asks the provider model). Probes are read with one forward EventIterator as
// virtual time advances (a replay probes in time order), so memory is bounded
// by the probes inside one window.
//
// Thread safety: not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "ledger/ledger.h"
#include "sim/provider_model.h"

namespace ukairo::sim {

class RecordedProbes {
 public:
  static constexpr size_t kPendingMax = 1 << 16;

  // `ledger` is not owned. `interval_micros` is the replayed config's probe
  // interval; the match window is the smaller of it and 30 s.
  RecordedProbes(ledger::Ledger* ledger, std::optional<int64_t> since_micros,
                 std::optional<int64_t> until_micros, int64_t interval_micros);

  // REQUIRES: now_micros does not decrease between calls.
  std::optional<ProbeOutcome> Find(const std::string& deployment, int64_t now_micros);

  // The first read error (then Find answers nothing more).
  const Status& status() const { return status_; }
  uint64_t matched() const { return matched_; }

 private:
  struct Probe {
    int64_t time_micros = 0;
    std::string deployment;
    ProbeOutcome outcome;
  };
  void ReadUntil(int64_t time_micros);

  std::unique_ptr<ledger::EventIterator> it_;
  bool started_ = false;
  int64_t interval_micros_;
  int64_t window_micros_;
  std::deque<Probe> pending_;                 // read, time >= the last `now`
  std::map<std::string, Probe> last_before_;  // per deployment, time < the last `now`
  Status status_;
  uint64_t matched_ = 0;
};

}  // namespace ukairo::sim
