// Personal data kept apart from event bodies: the salted digest, the
// canonical bytes and wire form, storage beside the event, and the purge event
// that forgets the data on every replica while events and hashes stay —
// down to the raw bytes of the database file.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "engine/store.h"
#include "test_support.h"
#include "util/uuid.h"

namespace houqin {
namespace {

// A guest record: payload fields as they come, and the personal data of the
// latest event that carried any — or "purged" once the engine forgot it.
class GuestFold final : public EntityFold {
 public:
  std::string_view type() const override { return "guest"; }
  void Apply(RecordState& r, const Event& e) const override {
    for (const auto& [k, v] : e.payload.items()) r.fields[k] = v;
    if (e.personal_purged) r.fields["personal"] = "purged";
    else if (e.personal.is_object()) r.fields["personal"] = e.personal;
  }
};

// Groups guests by their phone number, as an area's block-list index might:
// its rows hold a personal value and must go with the purge too.
class PhoneIndex final : public Constraint {
 public:
  std::string_view name() const override { return "guest_phone"; }
  bool IndexOnly() const override { return true; }
  std::vector<std::string> Groups(const RecordState& r) const override {
    auto it = r.fields.find("personal");
    if (it == r.fields.end() || !it->is_object() || !it->contains("phone")) return {};
    return {it->value("phone", "")};
  }
  void Evaluate(const std::string&, const std::vector<const RecordState*>&,
                std::vector<GroupConflict>&) const override {}
};

void ExpectInvalid(const Status& s, const std::string& field) {
  EXPECT_TRUE(s.IsInvalid()) << s.ToString();
  EXPECT_EQ(s.field(), field) << s.ToString();
  EXPECT_FALSE(s.en().empty());
  EXPECT_FALSE(s.zh().empty());
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Everything SQLite keeps on disk for one database.
std::string DatabaseBytes(const std::string& path) {
  std::string all;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) all += ReadBytes(path + suffix);
  return all;
}

struct PersonalFixture : ::testing::Test {
  PersonalFixture() {
    domain.Add(std::make_unique<GuestFold>());
    domain.Add(std::make_unique<PhoneIndex>());
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
  static std::vector<Event> All(Store& s) {
    std::vector<Event> out;
    EXPECT_TRUE(s.ForEachEvent(0, [&](std::int64_t, const Event& e) {
                   out.push_back(e);
                   return true;
                 }).ok());
    return out;
  }
  static Event Only(Store& s, const std::string& id, const std::string& kind) {
    auto events = s.EventsOf("guest", id);
    EXPECT_TRUE(events.ok());
    for (const auto& e : *events)
      if (e.kind == kind) return e;
    ADD_FAILURE() << "no " << kind << " on guest/" << id;
    return {};
  }
  static Json Fields(Store& s, const std::string& id) {
    auto v = s.Get("guest", id);
    EXPECT_TRUE(v.ok() && v->has_value());
    return v.ok() && v->has_value() ? (*v)->fields : Json();
  }
  Domain domain;
  ManualClock clock;
  testing::TempDir dir;
  Author reception{"li", "reception", ""};
};

Draft Arrive(const std::string& id, Json personal, const std::string& host = "HOSTDEPT-ALPHA") {
  Draft d{"guest", id, "guest.arrived", Json{{"host", host}}};
  d.personal = std::move(personal);
  return d;
}

Event SampleEvent() {
  Event e;
  e.id = "01890000-0000-7000-8000-000000000001";
  e.entity_type = "car";
  e.entity_id = "c1";
  e.kind = "car.registered";
  e.author = {"u", "admin", "d"};
  e.seq = 1;
  e.hlc = 42;
  e.payload = Json::parse(R"({"b":1,"a":"车"})");
  return e;
}

Event WithPersonal(Event e, Json personal) {
  e.personal = std::move(personal);
  e.personal_salt = "000102030405060708090a0b0c0d0e0f";
  e.personal_digest = PersonalDigest(e.personal_salt, e.personal);
  return e;
}

// --- digest --------------------------------------------------------------

TEST(PersonalDigestTest, IsStableAcrossKeyOrderAndChangesWithTheSalt) {
  const Json a = Json::parse(R"({"name":"张三","phone":"13912345678"})");
  const Json b = Json::parse(R"({"phone":"13912345678","name":"张三"})");
  const std::string salt = "000102030405060708090a0b0c0d0e0f";
  const std::string other = "f00102030405060708090a0b0c0d0e0f";
  const std::string d = PersonalDigest(salt, a);
  ASSERT_EQ(d.size(), 64u);
  EXPECT_EQ(d, PersonalDigest(salt, b));
  EXPECT_NE(d, PersonalDigest(other, a));
  // The digest covers the salt bytes first, then the canonical JSON.
  const std::string salt_bytes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  EXPECT_EQ(d, ToHex(Sha256(salt_bytes + R"({"name":"张三","phone":"13912345678"})")));
  // Without the salt the digest of a phone number would be a lookup away.
  EXPECT_NE(d, ToHex(Sha256(R"({"name":"张三","phone":"13912345678"})")));
  EXPECT_TRUE(PersonalDigest("not-hex", a).empty());
  EXPECT_TRUE(PersonalDigest("000102030405060708090A0B0C0D0E0F", a).empty());

  const std::string s1 = NewPersonalSalt(), s2 = NewPersonalSalt();
  EXPECT_EQ(s1.size(), 32u);
  EXPECT_EQ(s1.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(s1, s2);
}

TEST(PersonalDigestTest, ValidateEventChecksTheDigestAndTheShape) {
  const Event good = WithPersonal(SampleEvent(), {{"name", "张三"}, {"phone", "13912345678"}});
  EXPECT_TRUE(ValidateEvent(good).ok()) << ValidateEvent(good).ToString();
  EXPECT_TRUE(ValidateEvent(SampleEvent()).ok());

  Event e = good;
  e.personal["phone"] = "13900000000";  // tampered
  ExpectInvalid(ValidateEvent(e), "personal");
  e = good;
  e.personal_salt[0] = 'f';  // another salt: the digest no longer matches
  ExpectInvalid(ValidateEvent(e), "personal");
  e = good;
  e.personal_salt = "xyz";
  ExpectInvalid(ValidateEvent(e), "personal_salt");
  e = good;
  e.personal_digest = std::string(64, 'G');
  ExpectInvalid(ValidateEvent(e), "personal_digest");
  e = good;
  e.personal_digest.clear();  // data without digest
  ExpectInvalid(ValidateEvent(e), "personal");
  e = good;
  e.personal = nullptr;  // digest without data and not marked purged
  ExpectInvalid(ValidateEvent(e), "personal");
  e = good;
  e.personal = Json::array({"张三"});
  ExpectInvalid(ValidateEvent(e), "personal");
  e = WithPersonal(SampleEvent(), {{"age", 1.5}});
  ExpectInvalid(ValidateEvent(e), "personal.age");

  // Purged: digest only. Keeping the salt would let a phone number be guessed back.
  Event purged = good;
  ForgetPersonal(purged);
  EXPECT_TRUE(purged.personal.is_null());
  EXPECT_TRUE(purged.personal_salt.empty());
  EXPECT_TRUE(purged.personal_purged);
  EXPECT_EQ(purged.personal_digest, good.personal_digest);
  EXPECT_TRUE(ValidateEvent(purged).ok());
  e = purged;
  e.personal_salt = good.personal_salt;
  ExpectInvalid(ValidateEvent(e), "personal_salt");
  e = purged;
  e.personal = good.personal;
  ExpectInvalid(ValidateEvent(e), "personal");
  e = SampleEvent();
  e.personal_purged = true;  // purged without ever having a digest
  ExpectInvalid(ValidateEvent(e), "personal");
  e = SampleEvent();
  ForgetPersonal(e);  // nothing to forget
  EXPECT_EQ(e, SampleEvent());
}

// --- canonical bytes and wire form ------------------------------------------

TEST(PersonalEncodingTest, CanonicalBytesCarryTheDigestOnly) {
  const Event plain = SampleEvent();
  const std::string v1 =
      R"([1,"01890000-0000-7000-8000-000000000001","car","c1","car.registered","u","admin","d",1,"000000000000002a",{"a":"车","b":1}])";
  EXPECT_EQ(CanonicalBytes(plain), v1);  // unchanged for events without personal data

  const Event with = WithPersonal(plain, {{"name", "张三丰ZHANGSANFENG"}});
  const std::string bytes = CanonicalBytes(with);
  EXPECT_EQ(bytes, v1.substr(0, v1.size() - 1) + ",\"" + with.personal_digest + "\"]");
  EXPECT_EQ(bytes.find("ZHANGSANFENG"), std::string::npos);
  EXPECT_NE(ToHex(EventHash(with)), ToHex(EventHash(plain)));

  Event purged = with;
  ForgetPersonal(purged);
  EXPECT_EQ(ToHex(EventHash(purged)), ToHex(EventHash(with)));
}

TEST(PersonalEncodingTest, JsonRoundTripAndFieldErrors) {
  Event e = WithPersonal(SampleEvent(), {{"name", "张三"}, {"phone", "13912345678"}});
  e.id = NewUuidV7(1767225600000);
  e.personal_digest = PersonalDigest(e.personal_salt, e.personal);
  const Json j = ToJson(e);
  EXPECT_EQ(j["personal"]["name"], "张三");
  EXPECT_EQ(j["personal_salt"], e.personal_salt);
  EXPECT_EQ(j["personal_digest"], e.personal_digest);
  EXPECT_FALSE(j.contains("personal_purged"));
  auto back = EventFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, e);

  Event purged = e;
  ForgetPersonal(purged);
  const Json pj = ToJson(purged);
  EXPECT_FALSE(pj.contains("personal"));
  EXPECT_FALSE(pj.contains("personal_salt"));
  EXPECT_EQ(pj["personal_purged"], true);
  auto purged_back = EventFromJson(pj);
  ASSERT_TRUE(purged_back.ok()) << purged_back.status().ToString();
  EXPECT_EQ(*purged_back, purged);

  // An event written before personal data existed: no new keys, parsed as before.
  Event plain = SampleEvent();
  plain.id = e.id;
  const Json old = ToJson(plain);
  for (const char* key : {"personal", "personal_salt", "personal_digest", "personal_purged"})
    EXPECT_FALSE(old.contains(key)) << key;
  auto plain_back = EventFromJson(old);
  ASSERT_TRUE(plain_back.ok());
  EXPECT_EQ(*plain_back, plain);

  Json bad = j;
  bad["personal"] = "张三";
  ExpectInvalid(EventFromJson(bad).status(), "personal");
  bad = j;
  bad["personal"]["phone"] = "13900000000";
  ExpectInvalid(EventFromJson(bad).status(), "personal");
  bad = j;
  bad["personal_salt"] = 7;
  ExpectInvalid(EventFromJson(bad).status(), "personal_salt");
  bad = j;
  bad["personal_digest"] = Json::array();
  ExpectInvalid(EventFromJson(bad).status(), "personal_digest");
  bad = pj;
  bad["personal_purged"] = "yes";
  ExpectInvalid(EventFromJson(bad).status(), "personal_purged");
}

// --- the fold ----------------------------------------------------------------

TEST(PersonalFoldTest, EventsWithinThePurgeFoldWithoutDataWhereverThePurgeSorts) {
  Domain domain;
  domain.Add(std::make_unique<GuestFold>());
  auto event = [](std::uint64_t hlc, std::string device, std::string kind, Json payload, Json personal) {
    Event e;
    e.id = NewUuidV7(1767225600000);
    e.entity_type = "guest";
    e.entity_id = "g1";
    e.kind = std::move(kind);
    e.payload = std::move(payload);
    e.author = {"li", "reception", std::move(device)};
    e.seq = 1;
    e.hlc = hlc;
    if (!personal.is_null()) e = WithPersonal(e, std::move(personal));
    return e;
  };
  const Event arrived = event(100, "dev-b", "guest.arrived", {{"host", "A"}}, {{"name", "张三"}});
  const Event purge_before = event(50, "dev-a", "personal.purged", {{"through", HlcToHex(100)}}, nullptr);
  const Event purge_tied = event(100, "dev-a", "personal.purged", {{"through", HlcToHex(100)}}, nullptr);
  const Event purge_after = event(200, "dev-a", "personal.purged", {{"through", HlcToHex(100)}}, nullptr);
  const Event later = event(101, "dev-b", "guest.updated", {{"host", "B"}}, {{"name", "李四"}});

  for (const Event& purge : {purge_before, purge_tied, purge_after}) {
    SCOPED_TRACE(purge.hlc);
    RecordState r = FoldRecord(domain, "guest", "g1", {arrived, purge});
    EXPECT_EQ(r.purged_through, 100u);
    EXPECT_EQ(r.fields["personal"], "purged");
    EXPECT_EQ(r.fields["host"], "A");
    // Data stamped after `through` is kept.
    r = FoldRecord(domain, "guest", "g1", {later, purge, arrived});
    EXPECT_EQ(r.fields["personal"]["name"], "李四");
  }
  // A purged copy folds like the data-bearing one under the purge.
  Event copy = arrived;
  ForgetPersonal(copy);
  EXPECT_EQ(FoldRecord(domain, "guest", "g1", {copy, purge_after}).fields,
            FoldRecord(domain, "guest", "g1", {arrived, purge_after}).fields);
  // Without any purge the data is shown.
  EXPECT_EQ(FoldRecord(domain, "guest", "g1", {arrived}).fields["personal"]["name"], "张三");
  EXPECT_EQ(FoldRecord(domain, "guest", "g1", {arrived}).purged_through, 0u);
  const Event wrong = event(300, "dev-a", "personal.purged", {{"through", 100}}, nullptr);
  EXPECT_EQ(PurgedThrough(wrong), std::nullopt);
  EXPECT_EQ(PurgedThrough(purge_after), std::optional<std::uint64_t>(100));
  EXPECT_EQ(PurgedThrough(arrived), std::nullopt);
}

// --- the store ---------------------------------------------------------------

TEST_F(PersonalFixture, AppendSaltsStoresAndReturnsPersonalData) {
  auto a = Open("a.db", "dev-a");
  const Json person{{"name", "王五"}, {"phone", "13700001111"}};
  auto r = a->Append(reception, {Arrive("g1", person), Arrive("g2", nullptr)});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Event& e = r->events[0];
  EXPECT_EQ(e.personal, person);
  EXPECT_EQ(e.personal_salt.size(), 32u);
  EXPECT_EQ(e.personal_digest, PersonalDigest(e.personal_salt, person));
  EXPECT_FALSE(e.personal_purged);
  EXPECT_TRUE(r->events[1].personal_digest.empty());
  EXPECT_TRUE(r->events[1].personal_salt.empty());

  // Same data, another event: another salt, another digest.
  auto again = a->Append(reception, {Arrive("g3", person)});
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->events[0].personal_salt, e.personal_salt);
  EXPECT_NE(again->events[0].personal_digest, e.personal_digest);

