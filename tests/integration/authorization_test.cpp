// The authorization matrix over the real houqin-server: one signed-in phone
// per role and a kiosk push a representative event of every kind the
// Workflow tables and the register know. What the role may do comes back
// acknowledged with no verdict; what it may not comes back refused naming
// the field, a server.refused verdict is stored beside it, reaches every
// device whose scopes cover the record, and the record's fold shows the
// refusal there. Also the named refusals of issue 5 and foreign author claims.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <set>

#include "cars/fleet.h"
#include "cars/trips.h"
#include "cars/upkeep.h"
#include "directory/directory.h"
#include "domain.h"
#include "duty/duty.h"
#include "repairs/facilities.h"
#include "repairs/repairs.h"
#include "server_process.h"
#include "sync/access.h"
#include "sync/client.h"
#include "test_support.h"
#include "util/uuid.h"
#include "visitors/entities.h"
#include "visitors/invites.h"
#include "visitors/visitors.h"

namespace houqin::sync {
namespace {

constexpr const char* kPassword = "matrix 密码 2026";
constexpr const char* kSite = "main";
constexpr const char* kDepartment = "office";

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every role a person can hold; the kiosk is enrolled for a site instead.
const std::vector<std::string_view> kPersonRoles = {
    role::kStaff,        role::kApprover,       role::kDispatcher, role::kFleetClerk,        role::kDriver,
    role::kDirector,     role::kOfficeDirector, role::kFinance,    role::kRepairCoordinator, role::kTechnician,
    role::kGuard,        role::kReception,      role::kDutyOfficer, role::kDutyLeader,       role::kAdmin};

// One kind as the matrix pushes it, with the roles allowed to take it.
struct KindCase {
  std::string type;
  std::string kind;
  std::vector<std::string> roles;  // empty: any role
};

std::vector<std::string> Roles(const std::vector<std::string_view>& roles) {
  return {roles.begin(), roles.end()};
}

// Every kind of every Workflow table (each kind once: the table's first step
// for it is the one that is judged) and the register kinds of the access notes.
std::vector<KindCase> AllKinds() {
  const auto& tables = AllWorkflows();
  std::vector<KindCase> out;
  for (const auto& [type, workflow] : tables) {
    std::set<std::string_view> seen;
    for (const auto& step : workflow->steps()) {
      if (!seen.insert(step.kind).second) continue;
      out.push_back({std::string(type), std::string(step.kind), Roles(workflow->Find(step.kind)->roles)});
    }
  }
  const auto reg = [&out](std::string_view type, std::string_view kind, std::vector<std::string_view> roles) {
    out.push_back({std::string(type), std::string(kind), Roles(roles)});
  };
  reg(cars::entity::kCar, cars::car_event::kOdometerRecorded, {role::kDriver, role::kDispatcher, role::kAdmin});
  reg(entity::kUser, "user.upserted", {role::kAdmin});
  reg(entity::kDepartment, "department.upserted", {role::kAdmin});
  reg(entity::kSiteConfig, "site_config.updated", {role::kAdmin});
  reg(repairs::entity::kArea, "area.upserted", {role::kAdmin});
  reg(repairs::entity::kContractor, "contractor.upserted", {role::kAdmin, role::kRepairCoordinator});
  reg(repairs::entity::kContractorEvaluation, "contractor_evaluation.recorded", {role::kRepairCoordinator});
  reg(repairs::entity::kMaintenanceSchedule, "maintenance_schedule.defined", {role::kRepairCoordinator, role::kAdmin});
  reg(duty::entity::kCheckpoint, duty::kind::kCheckpointSaved, {role::kAdmin});
  reg(duty::entity::kRoute, duty::kind::kRouteSaved, {role::kAdmin});
  reg(duty::entity::kPlan, duty::kind::kPlanSaved, {role::kAdmin});
  return out;
}

bool KioskWritable(const std::string& type) {
  return type == visitors::entity::kVisit || type == visitors::entity::kGroup;
}

// The relation a role-allowed event may still fail on a record that does not
// exist yet (the table in the access notes, section 2.7): the fields such a
// refusal may name, and whether a fresh record can never satisfy it.
struct Relation {
  std::set<std::string> fields;
  bool always_refused = false;
};
Relation RelationOf(const KindCase& c, std::string_view role) {
  const std::string& k = c.kind;
  if (k == "request.approved" || k == "request.rejected") return {{"entity_id"}, true};
  if (k == "request.cancelled") return {{"requester"}, true};
  if (k == "trip.request_withdrawn" && role != role::kDispatcher) return {{"request"}, true};
  if (role == role::kDriver) {
    if (k == "trip.started" || k == "trip.ended" || k == "trip.expense_recorded" || k == "request.started" ||
        k == "request.trip_ended")
      return {{"driver"}, false};
    if (k == cars::car_event::kOutOfService || k == cars::car_event::kBackInService) return {{"car"}, false};
    if (k == cars::car_event::kOdometerRecorded) return {{"car", "driver"}, false};
  }
  if (k == "repair.confirmed" || k == "repair.rejected" || k == "repair.cancelled") return {{"requester"}, false};
  if (k == "repair.started" || k == "repair.cost_recorded" || k == "repair.done" || k == "repair.cause_recorded")
    return {{"technician"}, false};
  if (c.type == duty::entity::kShift && k != duty::kind::kRostered && k != duty::kind::kRosterChanged &&
      k != duty::kind::kShiftCancelled)
    return {{"officer", "entry"}, false};
  if (c.type == duty::entity::kPatrol && k != duty::kind::kPatrolStarted && role != role::kRepairCoordinator)
    return {{"patroller"}, true};
  if (k == duty::kind::kPinSet) return {{"entity_id"}, true};  // the matrix's record id is never the user
  if (k == visitors::kind::kInviteCreated || k == visitors::kind::kInviteCancelled) return {{"host"}, false};
  return {};
}

// Counts with a plain read-only connection, as an operator would with sqlite3.
std::int64_t CountEvents(const std::string& db_path) {
  sqlite3* db = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM events", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
      n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return n;
}

// A device: its own store (its enrolled id), its token, and who the server should take it for.
struct Device {
  std::string user;
  std::string role;  // the role its events claim
  testing::EnrolledDevice enrolled;
  DeviceIdentity identity;
  std::unique_ptr<Store> store;
  std::unique_ptr<SyncClient> client;
  Author author() const { return {user, role, enrolled.device_id}; }
};

// The push's answer for one event.
struct Ack {
  bool refused = false;
  std::string field;
  std::string en, zh;
};

class AuthorizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<testing::SeedUser> users;
    for (auto r : kPersonRoles)
      users.push_back({"u-" + std::string(r), "用户 " + std::string(r), kDepartment, {std::string(r)}, kPassword, kSite});
    users.push_back({"boss", "分管领导", kDepartment, {"staff", "approver"}, kPassword, kSite});
    users.push_back({"alice", "职员 alice", kDepartment, {"staff"}, kPassword, kSite});
    people_ = users;
    ASSERT_EQ("", testing::SeedDirectory(data_.path().string(), {{kDepartment, "办公室", {"u-approver", "boss"}}}, users));
    testing::ServerProcess::Options options;
    options.data_dir = data_.path().string();
    server_ = std::make_unique<testing::ServerProcess>(options);
    ASSERT_EQ("", server_->Start());
  }

