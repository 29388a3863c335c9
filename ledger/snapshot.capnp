# Projection snapshots (ledger/projection.h), stored in the "snapshots"
# column family keyed by big-endian(seq). Same evolution rules as events.
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
}
