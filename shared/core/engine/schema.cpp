#include "engine/schema.h"

namespace houqin::schema {

namespace {

// Version 1: events, interned names, materialised records.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
-- Kinds, types, users, roles and devices repeat on every event: stored once.
CREATE TABLE names(nid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
-- One row per record: its folded state and the order key of the last event folded.
CREATE TABLE records(
  rid INTEGER PRIMARY KEY,
  type INTEGER NOT NULL,
  eid NOT NULL,              -- 16-byte blob for a UUID, text otherwise
  state TEXT NOT NULL,
  tip_hlc INTEGER NOT NULL,
  tip_dev INTEGER NOT NULL,
  tip_seq INTEGER NOT NULL,
  conflicted INTEGER NOT NULL DEFAULT 0,
  UNIQUE(type, eid));
-- Append-only. pos is arrival order on this replica (the outbox and the server's cursor).
CREATE TABLE events(
  pos INTEGER PRIMARY KEY,
  id BLOB NOT NULL UNIQUE,
  rid INTEGER NOT NULL,
  hlc INTEGER NOT NULL,
  dev INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  usr INTEGER NOT NULL,
  role INTEGER NOT NULL,
  payload TEXT NOT NULL);
CREATE INDEX events_by_record ON events(rid, hlc);
)sql";

// Version 2: cross-record constraints (two trips on one car). Group
// membership is an index over record states; derived conflicts are kept per
// group so that only groups whose members changed are evaluated again.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE groups(
  cname INTEGER NOT NULL,
  grp TEXT NOT NULL,
  rid INTEGER NOT NULL,
  PRIMARY KEY(cname, grp, rid)) WITHOUT ROWID;
CREATE TABLE derived_conflicts(
  rid INTEGER NOT NULL,
  cid TEXT NOT NULL,
  cname INTEGER NOT NULL,
  grp TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY(rid, cid)) WITHOUT ROWID;
CREATE INDEX derived_by_group ON derived_conflicts(cname, grp);
CREATE INDEX records_conflicted ON records(conflicted) WHERE conflicted != 0;
INSERT OR REPLACE INTO meta(key, value) VALUES('rebuild_derived', 1);
)sql";

// Version 3: personal data kept apart from event bodies, so that a purge
// deletes its row while the event (and the digest its hash covers) stays.
// pdigest is the 32-byte salted SHA-256, NULL for an event without personal
// data; a digest without a personal row means the data was purged.
constexpr std::string_view kV3 = R"sql(
CREATE TABLE personal(
  pos INTEGER PRIMARY KEY,   -- = events.pos
  salt BLOB NOT NULL,
  data TEXT NOT NULL);
ALTER TABLE events ADD COLUMN pdigest BLOB;
)sql";

// Version 4: event payloads and record states may be packed (engine/packed.h):
// a BLOB column value is packed, TEXT is JSON as before, so nothing is
// rewritten; the version only keeps older builds from misreading the file.
constexpr std::string_view kV4 = "SELECT 1;";

// Version 5: smaller indexes, a third of the file. Event ids are checked for
// duplicates through their first 8 bytes (a UUIDv7's clock and counter; the
// full id is compared on the row); a record lists its events' positions
// itself (records.evpos, delta varints, ~2 bytes an event against ~22 in an
// index), filled on open from the events (meta rebuild_positions); and
// constraint groups named by a UUID keep its 16 bytes (rebuilt from the
// states on open). The events table is copied because its UNIQUE(id) index
// cannot be dropped.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE events_v5(
  pos INTEGER PRIMARY KEY,
  id BLOB NOT NULL,
  rid INTEGER NOT NULL,
  hlc INTEGER NOT NULL,
  dev INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  usr INTEGER NOT NULL,
  role INTEGER NOT NULL,
  payload TEXT NOT NULL,
  pdigest BLOB);
INSERT INTO events_v5(pos, id, rid, hlc, dev, seq, kind, usr, role, payload, pdigest)
  SELECT pos, id, rid, hlc, dev, seq, kind, usr, role, payload, pdigest FROM events ORDER BY pos;
DROP TABLE events;
ALTER TABLE events_v5 RENAME TO events;
CREATE INDEX events_by_id ON events(substr(id, 1, 8));
ALTER TABLE records ADD COLUMN evpos BLOB;
INSERT OR REPLACE INTO meta(key, value) VALUES('rebuild_derived', 1);
INSERT OR REPLACE INTO meta(key, value) VALUES('rebuild_positions', 1);
)sql";

}  // namespace

const std::vector<std::string_view>& Migrations() {
  static const std::vector<std::string_view> steps = {kV1, kV2, kV3, kV4, kV5};
  return steps;
}

}  // namespace houqin::schema
