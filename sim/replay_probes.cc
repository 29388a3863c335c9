#include "sim/replay_probes.h"
#include "base/check.h"

#include <algorithm>

namespace ukairo::sim {

RecordedProbes::RecordedProbes(ledger::Ledger* ledger, std::optional<int64_t> since_micros,
                               std::optional<int64_t> until_micros, int64_t interval_micros)
    : interval_micros_(std::max<int64_t>(interval_micros, 1)),
      window_micros_(std::min<int64_t>(std::max<int64_t>(interval_micros, 1), 30'000'000)) {
  ledger::ScanOptions scan;
  scan.kind = "health_probe";
  scan.time_min_micros = since_micros;
  if (until_micros) scan.time_max_micros = *until_micros + window_micros_;
  it_ = ledger->Scan(scan);
}

void RecordedProbes::ReadUntil(int64_t time_micros) {
  if (!status_.ok()) return;
  if (!started_) {
    it_->SeekToFirst();
    started_ = true;
  }
  while (it_->Valid() && it_->event().time_micros <= time_micros) {
    const auto* p = std::get_if<ledger::HealthProbe>(&it_->event().body);
    if (p != nullptr) {
      Probe probe;
      probe.time_micros = it_->event().time_micros;
      probe.deployment = p->deployment;
      probe.outcome.ok = p->ok;
      probe.outcome.http_status = p->http_status;
      probe.outcome.latency_micros = p->latency_micros;
      if (pending_.size() >= kPendingMax) {
        // Recorded data, not our invariant: stop with an error, do not grow.
        status_ = Status::Unavailable("ledger: more than " + std::to_string(kPendingMax) +
                                      " recorded health probes within one probe window (at seq " +
                                      std::to_string(it_->event().seq) + ")");
        return;
      }
      pending_.push_back(std::move(probe));
    }
    it_->Next();
  }
  if (!it_->Valid()) status_ = it_->status();
}

std::optional<ProbeOutcome> RecordedProbes::Find(const std::string& deployment,
                                                 int64_t now_micros) {
  ReadUntil(now_micros + window_micros_);
  while (!pending_.empty() && pending_.front().time_micros < now_micros) {
    Probe& p = pending_.front();
    last_before_[p.deployment] = std::move(p);
    pending_.pop_front();
  }
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->deployment != deployment) continue;
    ProbeOutcome o = it->outcome;
    // Answer when the recording's answer came.
    o.latency_micros = it->time_micros - now_micros;
    last_before_[deployment] = std::move(*it);
    pending_.erase(it);
    ++matched_;
    return o;
  }
  auto last = last_before_.find(deployment);
  if (last != last_before_.end() && now_micros - last->second.time_micros <= interval_micros_) {
    ++matched_;
    return last->second.outcome;
  }
  return std::nullopt;
}

}  // namespace ukairo::sim