  EXPECT_EQ(Only(*a, "g1", "guest.arrived"), e);
  EXPECT_EQ(All(*a)[0], e);
  EXPECT_EQ(Fields(*a, "g1")["personal"], person);
  EXPECT_FALSE(Fields(*a, "g2").contains("personal"));

  a.reset();
  a = Open("a.db", "dev-a");
  EXPECT_EQ(Only(*a, "g1", "guest.arrived"), e);
  EXPECT_TRUE(a->VerifyMaterialized().ok());
}

TEST_F(PersonalFixture, AppendRefusesPersonalDataThatIsNoObjectOrHoldsFloats) {
  auto a = Open("a.db", "dev-a");
  auto r = a->Append(reception, {Arrive("g1", "张三")});
  ASSERT_FALSE(r.ok());
  ExpectInvalid(r.status(), "personal");
  r = a->Append(reception, {Arrive("g1", {{"name", "张三"}, {"height", 1.75}})});
  ASSERT_FALSE(r.ok());
  ExpectInvalid(r.status(), "personal.height");
  EXPECT_EQ(a->Stats()->events, 0);
  // The refused batch handed its sequence number back.
  auto ok = a->Append(reception, {Arrive("g1", {{"name", "张三"}})});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->events[0].seq, 1u);
}

TEST_F(PersonalFixture, TamperedRemoteEventIsRefusedWhole) {
  auto a = Open("a.db", "dev-a");
  ASSERT_TRUE(a->Append(reception, {Arrive("g1", {{"name", "张三"}}), Arrive("g2", {{"name", "李四"}})}).ok());
  auto events = All(*a);
  events[1].personal["name"] = "王五";
  auto b = Open("b.db", "dev-b");
  auto cs = b->Ingest(events);
  ASSERT_FALSE(cs.ok());
  ExpectInvalid(cs.status(), "events[1].personal");
  EXPECT_EQ(b->Stats()->events, 0);
}

TEST_F(PersonalFixture, PurgeOnOneReplicaConvergesAndKeepsEventHashes) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  auto r = a->Append(reception, {Arrive("g1", {{"name", "张三"}, {"phone", "13912345678"}}),
                                 Arrive("g2", {{"name", "李四"}})});
  ASSERT_TRUE(r.ok());
  const Event arrived = r->events[0];
  const std::string hash_before = ToHex(EventHash(arrived));
  ASSERT_TRUE(b->Ingest(All(*a)).ok());
  EXPECT_EQ(Only(*b, "g1", "guest.arrived"), arrived);  // B holds the data too