  // A phone signed in as `user`, acting in `role`; or, for role kiosk, a kiosk of the site.
  std::unique_ptr<Device> NewDevice(const std::string& user, std::string_view role) {
    auto d = std::make_unique<Device>();
    d->role = std::string(role);
    if (role == role::kKiosk) {
      d->user = std::string("kiosk:") + kSite;
      d->enrolled = testing::EnrollDevice(*server_, std::string(kKiosk), kSite);
      d->identity = {d->enrolled.device_id, std::string(kKiosk), kSite, d->user, {std::string(role::kKiosk)}, ""};
    } else {
      d->user = user;
      d->enrolled = testing::EnrollDevice(*server_, std::string(kPhone), user, kPassword);
      std::vector<std::string> roles;
      for (const auto& p : people_)
        if (p.id == user) roles = p.roles;
      d->identity = {d->enrolled.device_id, std::string(kPhone), kSite, user, roles, kDepartment};
    }
    EXPECT_EQ("", d->enrolled.error) << user << " " << role;
    if (!d->enrolled.error.empty()) return nullptr;
    StoreOptions o;
    o.domain = domain_.get();
    o.device_id = d->enrolled.device_id;
    auto store = Store::Open(devices_.File(d->enrolled.device_id + ".db"), o);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return nullptr;
    d->store = std::move(*store);
    ClientConfig config;
    config.base_url = server_->base_url();
    config.pinned_sha256 = server_->fingerprint();
    config.device_token = d->enrolled.token;
    config.connect_timeout_ms = 2000;
    d->client = std::make_unique<SyncClient>(*d->store, config);
    return d;
  }

