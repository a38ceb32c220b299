// Building repairs (repairs/repairs.h, repairs/facilities.h) on real stores with the full domain:
// every transition, refusal and conflict, the offline clashes between two devices, the
// deterministic preventive-maintenance ids and the satisfaction figures.
#include <gtest/gtest.h>

#include <algorithm>

#include "directory/directory.h"
#include "domain.h"
#include "engine/command.h"
#include "repairs/facilities.h"
#include "repairs/repairs.h"
#include "test_support.h"

namespace houqin::repairs {
namespace {

using testing::AllEvents;
using testing::ConflictsOf;
using testing::D;
using testing::ExchangeAll;
using testing::ExpectConverged;
using testing::ExpectRefused;
using testing::HasWarning;
using testing::T;

// Monday 9 March 2026, an ordinary working week.
const LocalTime kNow = T("2026-03-09T10:00");

const Author kAdmin{"root", std::string(role::kAdmin), ""};
const Author kAlice{"alice", std::string(role::kStaff), ""};      // reports repairs
const Author kGina{"gina", std::string(role::kStaff), ""};        // another member of staff
const Author kCora{"cora", std::string(role::kRepairCoordinator), ""};
const Author kCody{"cody", std::string(role::kRepairCoordinator), ""};  // a second coordinator
const Author kTom{"tom", std::string(role::kTechnician), ""};
const Author kTim{"tim", std::string(role::kTechnician), ""};
const Author kPete{"pete", std::string(role::kTechnician), ""};  // works for the property company
const Author kFay{"fay", std::string(role::kFinance), ""};
const Author kDirk{"dirk", std::string(role::kDirector), ""};      // 主管主任, the principal leader
const Author kOdin{"odin", std::string(role::kOfficeDirector), ""};
const Author kGus{"gus", std::string(role::kGuard), ""};

const calendar::Calendar& Cal() {
  static const calendar::Calendar cal = [] {
    auto c = calendar::Calendar::LoadOrShipped("");
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : calendar::Calendar{};
  }();
  return cal;
}

RepairInput Req(const std::string& id, const std::string& cat = std::string(category::kWater)) {
  RepairInput in;
  in.id = id;
  in.category = cat;
  in.location = {"office", "1号楼", "3", "305"};
  in.description = "水龙头漏水";
  return in;
}

CauseInput Cause(const std::string& what, const std::string& note, const std::string& liable, std::int64_t fen) {
  CauseInput c;
  c.cause = what;
  c.note = note;
  c.liable = liable;
  c.compensation_fen = fen;
  return c;
}

struct RepairsTest : testing::DomainTest {
  void Seed(Store& s) {
    std::vector<Draft> people{
        directory::UpsertDepartment("office", "办公室", {"dirk"}),
        directory::UpsertUser({"alice", "Alice", "office", {"staff"}}),
        directory::UpsertUser({"gina", "Gina", "office", {"staff"}}),
        directory::UpsertUser({"cora", "Cora", "logistics", {"repair_coordinator"}}),
        directory::UpsertUser({"cody", "Cody", "logistics", {"repair_coordinator"}}),
        directory::UpsertUser({"tom", "Tom", "logistics", {"technician"}}),
        directory::UpsertUser({"tim", "Tim", "logistics", {"technician"}}),
        directory::UpsertUser({"pete", "Pete", "prop-1", {"technician"}}),
        directory::UpsertUser({"fay", "Fay", "finance", {"finance"}}),
        directory::UpsertUser({"dirk", "Dirk", "office", {"director", "repair_coordinator"}}),
        directory::UpsertUser({"odin", "Odin", "office", {"office_director"}}),
        directory::UpsertUser({"gus", "Gus", "security", {"guard"}}),
    };
    ASSERT_TRUE(s.Append(kAdmin, people).ok());
    Do(s, kAdmin, UpsertArea(s, kAdmin, {"office", "机关办公区", "office", {"1号楼", "2号楼"}, "gus"}, kNow));
    Do(s, kAdmin, UpsertArea(s, kAdmin, {"homes", "家属区", "residential", {}, ""}, kNow));
    Do(s, kCora, UpsertContractor(s, kCora, {"prop-1", "某某物业公司", "property", "010-1234", true}, kNow));
  }

  // A job reported by alice at `at` and triaged.
  void Triaged(Store& s, const std::string& id, std::string_view sz = size::kSmall, LocalTime at = kNow) {
    Do(s, kAlice, ReportRepair(s, kAlice, Req(id), at));
    Do(s, kCora, TriageRepair(s, kCora, id, sz, Cal(), at));
  }
  void Assigned(Store& s, const std::string& id, LocalTime at = kNow) {
    Triaged(s, id, size::kSmall, at);
    Do(s, kCora, AssignRepair(s, kCora, id, {"tom", ""}, "", at));
  }
  void Done(Store& s, const std::string& id, LocalTime at = kNow) {
    Assigned(s, id, at);
    Do(s, kTom, StartRepair(s, kTom, id, at));
    Do(s, kTom, CompleteRepair(s, kTom, id, "换了阀芯", {}, at.AddMinutes(60)));
  }

  std::string StatusOf(Store& s, const std::string& id) {
    auto r = FindRepair(s, id, kNow);
    return r ? r->status : "<none>";
  }

};

// ---------------------------------------------------------------------------
// Places and contractors

TEST_F(RepairsTest, AreasAreKeptByTheAdmin) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  auto a = FindArea(*s, "office");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->name, "机关办公区");
  EXPECT_EQ(a->buildings, (std::vector<std::string>{"1号楼", "2号楼"}));
  EXPECT_EQ(a->fire_safety_person, "gus");
  EXPECT_EQ(FindArea(*s, "homes")->kind, "residential");
  auto no_person = UpsertArea(*s, kAdmin, {"yard", "后院", "office", {}, ""}, kNow);
  ASSERT_TRUE(no_person.ok());
  EXPECT_TRUE(HasWarning(*no_person, "no_fire_safety_person"));
  ExpectRefused(UpsertArea(*s, kCora, {"yard", "后院", "office", {}, ""}, kNow), "role");
  ExpectRefused(UpsertArea(*s, kAdmin, {"", "后院", "office", {}, ""}, kNow), "id");
  ExpectRefused(UpsertArea(*s, kAdmin, {"yard", " ", "office", {}, ""}, kNow), "name");
  ExpectRefused(UpsertArea(*s, kAdmin, {"yard", "后院", "park", {}, ""}, kNow), "kind");
  ExpectRefused(UpsertArea(*s, kAdmin, {"yard", "后院", "office", {" "}, ""}, kNow), "buildings");
  ExpectRefused(UpsertArea(*s, kAdmin, {"yard", "后院", "office", {}, "nobody"}, kNow), "fire_safety_person");
}

TEST_F(RepairsTest, ContractorsAreKeptByTheAdminOrCoordinator) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  auto c = FindContractor(*s, "prop-1");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->name, "某某物业公司");
  EXPECT_TRUE(c->active);
  ExpectRefused(UpsertContractor(*s, kTom, {"x", "X", "property", "", true}, kNow), "role");
  ExpectRefused(UpsertContractor(*s, kAdmin, {"", "X", "property", "", true}, kNow), "id");
  ExpectRefused(UpsertContractor(*s, kAdmin, {"x", "", "property", "", true}, kNow), "name");
  ExpectRefused(UpsertContractor(*s, kAdmin, {"x", "X", "bank", "", true}, kNow), "kind");
}

// ---------------------------------------------------------------------------
// Reporting

TEST_F(RepairsTest, AReportAtAnyHourKeepsPhotosAsContentHashes) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  const Photo photo = PhotoOf("abc");
  EXPECT_EQ(photo.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(photo.bytes, 3);
  RepairInput in = Req("rep-1", std::string(category::kHeating));
  in.photos = {photo};
  in.urgency = std::string(urgency::kUrgent);
  const LocalTime night = T("2026-03-08T02:30");  // Sunday, the middle of the night
  Command c = Do(*s, kAlice, ReportRepair(*s, kAlice, in, night));
  EXPECT_TRUE(c.warnings.empty());
  auto r = FindRepair(*s, "rep-1", kNow);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, "reported");
  EXPECT_EQ(r->requester, "alice");
  EXPECT_EQ(r->category, "heating");
  EXPECT_EQ(r->urgency, "urgent");
  EXPECT_EQ(r->location, (Location{"office", "1号楼", "3", "305"}));
  EXPECT_EQ(r->reported_at, night);
  EXPECT_EQ(r->photos, (std::vector<Photo>{photo}));
  EXPECT_FALSE(r->due.has_value());
  EXPECT_FALSE(r->overdue);
  // The event carries the reference, never the bytes.
  auto events = s->EventsOf("repair", "rep-1");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].payload["photos"][0]["sha256"], photo.sha256);
  // A residential-area report with any building name.
  RepairInput home = Req("rep-2", std::string(category::kGas));
  home.location = {"homes", "5栋", "", "2单元201"};
  home.urgency = std::string(urgency::kEmergency);
  Command emergency = Do(*s, kGina, ReportRepair(*s, kGina, home, night));
  EXPECT_TRUE(HasWarning(emergency, "emergency"));
  EXPECT_EQ(FindRepair(*s, "rep-2", kNow)->location.area, "homes");
}

TEST_F(RepairsTest, ReportRefusals) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  auto with = [](auto change) {
    RepairInput in = Req("rep-x");
    change(in);
    return in;
  };
  ExpectRefused(ReportRepair(*s, kAlice, with([](RepairInput& r) { r.id = ""; }), kNow), "id");
  ExpectRefused(ReportRepair(*s, kAlice, with([](RepairInput& r) { r.category = "plumbing"; }), kNow), "category");
  ExpectRefused(ReportRepair(*s, kAlice, with([](RepairInput& r) { r.location.area = ""; }), kNow), "area");
  ExpectRefused(ReportRepair(*s, kAlice, with([](RepairInput& r) { r.location.area = "moon"; }), kNow), "area");
  ExpectRefused(ReportRepair(*s, kAlice, with([](RepairInput& r) { r.location.building = " "; }), kNow), "building");
  ExpectRefused(ReportRepair(*s, kAlice, with([](RepairInput& r) { r.location.building = "9号楼"; }), kNow), "building");
  ExpectRefused(ReportRepair(*s, kAlice, with([](RepairInput& r) { r.description = "  "; }), kNow), "description");
  ExpectRefused(ReportRepair(*s, kAlice, with([](RepairInput& r) { r.description = std::string(2001, 'x'); }), kNow),
                "description");
  ExpectRefused(ReportRepair(*s, kAlice, with([](RepairInput& r) { r.urgency = "whenever"; }), kNow), "urgency");
  ExpectRefused(ReportRepair(*s, kAlice, with([](RepairInput& r) { r.photos.assign(10, PhotoOf("x")); }), kNow),
                "photos");
  ExpectRefused(ReportRepair(*s, kAlice, with([](RepairInput& r) { r.photos = {{"ABC", "image/jpeg", 3}}; }), kNow),
                "photos");
  ExpectRefused(ReportRepair(*s, kAlice, with([](RepairInput& r) { r.photos = {PhotoOf("x", "text/plain")}; }), kNow),
                "photos");
  // Only the coordinator reports on someone else's behalf (a hotline call).
  ExpectRefused(ReportRepair(*s, kGina, with([](RepairInput& r) { r.requester = "alice"; }), kNow), "requester");
  Do(*s, kCora, ReportRepair(*s, kCora, with([](RepairInput& r) { r.requester = "alice"; }), kNow));
  EXPECT_EQ(FindRepair(*s, "rep-x", kNow)->requester, "alice");
  ExpectRefused(ReportRepair(*s, kAlice, Req("rep-x"), kNow), "id");
}

