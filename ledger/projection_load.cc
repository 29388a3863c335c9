// Restart = the latest snapshot + the tail of the log (SPEC §2). Snapshots
// are a cache of the fold: one that cannot be used costs a full replay, never
// a wrong state, so only the log's own problems fail the load.
#include <cassert>
#include <string>

#include "ledger/ledger.h"
#include "ledger/projection.h"

namespace ukairo::ledger {
namespace {

// The projection to replay onto: the latest usable snapshot or an empty one.
Result<Projection> StartingPoint(Ledger& ledger, const LoadOptions& options,
                                 LoadStats* stats) {
  Result<std::pair<uint64_t, std::string>> latest = ledger.LatestSnapshot();
  if (!latest.ok()) {
    if (latest.status().IsNotFound()) return Projection(options.period_kind);
    return latest.status();
  }
  const auto& [seq, bytes] = *latest;
  Result<Projection> loaded = Projection::Deserialize(bytes);
  if (!loaded.ok()) {
    stats->snapshot_problem = loaded.status().ToString();
  } else if (loaded->period_kind() != options.period_kind) {
    stats->snapshot_problem = "snapshot has another period kind";
  } else if (loaded->last_seq() != seq) {
    stats->snapshot_problem = "snapshot key " + std::to_string(seq) +
                              " differs from its last_seq " +
                              std::to_string(loaded->last_seq());
  } else if (seq > ledger.LastSeq()) {
    stats->snapshot_problem = "snapshot is past the end of the log";
  } else {
    stats->snapshot_seq = seq;
    return loaded;
  }
  return Projection(options.period_kind);
}

}  // namespace

Result<Projection> LoadProjection(Ledger& ledger, const LoadOptions& options) {
  assert(options.progress_every_events > 0);
  LoadStats local_stats;
  LoadStats* stats = options.stats != nullptr ? options.stats : &local_stats;
  *stats = LoadStats{};
  UKAIRO_ASSIGN_OR_RETURN(Projection projection, StartingPoint(ledger, options, stats));

  ScanOptions scan;
  scan.seq_min = projection.last_seq() + 1;
  std::unique_ptr<EventIterator> it = ledger.Scan(scan);
  uint64_t replayed = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const Event& event = it->event();
    // Apply only asserts the sequence; stored data is checked for real.
    if (event.seq != projection.last_seq() + 1) {
      return Status::Corruption("ledger: expected seq " +
                                std::to_string(projection.last_seq() + 1) + ", read " +
                                std::to_string(event.seq));
    }
    projection.Apply(event);
    ++replayed;
    if (options.on_progress && replayed % options.progress_every_events == 0) {
      options.on_progress(replayed);
    }
  }
  UKAIRO_RETURN_IF_ERROR(it->status());
  stats->events_replayed = replayed;
  if (options.on_progress) options.on_progress(replayed);
  return projection;
}

Result<Projection> LoadProjection(Ledger& ledger, PeriodKind period_kind) {
  LoadOptions options;
  options.period_kind = period_kind;
  return LoadProjection(ledger, options);
}

Status MaybeSnapshot(Ledger& ledger, const Projection& projection, uint64_t every_events) {
  assert(every_events > 0);
  uint64_t snapshot_seq = 0;
  Result<std::pair<uint64_t, std::string>> latest = ledger.LatestSnapshot();
  if (latest.ok()) {
    snapshot_seq = latest->first;
  } else if (!latest.status().IsNotFound()) {
    return latest.status();
  }
  if (projection.last_seq() < snapshot_seq + every_events) return Status::Ok();
  return ledger.PutSnapshot(projection.last_seq(), projection.Serialize());
}

Snapshotter::Snapshotter(Ledger& ledger, uint64_t every_events)
    : ledger_(ledger), every_events_(every_events) {
  assert(every_events_ > 0);
}

Status Snapshotter::Maybe(const Projection& projection) {
  if (!looked_up_) {
    Result<std::pair<uint64_t, std::string>> latest = ledger_.LatestSnapshot();
    if (latest.ok()) {
      snapshot_seq_ = latest->first;
    } else if (!latest.status().IsNotFound()) {
      return latest.status();
    }
    looked_up_ = true;
  }
  if (projection.last_seq() < snapshot_seq_ + every_events_) return Status::Ok();
  UKAIRO_RETURN_IF_ERROR(ledger_.PutSnapshot(projection.last_seq(), projection.Serialize()));
  snapshot_seq_ = projection.last_seq();
  return Status::Ok();
}

}  // namespace ukairo::ledger