  // Stamps the drafts on the device as its own offline writes.
  std::vector<Event> Write(Device& d, const std::vector<Draft>& drafts) {
    auto appended = d.store->Append(d.author(), drafts);
    EXPECT_TRUE(appended.ok()) << appended.status().ToString();
    return appended.ok() ? appended->events : std::vector<Event>{};
  }

  // One raw push; the acks by event id (empty, with a test failure, unless 200).
  std::map<std::string, Ack> Push(const Device& d, const std::vector<Event>& events) {
    std::map<std::string, Ack> out;
    for (std::size_t from = 0; from < events.size(); from += kMaxPushEvents) {
      const std::vector<Event> batch(events.begin() + static_cast<std::ptrdiff_t>(from),
                                     events.begin() + static_cast<std::ptrdiff_t>(
                                                          std::min(events.size(), from + kMaxPushEvents)));
      testing::HttpResponse r = server_->Request("POST", "/v1/push", EventsToJson(batch).dump(), d.enrolled.token);
      EXPECT_EQ(200, r.status) << d.user << ": " << r.body << r.error;
      if (r.status != 200) return {};
      const Json acks = r.json().value("acks", Json::array());
      EXPECT_EQ(acks.size(), batch.size());
      for (const Json& a : acks) {
        Ack ack;
        if (a.contains("refused") && a["refused"].is_object()) {
          ack.refused = true;
          ack.field = a["refused"].value("field", "");
          ack.en = a["refused"].value("en", "");
          ack.zh = a["refused"].value("zh", "");
        }
        out[a.value("id", "")] = ack;
      }
    }
    return out;
  }

  static void Sync(Device& d) {
    Status s = d.client->SyncOnce();
    ASSERT_TRUE(s.ok()) << d.user << ": " << s.ToString();
  }

  // The verdicts a store holds, by the id of the event they refuse.
  static std::map<std::string, Event> Verdicts(Store& store) {
    std::map<std::string, Event> out;
    EXPECT_TRUE(store.ForEachEvent(0, [&](std::int64_t, const Event& e) {
                       if (e.kind == kServerRefusedKind) {
                         auto r = RefusalOf(e);
                         EXPECT_TRUE(r.has_value()) << e.id;
                         if (r) {
                           EXPECT_EQ(out.count(r->event), 0u) << "two verdicts on " << r->event;
                           out[r->event] = e;
                         }
                       }
                       return true;
                     }).ok());
    return out;
  }

  // The refusals the fold of `e`'s record shows on `store` (none when the record is absent).
  static std::vector<Refusal> RefusalsOn(Store& store, const Event& e) {
    auto v = store.Get(e.entity_type, e.entity_id);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    if (!v.ok() || !v->has_value()) return {};
    return (**v).refusals;
  }
  static bool ShowsRefusal(Store& store, const Event& e, const std::string& field) {
    for (const Refusal& r : RefusalsOn(store, e))
      if (r.event == e.id) return r.field == field && !r.reason.en.empty() && !r.reason.zh.empty();
    return false;
  }

