// Helpers shared by the projection tests: a seq-numbering event builder and
// small event constructors. Test-only; each test file gets its own copy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "ledger/period.h"
#include "ledger/projection.h"

namespace ukairo::ledger {
namespace {

const int64_t kNov1 = MicrosFromCivil(2026, 11, 1);
const int32_t kNov = 202611;
const int32_t kDec = 202612;

// Builds events with consecutive seqs.
class Stream {
 public:
  explicit Stream(int64_t time_micros) : time_micros_(time_micros) {}
  void Advance(int64_t micros) { time_micros_ += micros; }
  void At(int64_t time_micros) { time_micros_ = time_micros; }
  template <typename Body>
  const Event& Add(Body body) {
    Event e;
    e.seq = events_.size() + 1;
    e.time_micros = time_micros_;
    e.body = std::move(body);
    events_.push_back(std::move(e));
    return events_.back();
  }
  const std::vector<Event>& events() const { return events_; }
  Projection Fold(PeriodKind kind = PeriodKind::kMonth) const {
    Projection p(kind);
    for (const Event& e : events_) p.Apply(e);
    return p;
  }

 private:
  int64_t time_micros_;
  std::vector<Event> events_;
};

[[maybe_unused]] AttemptStarted Start(std::string req, uint32_t attempt, std::string model, std::string tag,
                     std::string tier, NanoUsd reserved) {
  AttemptStarted a;
  a.request_id = std::move(req);
  a.attempt = attempt;
  a.try_on_deployment = 1;
  a.deployment = model + "-dep";
  a.model_group = std::move(model);
  a.tag = std::move(tag);
  a.tier = std::move(tier);
  a.reserved_nanos = reserved;
  return a;
}

[[maybe_unused]] AttemptFinished Finish(const AttemptStarted& a, NanoUsd cost) {
  AttemptFinished f;
  f.request_id = a.request_id;
  f.attempt = a.attempt;
  f.deployment = a.deployment;
  f.model_group = a.model_group;
  f.tag = a.tag;
  f.tier = a.tier;
  f.cost_nanos = cost;
  return f;
}

[[maybe_unused]] DeploymentStateChanged StateChange(std::string dep, DeploymentState to, int64_t until = 0) {
  DeploymentStateChanged c;
  c.deployment = std::move(dep);
  c.to = to;
  c.until_micros = until;
  c.reason = DeploymentStateName(to);
  return c;
}

}  // namespace
}  // namespace ukairo::ledger