  clock.Advance(1000);
  auto purge = a->Append(reception, {PurgePersonalDraft("guest", "g1", arrived.hlc)});
  ASSERT_TRUE(purge.ok()) << purge.status().ToString();
  EXPECT_EQ(purge->events[0].kind, kPersonalPurgedKind);
  EXPECT_EQ(purge->events[0].payload, (Json{{"through", HlcToHex(arrived.hlc)}}));
  EXPECT_EQ(purge->changes.purged, 1u);
  EXPECT_EQ(purge->changes.changed, (std::vector<RecordKey>{{"guest", "g1"}}));

  // B keeps its copy until the purge reaches it, and then forgets it alike.
  EXPECT_EQ(Fields(*b, "g1")["personal"]["name"], "张三");
  auto cs = b->Ingest(All(*a));
  ASSERT_TRUE(cs.ok());
  EXPECT_EQ(cs->purged, 1u);
  ASSERT_TRUE(a->Ingest(All(*b)).ok());

  for (Store* s : {a.get(), b.get()}) {
    const Event e = Only(*s, "g1", "guest.arrived");
    EXPECT_TRUE(e.personal.is_null());
    EXPECT_TRUE(e.personal_salt.empty());
    EXPECT_TRUE(e.personal_purged);
    EXPECT_EQ(e.personal_digest, arrived.personal_digest);
    EXPECT_EQ(e.id, arrived.id);
    EXPECT_EQ(ToHex(EventHash(e)), hash_before);
    EXPECT_TRUE(ValidateEvent(e).ok());
    EXPECT_EQ(Fields(*s, "g1")["personal"], "purged");
    EXPECT_EQ(Fields(*s, "g1")["host"], "HOSTDEPT-ALPHA");  // the body stays
    EXPECT_EQ((*s->Get("guest", "g1"))->purged_through, arrived.hlc);
    EXPECT_EQ((*s->Get("guest", "g2"))->purged_through, 0u);
    EXPECT_EQ(Fields(*s, "g2")["personal"]["name"], "李四");  // another record is untouched
    EXPECT_EQ(s->RecordsWithPersonalBefore(~0ULL).value(), (std::vector<RecordKey>{{"guest", "g2"}}));
    EXPECT_TRUE(s->VerifyMaterialized().ok()) << s->VerifyMaterialized().ToString();
    EXPECT_EQ(s->Stats()->events, 3);
  }
  EXPECT_EQ(*a->StateHash(), *b->StateHash());