  // Whether the scope rules deliver `record` to `device` today (the oracle the server must follow).
  static bool Delivers(Store& full, const RecordKey& record, const DeviceIdentity& device) {
    auto v = full.Get(record.type, record.id);
    if (!v.ok() || !v->has_value()) return false;
    const Date today = LocalTime::FromUnixMs(NowMs()).date;
    for (const auto& key : RecordScopes(full, **v))
      for (const auto& read : DeviceScopes(device))
        if (read.key == key.key && !(read.bounded && key.last_day && *key.last_day < today.AddDays(-1))) return true;
    return false;
  }

  testing::TempDir data_;
  testing::TempDir devices_;
  std::unique_ptr<Domain> domain_ = MakeDomain();
  std::unique_ptr<testing::ServerProcess> server_;
  std::vector<testing::SeedUser> people_;
};

// ---------------------------------------------------------------------------
// Every role × every kind

TEST_F(AuthorizationTest, EveryRoleAgainstEveryKindIsAcceptedOrRefusedWithAVerdict) {
  const std::vector<KindCase> kinds = AllKinds();
  ASSERT_GT(kinds.size(), 100u);

  std::vector<std::unique_ptr<Device>> devices;
  for (auto r : kPersonRoles) devices.push_back(NewDevice("u-" + std::string(r), r));
  devices.push_back(NewDevice("", role::kKiosk));
  for (const auto& d : devices) ASSERT_TRUE(d);
  Device& admin = *devices[static_cast<std::size_t>(
      std::find(kPersonRoles.begin(), kPersonRoles.end(), role::kAdmin) - kPersonRoles.begin())];

  // Each event on a record of its own, so that no two interact; one push per device.
  struct Pushed {
    Device* device;
    Event event;
    Ack ack;
  };
  std::vector<Pushed> pushed;
  std::size_t accepted = 0, refused_by_role = 0, refused_by_relation = 0;
  for (auto& d : devices) {
    std::vector<Draft> drafts;
    for (const KindCase& c : kinds) {
      std::string id = "m-" + d->role + "-" + c.kind;
      std::replace(id.begin(), id.end(), '.', '-');
      drafts.push_back({c.type, id, c.kind, Json::object()});
    }
    const std::vector<Event> events = Write(*d, drafts);
    ASSERT_EQ(events.size(), kinds.size());
    const std::map<std::string, Ack> acks = Push(*d, events);
    ASSERT_EQ(acks.size(), events.size()) << d->role;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const KindCase& c = kinds[i];
      const Ack& ack = acks.at(events[i].id);
      pushed.push_back({d.get(), events[i], ack});
      const std::string what = d->role + " × " + c.type + "/" + c.kind;
      const bool role_barred =
          (d->role == role::kKiosk && !KioskWritable(c.type)) ||
          (!c.roles.empty() && std::find(c.roles.begin(), c.roles.end(), d->role) == c.roles.end());
      if (ack.refused) {
        EXPECT_FALSE(ack.en.empty()) << what;
        EXPECT_FALSE(ack.zh.empty()) << what;
      }
      if (role_barred) {
        ++refused_by_role;
        EXPECT_TRUE(ack.refused) << what << ": the role may not take this step, yet it was accepted";
        EXPECT_EQ(ack.field, "role") << what << ": " << ack.en;
        continue;
      }
      const Relation relation = RelationOf(c, d->role);
      if (relation.fields.empty()) {
        EXPECT_FALSE(ack.refused) << what << ": allowed by the tables, refused on " << ack.field << ": " << ack.en;
      } else {
        if (relation.always_refused) {
          EXPECT_TRUE(ack.refused) << what << ": the relation cannot hold on a new record";
        }
        if (ack.refused) {
          EXPECT_TRUE(relation.fields.count(ack.field)) << what << ": refused on " << ack.field << ": " << ack.en;
        }
      }
      if (ack.refused) {
        ++refused_by_relation;
      } else {
        ++accepted;
      }
    }
  }
  // The matrix has both halves in strength, not a degenerate all-yes or all-no.
  EXPECT_GT(accepted, 150u);
  EXPECT_GT(refused_by_role, 1000u);
  EXPECT_GT(refused_by_relation, 20u);

  // One sync per device: its pushes come back as duplicates, the verdicts its scopes carry come in.
  for (auto& d : devices) Sync(*d);

  const std::map<std::string, Event> all_verdicts = Verdicts(*admin.store);
  std::size_t refused_total = 0;
  std::map<Device*, std::map<std::string, Event>> verdicts_on;
  for (auto& d : devices) verdicts_on[d.get()] = Verdicts(*d->store);
  std::map<Device*, std::int64_t> refused_per_device;
  std::size_t delivered_to_author = 0;
  for (const Pushed& p : pushed) {
    const std::string what = p.device->role + " × " + p.event.entity_type + "/" + p.event.kind;
    auto verdict = all_verdicts.find(p.event.id);
    if (!p.ack.refused) {
      EXPECT_EQ(verdict, all_verdicts.end()) << what << ": accepted, yet a verdict names it";
      for (const Refusal& r : RefusalsOn(*admin.store, p.event)) EXPECT_NE(r.event, p.event.id) << what;
      continue;
    }
    ++refused_total;
    ++refused_per_device[p.device];
    ASSERT_NE(verdict, all_verdicts.end()) << what << ": refused in the ack, but the admin received no verdict";
    EXPECT_EQ(verdict->second.author.role, kServerRole) << what;
    EXPECT_EQ(verdict->second.entity_type, p.event.entity_type) << what;
    EXPECT_EQ(verdict->second.entity_id, p.event.entity_id) << what;
    EXPECT_EQ(RefusalOf(verdict->second)->field, p.ack.field) << what;
    EXPECT_TRUE(ShowsRefusal(*admin.store, p.event, p.ack.field)) << what << ": the admin's fold does not show it";
    // The author receives the verdict exactly when its scopes cover the record, and then sees it on the record.
    const bool covered = Delivers(*admin.store, {p.event.entity_type, p.event.entity_id}, p.device->identity);
    const bool received = verdicts_on[p.device].count(p.event.id) > 0;
    EXPECT_EQ(received, covered) << what << (covered ? ": the author's scope covers the record but the verdict "
                                                       "did not reach it"
                                                     : ": a verdict reached a device whose scopes miss the record");
    if (received) {
      ++delivered_to_author;
      EXPECT_TRUE(ShowsRefusal(*p.device->store, p.event, p.ack.field)) << what << ": not shown on the author's device";
    }
  }
  EXPECT_EQ(all_verdicts.size(), refused_total) << "a verdict names an event no ack refused";
  EXPECT_GT(delivered_to_author, 100u);
  // Every device counts its own refusals from the acks, whether or not it reads the records.
  for (auto& d : devices) EXPECT_EQ(d->client->status().refused, refused_per_device[d.get()]) << d->role;
}

