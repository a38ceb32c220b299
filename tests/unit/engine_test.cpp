// The event engine on a small stand-alone domain: append, merge, re-fold,
// conflicts, constraints, migrations, clocks and the canonical encoding.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>

#include "engine/store.h"
#include "test_support.h"
#include "util/uuid.h"

namespace houqin {
namespace {

// A room booking: "room.booked" sets room and slot; "room.cancelled" ends it.
// Cancelling twice is a workflow conflict; two live bookings of one room and
// slot conflict through the constraint.
class BookingFold final : public EntityFold {
 public:
  std::string_view type() const override { return "booking"; }
  void Apply(RecordState& r, const Event& e) const override {
    if (e.kind == "room.booked") {
      for (const auto& [k, v] : e.payload.items()) r.fields[k] = v;
      r.fields["status"] = "booked";
      r.fields["booked_by_event"] = e.id;
    } else if (e.kind == "room.cancelled") {
      if (r.fields.value("status", "") == "cancelled") {
        r.AddConflict({"workflow", {e.id}, {"already cancelled", "已取消"}});
        return;
      }
      r.fields["status"] = "cancelled";
    }
  }
};

class SameSlot final : public Constraint {
 public:
  std::string_view name() const override { return "same_slot"; }
  std::vector<std::string> Groups(const RecordState& r) const override {
    if (r.fields.value("status", "") != "booked") return {};
    return {r.fields.value("room", "") + "@" + std::to_string(r.fields.value("slot", 0))};
  }
  void Evaluate(const std::string&, const std::vector<const RecordState*>& members,
                std::vector<GroupConflict>& out) const override {
    if (members.size() < 2) return;
    std::vector<std::string> ids;
    for (auto* m : members) ids.push_back(m->fields.value("booked_by_event", ""));
    for (std::size_t i = 0; i < members.size(); ++i)
      out.push_back({i, {"double_booking", ids, {"room booked twice", "会议室被重复预订"}}});
  }
};

// Rooms named by a UUID may not be shared at all: a group keyed by a bare
// UUID, as the cars area keys a request's trips.
class SharedUuidRoom final : public Constraint {
 public:
  std::string_view name() const override { return "uuid_room"; }
  std::vector<std::string> Groups(const RecordState& r) const override {
    const std::string room = r.fields.value("room", "");
    if (r.fields.value("status", "") != "booked" || !ParseUuid(room)) return {};
    return {room};
  }
  void Evaluate(const std::string&, const std::vector<const RecordState*>& members,
                std::vector<GroupConflict>& out) const override {
    if (members.size() < 2) return;
    std::vector<std::string> ids;
    for (auto* m : members) ids.push_back(m->fields.value("booked_by_event", ""));
    for (std::size_t i = 0; i < members.size(); ++i)
      out.push_back({i, {"room_shared", ids, {"room shared", "会议室被共用"}}});
  }
};

struct Fixture : ::testing::Test {
  Fixture() {
    domain.Add(std::make_unique<BookingFold>());
    domain.Add(std::make_unique<SameSlot>());
    domain.Add(std::make_unique<SharedUuidRoom>());
  }
  std::unique_ptr<Store> Open(const std::string& name, const std::string& device, int limit = 0) {
    StoreOptions o;
    o.domain = &domain;
    o.clock = &clock;
    o.device_id = device;
    o.schema_version_limit = limit;
    auto s = Store::Open(dir.File(name), o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::vector<Event> All(Store& s) {
    std::vector<Event> out;
    EXPECT_TRUE(s.ForEachEvent(0, [&](std::int64_t, const Event& e) {
                   out.push_back(e);
                   return true;
                 }).ok());
    return out;
  }
  Domain domain;
  ManualClock clock;
  testing::TempDir dir;
  Author alice{"alice", "staff", ""};
};

Draft Book(const std::string& id, const std::string& room, int slot) {
  return {"booking", id, "room.booked", Json{{"room", room}, {"slot", slot}}};
}

TEST_F(Fixture, AppendStampsAndFolds) {
  auto a = Open("a.db", "dev-a");
  auto r = a->Append(alice, {Book("b1", "101", 9)});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0].author.device, "dev-a");
  EXPECT_EQ(r->events[0].seq, 1u);
  EXPECT_TRUE(ParseUuid(r->events[0].id).has_value());
  EXPECT_EQ(r->changes.changed, (std::vector<RecordKey>{{"booking", "b1"}}));
  auto v = a->Get("booking", "b1");
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ((*v)->fields["room"], "101");
  EXPECT_EQ((*v)->fields["status"], "booked");
}

TEST_F(Fixture, SequenceAndClockSurviveReopen) {
  std::uint64_t last_hlc = 0;
  {
    auto a = Open("a.db", "dev-a");
    ASSERT_TRUE(a->Append(alice, {Book("b1", "101", 9), Book("b2", "102", 9)}).ok());
    last_hlc = All(*a).back().hlc;
  }
  clock.Advance(-60'000);  // the wall clock went backwards meanwhile
  auto a = Open("a.db", "ignored-new-id");
  EXPECT_EQ(a->device_id(), "dev-a");
  auto r = a->Append(alice, {Book("b3", "103", 9)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->events[0].seq, 3u);
  EXPECT_GT(r->events[0].hlc, last_hlc);
}

TEST_F(Fixture, MergeBothWaysGivesEqualHashes) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  ASSERT_TRUE(a->Append(alice, {Book("b1", "101", 9)}).ok());
  clock.Advance(5);
  ASSERT_TRUE(b->Append(alice, {Book("b2", "102", 10)}).ok());
  ASSERT_TRUE(b->Append(alice, {{"booking", "b1", "room.cancelled", Json::object()}}).ok());
  auto ea = All(*a), eb = All(*b);
  ASSERT_TRUE(a->Ingest(eb).ok());
  ASSERT_TRUE(b->Ingest(ea).ok());
  EXPECT_EQ(*a->StateHash(), *b->StateHash());
  EXPECT_TRUE(a->VerifyMaterialized().ok());
  EXPECT_TRUE(b->VerifyMaterialized().ok());
  auto v = a->Get("booking", "b1");
  EXPECT_EQ((*v)->fields["status"], "cancelled");
}

TEST_F(Fixture, DuplicatesAreAcknowledgedNotStoredTwice) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  ASSERT_TRUE(a->Append(alice, {Book("b1", "101", 9), Book("b2", "101", 10)}).ok());
  auto events = All(*a);
  auto first = b->Ingest(events);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->inserted, 2u);
  const std::string hash = *b->StateHash();
  auto again = b->Ingest(events);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->inserted, 0u);
  EXPECT_EQ(again->duplicates, 2u);
  EXPECT_TRUE(again->changed.empty());
  EXPECT_EQ(*b->StateHash(), hash);
  EXPECT_EQ(b->Stats()->events, 2);
}