// ---------------------------------------------------------------------------
// Triage and deadlines

TEST_F(RepairsTest, TriageSetsTheDueTimeFromTheCalendar) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  const LocalTime before_national_day = T("2026-09-30T17:00");
  Do(*s, kAlice, ReportRepair(*s, kAlice, Req("small"), before_national_day));
  Do(*s, kAlice, ReportRepair(*s, kAlice, Req("large"), before_national_day));
  Command c = Do(*s, kCora, TriageRepair(*s, kCora, "small", size::kSmall, Cal(), before_national_day));
  EXPECT_TRUE(c.warnings.empty());
  Do(*s, kCora, TriageRepair(*s, kCora, "large", size::kLarge, Cal(), before_national_day));
  auto small = FindRepair(*s, "small", before_national_day);
  EXPECT_EQ(small->status, "triaged");
  EXPECT_EQ(small->size, "small");
  EXPECT_EQ(small->due, T("2026-10-08T17:00"));
  EXPECT_EQ(FindRepair(*s, "large", before_national_day)->due, T("2026-10-10T17:00"));  // a Saturday worked
  // The due time travels in the event: the fold reads no calendar.
  auto events = s->EventsOf("repair", "small");
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].kind, "repair.triaged");
  EXPECT_EQ((*events)[1].payload["due"], "2026-10-08T17:00");
  EXPECT_EQ((*events)[1].payload["working_days"], 1);
  // A report on a Sunday counts from Monday 08:30.
  Do(*s, kAlice, ReportRepair(*s, kAlice, Req("sunday"), T("2026-03-08T20:00")));
  Do(*s, kCora, TriageRepair(*s, kCora, "sunday", size::kSmall, Cal(), kNow));
  EXPECT_EQ(FindRepair(*s, "sunday", kNow)->due, T("2026-03-10T08:30"));
}

TEST_F(RepairsTest, TriageRefusals) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Do(*s, kAlice, ReportRepair(*s, kAlice, Req("rep-1"), kNow));
  ExpectRefused(TriageRepair(*s, kTom, "rep-1", size::kSmall, Cal(), kNow), "role");
  ExpectRefused(TriageRepair(*s, kCora, "rep-1", "medium", Cal(), kNow), "size");
  ExpectRefused(TriageRepair(*s, kCora, "rep-none", size::kSmall, Cal(), kNow), "repair");
  Do(*s, kCora, TriageRepair(*s, kCora, "rep-1", size::kSmall, Cal(), kNow));
  ExpectRefused(TriageRepair(*s, kCora, "rep-1", size::kSmall, Cal(), kNow), "size");
  Do(*s, kAlice, CancelRepair(*s, kAlice, "rep-1", "", kNow));
  ExpectRefused(TriageRepair(*s, kCora, "rep-1", size::kLarge, Cal(), kNow), "status");
}

TEST_F(RepairsTest, ReclassifyingRecomputesFromTheReportTime) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Triaged(*s, "rep-1", size::kSmall, T("2026-02-13T15:00"));  // Friday before Spring Festival
  EXPECT_EQ(FindRepair(*s, "rep-1", kNow)->due, T("2026-02-14T15:00"));
  Do(*s, kCora, AssignRepair(*s, kCora, "rep-1", {"tom", ""}, "", T("2026-02-13T15:30")));
  Do(*s, kCora, TriageRepair(*s, kCora, "rep-1", size::kLarge, Cal(), T("2026-02-14T09:00")));
  auto r = FindRepair(*s, "rep-1", kNow);
  EXPECT_EQ(r->size, "large");
  EXPECT_EQ(r->status, "assigned");  // reclassifying leaves the status alone
  EXPECT_EQ(r->due, T("2026-02-25T15:00"));
  auto events = s->EventsOf("repair", "rep-1");
  EXPECT_EQ(events->back().kind, "repair.reclassified");
}

TEST_F(RepairsTest, AYearWithoutCalendarDataWarnsAndIsMarked) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  const LocalTime new_year = T("2027-01-01T10:00");
  Do(*s, kAlice, ReportRepair(*s, kAlice, Req("rep-1"), new_year));
  Command c = Do(*s, kCora, TriageRepair(*s, kCora, "rep-1", size::kSmall, Cal(), new_year));
  EXPECT_TRUE(HasWarning(c, "calendar_assumed"));
  auto r = FindRepair(*s, "rep-1", new_year);
  EXPECT_EQ(r->due, T("2027-01-04T10:00"));
  EXPECT_TRUE(r->due_assumed);
}

TEST_F(RepairsTest, OverdueIsComputedWhenReading) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Assigned(*s, "rep-1");  // due Tuesday 10:00
  Assigned(*s, "rep-2");
  EXPECT_FALSE(FindRepair(*s, "rep-1", T("2026-03-10T10:00"))->overdue);
  EXPECT_TRUE(FindRepair(*s, "rep-1", T("2026-03-10T10:01"))->overdue);
  auto watch = OverdueRepairs(*s, T("2026-03-11T08:00"));
  ASSERT_EQ(watch.size(), 2u);
  EXPECT_EQ(watch[0].id, "rep-1");
  // Done late: no longer overdue, but late; done in time: neither.
  Do(*s, kTom, StartRepair(*s, kTom, "rep-1", T("2026-03-10T09:00")));
  Command late = Do(*s, kTom, CompleteRepair(*s, kTom, "rep-1", "", {}, T("2026-03-10T11:00")));
  EXPECT_TRUE(HasWarning(late, "late"));
  EXPECT_TRUE(HasWarning(late, "no_cause"));
  auto r1 = FindRepair(*s, "rep-1", T("2026-03-11T08:00"));
  EXPECT_FALSE(r1->overdue);
  EXPECT_TRUE(r1->late);
  Do(*s, kTom, StartRepair(*s, kTom, "rep-2", T("2026-03-09T11:00")));
  Command in_time = Do(*s, kTom, CompleteRepair(*s, kTom, "rep-2", "", {}, T("2026-03-09T12:00")));
  EXPECT_FALSE(HasWarning(in_time, "late"));
  EXPECT_FALSE(FindRepair(*s, "rep-2", T("2026-03-11T08:00"))->late);
  EXPECT_TRUE(OverdueRepairs(*s, T("2026-03-11T08:00")).empty());
  // Triaged after its deadline passed already.
  Do(*s, kAlice, ReportRepair(*s, kAlice, Req("rep-3"), T("2026-03-02T10:00")));
  auto triage = TriageRepair(*s, kCora, "rep-3", size::kSmall, Cal(), kNow);
  ASSERT_TRUE(triage.ok());
  EXPECT_TRUE(HasWarning(*triage, "already_overdue"));
}

TEST_F(RepairsTest, RulesChangeTheNumberOfWorkingDays) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  EXPECT_EQ(LoadRules(*s).small_working_days, 1);
  ASSERT_TRUE(s->Append(kAdmin, {SetRules(Json{{"small_working_days", 2}, {"large_working_days", 5}})}).ok());
  EXPECT_EQ(LoadRules(*s).large_working_days, 5);
  Triaged(*s, "rep-1", size::kSmall);
  EXPECT_EQ(FindRepair(*s, "rep-1", kNow)->due, T("2026-03-11T10:00"));
  // A value of the wrong type keeps the default.
  ASSERT_TRUE(s->Append(kAdmin, {SetRules(Json{{"small_working_days", "two"}})}).ok());
  EXPECT_EQ(LoadRules(*s).small_working_days, 1);
}

// ---------------------------------------------------------------------------
// Assignment and work

TEST_F(RepairsTest, AssignStartCostAndDone) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Triaged(*s, "rep-1");
  Do(*s, kCora, AssignRepair(*s, kCora, "rep-1", {"tom", ""}, "先看看", kNow));
  EXPECT_EQ(StatusOf(*s, "rep-1"), "assigned");
  EXPECT_EQ(FindRepair(*s, "rep-1", kNow)->technician, "tom");
  ExpectRefused(StartRepair(*s, kTim, "rep-1", kNow), "technician");
  ExpectRefused(StartRepair(*s, kAlice, "rep-1", kNow), "role");
  ExpectRefused(RecordRepairCost(*s, kTom, "rep-1", {"part", "阀芯", 1, 2500, ""}, kNow), "status");
  Do(*s, kTom, StartRepair(*s, kTom, "rep-1", kNow));
  EXPECT_EQ(StatusOf(*s, "rep-1"), "in_progress");
  EXPECT_EQ(FindRepair(*s, "rep-1", kNow)->started_at, kNow);
  Do(*s, kTom, RecordRepairCost(*s, kTom, "rep-1", {"part", "阀芯", 2, 2500, "R-1"}, kNow));
  Do(*s, kTom, RecordRepairCost(*s, kTom, "rep-1", {"labour", "上门", 1, 3000, ""}, kNow));
  Do(*s, kCora, RecordRepairCost(*s, kCora, "rep-1", {"service", "管道疏通", 1, 10000, "F-9"}, kNow));
  ExpectRefused(RecordRepairCost(*s, kTom, "rep-1", {"gift", "x", 1, 1, ""}, kNow), "type");
  ExpectRefused(RecordRepairCost(*s, kTom, "rep-1", {"part", " ", 1, 1, ""}, kNow), "item");
  ExpectRefused(RecordRepairCost(*s, kTom, "rep-1", {"part", "x", 0, 1, ""}, kNow), "quantity");
  ExpectRefused(RecordRepairCost(*s, kTom, "rep-1", {"part", "x", 1, -1, ""}, kNow), "unit_price_fen");
  ExpectRefused(RecordRepairCost(*s, kTim, "rep-1", {"part", "x", 1, 1, ""}, kNow), "technician");
  auto r = FindRepair(*s, "rep-1", kNow);
  EXPECT_EQ(r->parts_fen, 5000);
  EXPECT_EQ(r->labour_fen, 3000);
  EXPECT_EQ(r->service_fen, 10000);
  EXPECT_EQ(r->total_fen(), 18000);
  ExpectRefused(CompleteRepair(*s, kTim, "rep-1", "", {}, kNow), "technician");
  ExpectRefused(CompleteRepair(*s, kTom, "rep-1", "", {{"zz", "image/png", 1}}, kNow), "photos");
  Do(*s, kTom, CompleteRepair(*s, kTom, "rep-1", "换了阀芯", {PhotoOf("after")}, kNow.AddMinutes(30)));
  r = FindRepair(*s, "rep-1", kNow);
  EXPECT_EQ(r->status, "done");
  EXPECT_EQ(r->done_at, kNow.AddMinutes(30));
  ExpectRefused(CompleteRepair(*s, kTom, "rep-1", "", {}, kNow), "status");
  ExpectRefused(StartRepair(*s, kTom, "rep-1", kNow), "status");
}

TEST_F(RepairsTest, AssignRefusals) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Do(*s, kAlice, ReportRepair(*s, kAlice, Req("rep-1"), kNow));
  ExpectRefused(AssignRepair(*s, kCora, "rep-1", {"tom", ""}, "", kNow), "status");  // not triaged yet
  Do(*s, kCora, TriageRepair(*s, kCora, "rep-1", size::kSmall, Cal(), kNow));
  ExpectRefused(AssignRepair(*s, kTom, "rep-1", {"tom", ""}, "", kNow), "role");
  ExpectRefused(AssignRepair(*s, kCora, "rep-1", {"", ""}, "", kNow), "assignee");
  ExpectRefused(AssignRepair(*s, kCora, "rep-1", {"tom", "prop-1"}, "", kNow), "assignee");
  ExpectRefused(AssignRepair(*s, kCora, "rep-1", {"alice", ""}, "", kNow), "technician");
  ExpectRefused(AssignRepair(*s, kCora, "rep-1", {"", "prop-x"}, "", kNow), "contractor");
  ExpectRefused(AssignRepair(*s, kCora, "rep-none", {"tom", ""}, "", kNow), "repair");
  Do(*s, kCora, AssignRepair(*s, kCora, "rep-1", {"tom", ""}, "", kNow));
  ExpectRefused(AssignRepair(*s, kCora, "rep-1", {"tom", ""}, "", kNow), "technician");
  // A reassignment by someone who saw the first one is no conflict.
  Do(*s, kCora, AssignRepair(*s, kCora, "rep-1", {"tim", ""}, "tom is away", kNow));
  EXPECT_EQ(FindRepair(*s, "rep-1", kNow)->technician, "tim");
  EXPECT_TRUE(s->Conflicts()->empty());
  // A contractor that is no longer engaged.
  Do(*s, kCora, UpsertContractor(*s, kCora, {"prop-2", "旧物业", "property", "", false}, kNow));
  ExpectRefused(AssignRepair(*s, kCora, "rep-1", {"", "prop-2"}, "", kNow), "contractor");
}