// ---------------------------------------------------------------------------
// The named refusals of the issue

TEST_F(AuthorizationTest, ARequesterCannotApproveTheirOwnRequest) {
  auto boss_staff = NewDevice("boss", role::kStaff);
  auto alice = NewDevice("alice", role::kStaff);
  ASSERT_TRUE(boss_staff && alice);
  // The same phone, acting in the approver role the boss also holds.
  Device& boss = *boss_staff;
  const std::vector<Event> own = Write(boss, {{std::string(cars::entity::kRequest), "req-boss", "request.submitted",
                                               Json{{"department", kDepartment}}}});
  boss.role = std::string(role::kApprover);
  const std::vector<Event> approve_own =
      Write(boss, {{std::string(cars::entity::kRequest), "req-boss", "request.approved", Json::object()}});
  const std::vector<Event> alices =
      Write(*alice, {{std::string(cars::entity::kRequest), "req-alice", "request.submitted",
                      Json{{"department", kDepartment}}}});
  ASSERT_EQ(1u, own.size());
  ASSERT_EQ(1u, approve_own.size());
  ASSERT_EQ(1u, alices.size());
  ASSERT_FALSE(Push(*alice, alices).at(alices[0].id).refused);
  const std::vector<Event> approve_alice =
      Write(boss, {{std::string(cars::entity::kRequest), "req-alice", "request.approved", Json::object()}});

  // Submitted and self-approved in one push: the approval is judged against the submission before it.
  auto acks = Push(boss, {own[0], approve_own[0], approve_alice[0]});
  ASSERT_EQ(3u, acks.size());
  EXPECT_FALSE(acks.at(own[0].id).refused);
  EXPECT_TRUE(acks.at(approve_own[0].id).refused);
  EXPECT_EQ("approver", acks.at(approve_own[0].id).field);
  EXPECT_FALSE(acks.at(approve_alice[0].id).refused) << acks.at(approve_alice[0].id).en;

  Sync(boss);
  Sync(*alice);
  EXPECT_EQ(1, boss.client->status().refused);
  // The boss reads both requests (requester of one, approver of the office): the verdict is there, and the fold
  // leaves the own request submitted while alice's is approved.
  auto mine = boss.store->Get(std::string(cars::entity::kRequest), "req-boss");
  ASSERT_TRUE(mine.ok() && mine->has_value());
  EXPECT_EQ("submitted", (**mine).fields.value("status", "")) << (**mine).fields.dump();
  ASSERT_EQ(1u, (**mine).refusals.size());
  EXPECT_EQ(approve_own[0].id, (**mine).refusals[0].event);
  EXPECT_EQ("approver", (**mine).refusals[0].field);
  EXPECT_EQ(1u, Verdicts(*boss.store).count(approve_own[0].id));
  auto hers = alice->store->Get(std::string(cars::entity::kRequest), "req-alice");
  ASSERT_TRUE(hers.ok() && hers->has_value());
  EXPECT_EQ("approved", (**hers).fields.value("status", "")) << (**hers).fields.dump();
  EXPECT_TRUE((**hers).refusals.empty());
  // Alice's device does not read the boss's request, nor so its verdict.
  EXPECT_TRUE(Verdicts(*alice->store).empty());
}

