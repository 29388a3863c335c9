// The per-kind code of the event table (UKAIRO_EVENT_KINDS in ledger/event.h)
// as whole-body operations, for the codec (event_codec.cc) and JSON
// (event_json.cc). Internal to the ledger library: it exposes Cap'n Proto
// and nlohmann types. The per-kind functions behind these live side by side
// in ledger/event_kinds.cc.
#pragma once

#include <nlohmann/json.hpp>

#include "ledger/event.h"
#include "ledger/events.capnp.h"

namespace ukairo::ledger::event_kinds {

// Tracks the first decode problem; enum range checks do not throw.
struct Checker {
  const char* problem = nullptr;
  template <typename To, typename From>
  To Enum(From v, To last, const char* what) {
    auto raw = static_cast<uint16_t>(v);
    if (raw > static_cast<uint16_t>(last)) {
      if (problem == nullptr) problem = what;
      return To{};
    }
    return static_cast<To>(raw);
  }
};

// Inits the body's union member and fills it.
void EncodeBody(const EventBody& body, schema::Event::Body::Builder out);

// Decodes into *out, reusing the alternative already there when it is of the
// same type (a reused Event keeps its strings' capacity). Returns false for a
// union member this build does not know; enum range problems go to `checker`.
bool DecodeBody(schema::Event::Body::Reader in, Checker& checker, EventBody* out);

// Key and team settings, shared by their events and projection snapshots.
void PutSettings(const KeySettings& v, schema::KeySettings::Builder out);
void GetSettings(schema::KeySettings::Reader in, KeySettings& v);
void PutSettings(const TeamSettings& v, schema::TeamSettings::Builder out);
void GetSettings(schema::TeamSettings::Reader in, TeamSettings& v);

// The body's fields as a JSON object (event_json.h describes the shape).
nlohmann::ordered_json BodyToJson(const EventBody& body);

}  // namespace ukairo::ledger::event_kinds
