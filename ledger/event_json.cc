#include "ledger/event_json.h"

#include <nlohmann/json.hpp>

#include "ledger/event_kinds.h"
#include "ledger/period.h"

namespace ukairo::ledger {

// The envelope; each kind's fields come from its ToJson in event_kinds.cc.
std::string EventToJson(const Event& event) {
  nlohmann::ordered_json j;
  j["seq"] = event.seq;
  j["time_micros"] = event.time_micros;
  j["time"] = FormatIso8601(event.time_micros);
  j["kind"] = KindName(event.body);
  // named: items() must not outlive a temporary
  nlohmann::ordered_json body = event_kinds::BodyToJson(event.body);
  for (auto& [key, value] : body.items()) j[key] = value;
  return j.dump();
}

}  // namespace ukairo::ledger
