#include "sim/simulator.h"

#include <charconv>
#include <deque>

#include "base/check.h"
#include "ledger/projection.h"
#include "router/core/actions.h"
#include "router/core/core.h"
#include "router/config/redact.h"
#include "sim/event_queue.h"

namespace ukairo::sim {
namespace {

enum class ItemKind : uint8_t { kArrival = 0, kResult, kTimer, kProbe };

// One queued happening, kept small (16 bytes) so heap moves are cheap; the
// bulky upstream and probe results wait in slabs, named by `value`.
struct Item {
  ItemKind kind = ItemKind::kArrival;
  uint64_t value = 0;  // kTimer: timer id; kResult / kProbe: slab slot
};

// A pool of T with a free list: slots are reused, so the slab's size is the
// peak number in flight, not the total.
template <typename T>
class Slab {
 public:
  uint64_t Put(T value) {
    if (free_.empty()) {
      items_.push_back(std::move(value));
      return items_.size() - 1;
    }
    uint64_t slot = free_.back();
    free_.pop_back();
    items_[slot] = std::move(value);
    return slot;
  }
  T& at(uint64_t slot) { return items_[slot]; }
  void Free(uint64_t slot) { free_.push_back(slot); }

 private:
  std::vector<T> items_;
  std::vector<uint64_t> free_;
};

struct PendingRequest {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
};

// The requests in flight by number. Numbers are issued in order and most
// requests finish within seconds, so a window starting at the oldest
// unfinished number holds them without hashing. It spans the arrivals made
// while the longest-lived request in flight lives (bounded by the request
// timeout times the arrival rate).
class PendingWindow {
 public:
  void Add(uint64_t number, PendingRequest request) {
    if (items_.empty()) base_ = number;
    UKAIRO_CHECK(number == base_ + items_.size());
    items_.push_back(Entry{request, true});
  }
  const PendingRequest* Find(uint64_t number) const {
    if (number < base_ || number - base_ >= items_.size()) return nullptr;
    const Entry& e = items_[number - base_];
    return e.live ? &e.request : nullptr;
  }
  void Erase(uint64_t number) {
    if (number < base_ || number - base_ >= items_.size()) return;
    items_[number - base_].live = false;
    while (!items_.empty() && !items_.front().live) {
      items_.pop_front();
      ++base_;
    }
  }

 private:
  struct Entry {
    PendingRequest request;
    bool live = false;
  };
  std::deque<Entry> items_;
  uint64_t base_ = 0;  // number of items_.front()
};

// Request ids are "r<number>"; the number keys the pending window.
uint64_t RequestNumber(const std::string& id) {
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), n);
  UKAIRO_CHECK(ec == std::errc() && ptr == id.data() + id.size());
  (void)ptr;
  (void)ec;
  return n;
}

class Loop {
 public:
  Loop(std::shared_ptr<const router::Config> config, Upstreams& providers, TrafficSource& source,
       TagAssigner& tags, const SimulationOptions& options, SummaryBuilder& summary,
       EventSink* sink)
      : config_(config),
        core_(config,
              options.initial_state != nullptr ? *options.initial_state
                                               : ledger::Projection(config->budget_period),
              options.core_seed ? *options.core_seed : DeriveSeed(options.seed, kSeedStreamCore)),
        providers_(providers),
        source_(source),
        tags_(tags),
        options_(options),
        summary_(summary),
        sink_(sink),
        queue_(options.queue_entries_max) {}

  Result<SimulationStats> Run() {
    now_ = options_.start_micros;
    if (options_.start_at_first_arrival) {
      // Peek the first record: the core starts at its time.
      UKAIRO_ASSIGN_OR_RETURN(bool more, source_.Next(&record_));
      if (more) now_ = record_.time_micros;
      source_done_ = !more;
      first_record_read_ = true;
    }
    stats_.start_micros = now_;
    ledger::Event applied;
    applied.time_micros = now_;
    applied.body = router::ConfigAppliedEvent(*config_, "ukairo simulate");
    actions_.events.push_back(std::move(applied));
    if (options_.warm_up != nullptr) {
      for (const ledger::Event& e : *options_.warm_up) core_.WarmUp(e);
    }
    core_.Start(now_, actions_);
    UKAIRO_RETURN_IF_ERROR(Execute());
    UKAIRO_RETURN_IF_ERROR(QueueNextArrival());
    while (!queue_.empty()) {
      if (source_done_ && core_.requests_in_flight() == 0 && results_queued_ == 0) break;
      auto entry = queue_.Pop();
      now_ = entry.time_micros;
      UKAIRO_RETURN_IF_ERROR(Handle(entry.payload));
    }
    if (sink_ != nullptr) UKAIRO_RETURN_IF_ERROR(sink_->Flush());
    stats_.last_time_micros = now_;
    return stats_;
  }