TEST_F(Fixture, OlderEventRefoldsOnlyItsRecord) {
  auto a = Open("a.db", "dev-a");
  ASSERT_TRUE(a->Append(alice, {Book("b1", "101", 9)}).ok());
  clock.Advance(10);
  ASSERT_TRUE(a->Append(alice, {{"booking", "b1", "room.cancelled", Json::object()}}).ok());
  clock.Advance(10);
  ASSERT_TRUE(a->Append(alice, {Book("b2", "102", 9)}).ok());
  auto events = All(*a);
  // Deliver newest first, one event per batch, to force re-folds.
  auto b = Open("b.db", "dev-b");
  std::size_t refolds = 0;
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    auto cs = b->Ingest({*it});
    ASSERT_TRUE(cs.ok());
    refolds += cs->refolded;
    if (it->entity_id == "b1" && it->kind == "room.booked") {
      EXPECT_EQ(cs->changed, (std::vector<RecordKey>{{"booking", "b1"}}));
    }
  }
  EXPECT_EQ(refolds, 1u);  // only b1 received an event older than one it had folded
  EXPECT_EQ(*a->StateHash(), *b->StateHash());
  EXPECT_TRUE(b->VerifyMaterialized().ok());
}

TEST_F(Fixture, ListenerHearsChangedRecords) {
  auto a = Open("a.db", "dev-a");
  std::vector<RecordKey> heard;
  a->SetChangeListener([&](const ChangeSet& cs) { heard = cs.changed; });
  ASSERT_TRUE(a->Append(alice, {Book("b1", "101", 9), Book("b2", "102", 9)}).ok());
  EXPECT_EQ(heard, (std::vector<RecordKey>{{"booking", "b1"}, {"booking", "b2"}}));
}

