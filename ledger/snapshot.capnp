# Projection snapshots (ledger/projection.h), stored in the "snapshots"
# column family keyed by big-endian(seq). Same evolution rules as events.
#
# Stored form: one Cap'n Proto message (messageToFlatArray, unpacked). Every
# list is written in the ascending key order of the projection's std::maps,
# so equal projections serialize to equal bytes. A reader rejects a list that
# is not strictly ascending (a duplicate key would otherwise be dropped).
@0xd3a1c56f2b8e9071;

using Cxx = import "/capnp/c++.capnp";
using Events = import "events.capnp";
$Cxx.namespace("ukairo::ledger::schema");

struct ProjectionSnapshot {
  formatVersion @0 :UInt32 = 1;
  lastSeq @1 :UInt64;
  lastTimeMicros @2 :Int64;
  periodKind @3 :UInt8;
  # The projection helper owns the remaining fields (ordinals 4+).
  spend @4 :List(SpendEntry);
  reserved @5 :List(ReservedEntry);    # entries at zero are kept
  alertsFired @6 :List(AlertEntry);
  gates @7 :List(GateEntry);
  deployments @8 :List(DeploymentEntry);
  openReservations @9 :List(OpenReservationEntry);
  configSha256Hex @10 :Text;
  anomalies @11 :Anomalies;
  keys @12 :List(KeyEntry);            # ascending key id
  teams @13 :List(TeamEntry);          # ascending team id
  requestKeys @14 :List(RequestKeyEntry);  # ascending request id
}

struct KeyEntry {
  keyId @0 :Text;
  keyPrefix @1 :Text;
  secretSha256Hex @2 :Text;
  settings @3 :Events.KeySettings;
  revoked @4 :Bool;
  createdMicros @5 :Int64;
  updatedMicros @6 :Int64;
  revokedMicros @7 :Int64;
  createdBy @8 :Text;
}

struct TeamEntry {
  teamId @0 :Text;
  settings @1 :Events.TeamSettings;
  createdMicros @2 :Int64;
  updatedMicros @3 :Int64;
}

struct RequestKeyEntry {
  requestId @0 :Text;
  keyId @1 :Text;
}

struct Scope {
  kind @0 :Events.ScopeKind;
  key @1 :Text;                # "" for global
}

struct SpendEntry {
  period @0 :Int32;
  scope @1 :Scope;
  spentNanos @2 :Int64;
}

struct ReservedEntry {
  scope @0 :Scope;
  reservedNanos @1 :Int64;
}

struct AlertEntry {
  period @0 :Int32;
  scope @1 :Scope;
  thresholdPct @2 :UInt32;
}

struct GateEntry {
  scope @0 :Scope;
  stopped @1 :Bool;
  period @2 :Int32;
  stoppedMicros @3 :Int64;
  decided @4 :Bool;
  choice @5 :Events.GateChoice;
  continueModel @6 :Text;
  limitOverrideNanos @7 :Int64;
  actor @8 :Text;
  note @9 :Text;
  decidedMicros @10 :Int64;
}

struct DeploymentEntry {
  deployment @0 :Text;
  state @1 :Events.DeploymentState;
  sinceMicros @2 :Int64;
  untilMicros @3 :Int64;
  downSinceMicros @4 :Int64;
  reason @5 :Text;
  lastProbeMicros @6 :Int64;
  lastProbeOk @7 :Bool;
}

struct OpenReservationEntry {
  requestId @0 :Text;
  attempt @1 :UInt32;
  deployment @2 :Text;
  modelGroup @3 :Text;
  tag @4 :Text;
  tier @5 :Text;
  reservedNanos @6 :Int64;
  startedMicros @7 :Int64;
}

# Events the fold tolerated but that should not happen; kept in the state so
# that a loaded projection equals the live one.
struct Anomalies {
  unknownReleases @0 :UInt64;        # finish/expiry of no open reservation
  duplicateReservations @1 :UInt64;  # a second start of an open (request, attempt)
  staleGateEvents @2 :UInt64;        # stop/decision for a period older than the gate's
  keyEventsIgnored @3 :UInt64;       # issue of a known id, change of an unknown one
}