  // Personal data written after the purge's stamp is kept.
  clock.Advance(1000);
  ASSERT_TRUE(b->Append(reception, {Arrive("g1", {{"name", "张三"}, {"phone", "13800000000"}})}).ok());
  EXPECT_EQ(Fields(*b, "g1")["personal"]["phone"], "13800000000");
  ASSERT_TRUE(a->Ingest(All(*b)).ok());
  EXPECT_EQ(*a->StateHash(), *b->StateHash());
  EXPECT_TRUE(a->VerifyMaterialized().ok());

  // A purged copy sent back to a replica that purged already is a plain duplicate.
  auto dup = a->Ingest(All(*b));
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->inserted, 0u);
}

TEST_F(PersonalFixture, LateArrivalAfterPurgeIsStoredWithoutPersonalData) {
  auto a = Open("a.db", "dev-a");
  auto r = a->Append(reception, {Arrive("g1", {{"name", "张三"}})});
  ASSERT_TRUE(r.ok());
  clock.Advance(10);
  auto second = a->Append(reception, {Arrive("g1", {{"name", "张三"}, {"phone", "13912345678"}})});
  ASSERT_TRUE(second.ok());
  const Event late = second->events[0];

  // B has only the first event and purges everything up to now while offline.
  auto b = Open("b.db", "dev-b");
  ASSERT_TRUE(b->Ingest({r->events[0]}).ok());
  clock.Advance(10);
  ASSERT_TRUE(b->Append(reception, {PurgePersonalDraft("guest", "g1", hlc::Pack(clock.NowMs(), 0))}).ok());
  EXPECT_TRUE(b->RecordsWithPersonalBefore(~0ULL)->empty());

  // A's second event arrives later, still carrying its data: stored with its digest only.
  auto cs = b->Ingest({late});
  ASSERT_TRUE(cs.ok());
  EXPECT_EQ(cs->inserted, 1u);
  const auto events = b->EventsOf("guest", "g1").value();
  ASSERT_EQ(events.size(), 3u);
  for (const auto& e : events) {
    if (e.kind != "guest.arrived") continue;
    EXPECT_TRUE(e.personal_purged) << e.id;
    EXPECT_TRUE(e.personal.is_null());
  }
  EXPECT_EQ(ToHex(EventHash(Only(*b, "g1", "guest.arrived"))), ToHex(EventHash(r->events[0])));
  EXPECT_TRUE(b->RecordsWithPersonalBefore(~0ULL)->empty());
  EXPECT_EQ(Fields(*b, "g1")["personal"], "purged");
  EXPECT_TRUE(b->VerifyMaterialized().ok());

  // A third replica gets copies that still carry their data in the same
  // batch as the purge, listed before it: the data is never written.
  auto c = Open("c.db", "dev-c");
  std::vector<Event> batch{late, r->events[0]};
  for (const auto& e : All(*b)) batch.push_back(e);
  auto c_cs = c->Ingest(batch);
  ASSERT_TRUE(c_cs.ok());
  EXPECT_EQ(c_cs->inserted, 3u);
  EXPECT_EQ(c_cs->duplicates, 2u);
  EXPECT_TRUE(c->RecordsWithPersonalBefore(~0ULL)->empty());

  ASSERT_TRUE(a->Ingest(All(*b)).ok());
  EXPECT_TRUE(a->RecordsWithPersonalBefore(~0ULL)->empty());
  for (Store* s : {a.get(), c.get()}) {
    EXPECT_EQ(*s->StateHash(), *b->StateHash());
    EXPECT_TRUE(s->VerifyMaterialized().ok());
  }
}

