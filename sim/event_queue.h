// The simulator's discrete-event queue in virtual time.
//
// Entries pop in order of (time, insertion index): equal times pop in the
// order they were pushed, so a run never depends on heap internals
// (as Envoy's SimulatedTimeSystem breaks ties). There is no clock: now() is
// the time of the last popped entry and only moves forward.
//
// Thread safety: not thread-safe.
#pragma once

#include "base/check.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace ukairo::sim {

template <typename Payload>
class EventQueue {
 public:
  struct Entry {
    int64_t time_micros;
    uint64_t index;  // insertion order, the tie-break
    Payload payload;
  };

  explicit EventQueue(size_t size_max) : size_max_(size_max) { heap_.reserve(1024); }

  // REQUIRES: time_micros >= now(); size() < size_max (asserted: a queue
  // that grows without bound is a simulator bug).
  void Push(int64_t time_micros, Payload payload) {
    UKAIRO_CHECK(time_micros >= now_micros_);
    UKAIRO_CHECK(heap_.size() < size_max_);
    heap_.push_back(Entry{time_micros, next_index_++, std::move(payload)});
    SiftUp(heap_.size() - 1);
  }

  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  int64_t now() const { return now_micros_; }
  // REQUIRES: !empty()
  int64_t next_time() const {
    UKAIRO_DCHECK(!heap_.empty());
    return heap_[0].time_micros;
  }

  // Removes the earliest entry, advances now() to its time and returns it.
  // REQUIRES: !empty()
  Entry Pop() {
    UKAIRO_DCHECK(!heap_.empty());
    Entry top = std::move(heap_[0]);
    if (heap_.size() > 1) {
      heap_[0] = std::move(heap_.back());
      heap_.pop_back();
      SiftDown(0);
    } else {
      heap_.pop_back();
    }
    UKAIRO_CHECK(top.time_micros >= now_micros_);
    now_micros_ = top.time_micros;
    return top;
  }

 private:
  static bool Before(const Entry& a, const Entry& b) {
    return a.time_micros != b.time_micros ? a.time_micros < b.time_micros : a.index < b.index;
  }
  void SiftUp(size_t i) {
    while (i > 0) {
      size_t parent = (i - 1) / 2;
      if (!Before(heap_[i], heap_[parent])) break;
      std::swap(heap_[i], heap_[parent]);
      i = parent;
    }
  }
  void SiftDown(size_t i) {
    const size_t n = heap_.size();
    for (;;) {
      size_t least = i, l = 2 * i + 1, r = l + 1;
      if (l < n && Before(heap_[l], heap_[least])) least = l;
      if (r < n && Before(heap_[r], heap_[least])) least = r;
      if (least == i) break;
      std::swap(heap_[i], heap_[least]);
      i = least;
    }
  }

  size_t size_max_;
  std::vector<Entry> heap_;
  uint64_t next_index_ = 0;
  int64_t now_micros_ = INT64_MIN;
};

}  // namespace ukairo::sim