TEST_F(RepairsTest, ThePropertyCompanysStaffWorkItsJobs) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Triaged(*s, "rep-1");
  Do(*s, kCora, AssignRepair(*s, kCora, "rep-1", {"", "prop-1"}, "", kNow));
  auto r = FindRepair(*s, "rep-1", kNow);
  EXPECT_EQ(r->contractor, "prop-1");
  EXPECT_EQ(r->technician, "");
  ExpectRefused(StartRepair(*s, kTom, "rep-1", kNow), "technician");  // not the company's
  Do(*s, kPete, StartRepair(*s, kPete, "rep-1", kNow));
  Do(*s, kPete, CompleteRepair(*s, kPete, "rep-1", "", {}, kNow));
  EXPECT_EQ(StatusOf(*s, "rep-1"), "done");
  ExpectRefused(AssignRepair(*s, kCora, "rep-1", {"", "prop-1"}, "", kNow), "status");
}

// ---------------------------------------------------------------------------
// The requester's verdict

TEST_F(RepairsTest, TheRequesterConfirmsAndRates) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Assigned(*s, "rep-1");
  ExpectRefused(ConfirmRepair(*s, kAlice, "rep-1", 5, "", kNow), "status");
  Do(*s, kTom, StartRepair(*s, kTom, "rep-1", kNow));
  Do(*s, kTom, CompleteRepair(*s, kTom, "rep-1", "", {}, kNow));
  ExpectRefused(ConfirmRepair(*s, kGina, "rep-1", 5, "", kNow), "requester");
  ExpectRefused(ConfirmRepair(*s, kAlice, "rep-1", 0, "", kNow), "rating");
  ExpectRefused(ConfirmRepair(*s, kAlice, "rep-1", 6, "", kNow), "rating");
  Do(*s, kAlice, ConfirmRepair(*s, kAlice, "rep-1", 5, "很及时", kNow.AddMinutes(90)));
  auto r = FindRepair(*s, "rep-1", kNow);
  EXPECT_EQ(r->status, "confirmed");
  EXPECT_EQ(r->rating, 5);
  EXPECT_EQ(r->confirmed_at, kNow.AddMinutes(90));
  ASSERT_EQ(r->verdicts.size(), 1u);
  EXPECT_EQ(r->verdicts[0].rating, 5);
  ExpectRefused(ConfirmRepair(*s, kAlice, "rep-1", 4, "", kNow), "status");
  ExpectRefused(CancelRepair(*s, kAlice, "rep-1", "", kNow), "status");
  // An invoice that arrives after the confirmation is still recorded.
  Do(*s, kTom, RecordRepairCost(*s, kTom, "rep-1", {"part", "阀芯", 1, 2500, ""}, kNow));
  // The coordinator records the verdict of a caller without the app.
  Done(*s, "rep-2");
  Do(*s, kCora, ConfirmRepair(*s, kCora, "rep-2", 4, "电话回访", kNow));
  EXPECT_EQ(s->EventsOf("repair", "rep-2")->back().payload["on_behalf"], true);
}

TEST_F(RepairsTest, ARejectedFixReopensTheJobWithAFreshDueTime) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Done(*s, "rep-1");
  ExpectRefused(RejectRepair(*s, kAlice, "rep-1", " ", Cal(), kNow), "reason");
  ExpectRefused(RejectRepair(*s, kGina, "rep-1", "还漏", Cal(), kNow), "requester");
  const LocalTime friday = T("2026-03-13T16:00");
  Do(*s, kAlice, RejectRepair(*s, kAlice, "rep-1", "还在漏水", Cal(), friday));
  auto r = FindRepair(*s, "rep-1", friday);
  EXPECT_EQ(r->status, "reopened");
  EXPECT_EQ(r->reopened, 1);
  EXPECT_EQ(r->due, T("2026-03-16T16:00"));  // one working day from the rejection: Monday
  EXPECT_FALSE(r->done_at.has_value());
  EXPECT_FALSE(r->overdue);
  EXPECT_TRUE(FindRepair(*s, "rep-1", T("2026-03-16T16:01"))->overdue);
  // The same technician goes again, or the coordinator reassigns.
  Do(*s, kTom, StartRepair(*s, kTom, "rep-1", friday));
  Do(*s, kTom, CompleteRepair(*s, kTom, "rep-1", "换整个龙头", {}, friday.AddMinutes(60)));
  Do(*s, kAlice, ConfirmRepair(*s, kAlice, "rep-1", 4, "", friday.AddMinutes(120)));
  r = FindRepair(*s, "rep-1", friday);
  EXPECT_EQ(r->status, "confirmed");
  ASSERT_EQ(r->verdicts.size(), 2u);
  EXPECT_EQ(r->verdicts[0].rating, 0);
  EXPECT_EQ(r->verdicts[1].rating, 4);
  // A reopened job may also be reassigned or cancelled by its requester.
  Done(*s, "rep-2");
  Do(*s, kAlice, RejectRepair(*s, kAlice, "rep-2", "没修好", Cal(), kNow));
  Do(*s, kCora, AssignRepair(*s, kCora, "rep-2", {"tim", ""}, "", kNow));
  EXPECT_EQ(StatusOf(*s, "rep-2"), "assigned");
  Done(*s, "rep-3");
  Do(*s, kAlice, RejectRepair(*s, kAlice, "rep-3", "没修好", Cal(), kNow));
  Do(*s, kAlice, CancelRepair(*s, kAlice, "rep-3", "自己找人修了", kNow));
  EXPECT_EQ(StatusOf(*s, "rep-3"), "cancelled");
}

TEST_F(RepairsTest, CancellingBeforeWorkStarts) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Do(*s, kAlice, ReportRepair(*s, kAlice, Req("rep-1"), kNow));
  ExpectRefused(CancelRepair(*s, kGina, "rep-1", "", kNow), "requester");
  Do(*s, kAlice, CancelRepair(*s, kAlice, "rep-1", "", kNow));
  EXPECT_EQ(StatusOf(*s, "rep-1"), "cancelled");
  ExpectRefused(CancelRepair(*s, kAlice, "rep-1", "", kNow), "status");
  // The coordinator closes a duplicate, with a reason.
  Assigned(*s, "rep-2");
  ExpectRefused(CancelRepair(*s, kCora, "rep-2", "", kNow), "reason");
  Do(*s, kCora, CancelRepair(*s, kCora, "rep-2", "重复报修", kNow));
  EXPECT_EQ(StatusOf(*s, "rep-2"), "cancelled");
  // Once work has started, cancelling is refused.
  Assigned(*s, "rep-3");
  Do(*s, kTom, StartRepair(*s, kTom, "rep-3", kNow));
  ExpectRefused(CancelRepair(*s, kAlice, "rep-3", "", kNow), "status");
  EXPECT_TRUE(s->Conflicts()->empty());
}

// ---------------------------------------------------------------------------
// Cause of damage, compensation, loss reports

TEST_F(RepairsTest, HumanDamageIsPaidForAtPrice) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Assigned(*s, "rep-1");
  CauseInput human = Cause("human", "椅子被踢坏", "张三", 0);
  ExpectRefused(RecordCause(*s, kTom, "rep-1", human, kNow), "status");  // not started
  Do(*s, kTom, StartRepair(*s, kTom, "rep-1", kNow));
  ExpectRefused(RecordCause(*s, kTom, "rep-1", human, kNow), "compensation_fen");  // no cost yet, no amount
  ExpectRefused(RecordCause(*s, kTom, "rep-1", Cause("human", "", "", 100), kNow), "liable");
  ExpectRefused(RecordCause(*s, kTom, "rep-1", Cause("human", "", "张三", -1), kNow), "compensation_fen");
  ExpectRefused(RecordCause(*s, kTom, "rep-1", Cause("act_of_god", "", "", 0), kNow), "cause");
  ExpectRefused(RecordCause(*s, kTom, "rep-1", Cause("other", " ", "", 0), kNow), "note");
  ExpectRefused(RecordCause(*s, kTim, "rep-1", Cause("other", "雷击", "", 0), kNow), "technician");
  ExpectRefused(RecordCompensationPaid(*s, kFay, "rep-1", 100, "R", kNow), "cause");
  Do(*s, kTom, RecordRepairCost(*s, kTom, "rep-1", {"part", "椅腿", 1, 12000, ""}, kNow));
  Do(*s, kTom, RecordCause(*s, kTom, "rep-1", human, kNow));  // amount: the recorded cost
  auto r = FindRepair(*s, "rep-1", kNow);
  EXPECT_EQ(r->cause, "human");
  EXPECT_EQ(r->liable, "张三");
  EXPECT_EQ(r->compensation_fen, 12000);
  ExpectRefused(RecordCompensationPaid(*s, kTom, "rep-1", 100, "R", kNow), "role");
  ExpectRefused(RecordCompensationPaid(*s, kFay, "rep-1", 0, "R", kNow), "amount_fen");
  ExpectRefused(RecordCompensationPaid(*s, kFay, "rep-1", 100, " ", kNow), "receipt");
  Command part = Do(*s, kFay, RecordCompensationPaid(*s, kFay, "rep-1", 10000, "SJ-001", kNow));
  EXPECT_FALSE(HasWarning(part, "more_than_due"));
  Command more = Do(*s, kFay, RecordCompensationPaid(*s, kFay, "rep-1", 5000, "SJ-002", kNow));
  EXPECT_TRUE(HasWarning(more, "more_than_due"));
  EXPECT_EQ(FindRepair(*s, "rep-1", kNow)->compensation_paid_fen, 15000);
  // Changing the cause after payment warns.
  auto other = RecordCause(*s, kTom, "rep-1", Cause("other", "质量问题", "", 0), kNow);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(HasWarning(*other, "compensation_paid"));
  // An explicit amount wins over the cost.
  Assigned(*s, "rep-2");
  Do(*s, kTom, StartRepair(*s, kTom, "rep-2", kNow));
  Do(*s, kCora, RecordCause(*s, kCora, "rep-2", Cause("human", "", "某单位", 8800), kNow));
  EXPECT_EQ(FindRepair(*s, "rep-2", kNow)->compensation_fen, 8800);
}

CauseInput Wear(const std::string& loss_id, std::int64_t value = 30000) {
  CauseInput c;
  c.cause = std::string(cause::kWear);
  c.note = "使用年限已到";
  c.loss_report_id = loss_id;
  c.item = "空调压缩机";
  c.asset = "GZ-2019-0042";
  c.value_fen = value;
  return c;
}