TEST_F(PersonalFixture, PurgeCoversEventsThatSortAfterIt) {
  // A purge stamped before the events it names (through lies ahead of it)
  // still covers them, on the incremental path and in a full re-fold alike.
  auto a = Open("a.db", "dev-a");
  const std::uint64_t through = hlc::Pack(clock.NowMs() + 3'600'000, 0);
  ASSERT_TRUE(a->Append(reception, {PurgePersonalDraft("guest", "g1", through)}).ok());
  clock.Advance(10);
  auto r = a->Append(reception, {Arrive("g1", {{"name", "张三"}})});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->events[0].personal.is_null());  // as stamped...
  EXPECT_TRUE(Only(*a, "g1", "guest.arrived").personal_purged);  // ...but never stored
  EXPECT_EQ(Fields(*a, "g1")["personal"], "purged");
  EXPECT_TRUE(a->VerifyMaterialized().ok());

  auto b = Open("b.db", "dev-b");
  auto events = All(*a);
  std::reverse(events.begin(), events.end());
  for (const auto& e : events) ASSERT_TRUE(b->Ingest({e}).ok());
  EXPECT_EQ(*a->StateHash(), *b->StateHash());
  EXPECT_TRUE(b->VerifyMaterialized().ok());
}

TEST_F(PersonalFixture, MalformedPurgeIsKeptAndChangesNothing) {
  auto a = Open("a.db", "dev-a");
  ASSERT_TRUE(a->Append(reception, {Arrive("g1", {{"name", "张三"}})}).ok());
  const std::string hash = *a->StateHash();
  clock.Advance(10);
  for (const Json& payload : {Json::object(), Json{{"through", 5}}, Json{{"through", "XYZ"}}})
    ASSERT_TRUE(a->Append(reception, {{"guest", "g1", std::string(kPersonalPurgedKind), payload}}).ok());
  EXPECT_EQ(*a->StateHash(), hash);
  EXPECT_EQ(Fields(*a, "g1")["personal"]["name"], "张三");
  EXPECT_EQ(a->Stats()->events, 4);
  EXPECT_TRUE(a->VerifyMaterialized().ok());
}