 private:
  Status Handle(Item& item) {
    actions_.Clear();
    switch (item.kind) {
      case ItemKind::kArrival: {
        router::RequestInput& in = request_;
        in.request_id.assign("r");
        char digits[24];
        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, ++request_counter_);
        in.request_id.append(digits, end);
        in.tag = tags_.Assign(record_.tag);
        in.requested_model = record_.model;
        in.input_tokens = record_.input_tokens;
        in.max_output_tokens = record_.max_output_tokens;
        pending_.Add(request_counter_,
                     PendingRequest{record_.input_tokens, record_.output_tokens});
        ++stats_.arrivals;
        core_.OnRequest(in, now_, actions_);
        NoteRefusal(in.request_id);
        UKAIRO_RETURN_IF_ERROR(Execute());
        if (options_.on_progress && stats_.arrivals % options_.progress_every_arrivals == 0) {
          options_.on_progress(now_, stats_.arrivals);
        }
        return QueueNextArrival();
      }
      case ItemKind::kResult:
        --results_queued_;
        core_.OnUpstreamResult(results_.at(item.value), now_, actions_);
        results_.Free(item.value);
        return Execute();
      case ItemKind::kTimer:
        ++stats_.timers;
        core_.OnTimer(item.value, now_, actions_);
        return Execute();
      case ItemKind::kProbe:
        core_.OnProbeResult(probes_.at(item.value), now_, actions_);
        probes_.Free(item.value);
        return Execute();
    }
    return Status::Ok();
  }

  Status QueueNextArrival() {
    bool more = !source_done_;
    if (first_record_read_) {
      first_record_read_ = false;  // record_ already holds the peeked record
    } else {
      UKAIRO_ASSIGN_OR_RETURN(more, source_.Next(&record_));
    }
    if (!more) {
      source_done_ = true;
      return Status::Ok();
    }
    int64_t t = record_.time_micros;
    if (t < now_) {
      ++stats_.arrivals_out_of_order;
      t = now_;
    }
    Push(t, Item{ItemKind::kArrival, 0});
    return Status::Ok();
  }

  void Push(int64_t t, Item item) {
    queue_.Push(t, std::move(item));
    if (queue_.size() > stats_.queue_entries_peak) stats_.queue_entries_peak = queue_.size();
  }

  // Carries out one call's actions in the documented order: events first.
  Status Execute() {
    started_.clear();
    late_retries_.clear();
    if (!actions_.events.empty()) {
      stats_.events += actions_.events.size();
      for (const auto& e : actions_.events) {
        summary_.Add(e);
        // The try number of each send (the send itself does not carry it).
        if (const auto* a = std::get_if<ledger::AttemptStarted>(&e.body)) started_.push_back(a);
        if (const auto* r = std::get_if<ledger::RetryScheduled>(&e.body)) NoteRetry(e, *r);
      }
      if (sink_ != nullptr) UKAIRO_RETURN_IF_ERROR(sink_->Append(actions_.events));
    }
    for (const auto& r : actions_.responses) {
      const uint64_t number = RequestNumber(r.request_id);
      pending_.Erase(number);
      providers_.RequestDone(number);
    }
    for (const auto& s : actions_.sends) Send(s);
    for (const auto& t : actions_.timers) {
      int64_t at = t.fire_at_micros < now_ ? now_ : t.fire_at_micros;
      for (const auto& [due, late] : late_retries_) {
        if (due == t.fire_at_micros) at += late;
      }
      Push(at, Item{ItemKind::kTimer, t.timer_id});
    }
    for (const auto& p : actions_.probes) {
      ++stats_.probes;
      ProbeOutcome o = providers_.Probe(p.deployment_index, now_);
      router::ProbeResult probe;
      probe.deployment = p.deployment;
      probe.ok = o.ok;
      probe.http_status = o.http_status;
      probe.latency_micros = o.latency_micros;
      if (!o.ok) probe.error = "probe failed";
      Push(now_ + o.latency_micros, Item{ItemKind::kProbe, probes_.Put(std::move(probe))});
    }
    stats_.notifications += actions_.notifications.size();
    return Status::Ok();
  }

  // A request the core answered without recording it (unknown model,
  // overload, duplicate id): no event tells the summary, so the answer does.
  void NoteRefusal(const std::string& request_id) {
    if (actions_.responses.empty()) return;
    for (const auto& e : actions_.events) {
      const auto* a = std::get_if<ledger::RequestAccepted>(&e.body);
      if (a != nullptr && a->request_id == request_id) return;
    }
    for (const auto& r : actions_.responses) {
      if (r.request_id != request_id) continue;
      ++stats_.requests_refused;
      summary_.AddRefused(r.http_status, r.error.code);
    }
  }

  // A retry the upstreams say started late in the recording: its timer (the
  // one due at the event time plus the backoff) fires that much later.
  void NoteRetry(const ledger::Event& e, const ledger::RetryScheduled& r) {
    const int64_t late =
        providers_.RetryLatenessMicros(RequestNumber(r.request_id), r.attempt, r.deployment);
    if (late > 0) late_retries_.emplace_back(e.time_micros + r.backoff_ms * 1000, late);
  }

  void Send(const router::SendAttempt& s) {
    ++stats_.sends;
    const uint64_t number = RequestNumber(s.request_id);
    const PendingRequest* found = pending_.Find(number);
    UKAIRO_CHECK(found != nullptr, "a send for a request the simulator never issued");
    const PendingRequest& req = *found;
    int64_t output_cap = config_->default_max_output_tokens;
    CallRequest call;
    call.request_number = number;
    call.attempt = s.attempt;
    call.try_on_deployment = 1;
    for (const ledger::AttemptStarted* a : started_) {
      if (a->attempt == s.attempt && a->request_id == s.request_id) {
        call.try_on_deployment = a->try_on_deployment;
        break;
      }
    }
    call.deployment_index = s.deployment_index;
    call.now_micros = now_;
    call.input_tokens = req.input_tokens;
    call.output_tokens = req.output_tokens < output_cap ? req.output_tokens : output_cap;
    call.timeout_ms = s.timeout_ms;
    CallResult c = providers_.Call(call);
    const uint64_t slot = results_.Put(router::UpstreamResult{});
    router::UpstreamResult& r = results_.at(slot);
    r.request_id = s.request_id;
    r.attempt = s.attempt;
    r.outcome = c.outcome;
    r.http_status = c.http_status;
    r.latency_micros = c.latency_micros;
    if (c.input_tokens >= 0) {
      r.input_tokens = c.input_tokens;
    } else {
      r.input_tokens = c.outcome == ledger::Outcome::kOk ? req.input_tokens : 0;
    }
    r.output_tokens = c.output_tokens;
    r.cached_tokens = c.cached_tokens;
    r.retry_after_ms = c.retry_after_ms;
    r.error = c.error;
    ++results_queued_;
    const int64_t arrives_after =
        c.arrives_after_micros >= 0 ? c.arrives_after_micros : c.latency_micros;
    Push(now_ + arrives_after, Item{ItemKind::kResult, slot});
  }

  std::shared_ptr<const router::Config> config_;
  router::RouterCore core_;
  Upstreams& providers_;
  TrafficSource& source_;
  TagAssigner& tags_;
  const SimulationOptions& options_;
  SummaryBuilder& summary_;
  EventSink* sink_;
  EventQueue<Item> queue_;
  Slab<router::UpstreamResult> results_;
  Slab<router::ProbeResult> probes_;
  router::Actions actions_;
  std::vector<const ledger::AttemptStarted*> started_;  // of the current Execute
  std::vector<std::pair<int64_t, int64_t>> late_retries_;  // (due, lateness), same
  router::RequestInput request_;
  TraceRecord record_;
  PendingWindow pending_;
  uint64_t request_counter_ = 0;
  uint64_t results_queued_ = 0;
  bool source_done_ = false;
  bool first_record_read_ = false;
  int64_t now_ = 0;
  SimulationStats stats_;
};

}  // namespace

uint64_t DeriveSeed(uint64_t seed, uint64_t stream) {
  uint64_t state = seed ^ (stream * 0xA0761D6478BD642FULL);
  return SplitMix64(&state);
}

Result<SimulationStats> RunSimulation(std::shared_ptr<const router::Config> config,
                                      Upstreams& providers, TrafficSource& source,
                                      TagAssigner& tags, const SimulationOptions& options,
                                      SummaryBuilder& summary, EventSink* sink) {
  UKAIRO_CHECK(config != nullptr);
  UKAIRO_CHECK(providers.size() == config->deployments.size());
  Loop loop(std::move(config), providers, source, tags, options, summary, sink);
  return loop.Run();
}

}  // namespace ukairo::sim