TEST_F(RepairsTest, NormalWearFilesALossReportThatFinanceReviewsAndALeaderWritesOff) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Assigned(*s, "rep-1");
  Do(*s, kTom, StartRepair(*s, kTom, "rep-1", kNow));
  auto both = RecordCause(*s, kTom, "rep-1", Wear("loss-1"), kNow);
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->drafts.size(), 2u);  // the cause and the loss report, one batch
  Do(*s, kTom, both);
  auto r = FindRepair(*s, "rep-1", kNow);
  EXPECT_EQ(r->cause, "wear");
  EXPECT_EQ(r->loss_reports, (std::vector<std::string>{"loss-1"}));
  auto lr = FindLossReport(*s, "loss-1");
  ASSERT_TRUE(lr.has_value());
  EXPECT_EQ(lr->status, "filed");
  EXPECT_EQ(lr->repair, "rep-1");
  EXPECT_EQ(lr->item, "空调压缩机");
  EXPECT_EQ(lr->asset, "GZ-2019-0042");
  EXPECT_EQ(lr->value_fen, 30000);
  EXPECT_EQ(lr->filed_by, "tom");
  // A second live report for the same job, or the same id, is refused.
  ExpectRefused(RecordCause(*s, kTom, "rep-1", Wear("loss-2"), kNow), "loss_report_id");
  ExpectRefused(RecordCause(*s, kTom, "rep-1", Wear("loss-1"), kNow), "loss_report_id");
  // The leader cannot approve before finance has reviewed.
  ExpectRefused(ApproveLossReport(*s, kDirk, "loss-1", "", kNow), "status");
  ExpectRefused(ReviewLossReport(*s, kDirk, "loss-1", "", kNow), "role");
  Do(*s, kFay, ReviewLossReport(*s, kFay, "loss-1", "金额无误", kNow));
  EXPECT_EQ(FindLossReport(*s, "loss-1")->status, "reviewed");
  ExpectRefused(ApproveLossReport(*s, kFay, "loss-1", "", kNow), "role");
  Do(*s, kOdin, ApproveLossReport(*s, kOdin, "loss-1", "同意核销", kNow));
  lr = FindLossReport(*s, "loss-1");
  EXPECT_EQ(lr->status, "written_off");
  EXPECT_EQ(lr->reviewed_by, "fay");
  EXPECT_EQ(lr->approved_by, "odin");
  ExpectRefused(RejectLossReport(*s, kDirk, "loss-1", "no", kNow), "status");
  ExpectRefused(ReviewLossReport(*s, kFay, "loss-none", "", kNow), "loss_report");
  EXPECT_TRUE(s->Conflicts()->empty());
}

TEST_F(RepairsTest, LossReportRefusalsAndRejection) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Assigned(*s, "rep-1");
  Do(*s, kTom, StartRepair(*s, kTom, "rep-1", kNow));
  CauseInput no_item = Wear("loss-1");
  no_item.item = " ";
  ExpectRefused(RecordCause(*s, kTom, "rep-1", no_item, kNow), "item");
  ExpectRefused(RecordCause(*s, kTom, "rep-1", Wear(""), kNow), "loss_report_id");
  ExpectRefused(RecordCause(*s, kTom, "rep-1", Wear("loss-1", -5), kNow), "value_fen");
  CauseInput zero = Wear("loss-1");
  zero.quantity = 0;
  ExpectRefused(RecordCause(*s, kTom, "rep-1", zero, kNow), "quantity");
  // The coordinator (dirk also holds that role) files; dirk cannot then approve his own report.
  const Author dirk_coord{"dirk", std::string(role::kRepairCoordinator), ""};
  Do(*s, dirk_coord, RecordCause(*s, dirk_coord, "rep-1", Wear("loss-1"), kNow));
  Do(*s, kFay, ReviewLossReport(*s, kFay, "loss-1", "", kNow));
  ExpectRefused(ApproveLossReport(*s, kDirk, "loss-1", "", kNow), "approver");
  ExpectRefused(RejectLossReport(*s, kOdin, "loss-1", " ", kNow), "reason");
  Do(*s, kOdin, RejectLossReport(*s, kOdin, "loss-1", "尚可修复", kNow));
  EXPECT_EQ(FindLossReport(*s, "loss-1")->status, "rejected");
  // Once rejected, a new loss report may be filed for the job.
  Do(*s, kTom, RecordCause(*s, kTom, "rep-1", Wear("loss-2"), kNow));
  EXPECT_EQ(FindRepair(*s, "rep-1", kNow)->loss_reports, (std::vector<std::string>{"loss-1", "loss-2"}));
  // Finance may reject before review too.
  Do(*s, kFay, RejectLossReport(*s, kFay, "loss-2", "缺资产编号", kNow));
  EXPECT_EQ(FindLossReport(*s, "loss-2")->status, "rejected");
  // The filer's own review is refused.
  Assigned(*s, "rep-2");
  Do(*s, kTom, StartRepair(*s, kTom, "rep-2", kNow));
  const Author fay_tech{"fay", std::string(role::kRepairCoordinator), ""};
  Do(*s, fay_tech, RecordCause(*s, fay_tech, "rep-2", Wear("loss-3"), kNow));
  ExpectRefused(ReviewLossReport(*s, kFay, "loss-3", "", kNow), "reviewer");
}

TEST_F(RepairsTest, ASelfApprovalArrivingInTheFoldIsKeptAndChangesNothing) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Assigned(*s, "rep-1");
  Do(*s, kTom, StartRepair(*s, kTom, "rep-1", kNow));
  Do(*s, kTom, RecordCause(*s, kTom, "rep-1", Wear("loss-1"), kNow));
  // A device that skipped the command's check: tom reviews his own report.
  const Author tom_finance{"tom", std::string(role::kFinance), ""};
  ASSERT_TRUE(s->Append(tom_finance, {{"loss_report", "loss-1", "loss_report.reviewed", Json{{"note", ""}}}}).ok());
  EXPECT_EQ(FindLossReport(*s, "loss-1")->status, "filed");
  EXPECT_EQ(ConflictsOf(*s, entity::kLossReport, "loss-1", "self_approval").size(), 1u);
  EXPECT_TRUE(s->VerifyMaterialized().ok());
}

TEST_F(RepairsTest, ACauseChangedAwayFromWearFlagsTheLossReport) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Assigned(*a, "rep-1");
  Do(*a, kTom, StartRepair(*a, kTom, "rep-1", kNow));
  ExchangeAll(*a, *b);
  // Offline: tom files normal wear; the coordinator, told otherwise, records human damage.
  Do(*a, kTom, RecordCause(*a, kTom, "rep-1", Wear("loss-1"), kNow));
  Do(*b, kCora, RecordCause(*b, kCora, "rep-1", Cause("human", "学生踢坏", "李四", 5000), kNow));
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    EXPECT_EQ(FindRepair(*s, "rep-1", kNow)->cause, "human");  // the later by order
    auto on_job = ConflictsOf(*s, entity::kRepair, "rep-1", "cause_mismatch");
    auto on_report = ConflictsOf(*s, entity::kLossReport, "loss-1", "cause_mismatch");
    ASSERT_EQ(on_job.size(), 1u);
    ASSERT_EQ(on_report.size(), 1u);
    EXPECT_EQ(on_job[0].Id(), on_report[0].Id());
    EXPECT_EQ(on_job[0].source, "loss_report_cause");
    EXPECT_FALSE(on_job[0].reason.zh.empty());
  }
  ExpectConverged(*a, *b);
  // Rejecting the report (finance) clears the clash; so would recording wear again.
  Do(*a, kFay, RejectLossReport(*a, kFay, "loss-1", "人为损坏应赔偿", kNow));
  EXPECT_TRUE(ConflictsOf(*a, entity::kRepair, "rep-1", "cause_mismatch").empty());
  EXPECT_TRUE(a->VerifyMaterialized().ok());
}

// ---------------------------------------------------------------------------
// Offline clashes

TEST_F(RepairsTest, TwoCoordinatorsAssigningDifferentTechniciansOfflineConflict) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Triaged(*a, "rep-1");
  ExchangeAll(*a, *b);
  Do(*a, kCora, AssignRepair(*a, kCora, "rep-1", {"tom", ""}, "", kNow));
  Do(*b, kCody, AssignRepair(*b, kCody, "rep-1", {"tim", ""}, "", kNow));  // later by the clock
  auto a_events = a->EventsOf("repair", "rep-1");
  auto b_events = b->EventsOf("repair", "rep-1");
  const std::string first = a_events->back().id, second = b_events->back().id;
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    auto r = FindRepair(*s, "rep-1", kNow);
    EXPECT_EQ(r->technician, "tim");  // the later assignment is shown...
    auto c = ConflictsOf(*s, entity::kRepair, "rep-1", "double_assignment");
    ASSERT_EQ(c.size(), 1u);  // ...and flagged, naming both assignments
    std::vector<std::string> ids = c[0].events;
    std::sort(ids.begin(), ids.end());
    std::vector<std::string> want{first, second};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(ids, want);
    EXPECT_NE(c[0].reason.en.find("tom"), std::string::npos);
    EXPECT_NE(c[0].reason.zh.find("tim"), std::string::npos);
  }
  ExpectConverged(*a, *b);
  // A fresh assignment made with both in view settles the clash.
  auto settle = AssignRepair(*a, kCora, "rep-1", {"tom", ""}, "两人都去过了, 由 tom 负责", kNow);
  ASSERT_TRUE(settle.ok());
  EXPECT_EQ(settle->drafts.size(), 2u);
  Do(*a, kCora, settle);
  ExchangeAll(*a, *b);
  EXPECT_TRUE(ConflictsOf(*b, entity::kRepair, "rep-1", "double_assignment").empty());
  EXPECT_EQ(FindRepair(*b, "rep-1", kNow)->technician, "tom");
  ExpectConverged(*a, *b);
}

TEST_F(RepairsTest, TwoCoordinatorsAgreeingOfflineIsNoConflict) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Do(*a, kAlice, ReportRepair(*a, kAlice, Req("rep-1"), kNow));
  ExchangeAll(*a, *b);
  Do(*a, kCora, TriageRepair(*a, kCora, "rep-1", size::kSmall, Cal(), kNow));
  Do(*b, kCody, TriageRepair(*b, kCody, "rep-1", size::kSmall, Cal(), kNow));
  ExchangeAll(*a, *b);
  Do(*a, kCora, AssignRepair(*a, kCora, "rep-1", {"tom", ""}, "", kNow));
  Do(*b, kCody, AssignRepair(*b, kCody, "rep-1", {"tom", ""}, "", kNow));
  ExchangeAll(*a, *b);
  EXPECT_TRUE(a->Conflicts()->empty());
  EXPECT_EQ(FindRepair(*a, "rep-1", kNow)->technician, "tom");
  ExpectConverged(*a, *b);
}

TEST_F(RepairsTest, TwoCoordinatorsTriagingDifferentlyOfflineConflict) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Do(*a, kAlice, ReportRepair(*a, kAlice, Req("rep-1"), kNow));
  ExchangeAll(*a, *b);
  Do(*a, kCora, TriageRepair(*a, kCora, "rep-1", size::kSmall, Cal(), kNow));
  Do(*b, kCody, TriageRepair(*b, kCody, "rep-1", size::kLarge, Cal(), kNow));
  ExchangeAll(*a, *b);
  EXPECT_EQ(ConflictsOf(*a, entity::kRepair, "rep-1", "workflow").size(), 1u);
  EXPECT_EQ(FindRepair(*b, "rep-1", kNow)->size, "small");  // the first stands
  ExpectConverged(*a, *b);
}

