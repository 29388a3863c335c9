// Replay speed of the projection (SPEC §6 target: >= 2M events/s).
//
// The stream has the router's shape: per request RequestAccepted,
// AttemptStarted, AttemptFinished, RequestCompleted, with ~10 % of requests
// retrying or falling back (RetryScheduled / FallbackTaken and a second
// attempt), 64 requests in flight so the open-reservation map is not
// trivially small, 36-character request ids, model names past the
// small-string limit, and a sprinkle of alerts, probes and state changes.
//
//   BM_FoldDecodedEvents   Projection::Apply over events already in memory
//   BM_FoldAttemptsOnly    the same, keeping only attempt start / finish
//   BM_Serialize / BM_Deserialize   a snapshot of the folded projection
//   BM_ScanOnly            Ledger::Scan of the 1M events from RocksDB (decode only)
//   BM_LoadProjection/A    LoadProjection from RocksDB, no snapshot: Scan + fold,
//                          A = decode_ahead_chunk_events (0: one thread)
// The RocksDB ledger is written once (batches of 10,000) under $TMPDIR and
// removed at exit; its page cache is warm when measured.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <memory>
#include <random>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/projection.h"

namespace ukairo::ledger {
namespace {

std::string RequestId(std::mt19937_64& rng) {
  static const char kHex[] = "0123456789abcdef";
  std::string id(36, '-');
  for (size_t i = 0; i < id.size(); ++i) {
    if (i != 8 && i != 13 && i != 18 && i != 23) id[i] = kHex[rng() % 16];
  }
  return id;
}

std::vector<Event> RouterLikeStream(size_t count, uint64_t seed) {
  static const char* kModels[] = {"claude-opus-4-1", "claude-sonnet-4-5-20250929",
                                  "gemini-3-pro-preview", "gemini-2.5-flash", "local"};
  static const char* kTags[] = {"Spec", "Design", "Build", "Review", "Fix", "Verify"};
  static const char* kTiers[] = {"high-precision", "high-precision", "build",
                                 "high-precision", "build", "economy"};
  std::mt19937_64 rng(seed);
  std::vector<Event> out;
  out.reserve(count + 8);
  int64_t t = MicrosFromCivil(2026, 10, 1);
  uint64_t seq = 0;
  auto push = [&](EventBody body) {
    Event e;
    e.seq = ++seq;
    e.time_micros = t;
    e.body = std::move(body);
    out.push_back(std::move(e));
  };
  struct InFlight {
    AttemptStarted started;
    bool retried = false;
  };
  std::deque<InFlight> in_flight;
  while (out.size() < count) {
    t += static_cast<int64_t>(rng() % 20'000);  // ~100 requests/s: months pass
    if (in_flight.size() < 64) {
      size_t tag = rng() % 6;
      RequestAccepted r;
      r.request_id = RequestId(rng);
      r.tag = kTags[tag];
      r.tier = kTiers[tag];
      push(r);
      AttemptStarted a;
      a.request_id = r.request_id;
      a.attempt = 1;
      a.try_on_deployment = 1;
      a.model_group = kModels[rng() % 5];
      a.deployment = a.model_group + "-eu";
      a.tag = r.tag;
      a.tier = r.tier;
      a.reserved_nanos = static_cast<NanoUsd>(rng() % 50'000'000);
      push(a);
      in_flight.push_back({std::move(a), false});
      continue;
    }
    InFlight f = std::move(in_flight.front());
    in_flight.pop_front();
    AttemptFinished done;
    done.request_id = f.started.request_id;
    done.attempt = f.started.attempt;
    done.deployment = f.started.deployment;
    done.model_group = f.started.model_group;
    done.tag = f.started.tag;
    done.tier = f.started.tier;
    bool fail = !f.retried && rng() % 10 == 0;
    done.outcome = fail ? Outcome::kRateLimited : Outcome::kOk;
    done.cost_nanos = fail ? 0 : static_cast<NanoUsd>(rng() % 30'000'000);
    push(done);
    if (fail) {
      FallbackTaken fb;
      fb.request_id = f.started.request_id;
      fb.from_model_group = f.started.model_group;
      fb.to_model_group = "local";
      push(fb);
      f.started.attempt += 1;
      f.started.model_group = "local";
      f.started.deployment = "local-gpu";
      f.retried = true;
      push(f.started);
      in_flight.push_back(std::move(f));
      continue;
    }
    RequestCompleted c;
    c.request_id = f.started.request_id;
    c.total_cost_nanos = done.cost_nanos;
    push(c);
    uint64_t extra = rng() % 1000;
    if (extra < 3) {
      BudgetAlert alert;
      alert.scope_kind = ScopeKind::kModel;
      alert.scope_key = kModels[extra];
      alert.threshold_pct = 80;
      alert.period = PeriodOf(t);
      push(alert);
    } else if (extra < 8) {
      HealthProbe probe;
      probe.deployment = "local-gpu";
      probe.ok = true;
      push(probe);
    } else if (extra < 10) {
      DeploymentStateChanged change;
      change.deployment = std::string(kModels[extra % 5]) + "-eu";
      change.to = extra == 8 ? DeploymentState::kRateLimited : DeploymentState::kHealthy;
      push(change);
    }
  }
  out.resize(count);
  return out;
}

const std::vector<Event>& Stream() {
  static const std::vector<Event> events = RouterLikeStream(1'000'000, 2026);
  return events;
}

void BM_FoldDecodedEvents(benchmark::State& state) {
  const std::vector<Event>& events = Stream();
  for (auto _ : state) {
    Projection p;
    for (const Event& e : events) p.Apply(e);
    benchmark::DoNotOptimize(p.last_seq());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
  state.counters["events"] = static_cast<double>(events.size());
}
BENCHMARK(BM_FoldDecodedEvents)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// Only AttemptStarted / AttemptFinished: every event touches the maps (the
// worst case for the fold; the router's stream is about half no-ops).
void BM_FoldAttemptsOnly(benchmark::State& state) {
  static const std::vector<Event> events = [] {
    std::vector<Event> out;
    for (const Event& e : Stream()) {
      if (std::holds_alternative<AttemptStarted>(e.body) ||
          std::holds_alternative<AttemptFinished>(e.body)) {
        out.push_back(e);
        out.back().seq = out.size();
      }
    }
    return out;
  }();
  for (auto _ : state) {
    Projection p;
    for (const Event& e : events) p.Apply(e);
    benchmark::DoNotOptimize(p.last_seq());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
  state.counters["events"] = static_cast<double>(events.size());
}
BENCHMARK(BM_FoldAttemptsOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);

Projection Folded() {
  Projection p;
  for (const Event& e : Stream()) p.Apply(e);
  return p;
}

void BM_Serialize(benchmark::State& state) {
  Projection p = Folded();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string s = p.Serialize();
    bytes = s.size();
    benchmark::DoNotOptimize(s.data());
  }
  state.counters["snapshot_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Serialize)->Unit(benchmark::kMicrosecond);

void BM_Deserialize(benchmark::State& state) {
  std::string s = Folded().Serialize();
  for (auto _ : state) {
    Result<Projection> p = Projection::Deserialize(s);
    if (!p.ok()) state.SkipWithError(p.status().ToString().c_str());
    benchmark::DoNotOptimize(p.ok());
  }
}
BENCHMARK(BM_Deserialize)->Unit(benchmark::kMicrosecond);

// The stream appended once to a fresh RocksDB ledger.
class StoredStream {
 public:
  static StoredStream& Get() {
    static StoredStream stored;
    return stored;
  }
  Ledger* ledger() { return ledger_.get(); }
  const Status& status() const { return status_; }

  ~StoredStream() {
    ledger_.reset();
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

 private:
  StoredStream() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/ukairo-bench-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      status_ = Status::IOError("mkdtemp failed");
      return;
    }
    dir_ = pattern;
    Result<std::unique_ptr<Ledger>> ledger = Ledger::Open(dir_ + "/ledger", LedgerOptions{});
    if (!ledger.ok()) {
      status_ = ledger.status();
      return;
    }
    ledger_ = std::move(ledger).value();
    const std::vector<Event>& events = Stream();
    constexpr size_t kBatch = 10'000;
    for (size_t i = 0; i < events.size() && status_.ok(); i += kBatch) {
      size_t end = std::min(events.size(), i + kBatch);
      Result<uint64_t> first = ledger_->Append(std::vector<Event>(
          events.begin() + static_cast<std::ptrdiff_t>(i),
          events.begin() + static_cast<std::ptrdiff_t>(end)));
      if (!first.ok()) status_ = first.status();
    }
  }

  std::string dir_;
  std::unique_ptr<Ledger> ledger_;
  Status status_;
};

void BM_ScanOnly(benchmark::State& state) {
  StoredStream& stored = StoredStream::Get();
  if (!stored.status().ok()) {
    state.SkipWithError(stored.status().ToString().c_str());
    return;
  }
  uint64_t events = 0;
  for (auto _ : state) {
    std::unique_ptr<EventIterator> it = stored.ledger()->Scan(ScanOptions{});
    events = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      benchmark::DoNotOptimize(it->event().seq);
      ++events;
    }
    if (!it->status().ok()) state.SkipWithError(it->status().ToString().c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events));
  state.counters["events"] = static_cast<double>(events);
}
BENCHMARK(BM_ScanOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();

void BM_LoadProjection(benchmark::State& state) {
  StoredStream& stored = StoredStream::Get();
  if (!stored.status().ok()) {
    state.SkipWithError(stored.status().ToString().c_str());
    return;
  }
  LoadOptions options;
  options.decode_ahead_chunk_events = static_cast<uint64_t>(state.range(0));
  uint64_t events = 0;
  for (auto _ : state) {
    Result<Projection> p = LoadProjection(*stored.ledger(), options);
    if (!p.ok()) {
      state.SkipWithError(p.status().ToString().c_str());
      break;
    }
    events = p->last_seq();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events));
  state.counters["events"] = static_cast<double>(events);
}
// Arg: LoadOptions::decode_ahead_chunk_events (0 = one thread). Real time,
// since the decode-ahead thread's work is not in this thread's CPU time.
BENCHMARK(BM_LoadProjection)
    ->Arg(0)
    ->Arg(65536)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->UseRealTime();

}  // namespace
}  // namespace ukairo::ledger

BENCHMARK_MAIN();
