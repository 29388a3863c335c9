// The gateway's ledger writer: events queue up in core-strand order and one
// thread appends everything queued in one call (group commit across
// requests); each batch's continuation then runs with the append's status.
// Responses wait for it; sends, timers and probes do not.
#include <chrono>
#include <cstdio>

#include "router/gateway/gateway_impl.h"

namespace ukairo::gateway {

Status GatewayImpl::AppendEvents(std::vector<ledger::Event>* events) {
  if (events->empty()) return Status::Ok();
  const auto t0 = std::chrono::steady_clock::now();
  Result<uint64_t> first = ledger_->Append(*events);
  append_latency_.Observe(std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - t0)
                              .count());
  if (!first.ok()) {
    ledger_failed_ = true;
    return first.status();
  }
  ledger_appends_.fetch_add(1, std::memory_order_relaxed);
  ledger_events_.fetch_add(events->size(), std::memory_order_relaxed);
  for (size_t i = 0; i < events->size(); ++i) {
    (*events)[i].seq = *first + i;
    durable_.Apply((*events)[i]);
  }
  metrics_.CountAppended(*events);
  Status s = snapshotter_->Maybe(durable_);
  if (!s.ok()) std::fprintf(stderr, "ukairo: snapshot failed: %s\n", s.ToString().c_str());
  return Status::Ok();
}

void GatewayImpl::Enqueue(std::vector<ledger::Event> events, AfterDurable then) {
  if (events.empty() && !then) return;
  {
    std::lock_guard<std::mutex> lock(writer_mu_);
    const size_t queued = writer_queue_events_.load(std::memory_order_relaxed) + events.size();
    // Admission stops new requests at ledger_queue_events_max; what still
    // comes belongs to requests already admitted (at most kQueueEventsPerRequestMax
    // each) or to probes and gate decisions. More is a bug, not load.
    UKAIRO_CHECK(queued <= options_.ledger_queue_events_max +
                               options_.requests_in_flight_max * kQueueEventsPerRequestMax,
                 "ledger writer queue: " + std::to_string(queued) + " events");
    writer_queue_events_.store(queued, std::memory_order_relaxed);
    writer_queue_.emplace_back(std::move(events), std::move(then));
  }
  writer_cv_.notify_one();
}

void GatewayImpl::WriterLoop() {
  std::vector<std::pair<std::vector<ledger::Event>, AfterDurable>> taken;
  std::vector<ledger::Event> all;
  for (;;) {
    taken.clear();
    all.clear();
    {
      std::unique_lock<std::mutex> lock(writer_mu_);
      writer_cv_.wait(lock, [this] { return !writer_queue_.empty() || writer_stop_; });
      if (writer_queue_.empty()) return;  // stopping, and everything is written
      // Everything queued goes in one append (bounded), so under load one
      // WAL write (and with --fsync one fsync) serves many requests.
      while (!writer_queue_.empty() &&
             (all.empty() || all.size() + writer_queue_.front().first.size() <=
                                 kWriterBatchEventsMax)) {
        auto& batch = writer_queue_.front();
        writer_queue_events_.store(
            writer_queue_events_.load(std::memory_order_relaxed) - batch.first.size(),
            std::memory_order_relaxed);
        for (auto& e : batch.first) all.push_back(std::move(e));
        taken.emplace_back(std::vector<ledger::Event>{}, std::move(batch.second));
        writer_queue_.pop_front();
      }
    }
    Status s = AppendEvents(&all);
    if (!s.ok()) std::fprintf(stderr, "ukairo: ledger append failed: %s\n", s.ToString().c_str());
    for (auto& batch : taken) {
      if (batch.second) batch.second(s);
    }
  }
}

}  // namespace ukairo::gateway