// The requester cancels on her phone while the technician, offline, works the job: whichever
// arrives first, the work is shown and the cancellation is a conflict.
TEST_F(RepairsTest, CancelWhileTheTechnicianMarksItDoneCancelArrivingLast) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Assigned(*a, "rep-1");
  ExchangeAll(*a, *b);
  Do(*b, kTom, StartRepair(*b, kTom, "rep-1", kNow));
  Do(*b, kTom, CompleteRepair(*b, kTom, "rep-1", "", {}, kNow));
  Do(*a, kAlice, CancelRepair(*a, kAlice, "rep-1", "不用修了", kNow));  // later by the clock
  EXPECT_EQ(StatusOf(*a, "rep-1"), "cancelled");
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    EXPECT_EQ(StatusOf(*s, "rep-1"), "done");
    auto c = ConflictsOf(*s, entity::kRepair, "rep-1", "cancelled_while_worked");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].events.size(), 2u);
    EXPECT_FALSE(c[0].reason.en.empty());
    EXPECT_FALSE(c[0].reason.zh.empty());
  }
  ExpectConverged(*a, *b);
}

TEST_F(RepairsTest, CancelWhileTheTechnicianMarksItDoneCancelArrivingFirst) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Assigned(*a, "rep-1");
  ExchangeAll(*a, *b);
  Do(*a, kAlice, CancelRepair(*a, kAlice, "rep-1", "不用修了", kNow));
  Do(*b, kTom, StartRepair(*b, kTom, "rep-1", kNow));  // later by the clock
  Do(*b, kTom, RecordRepairCost(*b, kTom, "rep-1", {"part", "阀芯", 1, 2500, ""}, kNow));
  Do(*b, kTom, CompleteRepair(*b, kTom, "rep-1", "", {}, kNow));
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    auto r = FindRepair(*s, "rep-1", kNow);
    EXPECT_EQ(r->status, "done");
    EXPECT_EQ(r->parts_fen, 2500);
    EXPECT_EQ(r->technician, "tom");
    EXPECT_EQ(ConflictsOf(*s, entity::kRepair, "rep-1", "cancelled_while_worked").size(), 1u);
    EXPECT_TRUE(ConflictsOf(*s, entity::kRepair, "rep-1", "workflow").empty());
  }
  ExpectConverged(*a, *b);
  // The requester confirms after all; resolving the mark clears it everywhere.
  auto c = ConflictsOf(*a, entity::kRepair, "rep-1", "cancelled_while_worked");
  ASSERT_EQ(c.size(), 1u);
  Command resolve;
  resolve.drafts.push_back({"repair", "rep-1", "conflict.resolved", Json{{"conflict", c[0].Id()}, {"note", "修好了"}}});
  Do(*a, kCora, resolve);
  Do(*a, kAlice, ConfirmRepair(*a, kAlice, "rep-1", 5, "", kNow));
  ExchangeAll(*a, *b);
  EXPECT_TRUE(b->Conflicts()->empty());
  EXPECT_EQ(StatusOf(*b, "rep-1"), "confirmed");
  ExpectConverged(*a, *b);
}

TEST_F(RepairsTest, AConfirmationArrivingAfterARejectionIsAWorkflowConflict) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Done(*a, "rep-1");
  ExchangeAll(*a, *b);
  // The requester on two devices: rejects on one, confirms on the other.
  Do(*a, kAlice, RejectRepair(*a, kAlice, "rep-1", "还漏", Cal(), kNow));
  Do(*b, kAlice, ConfirmRepair(*b, kAlice, "rep-1", 3, "", kNow));
  ExchangeAll(*a, *b);
  EXPECT_EQ(StatusOf(*a, "rep-1"), "reopened");
  EXPECT_EQ(ConflictsOf(*a, entity::kRepair, "rep-1", "workflow").size(), 1u);
  ExpectConverged(*a, *b);
}

// ---------------------------------------------------------------------------
// Satisfaction

TEST_F(RepairsTest, SatisfactionRateOverAPeriod) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  const LocalTime march = T("2026-03-10T10:00"), april = T("2026-04-08T10:00");
  for (const char* id : {"r1", "r2", "r3", "r4", "r5"}) Done(*s, id);
  Do(*s, kAlice, ConfirmRepair(*s, kAlice, "r1", 5, "", march));
  Do(*s, kAlice, ConfirmRepair(*s, kAlice, "r2", 4, "", march));
  Do(*s, kAlice, ConfirmRepair(*s, kAlice, "r3", 2, "", march));
  Do(*s, kAlice, RejectRepair(*s, kAlice, "r4", "没修好", Cal(), march));
  Do(*s, kTom, StartRepair(*s, kTom, "r4", march));
  Do(*s, kTom, CompleteRepair(*s, kTom, "r4", "", {}, march));
  Do(*s, kAlice, ConfirmRepair(*s, kAlice, "r4", 5, "", march));
  Do(*s, kAlice, ConfirmRepair(*s, kAlice, "r5", 3, "", april));  // another month
  const SatisfactionReport m = Satisfaction(*s, D("2026-03-01"), D("2026-03-31"));
  EXPECT_EQ(m.verdicts, 5);
  EXPECT_EQ(m.confirmed, 4);
  EXPECT_EQ(m.rejected, 1);
  EXPECT_EQ(m.satisfied, 3);
  EXPECT_EQ(m.rate_percent, 60);
  EXPECT_EQ(m.rate_permille, 600);
  EXPECT_EQ(m.average_rating_x100, 400);  // (5 + 4 + 2 + 5) / 4
  EXPECT_EQ(m.ratings, (std::array<int, 5>{0, 1, 0, 1, 2}));
  const SatisfactionReport q = Satisfaction(*s, D("2026-03-01"), D("2026-04-30"));
  EXPECT_EQ(q.verdicts, 6);
  EXPECT_EQ(q.rate_percent, 50);
  EXPECT_EQ(q.average_rating_x100, 380);  // 19 / 5
  // Nothing in a period: all zero, no division.
  const SatisfactionReport none = Satisfaction(*s, D("2025-01-01"), D("2025-12-31"));
  EXPECT_EQ(none.verdicts, 0);
  EXPECT_EQ(none.rate_percent, 0);
  // Narrowed to an assignee.
  EXPECT_EQ(Satisfaction(*s, D("2026-03-01"), D("2026-04-30"), "tom").verdicts, 6);
  EXPECT_EQ(Satisfaction(*s, D("2026-03-01"), D("2026-04-30"), "tim").verdicts, 0);
  // A stricter site: only 5 counts as satisfied.
  ASSERT_TRUE(s->Append(kAdmin, {SetRules(Json{{"satisfied_min_rating", 5}})}).ok());
  const SatisfactionReport strict = Satisfaction(*s, D("2026-03-01"), D("2026-03-31"));
  EXPECT_EQ(strict.satisfied, 2);
  EXPECT_EQ(strict.rate_percent, 40);
  // Two of three: 66.7% rounds to 67.
  auto t = Open("t.db", "dev-t");
  Seed(*t);
  for (const char* id : {"x1", "x2", "x3"}) Done(*t, id);
  Do(*t, kAlice, ConfirmRepair(*t, kAlice, "x1", 5, "", march));
  Do(*t, kAlice, ConfirmRepair(*t, kAlice, "x2", 5, "", march));
  Do(*t, kAlice, ConfirmRepair(*t, kAlice, "x3", 1, "", march));
  EXPECT_EQ(Satisfaction(*t, D("2026-03-01"), D("2026-03-31")).rate_percent, 67);
  EXPECT_EQ(Satisfaction(*t, D("2026-03-01"), D("2026-03-31")).rate_permille, 667);
}

TEST_F(RepairsTest, ListsFilterByStatusAndAssignee) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Assigned(*s, "r1");
  Triaged(*s, "r2");
  Do(*s, kCora, AssignRepair(*s, kCora, "r2", {"", "prop-1"}, "", kNow));
  Do(*s, kAlice, ReportRepair(*s, kAlice, Req("r3"), kNow));
  RepairFilter by_status;
  by_status.status = "assigned";
  EXPECT_EQ(ListRepairs(*s, by_status, kNow).size(), 2u);
  RepairFilter by_tech;
  by_tech.technician = "tom";
  ASSERT_EQ(ListRepairs(*s, by_tech, kNow).size(), 1u);
  RepairFilter by_contractor;
  by_contractor.contractor = "prop-1";
  EXPECT_EQ(ListRepairs(*s, by_contractor, kNow)[0].id, "r2");
  EXPECT_EQ(ListRepairs(*s, {}, kNow).size(), 3u);
}

// ---------------------------------------------------------------------------
// Preventive maintenance

TEST(RepairsPeriods, PeriodsAreAlignedToTheCalendar) {
  auto p = PeriodOf(frequency::kSemiMonthly, D("2026-02-20"));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "2026-02-2");
  EXPECT_EQ(p->first, D("2026-02-16"));
  EXPECT_EQ(p->last, D("2026-02-28"));
  EXPECT_EQ(PeriodOf(frequency::kSemiMonthly, D("2026-02-15"))->key, "2026-02-1");
  EXPECT_EQ(PeriodOf(frequency::kMonthly, D("2026-12-31"))->key, "2026-12");
  EXPECT_EQ(PeriodOf(frequency::kMonthly, D("2026-12-31"))->last, D("2026-12-31"));
  EXPECT_EQ(PeriodOf(frequency::kQuarterly, D("2026-05-05"))->key, "2026-Q2");
  EXPECT_EQ(PeriodOf(frequency::kQuarterly, D("2026-05-05"))->first, D("2026-04-01"));
  EXPECT_EQ(PeriodOf(frequency::kQuarterly, D("2026-05-05"))->last, D("2026-06-30"));
  EXPECT_EQ(PeriodOf(frequency::kHalfYearly, D("2026-07-01"))->key, "2026-H2");
  EXPECT_EQ(PeriodOf(frequency::kHalfYearly, D("2026-06-30"))->last, D("2026-06-30"));
  EXPECT_EQ(PeriodOf(frequency::kYearly, D("2026-06-30"))->key, "2026");
  EXPECT_FALSE(PeriodOf("fortnightly", D("2026-06-30")).has_value());
  EXPECT_EQ(MaintenanceJobId("lift-1", "2026-03"), "lift-1@2026-03");
}

MaintenanceSchedule Schedule(const std::string& id, std::string_view freq, const char* start,
                             std::string_view target = maintenance_target::kLift) {
  MaintenanceSchedule s;
  s.id = id;
  s.name = "1号楼电梯维保";
  s.target = std::string(target);
  s.frequency = std::string(freq);
  s.location = {"office", "1号楼", "", ""};
  s.asset = "DT-01";
  s.start = Date::Parse(start);
  return s;
}

TEST_F(RepairsTest, MaintenanceJobsAreGeneratedFromTheScheduleOnce) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Do(*s, kCora, DefineMaintenanceSchedule(*s, kCora, Schedule("lift-1", frequency::kMonthly, "2026-01-15"), kNow));
  auto ac = Schedule("ac-1", frequency::kHalfYearly, "2026-01-01", maintenance_target::kAirConditioner);
  ac.contractor = "prop-1";
  Do(*s, kCora, DefineMaintenanceSchedule(*s, kCora, ac, kNow));
  auto gen = GenerateMaintenanceJobs(*s, kTom, kNow);
  ASSERT_TRUE(gen.ok());
  ASSERT_EQ(gen->drafts.size(), 4u);  // lift: Jan, Feb, Mar; air conditioning: H1
  Do(*s, kTom, gen);
  auto jobs = MaintenanceJobs(*s, kNow, true);
  ASSERT_EQ(jobs.size(), 4u);
  EXPECT_EQ(jobs[0].id, "lift-1@2026-01");
  EXPECT_EQ(jobs[0].due, D("2026-01-31"));
  EXPECT_TRUE(jobs[0].overdue);
  EXPECT_EQ(jobs[2].id, "lift-1@2026-03");
  EXPECT_FALSE(jobs[2].overdue);
  EXPECT_EQ(jobs[3].id, "ac-1@2026-H1");
  EXPECT_EQ(jobs[3].contractor, "prop-1");
  EXPECT_EQ(jobs[3].target, "air_conditioner");
  EXPECT_EQ(jobs[3].location.building, "1号楼");
  // Generating again finds nothing new.
  auto again = GenerateMaintenanceJobs(*s, kCora, kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->drafts.empty());
  // Next month brings the next job only.
  auto april = GenerateMaintenanceJobs(*s, kCora, T("2026-04-01T08:00"));
  ASSERT_EQ(april->drafts.size(), 1u);
  EXPECT_EQ(april->drafts[0].entity_id, "lift-1@2026-04");
  ExpectRefused(GenerateMaintenanceJobs(*s, kAlice, kNow), "role");
}

