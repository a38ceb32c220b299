// Scope leaks over the real houqin-server: a compound with records of every
// area (two departments, two sites, past and future visitors, a directory
// with phone numbers as personal data), then devices of different roles pull
// everything they can, and the test searches all they received — entity
// types, record ids, the raw JSON text of every page, and the bytes of the
// device's SQLite files — for anything outside the scope table of the access
// notes (/work/notes/sync-access.md, section 3).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "cars/fleet.h"
#include "cars/trips.h"
#include "directory/directory.h"
#include "domain.h"
#include "duty/duty.h"
#include "registry.h"
#include "repairs/repairs.h"
#include "server_process.h"
#include "sync_helpers.h"
#include "sync/access.h"
#include "sync/client.h"
#include "test_support.h"
#include "util/uuid.h"
#include "visitors/entities.h"
#include "visitors/invites.h"
#include "visitors/visitors.h"

namespace houqin::sync {
namespace {

constexpr const char* kPassword = "scope 密码 2026";

using Ids = std::set<std::string>;

std::string Str(const Json& j, const char* key) {
  auto it = j.is_object() ? j.find(key) : j.end();
  return j.is_object() && it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The server's "today" (China time), which bounds what a kiosk reads.
Date Today() { return LocalTime::FromUnixMs(NowMs()).date; }
std::string At(Date day, const char* hh_mm) { return day.ToString() + "T" + hh_mm; }

// The people of the compound and their phone numbers (personal data).
struct Person {
  std::string id;
  std::string department;
  std::vector<std::string> roles;
  std::string site;
  std::string phone;
};
const std::vector<Person> kPeople = {
    {"alice", "office", {"staff"}, "main", "13800000001"},
    {"bob", "finance", {"staff"}, "main", "13800000002"},
    {"boss", "office", {"staff", "approver"}, "main", "13800000003"},
    {"fin-boss", "finance", {"staff", "approver"}, "main", "13800000004"},
    {"u-dispatch", "office", {"dispatcher"}, "main", "13800000005"},
    {"u-driver", "office", {"driver"}, "main", "13800000006"},
    {"u-driver2", "office", {"driver"}, "main", "13800000007"},
    {"u-duty", "office", {"duty_officer"}, "main", "13800000008"},
    {"u-duty-east", "office", {"duty_officer"}, "east", "13800000009"},
    {"u-guard", "office", {"guard"}, "main", "13800000010"},
    {"u-repair", "office", {"repair_coordinator"}, "main", "13800000011"},
};

// Everything one device received: the raw pages and the events in them, and its store after a real sync.
struct Received {
  std::vector<std::string> pages;            // raw JSON bodies of /v1/pull
  std::vector<Event> events;
  std::map<std::string, std::set<std::string>> records;  // type -> ids
  std::string raw() const {
    std::string all;
    for (const auto& p : pages) all += p;
    return all;
  }
  std::set<std::string> Ids(std::string_view type) const {
    auto it = records.find(std::string(type));
    return it == records.end() ? std::set<std::string>{} : it->second;
  }
  bool Has(std::string_view type) const { return records.count(std::string(type)) > 0; }
};

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class ScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SeedCompound();
    if (HasFatalFailure()) return;
    testing::ServerProcess::Options options;
    options.data_dir = data_.path().string();
    server_ = std::make_unique<testing::ServerProcess>(options);
    ASSERT_EQ("", server_->Start());
  }

