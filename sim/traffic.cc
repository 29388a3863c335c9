#include "sim/traffic.h"

#include <vector>

#include "base/check.h"
#include "base/time_units.h"

namespace ukairo::sim {
namespace {

constexpr int64_t kDaysMax = 3660;  // ten years is already absurd for a simulation

class ReplaySource : public TrafficSource {
 public:
  ReplaySource(std::unique_ptr<TraceReader> reader, int64_t shift_micros)
      : reader_(std::move(reader)), shift_micros_(shift_micros) {}
  Result<bool> Next(TraceRecord* record) override {
    UKAIRO_ASSIGN_OR_RETURN(bool more, reader_->Next(record));
    if (more) {
      ++read_;
      record->time_micros += shift_micros_;
    }
    return more;
  }
  uint64_t records_read() const override { return read_; }

 private:
  std::unique_ptr<TraceReader> reader_;
  int64_t shift_micros_;
  uint64_t read_ = 0;
};

// The trace is replayed once per slot, from `cached_` when it was kept in
// memory, else re-read from the reader; this object is also the reader's
// TimeFilter, so a record thinned out is dropped right after its timestamp
// is parsed. Keep() is called for the same records in the same order on both
// paths, so the Rng draws, and the records kept, are the same (for a trace
// without malformed lines: a skipped line may have drawn on the re-read path).
class StretchedSource : public TrafficSource, public TimeFilter {
 public:
  StretchedSource(std::unique_ptr<TraceReader> reader, std::vector<TraceRecord> cached,
                  const StretchOptions& options, int64_t trace_first_micros, int64_t slot_micros)
      : reader_(std::move(reader)),
        cached_(std::move(cached)),
        options_(options),
        trace_first_micros_(trace_first_micros),
        slot_micros_(slot_micros),
        end_micros_(options.start_micros + options.days * kMicrosPerDay),
        rng_(options.seed, /*stream=*/0x57e7c4) {
    UKAIRO_CHECK(slot_micros_ > 0);
    // keep_ppm_[hour of week], hour 0 = Monday 00:00 UTC.
    for (int wd = 0; wd < 7; ++wd) {
      for (int h = 0; h < 24; ++h) {
        keep_ppm_[wd * 24 + h] =
            options.profile.weekly_permille[wd] * options.profile.daily_permille[h];
      }
    }
    reader_->SetTimeFilter(this);
  }
  ~StretchedSource() override { reader_->SetTimeFilter(nullptr); }

  Result<bool> Next(TraceRecord* record) override {
    if (!cached_.empty()) return NextCached(record);
    for (;;) {
      if (SlotBase() >= end_micros_) return false;
      UKAIRO_ASSIGN_OR_RETURN(bool more, reader_->Next(record));
      if (!more) {
        UKAIRO_RETURN_IF_ERROR(reader_->Rewind());
        ++slot_;
        continue;
      }
      // Keep() accepted it, so it lies inside this slot and the span.
      record->time_micros = SlotBase() + (record->time_micros - trace_first_micros_);
      UKAIRO_DCHECK(record->time_micros < end_micros_);
      return true;
    }
  }
  uint64_t records_read() const override { return read_; }

  bool Keep(int64_t trace_time_micros) override {
    ++read_;
    const int64_t offset = trace_time_micros - trace_first_micros_;
    if (offset < 0 || offset >= slot_micros_) return false;  // outside the slot's shape
    const int64_t t = SlotBase() + offset;
    if (t >= end_micros_) return false;
    return rng_.Below(1'000'000) < keep_ppm_[HourOfWeek(t)];
  }

 private:
  bool NextCached(TraceRecord* record) {
    for (;;) {
      if (SlotBase() >= end_micros_) return false;
      if (next_cached_ == cached_.size()) {
        next_cached_ = 0;
        ++slot_;
        continue;
      }
      const TraceRecord& r = cached_[next_cached_++];
      if (!Keep(r.time_micros)) continue;
      *record = r;
      record->time_micros = SlotBase() + (r.time_micros - trace_first_micros_);
      UKAIRO_DCHECK(record->time_micros < end_micros_);
      return true;
    }
  }

  int64_t SlotBase() const { return options_.start_micros + slot_ * slot_micros_; }
  static int HourOfWeek(int64_t unix_micros) {
    int64_t days = unix_micros / kMicrosPerDay;      // the simulation runs after 1970
    int weekday = static_cast<int>((days + 3) % 7);  // 1970-01-01 was a Thursday
    int hour = static_cast<int>(unix_micros % kMicrosPerDay / kMicrosPerHour);
    return weekday * 24 + hour;
  }

  std::unique_ptr<TraceReader> reader_;
  std::vector<TraceRecord> cached_;  // empty: re-read per slot
  size_t next_cached_ = 0;
  StretchOptions options_;
  int64_t trace_first_micros_;
  int64_t slot_micros_;
  int64_t end_micros_;
  int64_t slot_ = 0;
  uint64_t read_ = 0;
  Rng rng_;
  uint32_t keep_ppm_[7 * 24];
};

}  // namespace

TrafficProfile TrafficProfile::Default() {
  TrafficProfile p;
  p.daily_permille = {60,  40,  30,   30,   30,  50,  100, 250, 600, 900, 1000, 1000,
                      800, 900, 1000, 1000, 900, 700, 450, 300, 200, 150, 100,  80};
  p.weekly_permille = {1000, 1000, 1000, 1000, 900, 250, 200};
  return p;
}

Status TrafficProfile::Validate() const {
  for (uint32_t v : daily_permille) {
    if (v > 1000) return Status::InvalidArgument("daily profile value above 1000 permille");
  }
  for (uint32_t v : weekly_permille) {
    if (v > 1000) return Status::InvalidArgument("weekly profile value above 1000 permille");
  }
  return Status::Ok();
}

std::unique_ptr<TrafficSource> MakeReplaySource(std::unique_ptr<TraceReader> reader,
                                                int64_t shift_micros) {
  return std::make_unique<ReplaySource>(std::move(reader), shift_micros);
}

Result<std::unique_ptr<TrafficSource>> MakeStretchedSource(std::unique_ptr<TraceReader> reader,
                                                           const StretchOptions& options) {
  if (options.days <= 0 || options.days > kDaysMax) {
    return Status::InvalidArgument("--days must be in 1.." + std::to_string(kDaysMax));
  }
  UKAIRO_RETURN_IF_ERROR(options.profile.Validate());
  TraceRecord r;
  int64_t first = INT64_MAX, last = INT64_MIN;
  uint64_t n = 0;
  std::vector<TraceRecord> cached;
  bool caching = options.cached_records_max > 0;
  for (;;) {
    UKAIRO_ASSIGN_OR_RETURN(bool more, reader->Next(&r));
    if (!more) break;
    first = std::min(first, r.time_micros);
    last = std::max(last, r.time_micros);
    ++n;
    if (caching && n > options.cached_records_max) {
      caching = false;
      std::vector<TraceRecord>().swap(cached);
    }
    if (caching) cached.push_back(r);
  }
  if (n == 0) return Status::InvalidArgument("the trace has no records to stretch");
  UKAIRO_RETURN_IF_ERROR(reader->Rewind());
  int64_t slot = options.slot_micros;
  if (slot <= 0) {
    int64_t span = last - first + 1;
    slot = (span + kMicrosPerMinute - 1) / kMicrosPerMinute * kMicrosPerMinute;
  }
  return std::unique_ptr<TrafficSource>(
      std::make_unique<StretchedSource>(std::move(reader), std::move(cached), options, first, slot));
}

}  // namespace ukairo::sim