TEST_F(RepairsTest, TwoDevicesGeneratingOfflineMakeTheSameRecords) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Do(*a, kCora, DefineMaintenanceSchedule(*a, kCora, Schedule("lift-1", frequency::kSemiMonthly, "2026-03-01"), kNow));
  ExchangeAll(*a, *b);
  Do(*a, kCora, GenerateMaintenanceJobs(*a, kCora, T("2026-03-20T08:00")));
  Do(*b, kTom, GenerateMaintenanceJobs(*b, kTom, T("2026-03-20T09:00")));
  ExchangeAll(*a, *b);
  auto jobs = MaintenanceJobs(*a, T("2026-03-20T09:00"), false);
  ASSERT_EQ(jobs.size(), 2u);  // 2026-03-1 and 2026-03-2, once each
  EXPECT_EQ(jobs[0].id, "lift-1@2026-03-1");
  EXPECT_EQ(jobs[1].id, "lift-1@2026-03-2");
  EXPECT_EQ(a->EventsOf("maintenance_job", "lift-1@2026-03-1")->size(), 2u);  // both events kept
  EXPECT_TRUE(a->Conflicts()->empty());
  ExpectConverged(*a, *b);
}

TEST_F(RepairsTest, MaintenanceCompletionRecordsAndRefusals) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  auto lift = Schedule("lift-1", frequency::kMonthly, "2026-03-01");
  lift.technician = "tom";
  Do(*s, kCora, DefineMaintenanceSchedule(*s, kCora, lift, kNow));
  auto ac = Schedule("ac-1", frequency::kYearly, "2026-03-01", maintenance_target::kAirConditioner);
  ac.contractor = "prop-1";
  Do(*s, kCora, DefineMaintenanceSchedule(*s, kCora, ac, kNow));
  Do(*s, kCora, DefineMaintenanceSchedule(*s, kCora, Schedule("snd-1", frequency::kQuarterly, "2026-01-01",
                                                              maintenance_target::kSoundSystem), kNow));
  Do(*s, kCora, GenerateMaintenanceJobs(*s, kCora, kNow));
  ExpectRefused(CompleteMaintenance(*s, kTim, "lift-1@2026-03", "ok", "", kNow), "technician");
  ExpectRefused(CompleteMaintenance(*s, kTom, "lift-1@2026-03", "fine", "", kNow), "result");
  ExpectRefused(CompleteMaintenance(*s, kTom, "lift-1@2026-03", "issues", " ", kNow), "notes");
  ExpectRefused(CompleteMaintenance(*s, kTom, "lift-1@2099-01", "ok", "", kNow), "job");
  Do(*s, kTom, CompleteMaintenance(*s, kTom, "lift-1@2026-03", "issues", "钢丝绳磨损, 已报修", kNow));
  auto job = FindMaintenanceJob(*s, "lift-1@2026-03", kNow);
  EXPECT_EQ(job->status, "completed");
  EXPECT_EQ(job->completed_by, "tom");
  EXPECT_EQ(job->result, "issues");
  EXPECT_EQ(job->completed_at, kNow);
  ExpectRefused(CompleteMaintenance(*s, kTom, "lift-1@2026-03", "ok", "", kNow), "status");
  // The contractor's job: its staff or the coordinator.
  ExpectRefused(CompleteMaintenance(*s, kTom, "ac-1@2026", "ok", "", kNow), "technician");
  Do(*s, kPete, CompleteMaintenance(*s, kPete, "ac-1@2026", "ok", "清洗完毕", kNow));
  // No assignee: any technician; late completion warns.
  Command late = Do(*s, kTim, CompleteMaintenance(*s, kTim, "snd-1@2026-Q1", "ok", "", T("2026-04-02T09:00")));
  EXPECT_TRUE(HasWarning(late, "late"));
  // Skipping needs the coordinator and a reason.
  Do(*s, kCora, GenerateMaintenanceJobs(*s, kCora, T("2026-04-01T08:00")));
  ExpectRefused(SkipMaintenance(*s, kTom, "lift-1@2026-04", "停用", kNow), "role");
  ExpectRefused(SkipMaintenance(*s, kCora, "lift-1@2026-04", " ", kNow), "reason");
  Do(*s, kCora, SkipMaintenance(*s, kCora, "lift-1@2026-04", "电梯改造停用", kNow));
  EXPECT_EQ(FindMaintenanceJob(*s, "lift-1@2026-04", kNow)->status, "skipped");
}

TEST_F(RepairsTest, MaintenanceSchedulesRefusalsBackfillAndPause) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  auto with = [](auto change) {
    auto sch = Schedule("x", frequency::kMonthly, "2026-01-01");
    change(sch);
    return sch;
  };
  ExpectRefused(DefineMaintenanceSchedule(*s, kTom, with([](auto&) {}), kNow), "role");
  ExpectRefused(DefineMaintenanceSchedule(*s, kCora, with([](auto& x) { x.id = ""; }), kNow), "id");
  ExpectRefused(DefineMaintenanceSchedule(*s, kCora, with([](auto& x) { x.id = "a@b"; }), kNow), "id");
  ExpectRefused(DefineMaintenanceSchedule(*s, kCora, with([](auto& x) { x.name = ""; }), kNow), "name");
  ExpectRefused(DefineMaintenanceSchedule(*s, kCora, with([](auto& x) { x.target = "boiler"; }), kNow), "target");
  ExpectRefused(DefineMaintenanceSchedule(*s, kCora, with([](auto& x) { x.frequency = "weekly"; }), kNow), "frequency");
  ExpectRefused(DefineMaintenanceSchedule(*s, kCora, with([](auto& x) { x.start.reset(); }), kNow), "start");
  ExpectRefused(DefineMaintenanceSchedule(*s, kCora, with([](auto& x) { x.location.area = "moon"; }), kNow), "area");
  ExpectRefused(DefineMaintenanceSchedule(*s, kCora, with([](auto& x) { x.technician = "alice"; }), kNow),
                "technician");
  ExpectRefused(DefineMaintenanceSchedule(*s, kCora, with([](auto& x) { x.contractor = "none"; }), kNow), "contractor");
  ExpectRefused(DefineMaintenanceSchedule(*s, kCora, with([](auto& x) {
                  x.technician = "tom";
                  x.contractor = "prop-1";
                }), kNow),
                "assignee");
  // A schedule that began long ago: only the latest periods are generated.
  Do(*s, kAdmin, DefineMaintenanceSchedule(*s, kAdmin, Schedule("old", frequency::kMonthly, "2020-01-01"), kNow));
  auto gen = GenerateMaintenanceJobs(*s, kCora, kNow);
  ASSERT_EQ(gen->drafts.size(), static_cast<std::size_t>(kMaxGeneratedPeriods));
  EXPECT_EQ(gen->drafts.front().entity_id, "old@2025-04");
  EXPECT_EQ(gen->drafts.back().entity_id, "old@2026-03");
  // Paused, or not yet started: nothing.
  auto paused = Schedule("old", frequency::kMonthly, "2020-01-01");
  paused.active = false;
  Do(*s, kCora, DefineMaintenanceSchedule(*s, kCora, paused, kNow));
  EXPECT_FALSE(FindMaintenanceSchedule(*s, "old")->active);
  Do(*s, kCora, DefineMaintenanceSchedule(*s, kCora, Schedule("future", frequency::kMonthly, "2026-06-01"), kNow));
  EXPECT_TRUE(GenerateMaintenanceJobs(*s, kCora, kNow)->drafts.empty());
}

TEST_F(RepairsTest, TwoCompletionRecordsOfflineConflict) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Do(*a, kCora, DefineMaintenanceSchedule(*a, kCora, Schedule("lift-1", frequency::kMonthly, "2026-03-01"), kNow));
  Do(*a, kCora, GenerateMaintenanceJobs(*a, kCora, kNow));
  ExchangeAll(*a, *b);
  Do(*a, kTom, CompleteMaintenance(*a, kTom, "lift-1@2026-03", "ok", "", kNow));
  Do(*b, kTim, CompleteMaintenance(*b, kTim, "lift-1@2026-03", "ok", "", kNow));
  ExchangeAll(*a, *b);
  EXPECT_EQ(FindMaintenanceJob(*a, "lift-1@2026-03", kNow)->completed_by, "tom");
  EXPECT_EQ(ConflictsOf(*a, entity::kMaintenanceJob, "lift-1@2026-03", "workflow").size(), 1u);
  ExpectConverged(*a, *b);
}

// ---------------------------------------------------------------------------
// Major repairs of fixed assets

MajorRepairInput Major(const std::string& id) {
  MajorRepairInput m;
  m.id = id;
  m.title = "1号楼屋面防水修缮";
  m.asset = "FW-1999-001";
  m.location = {"office", "1号楼", "屋顶", ""};
  m.estimate_fen = 50'000'000;  // 500,000 CNY
  m.plan = "全面翻新防水层";
  return m;
}

TenderInput Tender(std::int64_t amount = 46'000'000) {
  TenderInput t;
  t.reference = "ZB-2026-018";
  t.method = std::string(tender_method::kPublic);
  t.winner = "某建筑公司";
  t.amount_fen = amount;
  t.date = Date::Parse("2026-03-05");
  return t;
}

TEST_F(RepairsTest, AMajorRepairNeedsEstimateApprovalAndTenderBeforeWork) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Do(*s, kCora, EstimateMajorRepair(*s, kCora, Major("mr-1"), kNow));
  auto m = FindMajorRepair(*s, "mr-1");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->status, "estimated");
  EXPECT_EQ(m->estimate_fen, 50'000'000);
  EXPECT_EQ(m->estimated_by, "cora");
  ExpectRefused(StartMajorRepair(*s, kCora, "mr-1", kNow), "status");
  ExpectRefused(RecordTender(*s, kCora, "mr-1", Tender(), kNow), "status");
  ExpectRefused(ApproveMajorRepair(*s, kOdin, "mr-1", "", kNow), "role");
  Do(*s, kDirk, ApproveMajorRepair(*s, kDirk, "mr-1", "同意", kNow));
  EXPECT_EQ(FindMajorRepair(*s, "mr-1")->approved_by, "dirk");
  ExpectRefused(StartMajorRepair(*s, kCora, "mr-1", kNow), "status");
  ExpectRefused(RecordTender(*s, kDirk, "mr-1", Tender(), kNow), "role");
  Command t = Do(*s, kCora, RecordTender(*s, kCora, "mr-1", Tender(), kNow));
  EXPECT_FALSE(HasWarning(t, "over_estimate"));
  m = FindMajorRepair(*s, "mr-1");
  EXPECT_EQ(m->status, "tendered");
  EXPECT_EQ(m->tender_reference, "ZB-2026-018");
  EXPECT_EQ(m->winner, "某建筑公司");
  EXPECT_EQ(m->tender_fen, 46'000'000);
  ExpectRefused(CancelMajorRepair(*s, kCora, "mr-1", " ", kNow), "reason");
  Do(*s, kCora, StartMajorRepair(*s, kCora, "mr-1", kNow));
  EXPECT_EQ(FindMajorRepair(*s, "mr-1")->status, "in_progress");
  ExpectRefused(CancelMajorRepair(*s, kCora, "mr-1", "预算调整", kNow), "status");
  ExpectRefused(CompleteMajorRepair(*s, kCora, "mr-1", 0, "", kNow), "final_cost_fen");
  Command done = Do(*s, kCora, CompleteMajorRepair(*s, kCora, "mr-1", 47'000'000, "验收合格", kNow));
  EXPECT_TRUE(HasWarning(done, "over_tender"));
  m = FindMajorRepair(*s, "mr-1");
  EXPECT_EQ(m->status, "completed");
  EXPECT_EQ(m->final_cost_fen, 47'000'000);
}

