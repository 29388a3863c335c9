// An EventSink that appends simulated events to a ledger, in batches, so
// `ukairo audit` works on simulations too.
//
// Thread safety: not thread-safe.
#pragma once

#include <memory>
#include <vector>

#include "ledger/ledger.h"
#include "sim/simulator.h"

namespace ukairo::sim {

class LedgerSink : public EventSink {
 public:
  static constexpr size_t kBatchEventsMax = 4096;

  explicit LedgerSink(ledger::Ledger* ledger) : ledger_(ledger) {}
  Status Append(const std::vector<ledger::Event>& events) override {
    batch_.insert(batch_.end(), events.begin(), events.end());
    if (batch_.size() >= kBatchEventsMax) return Flush();
    return Status::Ok();
  }
  Status Flush() override {
    if (batch_.empty()) return Status::Ok();
    auto r = ledger_->Append(std::move(batch_));
    batch_.clear();
    return r.ok() ? Status::Ok() : r.status();
  }

 private:
  ledger::Ledger* ledger_;  // not owned
  std::vector<ledger::Event> batch_;
};

}  // namespace ukairo::sim