  // The compound, written into the server's file before it starts, each record by the person who would write it.
  void SeedCompound() {
    StoreOptions o;
    o.domain = domain_.get();
    o.act_as_device = NewUuidV7(NowMs());
    o.synchronous_full = true;
    auto store = Store::Open(data_.File("houqin.db"), o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    const Author admin{"admin", std::string(role::kAdmin), ""};
    const auto by = [](const char* user, std::string_view r) { return Author{user, std::string(r), ""}; };
    const auto draft = [](std::string_view type, const std::string& id, const std::string& kind, Json payload) {
      return Draft{std::string(type), id, kind, std::move(payload)};
    };
    const Date today = Today();
    std::vector<AuthoredDraft> d;
    d.push_back({admin, directory::UpsertDepartment("office", "办公室", {"boss"})});
    d.push_back({admin, directory::UpsertDepartment("finance", "财务科", {"fin-boss"})});
    for (const Person& p : kPeople) {
      directory::UserInfo info{p.id, "姓名 " + p.id, p.department, p.roles};
      info.site = p.site;
      info.phone = p.phone;
      d.push_back({admin, directory::UpsertUser(info)});
    }
    const std::vector<AuthoredDraft> rest = {
        {admin, draft(entity::kSiteConfig, "cars", "site_config.updated", Json{{"short_trip_km", 3}})},
        {admin, draft(entity::kSiteConfig, "visitors", "site_config.updated", Json{{"retention_days", 30}})},
        // Official cars: two departments' requests, two drivers' trips, fuel.
        {admin, draft(cars::entity::kCar, "car-1", "car.registered", Json{{"plate", "京A12345"}})},
        {admin, draft(cars::entity::kDriver, "drv-1", "driver.registered", Json{{"user_id", "u-driver"}})},
        {admin, draft(cars::entity::kDriver, "drv-2", "driver.registered", Json{{"user_id", "u-driver2"}})},
        {by("alice", role::kStaff), draft(cars::entity::kRequest, "req-alice", "request.submitted",
                                          Json{{"department", "office"}})},
        {by("bob", role::kStaff), draft(cars::entity::kRequest, "req-bob", "request.submitted",
                                        Json{{"department", "finance"}})},
        // Approved, so that the scope tests of trips can dispatch them over the server.
        {by("boss", role::kApprover), draft(cars::entity::kRequest, "req-alice", "request.approved", Json::object())},
        {by("fin-boss", role::kApprover), draft(cars::entity::kRequest, "req-bob", "request.approved", Json::object())},
        {by("u-dispatch", role::kDispatcher),
         draft(cars::entity::kTrip, "trip-1", "trip.dispatched", Json{{"driver", "drv-1"}, {"car", "car-1"}})},
        {by("u-dispatch", role::kDispatcher),
         draft(cars::entity::kTrip, "trip-2", "trip.dispatched", Json{{"driver", "drv-2"}, {"car", "car-1"}})},
        {by("u-dispatch", role::kDispatcher),
         draft(cars::entity::kFuelCard, "card-1", "fuel_card.issued", Json{{"car", "car-1"}})},
        {by("u-driver", role::kDriver), draft(cars::entity::kFillUp, "fill-1", "fill_up.requested", Json{{"car", "car-1"}, {"driver", "u-driver"}})},
        {by("u-driver2", role::kDriver),
         draft(cars::entity::kFillUp, "fill-2", "fill_up.requested", Json{{"car", "car-1"}, {"driver", "u-driver2"}})},
        // Repairs.
        {by("alice", role::kStaff), draft(repairs::entity::kRepair, "rep-alice", "repair.reported", Json::object())},
        {by("bob", role::kStaff), draft(repairs::entity::kRepair, "rep-bob", "repair.reported", Json::object())},
        {admin, draft(repairs::entity::kContractor, "con-1", "contractor.upserted", Json{{"name", "修缮公司"}})},
        // Night duty of two sites.
        {admin, draft(duty::entity::kCheckpoint, "cp-main", "duty_checkpoint.saved", Json{{"site", "main"}})},
        {admin, draft(duty::entity::kCheckpoint, "cp-east", "duty_checkpoint.saved", Json{{"site", "east"}})},
        {admin, draft(duty::entity::kShift, "shift-main", "duty_shift.rostered",
                      Json{{"site", "main"}, {"officers", {"u-duty"}}, {"leader", "boss"}})},
        {admin, draft(duty::entity::kShift, "shift-east", "duty_shift.rostered",
                      Json{{"site", "east"}, {"officers", {"u-duty-east"}}, {"leader", "boss"}})},
        {by("u-duty", role::kDutyOfficer),
         draft(duty::entity::kEscalation, "esc-main", "duty_escalation.raised", Json{{"shift", "shift-main"}})},
        {by("u-duty-east", role::kDutyOfficer),
         draft(duty::entity::kEscalation, "esc-east", "duty_escalation.raised", Json{{"shift", "shift-east"}})},
        {by("u-duty", role::kDutyOfficer), draft(duty::entity::kProfile, "u-duty", "duty_profile.pin_set",
                                                 Json{{"salt", "00"}})},
        // Visitors of two sites: today, a past day, a future invite.
        {admin, draft(visitors::entity::kDeviceKey, "key-main", "device_key.enrolled", Json{{"site", "main"}})},
        {by("alice", role::kStaff),
         draft(visitors::entity::kInvite, "inv-today", "visitor_invite.created",
               Json{{"site", "main"}, {"host", "alice"}, {"window_start", At(today, "08:00")},
                    {"window_end", At(today, "18:00")}})},
        {by("alice", role::kStaff),
         draft(visitors::entity::kInvite, "inv-future", "visitor_invite.created",
               Json{{"site", "main"}, {"host", "alice"}, {"window_start", At(today.AddDays(3), "08:00")},
                    {"window_end", At(today.AddDays(3), "18:00")}})},
        {by("bob", role::kStaff),
         draft(visitors::entity::kInvite, "inv-east", "visitor_invite.created",
               Json{{"site", "east"}, {"host", "bob"}, {"window_start", At(today, "08:00")},
                    {"window_end", At(today, "18:00")}})},
        {by("kiosk:main", role::kKiosk),
         draft(visitors::entity::kVisit, "visit-now", "visitor_visit.checked_in",
               Json{{"site", "main"}, {"host", "alice"}, {"at", At(today, "09:00")}})},
        {by("kiosk:main", role::kKiosk),
         draft(visitors::entity::kVisit, "visit-past", "visitor_visit.checked_in",
               Json{{"site", "main"}, {"host", "bob"}, {"at", At(today.AddDays(-5), "09:00")}})},
        {by("kiosk:main", role::kKiosk),
         draft(visitors::entity::kVisit, "visit-past", "visitor_visit.checked_out",
               Json{{"at", At(today.AddDays(-5), "11:00")}})},
        {by("kiosk:east", role::kKiosk),
         draft(visitors::entity::kVisit, "visit-east", "visitor_visit.checked_in",
               Json{{"site", "east"}, {"host", "bob"}, {"at", At(today, "09:00")}})},
        {by("u-guard", role::kGuard),
         draft(visitors::entity::kGroup, "group-main", "visitor_group.registered",
               Json{{"site", "main"}, {"window_start", At(today, "08:00")}, {"window_end", At(today, "18:00")}})},
        {by("u-guard", role::kGuard), draft(visitors::entity::kBlock, "block-all", "visitor_block.added", Json::object())},
        {by("u-guard", role::kGuard),
         draft(visitors::entity::kBlock, "block-east", "visitor_block.added", Json{{"site", "east"}})},
    };
    d.insert(d.end(), rest.begin(), rest.end());
    auto appended = (*store)->Append(d);
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
    store->reset();
    auto registry = server::Registry::Open(data_.File("houqin.db"));
    ASSERT_TRUE(registry.ok()) << registry.status().ToString();
    for (const Person& p : kPeople) ASSERT_TRUE((*registry)->SetPassword(p.id, kPassword).ok()) << p.id;
  }

  // Enrolls a device (a phone for `user`, or a kiosk of `site` when user is empty), syncs it into a fresh store
  // with the real client, and pulls everything again raw from the start to see the exact bytes sent.
  Received PullEverything(const std::string& user, const std::string& site = {}) {
    Received out;
    const bool kiosk = user.empty();
    const testing::EnrolledDevice device =
        kiosk ? testing::EnrollDevice(*server_, std::string(kKiosk), site)
              : testing::EnrollDevice(*server_, std::string(kPhone), user, kPassword);
    EXPECT_EQ("", device.error);
    if (!device.error.empty()) return out;
    const std::string path = devices_.File(device.device_id + ".db");
    {
      StoreOptions o;
      o.domain = domain_.get();
      o.device_id = device.device_id;
      auto store = Store::Open(path, o);
      EXPECT_TRUE(store.ok()) << store.status().ToString();
      if (!store.ok()) return out;
      ClientConfig config;
      config.base_url = server_->base_url();
      config.pinned_sha256 = server_->fingerprint();
      config.device_token = device.token;
      {
        SyncClient client(**store, config);
        Status s = client.SyncOnce();
        EXPECT_TRUE(s.ok()) << s.ToString();
      }
      EXPECT_TRUE((*store)->ForEachRecord("", [&](const RecordView& v) { out.records[v.key.type].insert(v.key.id); })
                      .ok());
    }
    // The store is closed: whatever the device kept is in these files now.
    device_files_[user.empty() ? "kiosk:" + site : user] =
        FileBytes(path) + FileBytes(path + "-wal") + FileBytes(path + "-shm");

    std::string cursor = "0";
    for (int page = 0; page < 1000; ++page) {
      testing::HttpResponse r = server_->Request("GET", "/v1/pull?after=" + cursor + "&limit=50", {}, device.token);
      EXPECT_EQ(200, r.status) << r.body << r.error;
      if (r.status != 200) break;
      out.pages.push_back(r.body);
      auto events = EventsFromJson(r.json());
      EXPECT_TRUE(events.ok()) << events.status().ToString();
      if (!events.ok()) break;
      out.events.insert(out.events.end(), events->begin(), events->end());
      cursor = r.json().value("cursor", "");
      if (!r.json().value("more", false)) break;
    }
    // The raw pull and the client's sync saw the same records.
    std::map<std::string, std::set<std::string>> raw_records;
    for (const Event& e : out.events) raw_records[e.entity_type].insert(e.entity_id);
    EXPECT_EQ(raw_records, out.records) << (kiosk ? "kiosk " + site : user);
    return out;
  }

  // The phone numbers of the directory found in `bytes`.
  static std::vector<std::string> PhonesIn(const std::string& bytes) {
    std::vector<std::string> found;
    for (const Person& p : kPeople)
      if (bytes.find(p.phone) != std::string::npos) found.push_back(p.phone);
    return found;
  }

  static void ExpectNoIds(const Received& got, const std::vector<std::string>& ids, const std::string& who) {
    const std::string raw = got.raw();
    for (const auto& id : ids)
      EXPECT_EQ(raw.find("\"" + id + "\""), std::string::npos) << who << " received text naming " << id;
  }

  // A signed-in phone that keeps its store and cursor from one sync to the next.
  struct Phone {
    testing::EnrolledDevice device;
    std::string user, role;
    std::unique_ptr<Store> store;
    std::unique_ptr<SyncClient> client;
    Author author() const { return Author{user, role, device.device_id}; }
  };

  std::unique_ptr<Phone> SignIn(const std::string& user, std::string_view role) {
    auto phone = std::make_unique<Phone>();
    phone->user = user;
    phone->role = std::string(role);
    phone->device = testing::EnrollDevice(*server_, std::string(kPhone), user, kPassword);
    EXPECT_EQ("", phone->device.error) << user;
    if (!phone->device.error.empty()) return nullptr;
    StoreOptions o;
    o.domain = domain_.get();
    o.device_id = phone->device.device_id;
    auto store = Store::Open(devices_.File(phone->device.device_id + ".db"), o);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return nullptr;
    phone->store = std::move(*store);
    ClientConfig config;
    config.base_url = server_->base_url();
    config.pinned_sha256 = server_->fingerprint();
    config.device_token = phone->device.token;
    phone->client = std::make_unique<SyncClient>(*phone->store, config);
    Sync(*phone);
    return phone;
  }

  static void Sync(Phone& phone) {
    Status s = phone.client->SyncOnce();
    EXPECT_TRUE(s.ok()) << phone.user << ": " << s.ToString();
  }

  // Writes the drafts on the phone as its own and pushes them.
  static void Write(Phone& phone, const std::vector<Draft>& drafts) {
    auto appended = phone.store->Append(phone.author(), drafts);
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
    Sync(phone);
  }

  static Ids RecordIds(Phone& phone, std::string_view type) {
    Ids ids;
    EXPECT_TRUE(phone.store->ForEachRecord(std::string(type), [&](const RecordView& v) { ids.insert(v.key.id); }).ok());
    return ids;
  }

  static Json Fields(Phone& phone, std::string_view type, const std::string& id) {
    auto v = phone.store->Get(std::string(type), id);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() && v->has_value() ? (*v)->fields : Json::object();
  }

  static std::vector<std::string> EventKinds(Phone& phone, std::string_view type, const std::string& id) {
    std::vector<std::string> kinds;
    auto events = phone.store->EventsOf(std::string(type), id);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    if (events.ok())
      for (const Event& e : *events) kinds.push_back(e.kind);
    std::sort(kinds.begin(), kinds.end());
    return kinds;
  }

  // Syncs `phone` until `done` holds (the server indexes deliveries just after it acknowledges a push).
  template <typename F>
  static bool SyncUntil(Phone& phone, F&& done) {
    return testing::Eventually([&] {
      Sync(phone);
      return done();
    });
  }

  // The dispatcher sends drv-1 for alice's request (trip-a) and drv-2 for bob's (trip-b), in one push.
  void DispatchAliceAndBob(Phone& dispatcher) {
    const auto trip = [](const char* id, const char* driver, const char* request) {
      return Draft{std::string(cars::entity::kTrip), id, "trip.dispatched",
                   Json{{"driver", driver},
                        {"car", "car-1"},
                        {"requests", Json::array({Json{{"id", request}, {"seated", 1}}})}}};
    };
    const auto dispatched = [](const char* request, const char* trip) {
      return Draft{std::string(cars::entity::kRequest), request, "request.dispatched",
                   Json{{"trip", trip}, {"seated", 1}}};
    };
    Write(dispatcher, {trip("trip-a", "drv-1", "req-alice"), dispatched("req-alice", "trip-a"),
                       trip("trip-b", "drv-2", "req-bob"), dispatched("req-bob", "trip-b")});
  }

  testing::TempDir data_;
  testing::TempDir devices_;
  std::unique_ptr<Domain> domain_ = MakeDomain();
  std::unique_ptr<testing::ServerProcess> server_;
  std::map<std::string, std::string> device_files_;
};

TEST_F(ScopeTest, AKioskGetsItsSiteCurrentVisitorsKeysAndAHostDirectoryWithoutPhones) {
  const Received got = PullEverything("", "main");
  ASSERT_FALSE(got.events.empty());
  const Ids allowed = {std::string(visitors::entity::kVisit),  std::string(visitors::entity::kInvite),
                       std::string(visitors::entity::kGroup),  std::string(visitors::entity::kBlock),
                       std::string(visitors::entity::kDeviceKey), std::string(entity::kUser),
                       std::string(entity::kDepartment),       std::string(entity::kSiteConfig)};
  for (const Event& e : got.events) {
    EXPECT_TRUE(allowed.count(e.entity_type)) << "the kiosk received a " << e.entity_type << " event: " << e.kind;
    EXPECT_NE(e.entity_type.rfind("duty_", 0), 0u) << e.kind;
  }
  for (auto type : {cars::entity::kRequest, cars::entity::kTrip, cars::entity::kCar, cars::entity::kDriver,
                    cars::entity::kFillUp, cars::entity::kFuelCard, repairs::entity::kRepair,
                    repairs::entity::kContractor, duty::entity::kShift, duty::entity::kEscalation,
                    duty::entity::kCheckpoint, duty::entity::kProfile})
    EXPECT_FALSE(got.Has(type)) << type;

  // Its site, the current days: today's visit and invite, the future invite (seen early), not last week's visit,
  // nothing of the east site; the block list for every site; the signing keys; only the visitors' settings.
  EXPECT_EQ(got.Ids(visitors::entity::kVisit), (Ids{"visit-now"}));
  EXPECT_EQ(got.Ids(visitors::entity::kInvite), (Ids{"inv-today", "inv-future"}));
  EXPECT_EQ(got.Ids(visitors::entity::kGroup), (Ids{"group-main"}));
  EXPECT_EQ(got.Ids(visitors::entity::kBlock), (Ids{"block-all"}));
  EXPECT_EQ(got.Ids(visitors::entity::kDeviceKey), (Ids{"key-main"}));
  EXPECT_EQ(got.Ids(entity::kSiteConfig), (Ids{"visitors"}));
  ExpectNoIds(got, {"visit-past", "visit-east", "inv-east", "block-east", "req-alice", "trip-1", "rep-alice",
                    "shift-main", "esc-main", "cp-main"},
              "the kiosk");

  // The host directory: every person by name and department, no phone number anywhere.
  Ids users;
  for (const Person& p : kPeople) users.insert(p.id);
  EXPECT_EQ(got.Ids(entity::kUser), users);
  EXPECT_EQ(got.Ids(entity::kDepartment), (Ids{"office", "finance"}));
  for (const Event& e : got.events) {
    if (e.entity_type != entity::kUser) continue;
    EXPECT_TRUE(e.personal.is_null()) << e.entity_id << ": " << e.personal.dump();
    EXPECT_TRUE(e.personal_salt.empty()) << e.entity_id;
    EXPECT_FALSE(e.personal_digest.empty()) << e.entity_id << ": the digest keeps the event's hash checkable";
  }
  EXPECT_EQ(PhonesIn(got.raw()), std::vector<std::string>{}) << "phone numbers in the kiosk's pull";
  EXPECT_EQ(PhonesIn(device_files_.at("kiosk:main")), std::vector<std::string>{})
      << "phone numbers in the kiosk's SQLite files";
}

TEST_F(ScopeTest, StaffGetTheirOwnRequestsAndRepairsNotAnotherUsers) {
  const Received alice = PullEverything("alice");
  EXPECT_EQ(alice.Ids(cars::entity::kRequest), (Ids{"req-alice"}));
  EXPECT_EQ(alice.Ids(repairs::entity::kRepair), (Ids{"rep-alice"}));
  EXPECT_EQ(alice.Ids(cars::entity::kCar), (Ids{"car-1"}));  // the car register, to ask for a car
  // As host: her invites and her visitor (a kiosk's check-in), not bob's.
  EXPECT_EQ(alice.Ids(visitors::entity::kInvite), (Ids{"inv-today", "inv-future"}));
  EXPECT_EQ(alice.Ids(visitors::entity::kVisit), (Ids{"visit-now"}));
  for (auto type : {cars::entity::kTrip, cars::entity::kDriver, cars::entity::kFillUp, cars::entity::kFuelCard,
                    repairs::entity::kContractor, duty::entity::kShift, duty::entity::kEscalation,
                    duty::entity::kCheckpoint, duty::entity::kProfile, visitors::entity::kBlock,
                    visitors::entity::kDeviceKey, visitors::entity::kGroup})
    EXPECT_FALSE(alice.Has(type)) << type;
  ExpectNoIds(alice, {"req-bob", "rep-bob", "trip-1", "trip-2", "inv-east", "visit-past", "visit-east", "shift-main"},
              "alice");
  // A phone receives the directory with its phone numbers: the control that the byte search finds them at all.
  EXPECT_EQ(PhonesIn(device_files_.at("alice")).size(), kPeople.size());

  const Received bob = PullEverything("bob");
  EXPECT_EQ(bob.Ids(cars::entity::kRequest), (Ids{"req-bob"}));
  EXPECT_EQ(bob.Ids(repairs::entity::kRepair), (Ids{"rep-bob"}));
  ExpectNoIds(bob, {"req-alice", "rep-alice", "inv-today", "visit-now"}, "bob");
}

TEST_F(ScopeTest, AnApproverGetsTheirDepartmentsRequestsOnly) {
  const Received boss = PullEverything("boss");
  EXPECT_EQ(boss.Ids(cars::entity::kRequest), (Ids{"req-alice"}));
  for (auto type : {cars::entity::kTrip, cars::entity::kDriver, cars::entity::kFillUp, repairs::entity::kRepair})
    EXPECT_FALSE(boss.Has(type)) << type;
  ExpectNoIds(boss, {"req-bob", "trip-1", "rep-alice"}, "the office's approver");

  const Received fin = PullEverything("fin-boss");
  EXPECT_EQ(fin.Ids(cars::entity::kRequest), (Ids{"req-bob"}));
  ExpectNoIds(fin, {"req-alice"}, "the finance approver");
}

TEST_F(ScopeTest, ADispatcherGetsTheFleetButNoDutyOrVisitors) {
  const Received got = PullEverything("u-dispatch");
  EXPECT_EQ(got.Ids(cars::entity::kRequest), (Ids{"req-alice", "req-bob"}));
  EXPECT_EQ(got.Ids(cars::entity::kTrip), (Ids{"trip-1", "trip-2"}));
  EXPECT_EQ(got.Ids(cars::entity::kDriver), (Ids{"drv-1", "drv-2"}));
  EXPECT_EQ(got.Ids(cars::entity::kFillUp), (Ids{"fill-1", "fill-2"}));
  EXPECT_EQ(got.Ids(cars::entity::kFuelCard), (Ids{"card-1"}));
  for (auto type : {duty::entity::kShift, duty::entity::kEscalation, duty::entity::kCheckpoint, repairs::entity::kRepair,
                    visitors::entity::kVisit, visitors::entity::kInvite, visitors::entity::kDeviceKey})
    EXPECT_FALSE(got.Has(type)) << type;
}

TEST_F(ScopeTest, ADriverGetsTheCarRegisterAndTheirOwnTripsOnly) {
  const Received got = PullEverything("u-driver");
  EXPECT_EQ(got.Ids(cars::entity::kCar), (Ids{"car-1"}));
  EXPECT_EQ(got.Ids(cars::entity::kTrip), (Ids{"trip-1"}));
  EXPECT_EQ(got.Ids(cars::entity::kDriver), (Ids{"drv-1"}));
  EXPECT_EQ(got.Ids(cars::entity::kFillUp), (Ids{"fill-1"}));
  for (auto type : {cars::entity::kRequest, cars::entity::kFuelCard, duty::entity::kShift, repairs::entity::kRepair,
                    visitors::entity::kVisit})
    EXPECT_FALSE(got.Has(type)) << type;
  ExpectNoIds(got, {"trip-2", "drv-2", "fill-2", "req-alice", "req-bob"}, "the driver");
}

TEST_F(ScopeTest, ADriverGetsTheRequestsOfTheTripsTheyDriveAndARequesterTheTripsServingTheirs) {
  auto dispatcher = SignIn("u-dispatch", role::kDispatcher);
  ASSERT_NE(dispatcher, nullptr);
  auto driver = SignIn("u-driver", role::kDriver);
  ASSERT_NE(driver, nullptr);
  DispatchAliceAndBob(*dispatcher);
  // One push is one commit: once the driver sees its request, bob's trip is indexed too.
  ASSERT_TRUE(SyncUntil(*driver, [&] { return RecordIds(*driver, cars::entity::kRequest).contains("req-alice"); }));

  // The request of the trip the driver drives, its whole history (submitted and approved before the trip).
  const Received got = PullEverything("u-driver");
  EXPECT_EQ(got.Ids(cars::entity::kRequest), (Ids{"req-alice"}));
  EXPECT_EQ(got.Ids(cars::entity::kTrip), (Ids{"trip-1", "trip-a"}));
  EXPECT_EQ(EventKinds(*driver, cars::entity::kRequest, "req-alice"),
            (std::vector<std::string>{"request.approved", "request.dispatched", "request.submitted"}));
  ExpectNoIds(got, {"req-bob", "trip-b", "trip-2", "drv-2"}, "drv-1's driver");

  const Received other = PullEverything("u-driver2");
  EXPECT_EQ(other.Ids(cars::entity::kRequest), (Ids{"req-bob"}));
  EXPECT_EQ(other.Ids(cars::entity::kTrip), (Ids{"trip-2", "trip-b"}));
  ExpectNoIds(other, {"req-alice", "trip-a", "trip-1"}, "drv-2's driver");

  // The requester: the trip that serves her request (its car, driver and window), not another's.
  const Received alice = PullEverything("alice");
  EXPECT_EQ(alice.Ids(cars::entity::kTrip), (Ids{"trip-a"}));
  EXPECT_EQ(alice.Ids(cars::entity::kRequest), (Ids{"req-alice"}));
  EXPECT_FALSE(alice.Has(cars::entity::kDriver));
  ExpectNoIds(alice, {"trip-b", "trip-1", "trip-2", "req-bob"}, "alice");

  const Received bob = PullEverything("bob");
  EXPECT_EQ(bob.Ids(cars::entity::kTrip), (Ids{"trip-b"}));
  ExpectNoIds(bob, {"trip-a", "req-alice"}, "bob");

  // Their department's approver still sees the request, not the trip.
  const Received boss = PullEverything("boss");
  EXPECT_EQ(boss.Ids(cars::entity::kRequest), (Ids{"req-alice"}));
  EXPECT_FALSE(boss.Has(cars::entity::kTrip));
}

TEST_F(ScopeTest, AReassignedTripTakesItsRequestToTheNewDriverWithItsHistory) {
  auto dispatcher = SignIn("u-dispatch", role::kDispatcher);
  auto old_driver = SignIn("u-driver", role::kDriver);
  auto new_driver = SignIn("u-driver2", role::kDriver);
  auto alice = SignIn("alice", role::kStaff);
  ASSERT_TRUE(dispatcher && old_driver && new_driver && alice);
  DispatchAliceAndBob(*dispatcher);
  ASSERT_TRUE(SyncUntil(*old_driver, [&] { return RecordIds(*old_driver, cars::entity::kRequest).contains("req-alice"); }));
  ASSERT_TRUE(SyncUntil(*new_driver, [&] { return RecordIds(*new_driver, cars::entity::kRequest).contains("req-bob"); }));
  // The new driver's cursor is past every delivery of alice's request: what comes now must be its history again.
  EXPECT_FALSE(RecordIds(*new_driver, cars::entity::kRequest).contains("req-alice"));

  Write(*dispatcher, {Draft{std::string(cars::entity::kTrip), "trip-a", "trip.reassigned",
                            Json{{"driver", "drv-2"}, {"reason", "司机病假"}}}});
  ASSERT_TRUE(SyncUntil(*new_driver, [&] {
    return Str(Fields(*new_driver, cars::entity::kTrip, "trip-a"), "driver") == "drv-2" &&
           RecordIds(*new_driver, cars::entity::kRequest).contains("req-alice");
  }));
  EXPECT_EQ(EventKinds(*new_driver, cars::entity::kRequest, "req-alice"),
            EventKinds(*dispatcher, cars::entity::kRequest, "req-alice"));
  EXPECT_EQ(EventKinds(*new_driver, cars::entity::kRequest, "req-alice"),
            (std::vector<std::string>{"request.approved", "request.dispatched", "request.submitted"}));
  EXPECT_EQ(RecordIds(*new_driver, cars::entity::kRequest), (Ids{"req-alice", "req-bob"}));

  // The old driver's phone is told the trip went to another driver (the change is the last thing it gets)...
  ASSERT_TRUE(SyncUntil(*old_driver, [&] { return Str(Fields(*old_driver, cars::entity::kTrip, "trip-a"), "driver") == "drv-2"; }));
  // ...and the requester sees her new driver.
  ASSERT_TRUE(SyncUntil(*alice, [&] { return Str(Fields(*alice, cars::entity::kTrip, "trip-a"), "driver") == "drv-2"; }));

  // The new driver sets off: alice follows her trip; the old driver receives nothing more of it.
  Write(*new_driver, {Draft{std::string(cars::entity::kTrip), "trip-a", "trip.started",
                            Json{{"odometer_start", 1200}, {"at", Today().ToString() + "T08:00"}}},
                      Draft{std::string(cars::entity::kRequest), "req-alice", "request.started",
                            Json{{"trip", "trip-a"}}}});
  ASSERT_TRUE(SyncUntil(*alice, [&] { return Str(Fields(*alice, cars::entity::kTrip, "trip-a"), "status") == "started"; }));
  Sync(*old_driver);
  const auto old_trip = EventKinds(*old_driver, cars::entity::kTrip, "trip-a");
  const auto old_request = EventKinds(*old_driver, cars::entity::kRequest, "req-alice");
  EXPECT_EQ(std::count(old_trip.begin(), old_trip.end(), "trip.started"), 0);
  EXPECT_EQ(std::count(old_request.begin(), old_request.end(), "request.started"), 0);
  // A phone the old driver signs in afresh reads the same delivery log: what they saw up to the change, no more.
  const Received fresh = PullEverything("u-driver");
  EXPECT_EQ(fresh.Ids(cars::entity::kRequest), (Ids{"req-alice"}));
  for (const Event& e : fresh.events) {
    EXPECT_NE(e.kind, "trip.started") << e.entity_id;
    EXPECT_NE(e.kind, "request.started") << e.entity_id;
  }
  ExpectNoIds(fresh, {"req-bob", "trip-b"}, "the old driver");
}

TEST_F(ScopeTest, ADutyOfficerGetsTheirSitesDutyOnly) {
  const Received got = PullEverything("u-duty");
  EXPECT_EQ(got.Ids(duty::entity::kShift), (Ids{"shift-main"}));
  EXPECT_EQ(got.Ids(duty::entity::kEscalation), (Ids{"esc-main"}));
  EXPECT_EQ(got.Ids(duty::entity::kCheckpoint), (Ids{"cp-main"}));
  EXPECT_EQ(got.Ids(duty::entity::kProfile), (Ids{"u-duty"}));
  for (auto type : {cars::entity::kRequest, cars::entity::kTrip, cars::entity::kDriver, repairs::entity::kRepair,
                    visitors::entity::kVisit, visitors::entity::kInvite, visitors::entity::kDeviceKey})
    EXPECT_FALSE(got.Has(type)) << type;
  ExpectNoIds(got, {"shift-east", "esc-east", "cp-east", "req-alice", "visit-now"}, "the main site's duty officer");
}

TEST_F(ScopeTest, AGuardReadsItsSitesVisitorsWithoutTheKiosksTimeBound) {
  const Received got = PullEverything("u-guard");
  EXPECT_EQ(got.Ids(visitors::entity::kVisit), (Ids{"visit-now", "visit-past"}));
  EXPECT_EQ(got.Ids(visitors::entity::kInvite), (Ids{"inv-today", "inv-future"}));
  EXPECT_EQ(got.Ids(visitors::entity::kBlock), (Ids{"block-all"}));
  EXPECT_EQ(got.Ids(duty::entity::kCheckpoint), (Ids{"cp-main"}));  // patrol points of its site
  EXPECT_FALSE(got.Has(duty::entity::kShift));
  ExpectNoIds(got, {"visit-east", "inv-east", "block-east", "cp-east"}, "the main site's guard");
}

}  // namespace
}  // namespace houqin::sync