TEST_F(PersonalFixture, RetentionJobFindsAndPurgesOldRecords) {
  auto a = Open("a.db", "dev-a");
  ASSERT_TRUE(a->Append(reception, {Arrive("old-1", {{"name", "甲"}}), Arrive("old-2", {{"name", "乙"}}),
                                    Arrive("none", nullptr)})
                  .ok());
  const std::uint64_t bound = hlc::Pack(clock.NowMs(), 0xffff);
  clock.Advance(86'400'000);
  ASSERT_TRUE(a->Append(reception, {Arrive("new-1", {{"name", "丙"}}), Arrive("old-2", {{"name", "乙"}})}).ok());

  auto due = a->RecordsWithPersonalBefore(bound);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, (std::vector<RecordKey>{{"guest", "old-1"}, {"guest", "old-2"}}));
  std::vector<Draft> purges;
  for (const auto& k : *due) purges.push_back(PurgePersonalDraft(k.type, k.id, bound));
  auto r = a->Append(reception, purges);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->changes.purged, 2u);
  EXPECT_TRUE(a->RecordsWithPersonalBefore(bound)->empty());
  // Data newer than the bound stays, also on a record that was purged.
  EXPECT_EQ(*a->RecordsWithPersonalBefore(~0ULL), (std::vector<RecordKey>{{"guest", "new-1"}, {"guest", "old-2"}}));
  EXPECT_EQ(Fields(*a, "old-1")["personal"], "purged");
  EXPECT_EQ(Fields(*a, "old-2")["personal"]["name"], "乙");
  EXPECT_TRUE(a->VerifyMaterialized().ok());
}