TEST_F(AuthorizationTest, ADriverCannotDispatch) {
  auto driver = NewDevice("u-driver", role::kDriver);
  auto admin = NewDevice("u-admin", role::kAdmin);
  ASSERT_TRUE(driver && admin);
  const std::vector<Event> events =
      Write(*driver, {{std::string(cars::entity::kTrip), "trip-self", "trip.dispatched",
                       Json{{"driver", "drv-self"}, {"car", "car-1"}}},
                      {std::string(cars::entity::kRequest), "req-x", "request.dispatched", Json{{"trip", "trip-self"}}}});
  auto acks = Push(*driver, events);
  ASSERT_EQ(2u, acks.size());
  for (const Event& e : events) {
    EXPECT_TRUE(acks.at(e.id).refused) << e.kind;
    EXPECT_EQ("role", acks.at(e.id).field) << e.kind;
  }
  Sync(*driver);
  Sync(*admin);
  EXPECT_EQ(2, driver->client->status().refused);
  for (const Event& e : events) {
    EXPECT_TRUE(ShowsRefusal(*admin->store, e, "role")) << e.kind;
    auto v = admin->store->Get(e.entity_type, e.entity_id);
    ASSERT_TRUE(v.ok() && v->has_value());
    EXPECT_NE("dispatched", (**v).fields.value("status", "")) << "the refused dispatch changed the record";
  }
  // A trip nobody dispatched names no driver: the fleet's record, outside a driver's scopes.
  EXPECT_TRUE(Verdicts(*driver->store).empty());
}