TEST_F(Fixture, WorkflowConflictIsKeptAndResolvable) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  ASSERT_TRUE(a->Append(alice, {Book("b1", "101", 9)}).ok());
  ASSERT_TRUE(b->Ingest(All(*a)).ok());
  // Both cancel while offline.
  ASSERT_TRUE(a->Append(alice, {{"booking", "b1", "room.cancelled", Json::object()}}).ok());
  ASSERT_TRUE(b->Append(alice, {{"booking", "b1", "room.cancelled", Json::object()}}).ok());
  ASSERT_TRUE(a->Ingest(All(*b)).ok());
  ASSERT_TRUE(b->Ingest(All(*a)).ok());
  auto v = a->Get("booking", "b1");
  ASSERT_EQ((*v)->conflicts.size(), 1u);
  EXPECT_EQ((*v)->conflicts[0].kind, "workflow");
  EXPECT_EQ(a->Stats()->events, 3);  // nothing dropped
  EXPECT_EQ(*a->StateHash(), *b->StateHash());

  const std::string cid = (*v)->conflicts[0].Id();
  clock.Advance(1000);
  ASSERT_TRUE(a->Append(alice, {{"booking", "b1", std::string(kConflictResolvedKind), {{"conflict", cid}}}}).ok());
  EXPECT_TRUE((*a->Get("booking", "b1"))->conflicts.empty());
  EXPECT_TRUE(a->Conflicts()->empty());
  ASSERT_TRUE(b->Ingest(All(*a)).ok());
  EXPECT_EQ(*a->StateHash(), *b->StateHash());
}

TEST_F(Fixture, ConstraintMarksBothRecordsAndClearsWhenOneMoves) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  ASSERT_TRUE(a->Append(alice, {Book("b1", "101", 9)}).ok());
  ASSERT_TRUE(b->Append(alice, {Book("b2", "101", 9)}).ok());
  auto cs = a->Ingest(All(*b));
  ASSERT_TRUE(cs.ok());
  // The remote event changed b2, and the constraint changed b1 as well.
  EXPECT_EQ(cs->changed, (std::vector<RecordKey>{{"booking", "b1"}, {"booking", "b2"}}));
  ASSERT_TRUE(b->Ingest(All(*a)).ok());
  for (auto* s : {a.get(), b.get()}) {
    EXPECT_EQ((*s->Get("booking", "b1"))->conflicts.size(), 1u);
    EXPECT_EQ((*s->Get("booking", "b2"))->conflicts.size(), 1u);
    EXPECT_TRUE(s->VerifyMaterialized().ok());
  }
  EXPECT_EQ(*a->StateHash(), *b->StateHash());
  auto members = a->GroupMembers("same_slot", "101@9");
  ASSERT_TRUE(members.ok());
  EXPECT_EQ(members->size(), 2u);
  // Moving one booking clears the mark on both.
  clock.Advance(100);
  ASSERT_TRUE(a->Append(alice, {Book("b2", "101", 11)}).ok());
  EXPECT_TRUE((*a->Get("booking", "b1"))->conflicts.empty());
  EXPECT_TRUE((*a->Get("booking", "b2"))->conflicts.empty());
  EXPECT_TRUE(a->VerifyMaterialized().ok());
}

TEST_F(Fixture, MigratesFirstSchemaAndBuildsDerivedConflicts) {
  std::string hash_v1;
  {
    auto old = Open("old.db", "dev-a", /*limit=*/1);
    ASSERT_EQ(old->schema_version(), 1);
    ASSERT_TRUE(old->Append(alice, {Book("b1", "101", 9), Book("b2", "101", 9)}).ok());
  }
  auto migrated = Open("old.db", "dev-a");
  EXPECT_EQ(migrated->schema_version(), Store::kSchemaVersion);
  EXPECT_EQ((*migrated->Get("booking", "b1"))->conflicts.size(), 1u);
  EXPECT_TRUE(migrated->VerifyMaterialized().ok());
  // The same events folded by a database born at the latest schema agree.
  auto fresh = Open("fresh.db", "dev-b");
  ASSERT_TRUE(fresh->Ingest(All(*migrated)).ok());
  EXPECT_EQ(*fresh->StateHash(), *migrated->StateHash());
  // And writing after the migration works.
  EXPECT_TRUE(migrated->Append(alice, {Book("b3", "103", 9)}).ok());
}