TEST_F(RepairsTest, MajorRepairRefusalsRejectionAndRevision) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  auto with = [](auto change) {
    MajorRepairInput m = Major("mr-x");
    change(m);
    return m;
  };
  ExpectRefused(EstimateMajorRepair(*s, kTom, Major("mr-x"), kNow), "role");
  ExpectRefused(EstimateMajorRepair(*s, kCora, with([](auto& m) { m.id = ""; }), kNow), "id");
  ExpectRefused(EstimateMajorRepair(*s, kCora, with([](auto& m) { m.title = ""; }), kNow), "title");
  ExpectRefused(EstimateMajorRepair(*s, kCora, with([](auto& m) { m.asset = ""; }), kNow), "asset");
  ExpectRefused(EstimateMajorRepair(*s, kCora, with([](auto& m) { m.location.area = "x"; }), kNow), "area");
  ExpectRefused(EstimateMajorRepair(*s, kCora, with([](auto& m) { m.repair = "rep-none"; }), kNow), "repair");
  ExpectRefused(EstimateMajorRepair(*s, kCora, with([](auto& m) { m.estimate_fen = 0; }), kNow), "estimate_fen");
  ExpectRefused(EstimateMajorRepair(*s, kCora, with([](auto& m) { m.plan = ""; }), kNow), "plan");
  // dirk holds both roles: he estimates as coordinator and may not approve his own estimate.
  const Author dirk_coord{"dirk", std::string(role::kRepairCoordinator), ""};
  Do(*s, dirk_coord, EstimateMajorRepair(*s, dirk_coord, Major("mr-2"), kNow));
  ExpectRefused(ApproveMajorRepair(*s, kDirk, "mr-2", "", kNow), "approver");
  Do(*s, kCora, EstimateMajorRepair(*s, kCora, Major("mr-1"), kNow));
  ExpectRefused(EstimateMajorRepair(*s, kCora, Major("mr-1"), kNow), "id");
  ExpectRefused(RejectMajorRepair(*s, kDirk, "mr-1", " ", kNow), "reason");
  Do(*s, kDirk, RejectMajorRepair(*s, kDirk, "mr-1", "金额过高", kNow));
  EXPECT_EQ(FindMajorRepair(*s, "mr-1")->status, "rejected");
  ExpectRefused(ReviseMajorRepair(*s, kCora, "mr-1", 0, "x", kNow), "estimate_fen");
  ExpectRefused(ReviseMajorRepair(*s, kCora, "mr-1", 100, " ", kNow), "plan");
  Do(*s, kCora, ReviseMajorRepair(*s, kCora, "mr-1", 40'000'000, "局部修补", kNow));
  EXPECT_EQ(FindMajorRepair(*s, "mr-1")->status, "estimated");
  EXPECT_EQ(FindMajorRepair(*s, "mr-1")->estimate_fen, 40'000'000);
  Do(*s, kDirk, ApproveMajorRepair(*s, kDirk, "mr-1", "", kNow));
  auto with_tender = [](auto change) {
    TenderInput t = Tender();
    change(t);
    return t;
  };
  ExpectRefused(RecordTender(*s, kCora, "mr-1", with_tender([](auto& t) { t.reference = ""; }), kNow), "reference");
  ExpectRefused(RecordTender(*s, kCora, "mr-1", with_tender([](auto& t) { t.method = "lottery"; }), kNow), "method");
  ExpectRefused(RecordTender(*s, kCora, "mr-1", with_tender([](auto& t) { t.winner = ""; }), kNow), "winner");
  ExpectRefused(RecordTender(*s, kCora, "mr-1", with_tender([](auto& t) { t.amount_fen = 0; }), kNow), "amount_fen");
  ExpectRefused(RecordTender(*s, kCora, "mr-1", with_tender([](auto& t) { t.date.reset(); }), kNow), "date");
  ExpectRefused(RecordTender(*s, kCora, "mr-1", with_tender([](auto& t) { t.date = Date::Parse("2026-04-01"); }), kNow),
                "date");
  Command over = Do(*s, kCora, RecordTender(*s, kCora, "mr-1", Tender(), kNow));  // 460k over a 400k estimate
  EXPECT_TRUE(HasWarning(over, "over_estimate"));
  Do(*s, kDirk, CancelMajorRepair(*s, kDirk, "mr-1", "资金未落实", kNow));
  EXPECT_EQ(FindMajorRepair(*s, "mr-1")->status, "cancelled");
  ExpectRefused(ApproveMajorRepair(*s, kDirk, "mr-none", "", kNow), "major_repair");
}

TEST_F(RepairsTest, AnApprovalOfAnEstimateRevisedOfflineIsStale) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Do(*a, kCora, EstimateMajorRepair(*a, kCora, Major("mr-1"), kNow));
  ExchangeAll(*a, *b);
  Do(*a, kCora, ReviseMajorRepair(*a, kCora, "mr-1", 80'000'000, "扩大范围", kNow));
  Do(*b, kDirk, ApproveMajorRepair(*b, kDirk, "mr-1", "同意", kNow));  // saw 500k
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    auto m = FindMajorRepair(*s, "mr-1");
    EXPECT_EQ(m->status, "estimated");  // the director must decide on the new figure
    EXPECT_EQ(m->estimate_fen, 80'000'000);
    EXPECT_EQ(ConflictsOf(*s, entity::kMajorRepair, "mr-1", "stale_approval").size(), 1u);
  }
  ExpectConverged(*a, *b);
  Do(*a, kDirk, ApproveMajorRepair(*a, kDirk, "mr-1", "同意", kNow));
  EXPECT_EQ(FindMajorRepair(*a, "mr-1")->status, "approved");
}

TEST_F(RepairsTest, AMajorRepairSelfApprovalArrivingInTheFoldChangesNothing) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  const Author dirk_coord{"dirk", std::string(role::kRepairCoordinator), ""};
  Do(*s, dirk_coord, EstimateMajorRepair(*s, dirk_coord, Major("mr-1"), kNow));
  const std::string estimate = s->EventsOf("major_repair", "mr-1")->back().id;
  // A device that skipped the command's check.
  ASSERT_TRUE(s->Append(kDirk, {{"major_repair", "mr-1", "major_repair.approved",
                                 Json{{"note", ""}, {"estimate_event", estimate}}}})
                  .ok());
  EXPECT_EQ(FindMajorRepair(*s, "mr-1")->status, "estimated");
  EXPECT_EQ(ConflictsOf(*s, entity::kMajorRepair, "mr-1", "self_approval").size(), 1u);
  EXPECT_TRUE(s->VerifyMaterialized().ok());
}

// ---------------------------------------------------------------------------
// The property company: rectifications and the quarterly summary

RectificationInput Notice(const std::string& id, const char* deadline = "2026-03-12") {
  RectificationInput r;
  r.id = id;
  r.contractor = "prop-1";
  r.problem = "楼道照明多处不亮";
  r.deadline = Date::Parse(deadline);
  return r;
}

TEST_F(RepairsTest, TheContractorIsNotifiedAndItsRectificationTracked) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  ExpectRefused(NotifyRectification(*s, kTom, Notice("rc-1"), kNow), "role");
  auto with = [](auto change) {
    RectificationInput r = Notice("rc-x");
    change(r);
    return r;
  };
  ExpectRefused(NotifyRectification(*s, kCora, with([](auto& r) { r.id = ""; }), kNow), "id");
  ExpectRefused(NotifyRectification(*s, kCora, with([](auto& r) { r.contractor = "nobody"; }), kNow), "contractor");
  ExpectRefused(NotifyRectification(*s, kCora, with([](auto& r) { r.problem = " "; }), kNow), "problem");
  ExpectRefused(NotifyRectification(*s, kCora, with([](auto& r) { r.deadline.reset(); }), kNow), "deadline");
  ExpectRefused(NotifyRectification(*s, kCora, with([](auto& r) { r.deadline = Date::Parse("2026-03-01"); }), kNow),
                "deadline");
  ExpectRefused(NotifyRectification(*s, kCora, with([](auto& r) { r.repair = "rep-none"; }), kNow), "repair");
  ExpectRefused(NotifyRectification(*s, kCora, with([](auto& r) { r.inspection = "insp-none"; }), kNow), "inspection");
  Do(*s, kCora, NotifyRectification(*s, kCora, Notice("rc-1"), kNow));
  ExpectRefused(NotifyRectification(*s, kCora, Notice("rc-1"), kNow), "id");
  auto r = FindRectification(*s, "rc-1", kNow);
  EXPECT_EQ(r->status, "notified");
  EXPECT_FALSE(r->overdue);
  EXPECT_TRUE(FindRectification(*s, "rc-1", T("2026-03-13T08:00"))->overdue);
  ExpectRefused(ReportRectified(*s, kTom, "rc-1", "已更换灯管", kNow), "technician");
  ExpectRefused(ReportRectified(*s, kPete, "rc-1", " ", kNow), "note");
  ExpectRefused(VerifyRectification(*s, kCora, "rc-1", true, "", kNow), "status");
  Do(*s, kPete, ReportRectified(*s, kPete, "rc-1", "已更换灯管", kNow));
  EXPECT_EQ(FindRectification(*s, "rc-1", kNow)->status, "rectified");
  ExpectRefused(VerifyRectification(*s, kCora, "rc-1", false, " ", kNow), "note");
  ExpectRefused(VerifyRectification(*s, kPete, "rc-1", true, "", kNow), "role");
  Do(*s, kCora, VerifyRectification(*s, kCora, "rc-1", false, "三楼仍不亮", kNow));
  r = FindRectification(*s, "rc-1", kNow);
  EXPECT_EQ(r->status, "notified");
  EXPECT_EQ(r->returned, 1);
  EXPECT_FALSE(r->rectified_at.has_value());
  Command late = Do(*s, kCora, ReportRectified(*s, kCora, "rc-1", "三楼已修", T("2026-03-13T09:00")));
  EXPECT_TRUE(HasWarning(late, "late"));
  Do(*s, kCora, VerifyRectification(*s, kCora, "rc-1", true, "", T("2026-03-13T10:00")));
  r = FindRectification(*s, "rc-1", kNow);
  EXPECT_EQ(r->status, "verified");
  EXPECT_EQ(r->verified_at, T("2026-03-13T10:00"));
  ExpectRefused(ReportRectified(*s, kPete, "rc-none", "x", kNow), "rectification");
}

