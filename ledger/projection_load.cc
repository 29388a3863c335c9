// Restart = the latest snapshot + the tail of the log (SPEC §2). Snapshots
// are a cache of the fold: one that cannot be used costs a full replay, never
// a wrong state, so only the log's own problems fail the load.
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "base/check.h"
#include "ledger/event_codec.h"
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

// Folds stored events onto a projection, checking that seqs follow and the
// fold stays within ProjectionLimits (Apply's own seq check is fatal; stored
// data gets an error instead) and reporting progress.
class Replayer {
 public:
  Replayer(Projection* projection, const LoadOptions& options)
      : projection_(projection), options_(options) {}

  Status Fold(const Event& event) {
    if (event.seq != projection_->last_seq() + 1) {
      return Status::Corruption("ledger: expected seq " +
                                std::to_string(projection_->last_seq() + 1) + ", read " +
                                std::to_string(event.seq));
    }
    projection_->Apply(event);
    if (!projection_->WithinLimits()) {
      return Status::Corruption("ledger: at seq " + std::to_string(event.seq) + ": " +
                                projection_->LimitStatus().message());
    }
    ++replayed_;
    if (options_.on_progress && replayed_ % options_.progress_every_events == 0) {
      options_.on_progress(replayed_);
    }
    return Status::Ok();
  }

  // Scans [seq_min, seq_max] and folds it. With `complete`, every seq of the
  // range must be there (the range is at or below a LastSeq() read earlier).
  Status ScanAndFold(Ledger& ledger, uint64_t seq_min, uint64_t seq_max, bool complete) {
    ScanOptions scan;
    scan.seq_min = seq_min;
    scan.seq_max = seq_max;
    std::unique_ptr<EventIterator> it = ledger.Scan(scan);
    for (it->SeekToFirst(); it->Valid(); it->Next()) UKAIRO_RETURN_IF_ERROR(Fold(it->event()));
    UKAIRO_RETURN_IF_ERROR(it->status());
    return CheckReached(complete ? seq_max : 0);
  }

  Status CheckReached(uint64_t seq) const {
    if (projection_->last_seq() >= seq) return Status::Ok();
    return Status::Corruption("ledger: events after seq " +
                              std::to_string(projection_->last_seq()) + " up to " +
                              std::to_string(seq) + " are missing");
  }

  uint64_t replayed() const { return replayed_; }
  uint64_t next_seq() const { return projection_->last_seq() + 1; }

 private:
  Projection* projection_;
  const LoadOptions& options_;
  uint64_t replayed_ = 0;
};

// The stored bytes of a run of events, back to back: the scan thread fills
// one while the fold thread decodes the other.
struct RawChunk {
  std::string bytes;
  std::vector<size_t> ends;  // ends[i]: one past event i's bytes
  void Clear() {
    bytes.clear();
    ends.clear();
  }
};

// Reads the stored bytes of [seq_min, seq_max] into *chunk (no decoding).
Status ScanRaw(Ledger& ledger, uint64_t seq_min, uint64_t seq_max, RawChunk* chunk) {
  chunk->Clear();
  ScanOptions scan;
  scan.seq_min = seq_min;
  scan.seq_max = seq_max;
  scan.raw_only = true;
  std::unique_ptr<EventIterator> it = ledger.Scan(scan);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    chunk->bytes.append(it->raw());
    chunk->ends.push_back(chunk->bytes.size());
  }
  return it->status();
}

// Replays [seq_min, seq_max] as a two-stage pipeline: a helper thread reads
// the stored bytes of chunk k+1 from RocksDB while this thread decodes chunk
// k into one reused Event and folds it. Reading (RocksDB iteration, block
// checks, the copy) and decoding + folding cost about the same per event,
// so on two free cores the replay runs at about twice the one-thread rate.
// Memory: two chunks of stored bytes.
Status ReplayWithDecodeAhead(Ledger& ledger, uint64_t seq_min, uint64_t seq_max,
                             uint64_t chunk_events, Replayer* replayer) {
  UKAIRO_CHECK(chunk_events > 0);
  RawChunk current, next;
  UKAIRO_RETURN_IF_ERROR(
      ScanRaw(ledger, seq_min, std::min(seq_max, seq_min + chunk_events - 1), &current));
  Event event;
  for (uint64_t lo = seq_min; lo <= seq_max;) {
    const uint64_t hi = std::min(seq_max, lo + chunk_events - 1);
    Status next_status;
    std::thread helper;
    if (hi < seq_max) {
      const uint64_t next_hi = std::min(seq_max, hi + chunk_events);
      helper = std::thread([&, next_hi] { next_status = ScanRaw(ledger, hi + 1, next_hi, &next); });
    }
    Status status;
    size_t begin = 0;
    for (size_t i = 0; i < current.ends.size() && status.ok(); ++i) {
      const std::string_view bytes(current.bytes.data() + begin, current.ends[i] - begin);
      begin = current.ends[i];
      const uint64_t expected = replayer->next_seq();
      status = DecodeEventInto(bytes, expected, &event);
      if (status.ok()) status = replayer->Fold(event);
    }
    if (status.ok()) status = replayer->CheckReached(hi);
    if (helper.joinable()) helper.join();
    UKAIRO_RETURN_IF_ERROR(status);
    UKAIRO_RETURN_IF_ERROR(next_status);
    std::swap(current, next);
    lo = hi + 1;
  }
  return Status::Ok();
}

}  // namespace

Result<Projection> LoadProjection(Ledger& ledger, const LoadOptions& options) {
  UKAIRO_CHECK(options.progress_every_events > 0);
  LoadStats local_stats;
  LoadStats* stats = options.stats != nullptr ? options.stats : &local_stats;
  *stats = LoadStats{};
  UKAIRO_ASSIGN_OR_RETURN(Projection projection, StartingPoint(ledger, options, stats));

  Replayer replayer(&projection, options);
  uint64_t seq_min = projection.last_seq() + 1;
  uint64_t seq_end = ledger.LastSeq();  // appends may go on; they are read below
  if (options.decode_ahead_chunk_events > 0 && seq_end >= seq_min &&
      seq_end - seq_min >= 2 * options.decode_ahead_chunk_events) {
    UKAIRO_RETURN_IF_ERROR(ReplayWithDecodeAhead(ledger, seq_min, seq_end,
                                                 options.decode_ahead_chunk_events,
                                                 &replayer));
    seq_min = seq_end + 1;
  }
  UKAIRO_RETURN_IF_ERROR(replayer.ScanAndFold(ledger, seq_min, UINT64_MAX, /*complete=*/false));
  stats->events_replayed = replayer.replayed();
  if (options.on_progress) options.on_progress(replayer.replayed());
  return projection;
}

Result<Projection> LoadProjection(Ledger& ledger, PeriodKind period_kind) {
  LoadOptions options;
  options.period_kind = period_kind;
  return LoadProjection(ledger, options);
}

Status MaybeSnapshot(Ledger& ledger, const Projection& projection, uint64_t every_events) {
  UKAIRO_CHECK(every_events > 0);
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
  UKAIRO_CHECK(every_events_ > 0);
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
