// The server's two judgements (sync/access.h) on a real store with the full
// domain: who may write what (the authorization matrix: every role against
// every event kind, and the relations a role cannot express), and who reads
// what (scope keys of records against the keys devices read).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "cars/fleet.h"
#include "cars/trips.h"
#include "cars/upkeep.h"
#include "directory/directory.h"
#include "domain.h"
#include "duty/duty.h"
#include "engine/command.h"
#include "repairs/facilities.h"
#include "repairs/repairs.h"
#include "sync/access.h"
#include "test_support.h"
#include "util/uuid.h"
#include "visitors/entities.h"
#include "visitors/invites.h"
#include "visitors/visitors.h"

namespace houqin::sync {
namespace {

LocalTime T(const char* text) {
  auto t = LocalTime::Parse(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(LocalTime{});
}

const LocalTime kNow = T("2026-03-01T09:00");
const Author kAdmin{"root", std::string(role::kAdmin), ""};

// Every role a person can hold, and the kiosk.
const std::vector<std::string_view> kAllRoles = {
    role::kStaff,        role::kApprover,  role::kDispatcher,        role::kFleetClerk, role::kDriver,
    role::kDirector,     role::kOfficeDirector, role::kFinance,      role::kRepairCoordinator, role::kTechnician,
    role::kGuard,        role::kReception, role::kDutyOfficer,       role::kDutyLeader, role::kAdmin,
    role::kKiosk};

struct AccessTest : ::testing::Test {
  AccessTest() : domain(MakeDomain()) {
    StoreOptions o;
    o.domain = domain.get();
    o.clock = &clock;
    o.device_id = "server";
    auto s = Store::Open(dir.File("server.db"), o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    store = std::move(*s);
  }

  void Do(const Author& actor, const Result<Command>& cmd) {
    ASSERT_TRUE(cmd.ok()) << cmd.status().ToString();
    clock.Advance(1000);
    auto r = Execute(*store, actor, cmd);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  // The directory: one person per role in the office, "boss" approves for the office.
  void SeedDirectory() {
    std::vector<Draft> people{directory::UpsertDepartment("office", "办公室", {"boss"})};
    for (auto r : kAllRoles) {
      if (r == role::kKiosk) continue;
      people.push_back(directory::UpsertUser({"u-" + std::string(r), std::string(r), "office", {std::string(r)}}));
    }
    people.push_back(directory::UpsertUser({"boss", "Boss", "office", {"staff", "approver"}}));
    people.push_back(directory::UpsertUser({"alice", "Alice", "office", {"staff"}}));
    ASSERT_TRUE(store->Append(kAdmin, people).ok());
  }

  // A phone signed in as `user` acting in `role` (a kiosk for role kiosk).
  static DeviceIdentity Device(const std::string& user, std::string_view role, const std::string& site = "main") {
    DeviceIdentity d;
    d.site = site;
    if (role == role::kKiosk) {
      d.device_id = "kiosk-dev";
      d.kind = std::string(kKiosk);
      d.user = "kiosk:" + site;
      d.roles = {std::string(role::kKiosk)};
    } else {
      d.device_id = "phone-" + user;
      d.kind = std::string(kPhone);
      d.user = user;
      d.roles = {std::string(role)};
      d.department = "office";
    }
    return d;
  }

  // An event as `device` would push it.
  Event Ev(const DeviceIdentity& device, std::string_view role, std::string_view type, const std::string& id,
           std::string_view kind, Json payload = Json::object()) {
    Event e;
    clock.Advance(10);
    e.id = NewUuidV7(clock.NowMs());
    e.entity_type = std::string(type);
    e.entity_id = id;
    e.kind = std::string(kind);
    e.payload = std::move(payload);
    e.author = {device.user, std::string(role), device.device_id};
    e.seq = ++seq;
    e.hlc = hlc::Pack(clock.NowMs(), 0);
    return e;
  }

  Status Judge(const DeviceIdentity& device, const Event& e, const std::vector<Event>& earlier = {}) {
    return AuthorizeEvent(*store, device, e, earlier);
  }

  std::unique_ptr<Domain> domain;
  ManualClock clock;
  testing::TempDir dir;
  std::unique_ptr<Store> store;
  std::uint64_t seq = 0;
};

void ExpectRefused(const Status& s, const std::string& field) {
  EXPECT_TRUE(s.IsRefused()) << "expected a refusal naming " << field << ", got " << s.ToString();
  EXPECT_EQ(s.field(), field) << s.ToString();
  EXPECT_FALSE(s.en().empty());
  EXPECT_FALSE(s.zh().empty());
}

// ---------------------------------------------------------------------------
// The author's claim

TEST_F(AccessTest, ClaimMustBeTheDeviceItsUserAndOneOfTheirRoles) {
  DeviceIdentity phone = Device("alice", role::kStaff);
  phone.roles = {"staff", "approver"};
  Event e = Ev(phone, role::kStaff, cars::entity::kRequest, "r1", "request.submitted");
  EXPECT_TRUE(CheckAuthorClaim(phone, e).ok());
  e.author.role = "approver";
  EXPECT_TRUE(CheckAuthorClaim(phone, e).ok());

  Event other_device = e;
  other_device.author.device = "someone-else";
  ExpectRefused(CheckAuthorClaim(phone, other_device), "author.device");
  Event other_user = e;
  other_user.author.user = "boss";
  ExpectRefused(CheckAuthorClaim(phone, other_user), "author.user");
  Event unheld_role = e;
  unheld_role.author.role = "dispatcher";
  ExpectRefused(CheckAuthorClaim(phone, unheld_role), "author.role");
  Event server = e;
  server.author.role = std::string(kServerRole);
  phone.roles.push_back(std::string(kServerRole));  // not even a directory that says so makes it claimable
  ExpectRefused(CheckAuthorClaim(phone, server), "author.role");

  DeviceIdentity signed_out = Device("alice", role::kStaff);
  signed_out.user.clear();
  ExpectRefused(CheckAuthorClaim(signed_out, e), "author.user");
}

TEST_F(AccessTest, KioskActsOnlyAsItsSiteInTheKioskRole) {
  const DeviceIdentity kiosk = Device("", role::kKiosk, "main");
  Event e = Ev(kiosk, role::kKiosk, visitors::entity::kVisit, "v1", visitors::kind::kCheckedIn);
  EXPECT_TRUE(CheckAuthorClaim(kiosk, e).ok());
  Event other_site = e;
  other_site.author.user = "kiosk:east";
  ExpectRefused(CheckAuthorClaim(kiosk, other_site), "author.user");
  Event as_guard = e;
  as_guard.author.role = "guard";
  ExpectRefused(CheckAuthorClaim(kiosk, as_guard), "author.role");
}

// ---------------------------------------------------------------------------
// The named refusals of the issue

TEST_F(AccessTest, RequesterCannotApproveTheirOwnRequest) {
  SeedDirectory();
  const DeviceIdentity boss = Device("boss", role::kApprover);
  DeviceIdentity boss_staff = boss;
  boss_staff.roles = {"staff", "approver"};
  Event submit = Ev(boss_staff, role::kStaff, cars::entity::kRequest, "r-own", "request.submitted",
                    Json{{"department", "office"}});
  Event approve = Ev(boss_staff, role::kApprover, cars::entity::kRequest, "r-own", "request.approved");
  EXPECT_TRUE(Judge(boss_staff, submit).ok());
  ExpectRefused(Judge(boss_staff, approve, {submit}), "approver");

  // Alice's request, approved by boss: allowed; by an approver of no department: refused.
  const DeviceIdentity alice = Device("alice", role::kStaff);
  Event alice_submit = Ev(alice, role::kStaff, cars::entity::kRequest, "r-alice", "request.submitted",
                          Json{{"department", "office"}});
  ASSERT_TRUE(store->Ingest({alice_submit}).ok());
  EXPECT_TRUE(Judge(boss, Ev(boss, role::kApprover, cars::entity::kRequest, "r-alice", "request.approved")).ok());
  const DeviceIdentity stranger = Device("u-approver", role::kApprover);
  ExpectRefused(Judge(stranger, Ev(stranger, role::kApprover, cars::entity::kRequest, "r-alice", "request.approved")),
                "approver");
}

TEST_F(AccessTest, DriverCannotDispatch) {
  SeedDirectory();
  const DeviceIdentity driver = Device("u-driver", role::kDriver);
  ExpectRefused(Judge(driver, Ev(driver, role::kDriver, cars::entity::kTrip, "t1", "trip.dispatched")), "role");
  ExpectRefused(Judge(driver, Ev(driver, role::kDriver, cars::entity::kRequest, "r1", "request.dispatched")), "role");
  const DeviceIdentity dispatcher = Device("u-dispatcher", role::kDispatcher);
  EXPECT_TRUE(Judge(dispatcher, Ev(dispatcher, role::kDispatcher, cars::entity::kTrip, "t1", "trip.dispatched")).ok());
}

TEST_F(AccessTest, KioskCannotWriteACarRequestOrDuty) {
  SeedDirectory();
  const DeviceIdentity kiosk = Device("", role::kKiosk);
  ExpectRefused(Judge(kiosk, Ev(kiosk, role::kKiosk, cars::entity::kRequest, "r1", "request.submitted")), "role");
  ExpectRefused(Judge(kiosk, Ev(kiosk, role::kKiosk, duty::entity::kShift, "s1", duty::kind::kEntryLogged)), "role");
  ExpectRefused(Judge(kiosk, Ev(kiosk, role::kKiosk, visitors::entity::kInvite, "i1", visitors::kind::kInviteCreated)),
                "role");
  EXPECT_TRUE(Judge(kiosk, Ev(kiosk, role::kKiosk, visitors::entity::kVisit, "v1", visitors::kind::kCheckedIn)).ok());
  EXPECT_TRUE(Judge(kiosk, Ev(kiosk, role::kKiosk, visitors::entity::kVisit, "v1", visitors::kind::kCheckedOut)).ok());
}

TEST_F(AccessTest, EditToAHandedOverLogIsRefusedANoteIsNot) {
  SeedDirectory();
  const DeviceIdentity officer = Device("u-duty_officer", role::kDutyOfficer);
  const DeviceIdentity admin = Device("root", role::kAdmin);
  std::vector<Event> earlier{
      Ev(admin, role::kAdmin, duty::entity::kShift, "s1", duty::kind::kRostered,
         Json{{"site", "main"}, {"officers", {"u-duty_officer"}}, {"leader", "u-duty_leader"}}),
      Ev(officer, role::kDutyOfficer, duty::entity::kShift, "s1", duty::kind::kCheckedIn),
      Ev(officer, role::kDutyOfficer, duty::entity::kShift, "s1", duty::kind::kEntryLogged, Json{{"entry", "e1"}})};
  const Event edit_on_duty =
      Ev(officer, role::kDutyOfficer, duty::entity::kShift, "s1", duty::kind::kEntryEdited, Json{{"entry", "e1"}});
  EXPECT_TRUE(Judge(officer, edit_on_duty, earlier).ok());
  earlier.push_back(Ev(officer, role::kDutyOfficer, duty::entity::kShift, "s1", duty::kind::kHandedOver));
  ExpectRefused(Judge(officer,
                      Ev(officer, role::kDutyOfficer, duty::entity::kShift, "s1", duty::kind::kEntryEdited,
                         Json{{"entry", "e1"}}),
                      earlier),
                "entry");
  EXPECT_TRUE(
      Judge(officer, Ev(officer, role::kDutyOfficer, duty::entity::kShift, "s1", duty::kind::kNoteAppended), earlier)
          .ok());
  // Someone not on the roster writes nothing into it.
  const DeviceIdentity leader = Device("u-duty_leader", role::kDutyLeader);
  const DeviceIdentity other = Device("u-staff", role::kDutyOfficer);
  EXPECT_TRUE(
      Judge(leader, Ev(leader, role::kDutyLeader, duty::entity::kShift, "s1", duty::kind::kNoteAppended), earlier).ok());
  ExpectRefused(
      Judge(other, Ev(other, role::kDutyOfficer, duty::entity::kShift, "s1", duty::kind::kNoteAppended), earlier),
      "officer");
}

TEST_F(AccessTest, NoDeviceGivesAServerVerdictOrUnknownKinds) {
  SeedDirectory();
  const DeviceIdentity admin = Device("root", role::kAdmin);
  ExpectRefused(Judge(admin, Ev(admin, role::kAdmin, cars::entity::kRequest, "r1", kServerRefusedKind)), "kind");
  ExpectRefused(Judge(admin, Ev(admin, role::kAdmin, cars::entity::kRequest, "r1", "request.teleported")), "kind");
  ExpectRefused(Judge(admin, Ev(admin, role::kAdmin, cars::entity::kRequest, "r1", "trip.dispatched")), "kind");
  ExpectRefused(Judge(admin, Ev(admin, role::kAdmin, "spaceship", "x", "spaceship.launched")), "entity_type");
}

// ---------------------------------------------------------------------------
// The matrix from the workflow tables: every role against every step's kind.

struct TableKind {
  std::string_view type;
  const Workflow* workflow;
};

std::vector<TableKind> Tables() {
  std::vector<TableKind> out;
  for (const auto& [type, workflow] : AllWorkflows()) out.push_back({type, workflow});
  return out;
}

TEST_F(AccessTest, RoleMatrixFollowsTheWorkflowTables) {
  SeedDirectory();
  int judged = 0;
  for (const auto& table : Tables()) {
    for (const auto& step : table.workflow->steps()) {
      for (auto r : kAllRoles) {
        const DeviceIdentity device = Device("u-" + std::string(r), r);
        const Event e = Ev(device, r, table.type, "m-" + std::string(step.kind), step.kind);
        const Status s = Judge(device, e);
        ++judged;
        const bool kiosk_barred = r == role::kKiosk && table.type != visitors::entity::kVisit &&
                                  table.type != visitors::entity::kGroup;
        const bool role_barred = !step.roles.empty() && std::find(step.roles.begin(), step.roles.end(), r) ==
                                                            step.roles.end();
        if (kiosk_barred || role_barred) {
          EXPECT_TRUE(s.IsRefused()) << r << " " << step.kind << ": " << s.ToString();
          EXPECT_EQ(s.field(), "role") << r << " " << step.kind << ": " << s.ToString();
        } else if (s.IsRefused()) {
          // Allowed by role: any refusal left must be a relation, never the role.
          EXPECT_NE(s.field(), "role") << r << " " << step.kind << ": " << s.ToString();
        }
      }
    }
  }
  EXPECT_GT(judged, 1500);
}

// ---------------------------------------------------------------------------
// Scopes

TEST_F(AccessTest, KioskReadsItsSiteVisitorsKeysAndTheDirectoryWithoutPhones) {
  const DeviceIdentity kiosk = Device("", role::kKiosk, "main");
  const auto scopes = DeviceScopes(kiosk);
  std::set<std::string> keys;
  for (const auto& s : scopes) keys.insert(s.key);
  EXPECT_TRUE(keys.count("site:main:visitors"));
  EXPECT_TRUE(keys.count(std::string(scope::kKeys)));
  EXPECT_TRUE(keys.count(std::string(scope::kDirectory)));
  EXPECT_FALSE(keys.count(std::string(scope::kFleet)));
  EXPECT_FALSE(keys.count(std::string(scope::kAll)));
  for (const auto& s : scopes) EXPECT_EQ(s.bounded, s.key == "site:main:visitors") << s.key;

  Event user_event;
  user_event.entity_type = std::string(entity::kUser);
  EXPECT_FALSE(ReceivesPersonal(kiosk, user_event));
  EXPECT_TRUE(ReceivesPersonal(Device("alice", role::kStaff), user_event));
}

// Kinds outside the tables: the registers and the engine's own kinds.
TEST_F(AccessTest, RegisterAndEngineKindsMatrix) {
  SeedDirectory();
  struct Case {
    std::string_view type, kind;
    std::set<std::string_view> allowed;
    std::string_view relation_judged = {};  // allowed by role, then judged by a relation
  };
  const std::vector<Case> cases = {
      // A driver records it only for a car they keep or a trip they drive (RelationsARoleCannotExpress).
      {cars::entity::kCar, cars::car_event::kOdometerRecorded, {role::kDispatcher, role::kAdmin}, role::kDriver},
      {entity::kUser, "user.upserted", {role::kAdmin}},
      {entity::kDepartment, "department.upserted", {role::kAdmin}},
      {entity::kSiteConfig, "site_config.updated", {role::kAdmin}},
      {repairs::entity::kArea, "area.upserted", {role::kAdmin}},
      {repairs::entity::kContractor, "contractor.upserted", {role::kAdmin, role::kRepairCoordinator}},
      {repairs::entity::kContractorEvaluation, "contractor_evaluation.recorded", {role::kRepairCoordinator}},
      {repairs::entity::kMaintenanceSchedule, "maintenance_schedule.defined", {role::kRepairCoordinator, role::kAdmin}},
      {duty::entity::kCheckpoint, duty::kind::kCheckpointSaved, {role::kAdmin}},
      {duty::entity::kRoute, duty::kind::kRouteSaved, {role::kAdmin}},
      {duty::entity::kPlan, duty::kind::kPlanSaved, {role::kAdmin}},
      {cars::entity::kRequest, kPersonalPurgedKind, {role::kAdmin}},
      {visitors::entity::kVisit, kPersonalPurgedKind, {role::kAdmin}},
      // Who keeps the record resolves its conflicts: roles its table names, and the admin.
      {duty::entity::kShift, kConflictResolvedKind,
       {role::kAdmin, role::kDutyOfficer, role::kDutyLeader}},
      {repairs::entity::kRepair, kConflictResolvedKind,
       {role::kAdmin, role::kRepairCoordinator, role::kTechnician, role::kFinance}},
      {entity::kUser, kConflictResolvedKind, {role::kAdmin}},
  };
  for (const auto& c : cases)
    for (auto r : kAllRoles) {
      if (r == c.relation_judged) continue;
      const DeviceIdentity device = Device("u-" + std::string(r), r);
      const Status s = Judge(device, Ev(device, r, c.type, "x-" + std::string(c.type), c.kind));
      if (c.allowed.count(r)) {
        EXPECT_TRUE(s.ok()) << r << " " << c.type << " " << c.kind << ": " << s.ToString();
      } else {
        EXPECT_TRUE(s.IsRefused()) << r << " " << c.type << " " << c.kind;
        EXPECT_EQ(s.field(), "role") << r << " " << c.type << " " << c.kind << ": " << s.ToString();
      }
    }
}

TEST_F(AccessTest, RelationsARoleCannotExpress) {
  SeedDirectory();
  const DeviceIdentity alice = Device("alice", role::kStaff);
  const DeviceIdentity other = Device("u-staff", role::kStaff);
  const Event submit = Ev(alice, role::kStaff, cars::entity::kRequest, "r1", "request.submitted",
                          Json{{"department", "office"}});
  // Only the requester cancels; in the same push the submit counts as earlier.
  EXPECT_TRUE(Judge(alice, Ev(alice, role::kStaff, cars::entity::kRequest, "r1", "request.cancelled"), {submit}).ok());
  ExpectRefused(Judge(other, Ev(other, role::kStaff, cars::entity::kRequest, "r1", "request.cancelled"), {submit}),
                "requester");

  // A driver acts on the trips they drive only.
  const DeviceIdentity admin = Device("root", role::kAdmin);
  const DeviceIdentity driver = Device("u-driver", role::kDriver);
  const DeviceIdentity dispatcher = Device("u-dispatcher", role::kDispatcher);
  std::vector<Event> earlier{
      Ev(admin, role::kAdmin, cars::entity::kDriver, "drv-1", cars::driver_event::kRegistered,
         Json{{"user_id", "u-driver"}, {"name", "D"}}),
      Ev(admin, role::kAdmin, cars::entity::kDriver, "drv-2", cars::driver_event::kRegistered,
         Json{{"user_id", "someone"}, {"name", "S"}}),
      Ev(dispatcher, role::kDispatcher, cars::entity::kTrip, "t-mine", "trip.dispatched", Json{{"driver", "drv-1"}}),
      Ev(dispatcher, role::kDispatcher, cars::entity::kTrip, "t-other", "trip.dispatched", Json{{"driver", "drv-2"}})};
  // Pushed earlier by the admin's and the dispatcher's devices.
  ASSERT_TRUE(store->Ingest(earlier).ok());
  earlier.clear();
  EXPECT_TRUE(Judge(driver, Ev(driver, role::kDriver, cars::entity::kTrip, "t-mine", "trip.started"), earlier).ok());
  ExpectRefused(Judge(driver, Ev(driver, role::kDriver, cars::entity::kTrip, "t-other", "trip.started"), earlier),
                "driver");
  ExpectRefused(Judge(driver,
                      Ev(driver, role::kDriver, cars::entity::kCar, "car-1", cars::car_event::kOdometerRecorded,
                         Json{{"km", 5}, {"trip", "t-other"}}),
                      earlier),
                "driver");
  EXPECT_TRUE(Judge(dispatcher, Ev(dispatcher, role::kDispatcher, cars::entity::kTrip, "t-other", "trip.started"),
                    earlier)
                  .ok());

  // A repair's verdicts belong to its reporter (or the coordinator).
  const Event reported = Ev(alice, role::kStaff, repairs::entity::kRepair, "rep-1", "repair.reported");
  EXPECT_TRUE(Judge(alice, Ev(alice, role::kStaff, repairs::entity::kRepair, "rep-1", "repair.cancelled"), {reported})
                  .ok());
  ExpectRefused(
      Judge(other, Ev(other, role::kStaff, repairs::entity::kRepair, "rep-1", "repair.cancelled"), {reported}),
      "requester");

  // Invites on another person's behalf: reception only.
  ExpectRefused(Judge(other, Ev(other, role::kStaff, visitors::entity::kInvite, "inv-1", visitors::kind::kInviteCreated,
                                Json{{"host", "alice"}})),
                "host");
  const DeviceIdentity reception = Device("u-reception", role::kReception);
  EXPECT_TRUE(Judge(reception, Ev(reception, role::kReception, visitors::entity::kInvite, "inv-1",
                                  visitors::kind::kInviteCreated, Json{{"host", "alice"}}))
                  .ok());
}

// One record of every type, as the folds make them, for the scope tests.
struct ScopeTest : AccessTest {
  void SeedEverything() {
    SeedDirectory();
    const Author admin = kAdmin;
    const auto a = [](const char* user, std::string_view r) { return Author{user, std::string(r), ""}; };
    std::vector<AuthoredDraft> d = {
        {admin, {std::string(entity::kSiteConfig), "cars", "site_config.updated", Json{{"short_trip_km", 3}}}},
        {admin, {std::string(entity::kSiteConfig), "visitors", "site_config.updated", Json{{"retention_days", 30}}}},
        {admin, {std::string(cars::entity::kCar), "car-1", "car.registered", Json{{"plate", "京A12345"}}}},
        {admin, {std::string(cars::entity::kDriver), "drv-1", "driver.registered", Json{{"user_id", "u-driver"}}}},
        {a("alice", role::kStaff),
         {std::string(cars::entity::kRequest), "req-alice", "request.submitted", Json{{"department", "office"}}}},
        {a("boss", role::kStaff),
         {std::string(cars::entity::kRequest), "req-boss", "request.submitted", Json{{"department", "finance"}}}},
        {a("u-dispatcher", role::kDispatcher),
         {std::string(cars::entity::kTrip), "trip-1", "trip.dispatched", Json{{"driver", "drv-1"}, {"car", "car-1"}}}},
        {a("u-dispatcher", role::kDispatcher),
         {std::string(cars::entity::kFuelCard), "card-1", "fuel_card.issued", Json{{"car", "car-1"}}}},
        {a("u-driver", role::kDriver),
         {std::string(cars::entity::kFillUp), "fill-1", "fill_up.requested", Json{{"car", "car-1"}}}},
        {a("u-dispatcher", role::kDispatcher),
         {std::string(cars::entity::kReconciliation), "rec-1", "reconciliation.prepared", Json::object()}},
        {a("u-driver", role::kDriver),
         {std::string(cars::entity::kRepairPlan), "plan-1", "car_repair.planned", Json{{"car", "car-1"}}}},
        {admin, {std::string(cars::entity::kProvider), "prov-1", "provider.registered", Json{{"name", "P"}}}},
        {a("alice", role::kStaff), {std::string(repairs::entity::kRepair), "rep-alice", "repair.reported", Json::object()}},
        {a("boss", role::kStaff), {std::string(repairs::entity::kRepair), "rep-boss", "repair.reported", Json::object()}},
        {admin, {std::string(repairs::entity::kArea), "area-1", "area.upserted", Json{{"name", "A"}}}},
        {admin, {std::string(repairs::entity::kContractor), "con-1", "contractor.upserted", Json{{"name", "C"}}}},
        {a("u-repair_coordinator", role::kRepairCoordinator),
         {std::string(repairs::entity::kContractorEvaluation), "con-1@2026-Q1", "contractor_evaluation.recorded",
          Json{{"contractor", "con-1"}}}},
        {admin, {std::string(repairs::entity::kMaintenanceSchedule), "ms-1", "maintenance_schedule.defined",
                 Json{{"name", "lifts"}}}},
        {a("u-repair_coordinator", role::kRepairCoordinator),
         {std::string(repairs::entity::kRectification), "rect-1", "rectification.notified", Json::object()}},
        {a("u-repair_coordinator", role::kRepairCoordinator),
         {std::string(repairs::entity::kMaintenanceJob), "ms-1@2026-03", "maintenance_job.generated", Json::object()}},
        {a("u-repair_coordinator", role::kRepairCoordinator),
         {std::string(repairs::entity::kMajorRepair), "major-1", "major_repair.estimated", Json::object()}},
        {a("u-technician", role::kTechnician),
         {std::string(repairs::entity::kLossReport), "loss-1", "loss_report.filed", Json::object()}},
        {a("u-guard", role::kGuard),
         {std::string(repairs::entity::kInspection), "insp-1", "inspection.started", Json::object()}},
        {admin, {std::string(duty::entity::kCheckpoint), "cp-1", "duty_checkpoint.saved", Json{{"site", "main"}}}},
        {admin, {std::string(duty::entity::kRoute), "route-1", "duty_route.saved", Json{{"site", "main"}}}},
        {admin, {std::string(duty::entity::kPlan), "plan-fire", "duty_plan.saved", Json{{"site", "main"}}}},
        {a("u-duty_officer", role::kDutyOfficer),
         {std::string(duty::entity::kProfile), "u-duty_officer", "duty_profile.pin_set", Json{{"salt", "00"}}}},
        {admin, {std::string(duty::entity::kShift), "shift-1", "duty_shift.rostered",
                 Json{{"site", "main"}, {"officers", {"u-duty_officer"}}, {"leader", "u-duty_leader"}}}},
        {a("u-duty_leader", role::kDutyLeader),
         {std::string(duty::entity::kSpotCheck), "spot-1", "duty_spot_check.recorded", Json{{"shift", "shift-1"}}}},
        {a("u-duty_officer", role::kDutyOfficer),
         {std::string(duty::entity::kEscalation), "esc-1", "duty_escalation.raised", Json{{"shift", "shift-1"}}}},
        {a("u-guard", role::kGuard),
         {std::string(duty::entity::kPatrol), "pat-1", "duty_patrol.started", Json{{"site", "main"}}}},
        {admin, {std::string(visitors::entity::kDeviceKey), "kiosk-dev", "device_key.enrolled", Json{{"site", "main"}}}},
        {a("alice", role::kStaff),
         {std::string(visitors::entity::kInvite), "inv-main", "visitor_invite.created",
          Json{{"site", "main"}, {"host", "alice"}, {"window_start", "2026-03-01T08:00"},
               {"window_end", "2026-03-01T18:00"}}}},
        {a("alice", role::kStaff),
         {std::string(visitors::entity::kInvite), "inv-east", "visitor_invite.created",
          Json{{"site", "east"}, {"host", "alice"}, {"window_start", "2026-03-01T08:00"},
               {"window_end", "2026-03-01T18:00"}}}},
        {a("kiosk:main", role::kKiosk),
         {std::string(visitors::entity::kVisit), "visit-now", "visitor_visit.checked_in",
          Json{{"site", "main"}, {"host", "alice"}, {"at", "2026-03-01T09:00"}}}},
        {a("kiosk:main", role::kKiosk),
         {std::string(visitors::entity::kVisit), "visit-old", "visitor_visit.checked_in",
          Json{{"site", "main"}, {"host", "alice"}, {"at", "2026-02-20T09:00"}}}},
        {a("kiosk:main", role::kKiosk),
         {std::string(visitors::entity::kVisit), "visit-old", "visitor_visit.checked_out",
          Json{{"at", "2026-02-20T11:00"}}}},
        {a("kiosk:east", role::kKiosk),
         {std::string(visitors::entity::kVisit), "visit-east", "visitor_visit.checked_in",
          Json{{"site", "east"}, {"at", "2026-03-01T09:00"}}}},
        {a("u-reception", role::kReception),
         {std::string(visitors::entity::kGroup), "group-1", "visitor_group.registered",
          Json{{"site", "main"}, {"window_start", "2026-03-01T08:00"}, {"window_end", "2026-03-01T18:00"}}}},
        {a("u-guard", role::kGuard), {std::string(visitors::entity::kBlock), "block-1", "visitor_block.added",
                                      Json{{"site", ""}}}},
    };
    auto r = store->Append(d);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  // What a device reads on `today`: records with a key it reads (a bounded key while last_day >= today - 1).
  std::map<std::string, std::set<std::string>> Visible(const DeviceIdentity& device, Date today) {
    const auto reads = DeviceScopes(device);
    std::map<std::string, std::set<std::string>> out;
    EXPECT_TRUE(store
                    ->ForEachRecord("",
                                    [&](const RecordView& v) {
                                      for (const auto& key : RecordScopes(*store, v))
                                        for (const auto& read : reads) {
                                          if (read.key != key.key) continue;
                                          if (read.bounded && key.last_day && *key.last_day < today.AddDays(-1))
                                            continue;
                                          out[v.key.type].insert(v.key.id);
                                        }
                                    })
                    .ok());
    return out;
  }
};

TEST_F(ScopeTest, EveryRecordHasTheAdminKeyAndTheAdminSeesAll) {
  SeedEverything();
  std::size_t records = 0;
  ASSERT_TRUE(store->ForEachRecord("", [&](const RecordView&) { ++records; }).ok());
  std::size_t seen = 0;
  for (const auto& [type, ids] : Visible(Device("root", role::kAdmin), Date{2026, 3, 1})) seen += ids.size();
  EXPECT_EQ(seen, records);
  EXPECT_GT(records, 40u);
}

TEST_F(ScopeTest, KioskSeesOnlyItsSiteVisitorsKeysDirectoryAndVisitorSettings) {
  SeedEverything();
  const auto seen = Visible(Device("", role::kKiosk, "main"), Date{2026, 3, 1});
  const std::set<std::string> allowed_types = {
      std::string(visitors::entity::kVisit),  std::string(visitors::entity::kInvite),
      std::string(visitors::entity::kGroup),  std::string(visitors::entity::kBlock),
      std::string(visitors::entity::kDeviceKey), std::string(entity::kUser),
      std::string(entity::kDepartment),       std::string(entity::kSiteConfig)};
  for (const auto& [type, ids] : seen) EXPECT_TRUE(allowed_types.count(type)) << "kiosk received a " << type;
  EXPECT_EQ(seen.count(std::string(cars::entity::kRequest)), 0u);
  EXPECT_EQ(seen.count(std::string(duty::entity::kShift)), 0u);
  EXPECT_EQ(seen.at(std::string(entity::kSiteConfig)), (std::set<std::string>{"visitors"}));
  // Its own site, the current days: today's visit, not the one of last month, nothing of the east site.
  EXPECT_EQ(seen.at(std::string(visitors::entity::kVisit)), (std::set<std::string>{"visit-now"}));
  EXPECT_EQ(seen.at(std::string(visitors::entity::kInvite)), (std::set<std::string>{"inv-main"}));
  EXPECT_EQ(seen.at(std::string(visitors::entity::kGroup)), (std::set<std::string>{"group-1"}));
  EXPECT_EQ(seen.at(std::string(visitors::entity::kBlock)), (std::set<std::string>{"block-1"}));
  EXPECT_EQ(seen.at(std::string(visitors::entity::kDeviceKey)), (std::set<std::string>{"kiosk-dev"}));
  // Two days later today's invite has gone from its view too.
  const auto later = Visible(Device("", role::kKiosk, "main"), Date{2026, 3, 3});
  EXPECT_EQ(later.count(std::string(visitors::entity::kInvite)), 0u);
  // The guard of the site reads the same visitors without the time bound.
  const auto guard = Visible(Device("u-guard", role::kGuard, "main"), Date{2026, 3, 3});
  EXPECT_EQ(guard.at(std::string(visitors::entity::kVisit)), (std::set<std::string>{"visit-now", "visit-old"}));
}

TEST_F(ScopeTest, StaffSeeTheirOwnRequestsAndRepairsNotOthersNorOtherAreas) {
  SeedEverything();
  const auto seen = Visible(Device("alice", role::kStaff), Date{2026, 3, 1});
  EXPECT_EQ(seen.at(std::string(cars::entity::kRequest)), (std::set<std::string>{"req-alice"}));
  EXPECT_EQ(seen.at(std::string(repairs::entity::kRepair)), (std::set<std::string>{"rep-alice"}));
  EXPECT_EQ(seen.at(std::string(cars::entity::kCar)), (std::set<std::string>{"car-1"}));
  EXPECT_TRUE(seen.count(std::string(entity::kUser)));
  for (auto type : {cars::entity::kTrip, cars::entity::kDriver, cars::entity::kFillUp, cars::entity::kFuelCard,
                    duty::entity::kShift, duty::entity::kProfile, repairs::entity::kLossReport,
                    visitors::entity::kBlock, visitors::entity::kDeviceKey})
    EXPECT_EQ(seen.count(std::string(type)), 0u) << type;
  // Her invite and her visitors reach her as the host.
  EXPECT_EQ(seen.at(std::string(visitors::entity::kVisit)), (std::set<std::string>{"visit-now", "visit-old"}));
}

TEST_F(ScopeTest, ApproversDispatchersDriversAndDutyOfficersSeeTheirShare) {
  SeedEverything();
  DeviceIdentity boss = Device("boss", role::kApprover);
  boss.roles = {"staff", "approver"};
  const auto approver = Visible(boss, Date{2026, 3, 1});
  // Alice's request (boss approves for the office) and boss's own; not the fleet's trips.
  EXPECT_EQ(approver.at(std::string(cars::entity::kRequest)), (std::set<std::string>{"req-alice", "req-boss"}));
  EXPECT_EQ(approver.count(std::string(cars::entity::kTrip)), 0u);

  const auto dispatcher = Visible(Device("u-dispatcher", role::kDispatcher), Date{2026, 3, 1});
  EXPECT_EQ(dispatcher.at(std::string(cars::entity::kRequest)), (std::set<std::string>{"req-alice", "req-boss"}));
  for (auto type : {cars::entity::kTrip, cars::entity::kDriver, cars::entity::kFuelCard, cars::entity::kFillUp,
                    cars::entity::kReconciliation, cars::entity::kRepairPlan})
    EXPECT_TRUE(dispatcher.count(std::string(type))) << type;
  EXPECT_EQ(dispatcher.count(std::string(duty::entity::kShift)), 0u);

  const auto driver = Visible(Device("u-driver", role::kDriver), Date{2026, 3, 1});
  EXPECT_EQ(driver.at(std::string(cars::entity::kTrip)), (std::set<std::string>{"trip-1"}));
  EXPECT_EQ(driver.count(std::string(cars::entity::kRequest)), 0u);
  EXPECT_TRUE(driver.count(std::string(cars::entity::kCar)));

  const auto officer_main = Visible(Device("u-duty_officer", role::kDutyOfficer, "main"), Date{2026, 3, 1});
  EXPECT_EQ(officer_main.at(std::string(duty::entity::kShift)), (std::set<std::string>{"shift-1"}));
  EXPECT_EQ(officer_main.at(std::string(duty::entity::kEscalation)), (std::set<std::string>{"esc-1"}));
  EXPECT_EQ(officer_main.count(std::string(cars::entity::kRequest)), 0u);
  EXPECT_EQ(officer_main.count(std::string(visitors::entity::kVisit)), 0u);
  const auto officer_east = Visible(Device("u-duty_officer", role::kDutyOfficer, "east"), Date{2026, 3, 1});
  EXPECT_EQ(officer_east.count(std::string(duty::entity::kShift)), 0u);

  const auto technician = Visible(Device("u-technician", role::kTechnician), Date{2026, 3, 1});
  EXPECT_EQ(technician.at(std::string(repairs::entity::kRepair)), (std::set<std::string>{"rep-alice", "rep-boss"}));
  EXPECT_EQ(technician.count(std::string(cars::entity::kTrip)), 0u);
}

}  // namespace
}  // namespace houqin::sync