TEST_F(AuthorizationTest, AKioskCannotWriteACarRequestADutyLogOrAnInvite) {
  auto kiosk = NewDevice("", role::kKiosk);
  auto admin = NewDevice("u-admin", role::kAdmin);
  ASSERT_TRUE(kiosk && admin);
  const std::vector<Event> events = Write(
      *kiosk, {{std::string(cars::entity::kRequest), "req-kiosk", "request.submitted", Json{{"department", kDepartment}}},
               {std::string(duty::entity::kShift), "shift-kiosk", std::string(duty::kind::kEntryLogged), Json::object()},
               {std::string(visitors::entity::kInvite), "inv-kiosk", std::string(visitors::kind::kInviteCreated),
                Json{{"site", kSite}}},
               {std::string(visitors::entity::kVisit), "visit-kiosk", std::string(visitors::kind::kCheckedIn),
                Json{{"site", kSite}, {"at", LocalTime::FromUnixMs(NowMs()).ToString()}}}});
  auto acks = Push(*kiosk, events);
  ASSERT_EQ(4u, acks.size());
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(acks.at(events[i].id).refused) << events[i].kind;
    EXPECT_EQ("role", acks.at(events[i].id).field) << events[i].kind;
  }
  EXPECT_FALSE(acks.at(events[3].id).refused) << acks.at(events[3].id).en;
  Sync(*kiosk);
  Sync(*admin);
  EXPECT_EQ(3, kiosk->client->status().refused);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(ShowsRefusal(*admin->store, events[i], "role")) << events[i].kind;
  auto request = admin->store->Get(std::string(cars::entity::kRequest), "req-kiosk");
  ASSERT_TRUE(request.ok() && request->has_value());
  EXPECT_NE("submitted", (**request).fields.value("status", "")) << (**request).fields.dump();
  // The kiosk's own check-in is its site's visitor: it comes back to it with no verdict.
  auto visit = kiosk->store->Get(std::string(visitors::entity::kVisit), "visit-kiosk");
  ASSERT_TRUE(visit.ok() && visit->has_value());
  EXPECT_TRUE((**visit).refusals.empty());
}

TEST_F(AuthorizationTest, AnEditToAHandedOverDutyLogIsRefusedANoteIsNot) {
  ASSERT_EQ("", testing::SeedAsAdmin(data_.path().string(),
                                     {{std::string(duty::entity::kShift), "shift-1", std::string(duty::kind::kRostered),
                                       Json{{"site", kSite}, {"officers", {"u-duty_officer"}}, {"leader", "u-duty_leader"}}}}));
  auto officer = NewDevice("u-duty_officer", role::kDutyOfficer);
  auto leader = NewDevice("u-duty_leader", role::kDutyLeader);
  ASSERT_TRUE(officer && leader);
  // The roster arrives by pull, as on a real phone, once the server has noticed the admin tool's write.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool has_roster = false;
  while (!has_roster && std::chrono::steady_clock::now() < deadline) {
    Status pulled = officer->client->PullOnce(1);
    ASSERT_TRUE(pulled.ok()) << pulled.ToString();
    auto roster = officer->store->Get(std::string(duty::entity::kShift), "shift-1");
    has_roster = roster.ok() && roster->has_value();
  }
  ASSERT_TRUE(has_roster) << "the officer did not receive the roster of its site";

  const std::string shift(duty::entity::kShift);
  const std::vector<Event> on_duty =
      Write(*officer, {{shift, "shift-1", std::string(duty::kind::kCheckedIn), Json::object()},
                       {shift, "shift-1", std::string(duty::kind::kEntryLogged), Json{{"entry", "e1"}}},
                       {shift, "shift-1", std::string(duty::kind::kEntryEdited), Json{{"entry", "e1"}}},
                       {shift, "shift-1", std::string(duty::kind::kHandedOver), Json::object()}});
  auto first = Push(*officer, on_duty);
  ASSERT_EQ(4u, first.size());
  for (const Event& e : on_duty) EXPECT_FALSE(first.at(e.id).refused) << e.kind << ": " << first.at(e.id).en;

  // After the handover, in a later push (judged against the stored log).
  const std::vector<Event> after = Write(*officer, {{shift, "shift-1", std::string(duty::kind::kEntryEdited),
                                                     Json{{"entry", "e1"}}},
                                                    {shift, "shift-1", std::string(duty::kind::kNoteAppended),
                                                     Json::object()}});
  auto second = Push(*officer, after);
  ASSERT_EQ(2u, second.size());
  EXPECT_TRUE(second.at(after[0].id).refused);
  EXPECT_EQ("entry", second.at(after[0].id).field);
  EXPECT_FALSE(second.at(after[1].id).refused) << second.at(after[1].id).en;

  Sync(*officer);
  Sync(*leader);
  EXPECT_EQ(1, officer->client->status().refused);
  for (Device* d : {officer.get(), leader.get()}) {
    EXPECT_TRUE(ShowsRefusal(*d->store, after[0], "entry")) << d->user;
    EXPECT_EQ(1u, Verdicts(*d->store).size()) << d->user;
  }
}