TEST_F(RepairsTest, QuarterlyQualitySummaryPerContractor) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  auto job = [&](const std::string& id) {
    Triaged(*s, id);
    Do(*s, kCora, AssignRepair(*s, kCora, id, {"", "prop-1"}, "", kNow));
  };
  job("p1");  // done in time, rated 5
  Do(*s, kPete, StartRepair(*s, kPete, "p1", kNow));
  Do(*s, kPete, CompleteRepair(*s, kPete, "p1", "", {}, kNow.AddMinutes(60)));
  Do(*s, kAlice, ConfirmRepair(*s, kAlice, "p1", 5, "", kNow.AddMinutes(120)));
  job("p2");  // done late, rated 3
  Do(*s, kPete, StartRepair(*s, kPete, "p2", kNow));
  Do(*s, kPete, CompleteRepair(*s, kPete, "p2", "", {}, T("2026-03-11T09:00")));
  Do(*s, kAlice, ConfirmRepair(*s, kAlice, "p2", 3, "", T("2026-03-11T10:00")));
  job("p3");  // still open, overdue
  Assigned(*s, "t1");  // an in-house job does not count
  Do(*s, kCora, NotifyRectification(*s, kCora, Notice("rc-1", "2026-03-12"), kNow));
  Do(*s, kPete, ReportRectified(*s, kPete, "rc-1", "done", T("2026-03-11T09:00")));
  Do(*s, kCora, NotifyRectification(*s, kCora, Notice("rc-2", "2026-03-20"), kNow));
  auto ac = Schedule("ac-1", frequency::kQuarterly, "2026-01-01", maintenance_target::kAirConditioner);
  ac.contractor = "prop-1";
  Do(*s, kCora, DefineMaintenanceSchedule(*s, kCora, ac, kNow));
  Do(*s, kCora, GenerateMaintenanceJobs(*s, kCora, kNow));
  Do(*s, kPete, CompleteMaintenance(*s, kPete, "ac-1@2026-Q1", "ok", "", kNow));

  const LocalTime end_of_march = T("2026-03-31T18:00");
  ContractorQuarter q = QuarterlySummary(*s, "prop-1", 2026, 1, end_of_march);
  EXPECT_EQ(q.jobs, 3);
  EXPECT_EQ(q.done, 2);
  EXPECT_EQ(q.done_on_time, 1);
  EXPECT_EQ(q.done_late, 1);
  EXPECT_EQ(q.open_overdue, 1);
  EXPECT_EQ(q.on_time_percent, 50);
  EXPECT_EQ(q.satisfaction.verdicts, 2);
  EXPECT_EQ(q.satisfaction.rate_percent, 50);
  EXPECT_EQ(q.maintenance_done, 1);
  EXPECT_EQ(q.rectifications, 2);
  EXPECT_EQ(q.rectified_in_time, 1);
  EXPECT_EQ(q.rectifications_open, 2);
  EXPECT_EQ(q.grade, "");
  EXPECT_EQ(QuarterlySummary(*s, "prop-1", 2026, 2, end_of_march).jobs, 0);

  ExpectRefused(EvaluateContractor(*s, kTom, "prop-1", 2026, 1, "good", "", end_of_march), "role");
  ExpectRefused(EvaluateContractor(*s, kCora, "nobody", 2026, 1, "good", "", end_of_march), "contractor");
  ExpectRefused(EvaluateContractor(*s, kCora, "prop-1", 2026, 5, "good", "", end_of_march), "quarter");
  ExpectRefused(EvaluateContractor(*s, kCora, "prop-1", 2026, 3, "good", "", end_of_march), "quarter");
  ExpectRefused(EvaluateContractor(*s, kCora, "prop-1", 2026, 1, "superb", "", end_of_march), "grade");
  Do(*s, kCora, EvaluateContractor(*s, kCora, "prop-1", 2026, 1, "qualified", "超时较多", end_of_march));
  EXPECT_EQ(QuarterlySummary(*s, "prop-1", 2026, 1, end_of_march).grade, "qualified");
  auto record = s->Get("contractor_evaluation", EvaluationId("prop-1", 2026, 1));
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->fields["jobs"], 3);
  EXPECT_EQ((*record)->fields["satisfaction_percent"], 50);
  EXPECT_EQ(EvaluationId("prop-1", 2026, 1), "prop-1@2026-Q1");
}

// ---------------------------------------------------------------------------
// Patrols and safety inspections

TEST_F(RepairsTest, AnInspectionRecordsTheAreasFireSafetyPersonAndAFindingBecomesARepair) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Command start = Do(*s, kGus, StartInspection(*s, kGus, {"insp-1", "inspection", "fire", "office", "1号楼"}, kNow));
  EXPECT_TRUE(start.warnings.empty());
  auto insp = FindInspection(*s, "insp-1");
  ASSERT_TRUE(insp.has_value());
  EXPECT_EQ(insp->status, "open");
  EXPECT_EQ(insp->type, "fire");
  EXPECT_EQ(insp->inspector, "gus");
  EXPECT_EQ(insp->fire_safety_person, "gus");
  // One step: the finding and the repair request in one batch.
  FindingInput f;
  f.id = "f-1";
  f.text = "三楼灭火器压力不足, 应急灯不亮";
  f.hazard = true;
  RepairInput rep;
  rep.id = "rep-f1";
  rep.category = std::string(category::kElectricity);
  rep.location.floor = "3";
  f.repair = rep;
  auto both = RecordFinding(*s, kGus, "insp-1", f, kNow);
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  ASSERT_EQ(both->drafts.size(), 2u);
  Do(*s, kGus, both);
  auto r = FindRepair(*s, "rep-f1", kNow);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, "reported");
  EXPECT_EQ(r->requester, "gus");
  EXPECT_EQ(r->inspection, "insp-1");
  EXPECT_EQ(r->location, (Location{"office", "1号楼", "3", ""}));
  EXPECT_EQ(r->description, "三楼灭火器压力不足, 应急灯不亮");
  insp = FindInspection(*s, "insp-1");
  ASSERT_EQ(insp->findings.size(), 1u);
  EXPECT_EQ(insp->findings[0].repair, "rep-f1");
  EXPECT_TRUE(insp->findings[0].hazard);
  // A finding fixed on the spot, and a hazard left open (warned).
  Do(*s, kGus, RecordFinding(*s, kGus, "insp-1", {"f-2", "消防通道堆放杂物", true, true, std::nullopt}, kNow));
  Command open_hazard =
      Do(*s, kGus, RecordFinding(*s, kGus, "insp-1", {"f-3", "配电箱未上锁", true, false, std::nullopt}, kNow));
  EXPECT_TRUE(HasWarning(open_hazard, "hazard_without_repair"));
  auto close = CloseInspection(*s, kGus, "insp-1", "共发现 3 处问题", kNow);
  ASSERT_TRUE(close.ok());
  EXPECT_TRUE(HasWarning(*close, "hazard_without_repair"));
  Do(*s, kGus, close);
  insp = FindInspection(*s, "insp-1");
  EXPECT_EQ(insp->status, "closed");
  EXPECT_EQ(insp->findings.size(), 3u);
  EXPECT_EQ(insp->summary, "共发现 3 处问题");
  ExpectRefused(RecordFinding(*s, kGus, "insp-1", {"f-4", "x", false, false, std::nullopt}, kNow), "status");
  ExpectRefused(CloseInspection(*s, kGus, "insp-1", "", kNow), "status");
  EXPECT_TRUE(s->VerifyMaterialized().ok());
}

TEST_F(RepairsTest, InspectionRefusals) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  ExpectRefused(StartInspection(*s, kAlice, {"i", "inspection", "fire", "office", ""}, kNow), "role");
  ExpectRefused(StartInspection(*s, kGus, {"", "inspection", "fire", "office", ""}, kNow), "id");
  ExpectRefused(StartInspection(*s, kGus, {"i", "walk", "fire", "office", ""}, kNow), "kind");
  ExpectRefused(StartInspection(*s, kGus, {"i", "inspection", "kitchen", "office", ""}, kNow), "type");
  ExpectRefused(StartInspection(*s, kGus, {"i", "inspection", "fire", "", ""}, kNow), "area");
  ExpectRefused(StartInspection(*s, kGus, {"i", "inspection", "fire", "moon", ""}, kNow), "area");
  ExpectRefused(StartInspection(*s, kGus, {"i", "inspection", "fire", "office", "9号楼"}, kNow), "building");
  // A dormitory patrol in the residential area, which has no fire-safety person yet.
  Command warn = Do(*s, kTom, StartInspection(*s, kTom, {"i", "patrol", "dormitory", "homes", ""}, kNow));
  EXPECT_TRUE(HasWarning(warn, "no_fire_safety_person"));
  EXPECT_EQ(FindInspection(*s, "i")->kind, "patrol");
  ExpectRefused(StartInspection(*s, kGus, {"i", "inspection", "fire", "office", ""}, kNow), "id");
  ExpectRefused(RecordFinding(*s, kGus, "i", {"f", "x", false, false, std::nullopt}, kNow), "inspector");
  ExpectRefused(RecordFinding(*s, kTom, "i", {"", "x", false, false, std::nullopt}, kNow), "finding");
  ExpectRefused(RecordFinding(*s, kTom, "i", {"f", " ", false, false, std::nullopt}, kNow), "text");
  ExpectRefused(RecordFinding(*s, kTom, "i", {"f", "x", false, true, Req("rep-1")}, kNow), "repair");
  // The repair part is checked like any report: a bad category refuses the whole step.
  RepairInput bad = Req("rep-1");
  bad.category = "none";
  ExpectRefused(RecordFinding(*s, kTom, "i", {"f", "x", false, false, bad}, kNow), "category");
  EXPECT_FALSE(FindRepair(*s, "rep-1", kNow).has_value());
  EXPECT_TRUE(FindInspection(*s, "i")->findings.empty());
  // The coordinator may record for the inspector.
  Do(*s, kCora, RecordFinding(*s, kCora, "i", {"f", "窗户插销坏", false, false, Req("rep-1")}, kNow));
  ExpectRefused(RecordFinding(*s, kTom, "i", {"f", "again", false, false, std::nullopt}, kNow), "finding");
  ExpectRefused(CloseInspection(*s, kGus, "i", "", kNow), "inspector");
  ExpectRefused(CloseInspection(*s, kGus, "none", "", kNow), "inspection");
}

TEST_F(RepairsTest, AFindingWrittenOfflineAfterTheInspectionClosedIsKeptAndFlagged) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Do(*a, kGus, StartInspection(*a, kGus, {"insp-1", "inspection", "equipment", "office", ""}, kNow));
  ExchangeAll(*a, *b);
  Do(*a, kCora, CloseInspection(*a, kCora, "insp-1", "", kNow));
  Do(*b, kGus, RecordFinding(*b, kGus, "insp-1", {"f-1", "水泵异响", false, false, Req("rep-1")}, kNow));
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    EXPECT_EQ(FindInspection(*s, "insp-1")->status, "closed");
    EXPECT_EQ(ConflictsOf(*s, entity::kInspection, "insp-1", "workflow").size(), 1u);
    EXPECT_EQ(StatusOf(*s, "rep-1"), "reported");  // the repair request it raised stands
  }
  ExpectConverged(*a, *b);
}

// ---------------------------------------------------------------------------
// The tables themselves

TEST(RepairsWorkflows, EveryStepAndStatusIsLabelledInBothLanguages) {
  for (const Workflow* wf : {&RepairWorkflow(), &LossReportWorkflow(), &RectificationWorkflow(),
                             &MaintenanceJobWorkflow(), &MajorRepairWorkflow(), &InspectionWorkflow()}) {
    for (const auto& step : wf->steps()) {
      EXPECT_FALSE(step.label.en.empty()) << step.kind;
      EXPECT_FALSE(step.label.zh.empty()) << step.kind;
      EXPECT_EQ(step.kind.substr(0, wf->entity().size() + 1), std::string(wf->entity()) + ".") << step.kind;
      if (!step.to.empty()) {
        EXPECT_NE(wf->StatusText(step.to).zh, std::string(step.to)) << step.kind;
      }
    }
    for (const auto& st : wf->statuses()) {
      EXPECT_FALSE(st.label.en.empty());
      EXPECT_FALSE(st.label.zh.empty());
    }
  }
  EXPECT_EQ(Categories().size(), 11u);
  for (auto c : Categories()) EXPECT_NE(CategoryLabel(c).zh, std::string(c));
}

}  // namespace
}  // namespace houqin::repairs