TEST_F(PersonalFixture, OldSchemaMigratesAndRefusesPersonalDataBeforeIt) {
  {
    auto old = Open("old.db", "dev-a", /*limit=*/2);
    ASSERT_EQ(old->schema_version(), 2);
    ASSERT_TRUE(old->Append(reception, {Arrive("g0", nullptr)}).ok());
    auto refused = old->Append(reception, {Arrive("g1", {{"name", "张三"}})});
    ASSERT_FALSE(refused.ok());
    ExpectInvalid(refused.status(), "personal");
    EXPECT_TRUE(old->RecordsWithPersonalBefore(~0ULL)->empty());
  }
  auto migrated = Open("old.db", "dev-a");
  EXPECT_EQ(migrated->schema_version(), Store::kSchemaVersion);
  EXPECT_TRUE(Only(*migrated, "g0", "guest.arrived").personal_digest.empty());
  ASSERT_TRUE(migrated->Append(reception, {Arrive("g1", {{"name", "张三"}})}).ok());
  EXPECT_EQ(Fields(*migrated, "g1")["personal"]["name"], "张三");
  EXPECT_TRUE(migrated->VerifyMaterialized().ok());
}

TEST_F(PersonalFixture, VerifyFindsPersonalDataAPurgeShouldHaveRemoved) {
  auto a = Open("a.db", "dev-a");
  auto r = a->Append(reception, {Arrive("g1", {{"name", "张三"}})});
  ASSERT_TRUE(r.ok());
  clock.Advance(10);
  ASSERT_TRUE(a->Append(reception, {PurgePersonalDraft("guest", "g1", r->events[0].hlc)}).ok());
  ASSERT_TRUE(a->VerifyMaterialized().ok());
  a.reset();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.File("a.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "INSERT INTO personal(pos, salt, data) SELECT pos, x'00', '{\"name\":\"张三\"}' "
                           "FROM events WHERE pdigest IS NOT NULL",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  a = Open("a.db", "dev-a");
  EXPECT_TRUE(a->VerifyMaterialized().IsCorruption());
}

// --- the raw bytes ------------------------------------------------------------

struct Guest {
  std::string id, name, phone, document;
};

// Writes the guests (three events each, so their states and group rows are
// rewritten and move between pages), checks every personal value is in the
// files, purges the guests at even positions (or all) through the retention
// query, and checks no byte of a purged value is left — with the store open and
// after closing it — while kept values, events and event hashes stay.
void PurgeLeavesNoTraceInTheFiles(PersonalFixture& f, const std::vector<Guest>& guests, bool purge_all) {
  const std::string path = f.dir.File("raw.db");
  auto purged = [&](std::size_t i) { return purge_all || i % 2 == 0; };
  auto expect_absent = [&](const std::string& bytes, const char* when) {
    for (std::size_t i = 0; i < guests.size(); ++i)
      for (const std::string* value : {&guests[i].name, &guests[i].phone, &guests[i].document}) {
        const bool found = bytes.find(*value) != std::string::npos;
        if (purged(i)) {
          EXPECT_FALSE(found) << *value << " survived the purge " << when;
        } else {
          EXPECT_TRUE(found) << *value << " was kept " << when;
        }
      }
  };
  std::vector<std::string> ids_before, hashes_before;
  {
    auto a = f.Open("raw.db", "dev-a");
    ASSERT_NE(a, nullptr);
    for (const auto& g : guests) {
      ASSERT_TRUE(a->Append(f.reception, {Arrive(g.id, {{"name", g.name}, {"phone", g.phone}})}).ok());
      f.clock.Advance(1);
    }
    for (const auto& g : guests) {
      Json more{{"name", g.name}, {"phone", g.phone}, {"document", g.document}, {"note", std::string(40, 'x')}};
      ASSERT_TRUE(a->Append(f.reception, {Arrive(g.id, more, "HOSTDEPT-BETA")}).ok());
      f.clock.Advance(1);
    }
    for (const auto& g : guests) {
      ASSERT_TRUE(a->Append(f.reception, {Arrive(g.id, {{"name", g.name}, {"document", g.document}})}).ok());
      f.clock.Advance(1);
    }
    for (const auto& e : PersonalFixture::All(*a)) {
      ids_before.push_back(e.id);
      hashes_before.push_back(ToHex(EventHash(e)));
    }
    const std::string bytes = DatabaseBytes(path);
    for (const auto& g : guests)
      for (const std::string* value : {&g.name, &g.phone, &g.document})
        ASSERT_NE(bytes.find(*value), std::string::npos) << *value << " should be stored before the purge";

    f.clock.Advance(1000);
    const std::uint64_t through = hlc::Pack(f.clock.NowMs(), 0);
    auto due = a->RecordsWithPersonalBefore(through);
    ASSERT_TRUE(due.ok());
    ASSERT_EQ(due->size(), guests.size());
    std::vector<Draft> purges;
    for (std::size_t i = 0; i < guests.size(); ++i)
      if (purged(i)) purges.push_back(PurgePersonalDraft("guest", guests[i].id, through));
    auto r = a->Append(f.reception, purges);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->changes.purged, purges.size());
    EXPECT_TRUE(a->VerifyMaterialized().ok());
    expect_absent(DatabaseBytes(path), "in the open store");
  }

  const std::string bytes = DatabaseBytes(path);
  ASSERT_NE(bytes.find("HOSTDEPT-BETA"), std::string::npos);  // the scan sees the data that stays
  expect_absent(bytes, "after closing");

  // The events, their ids and hashes are all still there.
  auto a = f.Open("raw.db", "dev-a");
  ASSERT_NE(a, nullptr);
  std::vector<std::string> ids_after, hashes_after;
  for (const auto& e : PersonalFixture::All(*a)) {
    if (e.kind == kPersonalPurgedKind) continue;
    ids_after.push_back(e.id);
    hashes_after.push_back(ToHex(EventHash(e)));
  }
  EXPECT_EQ(ids_after, ids_before);
  EXPECT_EQ(hashes_after, hashes_before);
  EXPECT_TRUE(a->VerifyMaterialized().ok());
}

TEST_F(PersonalFixture, PurgedValuesAreGoneFromTheRawDatabaseBytes) {
  PurgeLeavesNoTraceInTheFiles(
      *this, {{"guest-1", "张三丰ZHANGSANFENG", "13912345678", ToHex(Sha256("110101199003077777"))}},
      /*purge_all=*/true);
}

TEST_F(PersonalFixture, PurgingHalfTheGuestsOfAManyPageDatabaseLeavesNoTraceOfThem) {
  // Enough guests that every table and index spans many pages, and rows move
  // between pages as states grow; the kept neighbours share those pages.
  std::vector<Guest> guests;
  for (int i = 0; i < 600; ++i) {
    const std::string n = std::to_string(10000 + i);
    guests.push_back({"guest-" + n, "访客FANGKE" + n + "XINGMING", "139" + n + "5678", ToHex(Sha256("doc-" + n))});
  }
  PurgeLeavesNoTraceInTheFiles(*this, guests, /*purge_all=*/false);
}

}  // namespace
}  // namespace houqin

