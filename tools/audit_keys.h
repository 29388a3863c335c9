// Who a request was, for `ukairo audit --key/--team` and `audit spend --by
// key|team`: a streaming fold over the ledger of which client key each
// request was accepted with (RequestAccepted.client_key_id) and which team
// each key was in (KeyIssued / KeyUpdated), so that events that name only a
// request id can be attributed. Memory: keys, and requests in flight (a
// request is forgotten at its RequestCompleted or ReservationExpired).
#pragma once

#include <string>
#include <unordered_map>

#include "ledger/event.h"

namespace ukairo::tools {

class KeyAttribution {
 public:
  // Call for every event in seq order, before asking about it.
  void Fold(const ledger::Event& event);
  // The key id and team of the request `event` belongs to, or of the key or
  // team event itself; "" when none.
  std::string KeyOf(const ledger::Event& event) const;
  std::string TeamOf(const ledger::Event& event) const;
  // Call after handling the event: forgets a completed request.
  void AfterHandling(const ledger::Event& event);

 private:
  std::unordered_map<std::string, std::string> request_key_;  // in flight
  std::unordered_map<std::string, std::string> key_team_;
};

}  // namespace ukairo::tools