// ---------------------------------------------------------------------------
// Foreign author claims: the whole batch is refused, nothing stored

TEST_F(AuthorizationTest, ABatchClaimingAnotherAuthorIsRefusedWholeAndStoresNothing) {
  auto alice = NewDevice("alice", role::kStaff);
  auto boss = NewDevice("boss", role::kStaff);
  auto kiosk = NewDevice("", role::kKiosk);
  ASSERT_TRUE(alice && boss && kiosk);

  const auto good = [&](Device& d, const std::string& id) {
    return Write(d, {{std::string(repairs::entity::kRepair), id, "repair.reported", Json::object()}}).at(0);
  };
  struct Claim {
    const char* name;
    Device* device;
    std::function<void(Event&)> forge;
    const char* field;  // on the wire: events[1].<field>
  };
  const std::vector<Claim> claims = {
      {"another user", alice.get(), [](Event& e) { e.author.user = "boss"; }, "events[1].user"},
      {"another device", alice.get(), [&](Event& e) { e.author.device = boss->enrolled.device_id; }, "events[1].device"},
      {"a role not held", alice.get(), [](Event& e) { e.author.role = std::string(role::kAdmin); }, "events[1].role"},
      {"the server role", alice.get(), [](Event& e) { e.author.role = std::string(kServerRole); }, "events[1].role"},
      {"another site's kiosk", kiosk.get(), [](Event& e) { e.author.user = "kiosk:east"; }, "events[1].user"},
      {"a person from a kiosk", kiosk.get(), [](Event& e) { e.author.role = std::string(role::kGuard); },
       "events[1].role"},
  };
  const std::int64_t before = CountEvents(server_->db_path());
  ASSERT_GT(before, 0);
  int n = 0;
  for (const Claim& c : claims) {
    Event honest = good(*c.device, "rep-honest-" + std::to_string(n));
    Event forged = good(*c.device, "rep-forged-" + std::to_string(n));
    ++n;
    c.forge(forged);
    testing::HttpResponse r = server_->Request("POST", "/v1/push", EventsToJson({honest, forged}).dump(),
                                               c.device->enrolled.token);
    EXPECT_EQ(403, r.status) << c.name << ": " << r.body;
    EXPECT_EQ(std::string(error::kForeignAuthor), r.error_code()) << c.name << ": " << r.body;
    EXPECT_EQ(c.field, r.json()["error"].value("field", "")) << c.name;
    EXPECT_FALSE(r.json()["error"].value("message", "").empty()) << c.name;
    EXPECT_FALSE(r.json()["error"].value("message_zh", "").empty()) << c.name;
    EXPECT_EQ(before, CountEvents(server_->db_path())) << c.name << ": part of a refused batch was stored";
  }
  // The honest events alone go through afterwards: the refusal held nothing back for good.
  Event honest = good(*alice, "rep-after");
  EXPECT_FALSE(Push(*alice, {honest}).at(honest.id).refused);
  EXPECT_EQ(before + 1, CountEvents(server_->db_path()));
}

}  // namespace
}  // namespace houqin::sync