// Schema 3 kept payloads and states as JSON text; schema 4 packs them. A
// record begun in text and continued packed reads, verifies and hashes as
// one written wholly in either form.
TEST_F(Fixture, RecordWrittenAsTextThenPackedReadsAsOne) {
  {
    auto old = Open("old.db", "dev-a", /*limit=*/3);
    ASSERT_EQ(old->schema_version(), 3);
    ASSERT_TRUE(old->Append(alice, {Book("b1", "101", 9), Book("b2", "101", 9)}).ok());
  }
  auto migrated = Open("old.db", "dev-a");
  ASSERT_EQ(migrated->schema_version(), Store::kSchemaVersion);
  clock.Advance(10);
  ASSERT_TRUE(migrated->Append(alice, {Book("b1", "102", 10)}).ok());  // b1's state is now packed, its first event text
  EXPECT_EQ((*migrated->Get("booking", "b1"))->fields["room"], "102");
  EXPECT_TRUE(migrated->VerifyMaterialized().ok());
  auto events = All(*migrated);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].payload["room"], "101");  // read back from text
  auto fresh = Open("fresh.db", "dev-b");
  ASSERT_TRUE(fresh->Ingest(events).ok());
  EXPECT_EQ(*fresh->StateHash(), *migrated->StateHash());
  EXPECT_EQ(fresh->Stats()->payload_bytes, migrated->Stats()->payload_bytes);
}

// Schema 5 shrank the indexes: a file of schema 4 migrates, its UUID-keyed
// groups are rebuilt as 16-byte keys, duplicates are still found through the
// 8-byte id index, and conflicts still come and go.
TEST_F(Fixture, SchemaFiveKeepsGroupsConflictsAndDuplicateChecks) {
  const std::string room = NewUuidV7(clock.NowMs());
  {
    auto old = Open("old.db", "dev-a", /*limit=*/4);
    ASSERT_EQ(old->schema_version(), 4);
    ASSERT_TRUE(old->Append(alice, {Book("b1", room, 9), Book("b2", room, 10)}).ok());
    ASSERT_EQ((*old->Get("booking", "b1"))->conflicts.size(), 1u);
  }
  auto migrated = Open("old.db", "dev-a");
  ASSERT_EQ(migrated->schema_version(), 5);
  EXPECT_EQ((*migrated->Get("booking", "b1"))->conflicts.size(), 1u);
  EXPECT_EQ(migrated->GroupMembers("uuid_room", room)->size(), 2u);
  EXPECT_TRUE(migrated->VerifyMaterialized().ok());
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.File("old.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "SELECT typeof(grp), length(grp) FROM groups g JOIN names n ON n.nid = g.cname "
                       "WHERE n.name = 'uuid_room'", -1, &q, nullptr);
    ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)), "blob");
    EXPECT_EQ(sqlite3_column_int(q, 1), 16);
    sqlite3_finalize(q);
    sqlite3_close(db);
  }
  // Every event again, and once more in the same batch: none is stored twice.
  auto events = All(*migrated);
  auto twice = events;
  twice.insert(twice.end(), events.begin(), events.end());
  auto again = migrated->Ingest(twice);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->inserted, 0u);
  EXPECT_EQ(again->duplicates, twice.size());
  EXPECT_EQ(All(*migrated).size(), events.size());
  // A new event whose id shares the first 8 bytes of a stored one is not a duplicate.
  Event twin = events[0];
  auto bytes = *ParseUuid(twin.id);
  bytes[15] ^= 0x5a;
  twin.id = UuidToString(bytes);
  twin.entity_id = "b3";
  twin.seq = 1000;
  auto added = migrated->Ingest({twin});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->inserted, 1u);
  EXPECT_EQ(migrated->PositionsOf({events[0].id, twin.id})->at(1), static_cast<std::int64_t>(events.size() + 1));
  EXPECT_EQ(migrated->GroupMembers("uuid_room", room)->size(), 3u);
  // Cancelling all but one clears the conflict; a fresh store folds the same.
  clock.Advance(100);
  ASSERT_TRUE(migrated->Append(alice, {{"booking", "b2", "room.cancelled", Json::object()},
                                       {"booking", "b3", "room.cancelled", Json::object()}}).ok());
  EXPECT_TRUE((*migrated->Get("booking", "b1"))->conflicts.empty());
  EXPECT_TRUE(migrated->VerifyMaterialized().ok());
  auto fresh = Open("fresh.db", "dev-b");
  ASSERT_TRUE(fresh->Ingest(All(*migrated)).ok());
  EXPECT_EQ(*fresh->StateHash(), *migrated->StateHash());
}

// From schema 5 a record lists its events' positions itself. A file edited
// by hand (a row slipped in, a row deleted, the list damaged) fails
// VerifyMaterialized, and reading a damaged list is an error, not a crash.
TEST_F(Fixture, RecordEventListsAreCheckedAgainstTheRows) {
  {
    auto a = Open("a.db", "dev-a");
    ASSERT_TRUE(a->Append(alice, {Book("b1", "101", 9), Book("b2", "102", 9)}).ok());
    clock.Advance(10);
    ASSERT_TRUE(a->Append(alice, {{"booking", "b1", "room.cancelled", Json::object()}}).ok());
    EXPECT_EQ(a->EventsOf("booking", "b1")->size(), 2u);
    EXPECT_TRUE(a->VerifyMaterialized().ok());
  }
  auto edit = [&](const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.File("a.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  };
  // A copy of b2's row with another id, naming b1.
  edit("INSERT INTO events(id, rid, hlc, dev, seq, kind, usr, role, payload) SELECT randomblob(16), "
       "(SELECT rid FROM records WHERE evpos IS NOT NULL ORDER BY rid LIMIT 1), hlc, dev, seq + 100, kind, usr, "
       "role, payload FROM events ORDER BY pos DESC LIMIT 1");
  {
    auto a = Open("a.db", "dev-a");
    EXPECT_EQ(a->EventsOf("booking", "b1")->size(), 2u);
    EXPECT_EQ(a->StoredEventsOf("booking", "b1")->size(), 3u);  // the audit sees the extra row
    EXPECT_TRUE(a->VerifyMaterialized().IsCorruption());
  }
  edit("DELETE FROM events WHERE pos = (SELECT max(pos) FROM events)");
  {
    auto a = Open("a.db", "dev-a");
    EXPECT_TRUE(a->VerifyMaterialized().ok());
  }
  edit("DELETE FROM events WHERE pos = 1");  // b1's first event, still on its list
  {
    auto a = Open("a.db", "dev-a");
    EXPECT_TRUE(a->EventsOf("booking", "b1").status().IsCorruption());
    EXPECT_EQ(a->StoredEventsOf("booking", "b1")->size(), 1u);
    EXPECT_TRUE(a->VerifyMaterialized().IsCorruption());
  }
  for (const char* damaged : {"UPDATE records SET evpos = x'80'", "UPDATE records SET evpos = x'00'",
                              "UPDATE records SET evpos = x'ffffffffffffffffffff01'"}) {
    edit(damaged);
    auto a = Open("a.db", "dev-a");
    EXPECT_TRUE(a->EventsOf("booking", "b2").status().IsCorruption()) << damaged;
    EXPECT_FALSE(a->VerifyMaterialized().ok()) << damaged;
  }
}

TEST_F(Fixture, RefusesDatabaseFromTheFuture) {
  { auto a = Open("a.db", "dev-a"); }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.File("a.db").c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  StoreOptions o;
  o.domain = &domain;
  auto s = Store::Open(dir.File("a.db"), o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().field(), "schema_version");
}

TEST_F(Fixture, FutureStampIsKeptButNotFollowed) {
  auto b = Open("b.db", "dev-b");
  Event e;
  e.id = NewUuidV7(clock.NowMs());
  e.entity_type = "booking";
  e.entity_id = "far";
  e.kind = "room.booked";
  e.payload = {{"room", "900"}, {"slot", 1}};
  e.author = {"mallory", "staff", "dev-skewed"};
  e.seq = 1;
  e.hlc = hlc::Pack(clock.NowMs() + 365LL * 24 * 3600 * 1000, 0);  // a year ahead
  auto cs = b->Ingest({e});
  ASSERT_TRUE(cs.ok());
  EXPECT_EQ(cs->clock_skewed, 1u);
  EXPECT_TRUE((*b->Get("booking", "far")).has_value());
  auto r = b->Append(alice, {Book("near", "1", 1)});
  ASSERT_TRUE(r.ok());
  EXPECT_LT(hlc::WallMs(r->events[0].hlc), clock.NowMs() + 1000);
}

TEST_F(Fixture, InvalidRemoteBatchIsRefusedWhole) {
  auto a = Open("a.db", "dev-a");
  ASSERT_TRUE(a->Append(alice, {Book("b1", "101", 9)}).ok());
  auto events = All(*a);
  auto bad = events[0];
  bad.id = "not-a-uuid";
  auto b = Open("b.db", "dev-b");
  auto cs = b->Ingest({events[0], bad});
  ASSERT_FALSE(cs.ok());
  EXPECT_EQ(cs.status().field(), "events[1].id");
  EXPECT_EQ(b->Stats()->events, 0);
}

TEST(HybridClockTest, StampsIncreaseWhenTheWallClockStandsStillOrGoesBack) {
  ManualClock wall;
  HybridClock c(wall, {});
  const auto a = c.Tick();
  const auto b = c.Tick();
  wall.Advance(-5000);
  const auto d = c.Tick();
  EXPECT_LT(a, b);
  EXPECT_LT(b, d);
  EXPECT_EQ(hlc::Counter(b), 1u);
  wall.Advance(10000);
  const auto e = c.Tick();
  EXPECT_EQ(hlc::Counter(e), 0u);
  EXPECT_TRUE(c.Observe(hlc::Pack(wall.NowMs() + 1000, 7)));
  EXPECT_EQ(c.Tick(), hlc::Pack(wall.NowMs() + 1000, 8));
}

TEST(EventEncodingTest, CanonicalBytesIgnoreKeyOrderAndRefuseFloats) {
  Event e;
  e.id = "01890000-0000-7000-8000-000000000001";
  e.entity_type = "car";
  e.entity_id = "c1";
  e.kind = "car.registered";
  e.author = {"u", "admin", "d"};
  e.seq = 1;
  e.hlc = 42;
  e.payload = Json::parse(R"({"b":1,"a":"车"})");
  Event f = e;
  f.payload = Json::parse(R"({"a":"车","b":1})");
  EXPECT_EQ(CanonicalBytes(e), CanonicalBytes(f));
  EXPECT_EQ(CanonicalBytes(e),
            R"([1,"01890000-0000-7000-8000-000000000001","car","c1","car.registered","u","admin","d",1,"000000000000002a",{"a":"车","b":1}])");
  EXPECT_EQ(ToHex(EventHash(e)), ToHex(EventHash(f)));
  f.payload["b"] = 2;
  EXPECT_NE(ToHex(EventHash(e)), ToHex(EventHash(f)));
  f.payload["price"] = 1.5;
  Status s = ValidateEvent(f);
  EXPECT_TRUE(s.IsInvalid());
  EXPECT_EQ(s.field(), "payload.price");
}

TEST(EventEncodingTest, JsonRoundTripAndFieldErrors) {
  Event e;
  e.id = NewUuidV7(1767225600000);
  e.entity_type = "car";
  e.entity_id = "c1";
  e.kind = "car.registered";
  e.author = {"u", "admin", "d"};
  e.seq = 3;
  e.hlc = hlc::Pack(1767225600000, 2);
  e.payload = {{"plate", "京A12345"}};
  auto back = EventFromJson(ToJson(e));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, e);
  Json j = ToJson(e);
  j.erase("kind");
  EXPECT_EQ(EventFromJson(j).status().field(), "kind");
  j = ToJson(e);
  j["seq"] = "three";
  EXPECT_EQ(EventFromJson(j).status().field(), "seq");
  j = ToJson(e);
  j["hlc"] = 12;
  EXPECT_EQ(EventFromJson(j).status().field(), "hlc");
  j = ToJson(e);
  j["payload"] = Json::array();
  EXPECT_EQ(EventFromJson(j).status().field(), "payload");
}

}  // namespace
}  // namespace houqin
