// Night duty (duty/duty.h) on real stores with the full domain: registers, PINs,
// roster, check-in, spot checks and fines, the log with escalations, the signed
// handover and its hash chain (tampered with through SQLite directly), patrols,
// and the offline clashes between two devices.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "directory/directory.h"
#include "domain.h"
#include "duty/duty.h"
#include "engine/command.h"
#include "repairs/repairs.h"
#include "test_support.h"
#include "util/uuid.h"

namespace houqin::duty {
namespace {

using testing::AllEvents;
using testing::ConflictsOf;
using testing::D;
using testing::ExchangeAll;
using testing::ExpectConverged;
using testing::ExpectRefused;
using testing::HasWarning;
using testing::T;

const LocalTime kMorning = T("2026-03-02T09:00");   // the admin rosters
const LocalTime kCheckIn = T("2026-03-02T17:55");   // s1 runs 18:00 → 08:00 the next morning
const LocalTime kEvening = T("2026-03-02T20:00");
const LocalTime kNight = T("2026-03-03T02:00");
const LocalTime kHandover = T("2026-03-03T08:05");

const Author kRoot{"root", std::string(role::kAdmin), ""};
const Author kLin{"lin", std::string(role::kDutyLeader), ""};   // 带班领导 of s1
const Author kLiu{"liu", std::string(role::kDutyLeader), ""};   // 带班领导 of s2
const Author kWang{"wang", std::string(role::kDutyOfficer), ""};
const Author kZhao{"zhao", std::string(role::kDutyOfficer), ""};
const Author kQian{"qian", std::string(role::kDutyOfficer), ""};  // on no shift
const Author kSun{"sun", std::string(role::kDutyOfficer), ""};    // takes over in s2
const Author kZhou{"zhou", std::string(role::kOfficeDirector), ""};  // a named checker
const Author kGao{"gao", std::string(role::kGuard), ""};
const Author kAmy{"amy", std::string(role::kStaff), ""};

const std::map<std::string, std::string> kPins = {{"wang", "2580"}, {"zhao", "139746"}, {"sun", "4862"}, {"lin", "9071"}};

void ExpectStatus(const Status& s, const std::string& field) {
  ASSERT_FALSE(s.ok()) << "expected a failure naming " << field;
  EXPECT_EQ(s.field(), field) << s.ToString();
  EXPECT_FALSE(s.en().empty());
  EXPECT_FALSE(s.zh().empty());
}

Json Fields(Store& s, std::string_view type, const std::string& id) {
  auto v = s.Get(std::string(type), id);
  if (!v.ok() || !v->has_value()) return Json();
  return (*v)->fields;
}

struct DutyTest : testing::DomainTest {
  // The PIN drafts are made once per test binary: scrypt is slow on purpose.
  static std::map<std::string, Draft>& PinDrafts() {
    static std::map<std::string, Draft> drafts;
    return drafts;
  }
  void SetPins(Store& s) {
    for (const auto& [user, pin] : kPins) {
      const Author who{user, user == "lin" ? std::string(role::kDutyLeader) : std::string(role::kDutyOfficer), ""};
      auto& cache = PinDrafts();
      if (cache.count(user) == 0) {
        auto cmd = SetPin(s, who, pin, "", kMorning);
        ASSERT_TRUE(cmd.ok()) << cmd.status().ToString();
        cache[user] = cmd->drafts.at(0);
      }
      ASSERT_TRUE(s.Append(who, {cache[user]}).ok());
    }
  }

  // People, the duty room, patrol checkpoints and route, emergency plans, PINs and two shifts.
  void Seed(Store& s) {
    std::vector<Draft> people{
        directory::UpsertUser({"root", "Root", "office", {"admin"}}),
        directory::UpsertUser({"lin", "林", "office", {"duty_leader"}}),
        directory::UpsertUser({"liu", "刘", "office", {"duty_leader"}}),
        directory::UpsertUser({"wang", "王", "office", {"duty_officer"}}),
        directory::UpsertUser({"zhao", "赵", "office", {"duty_officer"}}),
        directory::UpsertUser({"qian", "钱", "office", {"duty_officer"}}),
        directory::UpsertUser({"sun", "孙", "office", {"duty_officer"}}),
        directory::UpsertUser({"zhou", "周", "office", {"office_director"}}),
        directory::UpsertUser({"gao", "高", "office", {"guard"}}),
        directory::UpsertUser({"amy", "Amy", "office", {"staff"}}),
    };
    ASSERT_TRUE(s.Append(kRoot, people).ok());
    Do(s, kRoot, SaveCheckpoint(s, kRoot, {"room-1", "hq", "一号值班室", "duty_room", "主楼一层", "ROOM-1-QR-7f3a"}, kMorning));
    Do(s, kRoot, SaveCheckpoint(s, kRoot, {"room-9", "annex", "附楼值班室", "duty_room", "附楼", "ROOM-9-QR-0000"}, kMorning));
    Do(s, kRoot, SaveCheckpoint(s, kRoot, {"cp-a", "hq", "大门", "patrol", "", "CP-A-1111"}, kMorning));
    Do(s, kRoot, SaveCheckpoint(s, kRoot, {"cp-b", "hq", "配电房", "patrol", "", "CP-B-2222"}, kMorning));
    Do(s, kRoot, SaveCheckpoint(s, kRoot, {"cp-c", "hq", "车库", "patrol", "", "CP-C-3333"}, kMorning));
    Do(s, kRoot, SaveRoute(s, kRoot, {"route-1", "hq", "夜间巡查", {"cp-a", "cp-b", "cp-c"}}, kMorning));
    PlanInput fire{"plan-fire", "", "fire", "火灾应急预案", "先报警, 再疏散",
                   {{"消防队", "119", ""}, {"李主任", "138 0013 8000", "办公室主任"}}};
    Do(s, kRoot, SavePlan(s, kRoot, fire, kMorning));
    PlanInput flood_annex{"plan-flood-annex", "annex", "flood", "附楼防汛预案", "", {{"张工", "13900139000", ""}}};
    Do(s, kRoot, SavePlan(s, kRoot, flood_annex, kMorning));
    SetPins(s);
    Do(s, kRoot, RosterShift(s, kRoot, Shift("s1", "2026-03-02T18:00", "2026-03-03T08:00", {"wang", "zhao"}, "lin"), kMorning));
    Do(s, kRoot, RosterShift(s, kRoot, Shift("s2", "2026-03-03T08:00", "2026-03-03T18:00", {"sun"}, "liu"), kMorning));
  }

  static ShiftInput Shift(const std::string& id, const char* start, const char* end, std::vector<std::string> officers,
                          const std::string& leader, const std::string& room = "room-1") {
    ShiftInput in;
    in.id = id;
    in.site = room == "room-9" ? "annex" : "hq";
    in.room = room;
    in.start = T(start);
    in.end = T(end);
    in.date = in.start->date;
    in.officers = std::move(officers);
    in.leader = leader;
    return in;
  }

  void OnDuty(Store& s) { Do(s, kWang, CheckIn(s, kWang, "s1", "ROOM-1-QR-7f3a", kCheckIn)); }

  static EntryInput Entry(const std::string& id, const std::string& text, const std::string& cat = "routine") {
    EntryInput in;
    in.shift = "s1";
    in.entry_id = id;
    in.category = cat;
    in.text = text;
    return in;
  }

  static HandoverInput Handover() {
    HandoverInput in;
    in.shift = "s1";
    in.outgoing = "wang";
    in.outgoing_pin = "2580";
    in.incoming = "sun";
    in.incoming_pin = "4862";
    in.incoming_shift = "s2";
    for (const auto& item : Rules().checklist) in.checklist[item] = true;
    return in;
  }

  std::string Status_(Store& s, std::string_view type, const std::string& id) {
    return Fields(s, type, id).value("status", "<none>");
  }

};

// ---------------------------------------------------------------------------
// Registers

TEST_F(DutyTest, CheckpointCodesAreStoredOnlyAsHashes) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  EXPECT_TRUE(CodeMatches(*s, "room-1", "ROOM-1-QR-7f3a"));
  EXPECT_FALSE(CodeMatches(*s, "room-1", "ROOM-9-QR-0000"));
  EXPECT_FALSE(CodeMatches(*s, "room-1", ""));
  for (const auto& e : AllEvents(*s)) EXPECT_EQ(e.payload.dump().find("ROOM-1-QR-7f3a"), std::string::npos) << e.kind;
  // An update without a code keeps the old one; a new code replaces it.
  Do(*s, kRoot, SaveCheckpoint(*s, kRoot, {"room-1", "hq", "一号值班室(新)", "duty_room", "", ""}, kMorning));
  EXPECT_TRUE(CodeMatches(*s, "room-1", "ROOM-1-QR-7f3a"));
  EXPECT_EQ(FindCheckpoint(*s, "room-1")->name, "一号值班室(新)");
  Do(*s, kRoot, SaveCheckpoint(*s, kRoot, {"room-1", "hq", "一号值班室", "duty_room", "", "NEW-CODE-99"}, kMorning));
  EXPECT_FALSE(CodeMatches(*s, "room-1", "ROOM-1-QR-7f3a"));
  EXPECT_TRUE(CodeMatches(*s, "room-1", "NEW-CODE-99"));
  // The same code on another checkpoint hashes differently.
  EXPECT_NE(Fields(*s, entity::kCheckpoint, "cp-a").value("code_hash", ""),
            Fields(*s, entity::kCheckpoint, "cp-b").value("code_hash", ""));
}

TEST_F(DutyTest, CheckpointRefusals) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  ExpectRefused(SaveCheckpoint(*s, kWang, {"cp-x", "hq", "X", "patrol", "", "CODE-XXXX"}, kMorning), "role");
  ExpectRefused(SaveCheckpoint(*s, kRoot, {"", "hq", "X", "patrol", "", "CODE-XXXX"}, kMorning), "id");
  ExpectRefused(SaveCheckpoint(*s, kRoot, {"cp-x", "", "X", "patrol", "", "CODE-XXXX"}, kMorning), "site");
  ExpectRefused(SaveCheckpoint(*s, kRoot, {"cp-x", "hq", "", "patrol", "", "CODE-XXXX"}, kMorning), "name");
  ExpectRefused(SaveCheckpoint(*s, kRoot, {"cp-x", "hq", "X", "tower", "", "CODE-XXXX"}, kMorning), "kind");
  ExpectRefused(SaveCheckpoint(*s, kRoot, {"cp-x", "hq", "X", "patrol", "", ""}, kMorning), "code");
  ExpectRefused(SaveCheckpoint(*s, kRoot, {"cp-x", "hq", "X", "patrol", "", "12345"}, kMorning), "code");
  ExpectRefused(SaveCheckpoint(*s, kRoot, {"cp-a", "hq", "大门", "duty_room", "", ""}, kMorning), "kind");
}

TEST_F(DutyTest, RouteAndPlanRefusals) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  ExpectRefused(SaveRoute(*s, kWang, {"r2", "hq", "R", {"cp-a"}}, kMorning), "role");
  ExpectRefused(SaveRoute(*s, kRoot, {"r2", "hq", "R", {}}, kMorning), "checkpoints");
  ExpectRefused(SaveRoute(*s, kRoot, {"r2", "hq", "R", {"cp-a", "cp-a"}}, kMorning), "checkpoints");
  ExpectRefused(SaveRoute(*s, kRoot, {"r2", "hq", "R", {"cp-a", "room-1"}}, kMorning), "checkpoints");
  ExpectRefused(SaveRoute(*s, kRoot, {"r2", "annex", "R", {"cp-a"}}, kMorning), "checkpoints");
  ExpectRefused(SaveRoute(*s, kRoot, {"r2", "hq", "R", {"cp-zz"}}, kMorning), "checkpoints");
  ExpectRefused(SavePlan(*s, kRoot, {"p2", "", "routine", "T", "", {{"A", "119", ""}}}, kMorning), "category");
  ExpectRefused(SavePlan(*s, kRoot, {"p2", "", "fire", "", "", {{"A", "119", ""}}}, kMorning), "title");
  ExpectRefused(SavePlan(*s, kRoot, {"p2", "", "fire", "T", "", {}}, kMorning), "contacts");
  ExpectRefused(SavePlan(*s, kRoot, {"p2", "", "fire", "T", "", {{"", "119", ""}}}, kMorning), "contacts[0].name");
  ExpectRefused(SavePlan(*s, kRoot, {"p2", "", "fire", "T", "", {{"A", "119", ""}, {"B", "12345678901", ""}}}, kMorning),
                "contacts[1].phone");
  ExpectRefused(SavePlan(*s, kRoot, {"p2", "", "fire", "T", "", {{"A", "call me", ""}}}, kMorning), "contacts[0].phone");
  // Plans match by category, for their site or for every site.
  EXPECT_EQ(MatchingPlans(*s, "hq", "fire").size(), 1u);
  EXPECT_EQ(MatchingPlans(*s, "annex", "fire").size(), 1u);
  EXPECT_EQ(MatchingPlans(*s, "hq", "flood").size(), 0u);
  ASSERT_EQ(MatchingPlans(*s, "annex", "flood").size(), 1u);
  EXPECT_EQ(MatchingPlans(*s, "hq", "fire")[0].contacts[1].phone, "13800138000");
}

// ---------------------------------------------------------------------------
// PIN

TEST_F(DutyTest, PinIsStoredAsSaltedScryptAndVerified) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  const Json f = Fields(*s, entity::kProfile, "wang");
  EXPECT_EQ(f.value("kdf", ""), "scrypt");
  EXPECT_EQ(f.value("salt", "").size(), 32u);
  EXPECT_EQ(f.value("hash", "").size(), 64u);
  EXPECT_GE(f.value("n", 0), 1 << 14);
  EXPECT_EQ(f.value("status", ""), "active");
  for (const auto& e : AllEvents(*s))
    if (e.entity_type == entity::kProfile) {
      EXPECT_EQ(e.payload.dump().find("2580"), std::string::npos);
    }
  EXPECT_TRUE(VerifyPin(*s, "wang", "2580").ok());
  const Status wrong = VerifyPin(*s, "wang", "2581");
  EXPECT_TRUE(wrong.IsRefused());
  ExpectStatus(wrong, "pin");
  const Status none = VerifyPin(*s, "qian", "2580");
  EXPECT_TRUE(none.IsNotFound());
  ExpectStatus(none, "pin");
  // Two officers with the same PIN get different salts and hashes.
  EXPECT_NE(Fields(*s, entity::kProfile, "zhao").value("salt", ""), f.value("salt", ""));
}

TEST_F(DutyTest, PinChangeResetAndRefusals) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  ExpectRefused(SetPin(*s, kAmy, "2580", "", kMorning), "role");
  ExpectRefused(SetPin(*s, kQian, "1111", "", kMorning), "pin");
  ExpectRefused(SetPin(*s, kQian, "123456", "", kMorning), "pin");
  ExpectRefused(SetPin(*s, kQian, "987654", "", kMorning), "pin");
  ExpectRefused(SetPin(*s, kQian, "12a4", "", kMorning), "pin");
  ExpectRefused(SetPin(*s, kQian, "258", "", kMorning), "pin");
  ExpectRefused(SetPin(*s, kWang, "7391", "", kMorning), "current_pin");
  ExpectRefused(SetPin(*s, kWang, "7391", "0000", kMorning), "current_pin");
  Do(*s, kWang, SetPin(*s, kWang, "7391", "2580", kMorning));
  EXPECT_TRUE(VerifyPin(*s, "wang", "7391").ok());
  EXPECT_TRUE(VerifyPin(*s, "wang", "2580").IsRefused());
  ExpectRefused(ResetPin(*s, kLin, "wang", kMorning), "role");
  ExpectRefused(ResetPin(*s, kRoot, "qian", kMorning), "user");
  Do(*s, kRoot, ResetPin(*s, kRoot, "wang", kMorning));
  EXPECT_TRUE(VerifyPin(*s, "wang", "7391").IsNotFound());
  EXPECT_FALSE(Fields(*s, entity::kProfile, "wang").contains("hash"));
  ExpectRefused(ResetPin(*s, kRoot, "wang", kMorning), "status");
  // After a reset the officer sets a new PIN without the old one.
  Do(*s, kWang, SetPin(*s, kWang, "5817", "", kMorning));
  EXPECT_TRUE(VerifyPin(*s, "wang", "5817").ok());
}

TEST_F(DutyTest, PinSetOnTwoDevicesOfflineIsAConflict) {
  auto a = Open("a.db", "dev-a");
  Seed(*a);
  auto b = Open("b.db", "dev-b");
  ExchangeAll(*a, *b);
  Do(*a, kWang, SetPin(*a, kWang, "7391", "2580", kMorning));
  Do(*b, kWang, SetPin(*b, kWang, "8402", "2580", kMorning));
  ExchangeAll(*a, *b);
  EXPECT_EQ(ConflictsOf(*a, entity::kProfile, "wang", "concurrent_pin_change").size(), 1u);
  EXPECT_EQ(ConflictsOf(*b, entity::kProfile, "wang", "concurrent_pin_change").size(), 1u);
  // The later one counts on both devices.
  EXPECT_TRUE(VerifyPin(*a, "wang", "8402").ok());
  EXPECT_TRUE(VerifyPin(*b, "wang", "8402").ok());
  ExpectConverged(*a, *b);
}

// ---------------------------------------------------------------------------
// Roster

TEST_F(DutyTest, RosterShiftAndItsRefusals) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  auto s1 = FindShift(*s, "s1");
  ASSERT_TRUE(s1);
  EXPECT_EQ(s1->status, "rostered");
  EXPECT_EQ(s1->officers, (std::vector<std::string>{"wang", "zhao"}));
  EXPECT_EQ(s1->leader, "lin");
  EXPECT_EQ(s1->date, D("2026-03-02"));
  ASSERT_EQ(ShiftsOn(*s, "hq", D("2026-03-03")).size(), 1u);
  EXPECT_EQ(ShiftsOn(*s, "hq", D("2026-03-03"))[0].id, "s2");

  ExpectRefused(RosterShift(*s, kLin, Shift("s3", "2026-03-04T18:00", "2026-03-05T08:00", {"qian"}, "lin"), kMorning), "role");
  ExpectRefused(RosterShift(*s, kRoot, Shift("s1", "2026-03-04T18:00", "2026-03-05T08:00", {"qian"}, "lin"), kMorning), "id");
  ExpectRefused(RosterShift(*s, kRoot, Shift("", "2026-03-04T18:00", "2026-03-05T08:00", {"qian"}, "lin"), kMorning), "id");
  ExpectRefused(RosterShift(*s, kRoot, Shift("s3", "2026-03-04T18:00", "2026-03-05T08:00", {}, "lin"), kMorning), "officers");
  ExpectRefused(RosterShift(*s, kRoot, Shift("s3", "2026-03-04T18:00", "2026-03-05T08:00", {"amy"}, "lin"), kMorning), "officers");
  ExpectRefused(RosterShift(*s, kRoot, Shift("s3", "2026-03-04T18:00", "2026-03-05T08:00", {"qian", "qian"}, "lin"), kMorning),
                "officers");
  ExpectRefused(RosterShift(*s, kRoot, Shift("s3", "2026-03-04T18:00", "2026-03-05T08:00", {"qian"}, ""), kMorning), "leader");
  ExpectRefused(RosterShift(*s, kRoot, Shift("s3", "2026-03-04T18:00", "2026-03-05T08:00", {"qian"}, "wang"), kMorning), "leader");
  ExpectRefused(RosterShift(*s, kRoot, Shift("s3", "2026-03-04T18:00", "2026-03-05T08:00", {"qian", "lin"}, "lin"), kMorning),
                "officers");
  ExpectRefused(RosterShift(*s, kRoot, Shift("s3", "2026-03-04T18:00", "2026-03-05T08:00", {"qian"}, "lin", "cp-a"), kMorning),
                "room");
  ExpectRefused(RosterShift(*s, kRoot, Shift("s3", "2026-03-04T18:00", "2026-03-04T08:00", {"qian"}, "lin"), kMorning), "end");
  ExpectRefused(RosterShift(*s, kRoot, Shift("s3", "2026-03-04T18:00", "2026-03-06T19:00", {"qian"}, "lin"), kMorning), "end");
  ExpectRefused(RosterShift(*s, kRoot, Shift("s3", "2026-03-01T18:00", "2026-03-02T08:00", {"qian"}, "lin"), kMorning), "end");
  auto off_date = Shift("s3", "2026-03-04T18:00", "2026-03-05T08:00", {"qian"}, "lin");
  off_date.date = D("2026-03-05");
  ExpectRefused(RosterShift(*s, kRoot, off_date, kMorning), "start");
  auto no_start = off_date;
  no_start.start.reset();
  ExpectRefused(RosterShift(*s, kRoot, no_start, kMorning), "start");
  // wang already works s1 overnight.
  ExpectRefused(RosterShift(*s, kRoot, Shift("s3", "2026-03-03T06:00", "2026-03-03T12:00", {"wang"}, "lin"), kMorning),
                "officers");
  // Back to back is fine.
  Do(*s, kRoot, RosterShift(*s, kRoot, Shift("s3", "2026-03-03T08:00", "2026-03-03T12:00", {"wang"}, "lin"), kMorning));
}

TEST_F(DutyTest, ChangeAndCancelRoster) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  RosterChange ch;
  ch.officers = std::vector<std::string>{"wang", "qian"};
  ExpectRefused(ChangeRoster(*s, kRoot, "s1", ch, kMorning), "reason");
  ch.reason = "赵请假";
  ExpectRefused(ChangeRoster(*s, kLin, "s1", ch, kMorning), "role");
  ExpectRefused(ChangeRoster(*s, kRoot, "nope", ch, kMorning), "shift");
  Do(*s, kRoot, ChangeRoster(*s, kRoot, "s1", ch, kMorning));
  EXPECT_EQ(FindShift(*s, "s1")->officers, (std::vector<std::string>{"wang", "qian"}));
  RosterChange later;
  later.end = T("2026-03-03T09:00");
  later.reason = "延长";
  RosterChange nothing;
  nothing.reason = "x";
  ExpectRefused(ChangeRoster(*s, kRoot, "s1", nothing, kMorning), "officers");
  Do(*s, kRoot, ChangeRoster(*s, kRoot, "s1", later, kMorning));
  EXPECT_EQ(FindShift(*s, "s1")->end, T("2026-03-03T09:00"));

  ExpectRefused(CancelShift(*s, kRoot, "s2", "", kMorning), "reason");
  ExpectRefused(CancelShift(*s, kLiu, "s2", "停", kMorning), "role");
  Do(*s, kRoot, CancelShift(*s, kRoot, "s2", "合并班次", kMorning));
  EXPECT_EQ(FindShift(*s, "s2")->status, "cancelled");
  ExpectRefused(CheckIn(*s, kSun, "s2", "ROOM-1-QR-7f3a", T("2026-03-03T07:55")), "status");
  // Once someone checked in, the shift is no longer cancelled, only changed.
  OnDuty(*s);
  ExpectRefused(CancelShift(*s, kRoot, "s1", "停", kMorning), "status");
}

TEST_F(DutyTest, OfficerRosteredTwiceOfflineIsAConflict) {
  auto a = Open("a.db", "dev-a");
  Seed(*a);
  auto b = Open("b.db", "dev-b");
  ExchangeAll(*a, *b);
  Do(*a, kRoot, RosterShift(*a, kRoot, Shift("s3", "2026-03-04T18:00", "2026-03-05T08:00", {"qian"}, "lin"), kMorning));
  Do(*b, kRoot, RosterShift(*b, kRoot, Shift("s4", "2026-03-05T06:00", "2026-03-05T12:00", {"qian"}, "liu"), kMorning));
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    EXPECT_EQ(ConflictsOf(*s, entity::kShift, "s3", "double_rostered").size(), 1u);
    EXPECT_EQ(ConflictsOf(*s, entity::kShift, "s4", "double_rostered").size(), 1u);
  }
  ExpectConverged(*a, *b);
}

// ---------------------------------------------------------------------------
// Check-in

TEST_F(DutyTest, CheckInByScanningTheDutyRoomCode) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  ExpectRefused(CheckIn(*s, kWang, "s1", "ROOM-9-QR-0000", kCheckIn), "code");
  ExpectRefused(CheckIn(*s, kWang, "s1", "CP-A-1111", kCheckIn), "code");
  ExpectRefused(CheckIn(*s, kWang, "s1", "  ", kCheckIn), "code");
  ExpectRefused(CheckIn(*s, kQian, "s1", "ROOM-1-QR-7f3a", kCheckIn), "officer");
  ExpectRefused(CheckIn(*s, kGao, "s1", "ROOM-1-QR-7f3a", kCheckIn), "role");
  ExpectRefused(CheckIn(*s, kWang, "s1", "ROOM-1-QR-7f3a", T("2026-03-02T16:59")), "at");
  ExpectRefused(CheckIn(*s, kWang, "s1", "ROOM-1-QR-7f3a", T("2026-03-03T08:00")), "at");
  ExpectRefused(CheckIn(*s, kWang, "nope", "ROOM-1-QR-7f3a", kCheckIn), "shift");
  const Command first = Do(*s, kWang, CheckIn(*s, kWang, "s1", "ROOM-1-QR-7f3a", kCheckIn));
  EXPECT_FALSE(HasWarning(first, "late_checkin"));
  EXPECT_EQ(FindShift(*s, "s1")->status, "on_duty");
  ExpectRefused(CheckIn(*s, kWang, "s1", "ROOM-1-QR-7f3a", kEvening), "officer");
  const Command late = Do(*s, kZhao, CheckIn(*s, kZhao, "s1", "ROOM-1-QR-7f3a", T("2026-03-02T18:20")));
  EXPECT_TRUE(HasWarning(late, "late_checkin"));
  // The leader checks in too.
  Do(*s, kLin, CheckIn(*s, kLin, "s1", "ROOM-1-QR-7f3a", T("2026-03-02T18:05")));
  auto shift = FindShift(*s, "s1");
  EXPECT_EQ(shift->checkins.size(), 3u);
  EXPECT_EQ(shift->checkins.at("wang"), "2026-03-02T17:55");
  auto c = ShiftComplianceOf(*s, "s1");
  EXPECT_EQ(c->late_checkins, (std::vector<std::string>{"zhao"}));
  EXPECT_TRUE(c->not_checked_in.empty());
}

TEST_F(DutyTest, CheckInWhileTheAdminCancelsOfflineIsAWorkflowConflict) {
  auto a = Open("a.db", "dev-a");
  Seed(*a);
  auto b = Open("b.db", "dev-b");
  ExchangeAll(*a, *b);
  Do(*a, kRoot, CancelShift(*a, kRoot, "s1", "改期", kMorning));
  OnDuty(*b);
  ExchangeAll(*a, *b);
  EXPECT_EQ(ConflictsOf(*a, entity::kShift, "s1", "workflow").size(), 1u);
  EXPECT_EQ(Status_(*a, entity::kShift, "s1"), "cancelled");
  ExpectConverged(*a, *b);
}

// ---------------------------------------------------------------------------
// The log and escalations

TEST_F(DutyTest, LogEntriesAndTheirRefusals) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  ExpectRefused(LogEntry(*s, kWang, Entry("e1", "平安无事"), kEvening), "status");
  OnDuty(*s);
  ExpectRefused(LogEntry(*s, kQian, Entry("e1", "平安无事"), kEvening), "officer");
  ExpectRefused(LogEntry(*s, kGao, Entry("e1", "平安无事"), kEvening), "role");
  ExpectRefused(LogEntry(*s, kWang, Entry("", "平安无事"), kEvening), "entry_id");
  ExpectRefused(LogEntry(*s, kWang, Entry("e1", "  "), kEvening), "text");
  ExpectRefused(LogEntry(*s, kWang, Entry("e1", std::string(4001, 'x')), kEvening), "text");
  ExpectRefused(LogEntry(*s, kWang, Entry("e1", "平安无事", "gossip"), kEvening), "category");
  auto urgent = Entry("e1", "配电房冒烟", "fire");
  urgent.urgent = true;
  ExpectRefused(LogEntry(*s, kWang, urgent, kEvening), "escalation_id");
  Do(*s, kWang, LogEntry(*s, kWang, Entry("e1", "20:00 巡视一遍, 平安无事"), kEvening));
  ExpectRefused(LogEntry(*s, kWang, Entry("e1", "again"), kEvening), "entry_id");
  // The leader writes in the log too, and an officer who has not checked in yet.
  Do(*s, kLin, LogEntry(*s, kLin, Entry("e2", "带班领导到岗"), kEvening));
  Do(*s, kZhao, LogEntry(*s, kZhao, Entry("e3", "接市委来电", "call"), kEvening));
  auto log = ReadShiftLog(*s, "s1");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->log.size(), 3u);
  EXPECT_EQ(log->log[0].text, "20:00 巡视一遍, 平安无事");
  EXPECT_EQ(log->log[2].category, "call");
  EXPECT_EQ(log->log[1].author, "lin");
  EXPECT_FALSE(log->handover);
  EXPECT_EQ(FindShift(*s, "s1")->entries, 3);
}

TEST_F(DutyTest, UrgentEntryEscalatesToTheLeaderWithThePlanUntilAcknowledged) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  OnDuty(*s);
  auto urgent = Entry("e1", "配电房冒烟, 已报119", "fire");
  urgent.urgent = true;
  urgent.escalation_id = "esc-1";
  const Command cmd = Do(*s, kWang, LogEntry(*s, kWang, urgent, kEvening));
  EXPECT_FALSE(HasWarning(cmd, "no_plan"));
  auto esc = FindEscalation(*s, "esc-1");
  ASSERT_TRUE(esc);
  EXPECT_EQ(esc->status, "open");
  EXPECT_EQ(esc->leader, "lin");
  EXPECT_EQ(esc->entry, "e1");
  EXPECT_EQ(esc->raised_by, "wang");
  ASSERT_EQ(esc->plans.size(), 1u);
  EXPECT_EQ(esc->plans[0].id, "plan-fire");
  EXPECT_EQ(esc->plans[0].title, "火灾应急预案");
  ASSERT_EQ(esc->plans[0].contacts.size(), 2u);
  EXPECT_EQ(esc->plans[0].contacts[0].phone, "119");
  ASSERT_EQ(OpenEscalations(*s, "lin").size(), 1u);
  EXPECT_TRUE(OpenEscalations(*s, "liu").empty());
  EXPECT_EQ(ShiftComplianceOf(*s, "s1")->open_escalations, 1);

  // No plan for floods at hq: escalated all the same, with a warning.
  auto flood = Entry("e2", "地下车库进水", "flood");
  flood.urgent = true;
  flood.escalation_id = "esc-2";
  ExpectRefused(LogEntry(*s, kWang, {"s1", "e2", "flood", "x", true, "esc-1"}, kEvening), "escalation_id");
  const Command no_plan = Do(*s, kWang, LogEntry(*s, kWang, flood, kEvening));
  EXPECT_TRUE(HasWarning(no_plan, "no_plan"));
  EXPECT_TRUE(FindEscalation(*s, "esc-2")->plans.empty());

  ExpectRefused(AcknowledgeEscalation(*s, kWang, "esc-1", "", kNight), "role");
  ExpectRefused(AcknowledgeEscalation(*s, kLiu, "esc-1", "", kNight), "leader");
  ExpectRefused(AcknowledgeEscalation(*s, kLin, "nope", "", kNight), "escalation");
  Do(*s, kLin, AcknowledgeEscalation(*s, kLin, "esc-1", "已到现场", kNight));
  esc = FindEscalation(*s, "esc-1");
  EXPECT_EQ(esc->status, "acknowledged");
  EXPECT_EQ(esc->acknowledged_by, "lin");
  EXPECT_EQ(esc->note, "已到现场");
  ExpectRefused(AcknowledgeEscalation(*s, kLin, "esc-1", "", kNight), "status");
  ASSERT_EQ(OpenEscalations(*s, "lin").size(), 1u);
  EXPECT_EQ(OpenEscalations(*s, "lin")[0].id, "esc-2");
}

TEST_F(DutyTest, EscalationStaysOpenAcrossDevicesAndHandoverUntilTheLeaderAcknowledges) {
  auto room = Open("room.db", "duty-room");
  Seed(*room);
  auto phone = Open("phone.db", "leader-phone");
  ExchangeAll(*room, *phone);
  OnDuty(*room);
  auto urgent = Entry("e1", "门岗报告有人翻墙", "security");
  urgent.urgent = true;
  urgent.escalation_id = "esc-1";
  Do(*room, kWang, LogEntry(*room, kWang, urgent, kEvening));
  EXPECT_TRUE(OpenEscalations(*phone, "lin").empty());  // not synced yet
  ExchangeAll(*room, *phone);
  ASSERT_EQ(OpenEscalations(*phone, "lin").size(), 1u);
  // The shift hands over; the escalation is still open and the handover says so.
  const Command h = Do(*room, kWang, HandOver(*room, kWang, Handover(), kHandover));
  EXPECT_TRUE(HasWarning(h, "open_escalations"));
  EXPECT_EQ(FindEscalation(*room, "esc-1")->status, "open");
  // The leader acknowledges on the phone; the duty room sees it after the next sync.
  Do(*phone, kLin, AcknowledgeEscalation(*phone, kLin, "esc-1", "已处置", T("2026-03-03T08:30")));
  EXPECT_EQ(FindEscalation(*room, "esc-1")->status, "open");
  ExchangeAll(*room, *phone);
  EXPECT_EQ(FindEscalation(*room, "esc-1")->status, "acknowledged");
  EXPECT_TRUE(OpenEscalations(*room, "lin").empty());
  ExpectConverged(*room, *phone);
}

TEST_F(DutyTest, EscalationAcknowledgedOnTwoDevicesOfflineKeepsBoth) {
  auto room = Open("room.db", "duty-room");
  Seed(*room);
  OnDuty(*room);
  auto urgent = Entry("e1", "有人晕倒", "medical");
  urgent.urgent = true;
  urgent.escalation_id = "esc-1";
  Do(*room, kWang, LogEntry(*room, kWang, urgent, kEvening));
  auto phone = Open("phone.db", "leader-phone");
  ExchangeAll(*room, *phone);
  // The roster hands the shift to another leader; the old one acknowledges on his phone, the new one in the room.
  RosterChange ch;
  ch.leader = "liu";
  ch.reason = "林出差";
  Do(*room, kRoot, ChangeRoster(*room, kRoot, "s1", ch, kEvening));
  Do(*phone, kLin, AcknowledgeEscalation(*phone, kLin, "esc-1", "收到", kNight));
  Do(*room, kLiu, AcknowledgeEscalation(*room, kLiu, "esc-1", "已联系120", kNight));
  ExchangeAll(*room, *phone);
  for (Store* s : {room.get(), phone.get()}) {
    auto esc = FindEscalation(*s, "esc-1");
    EXPECT_EQ(esc->status, "acknowledged");
    EXPECT_EQ(esc->acknowledged_by, "lin");  // the phone's acknowledgement came first
    EXPECT_EQ(esc->also_acknowledged_by, (std::vector<std::string>{"liu"}));
    EXPECT_TRUE(ConflictsOf(*s, entity::kEscalation, "esc-1", "workflow").empty());
  }
  ExpectConverged(*room, *phone);
}

TEST_F(DutyTest, EditsBeforeHandoverNotesAfter) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  OnDuty(*s);
  Do(*s, kWang, LogEntry(*s, kWang, Entry("e1", "平安无事"), kEvening));
  ExpectRefused(EditEntry(*s, kWang, "s1", "nope", "x", kEvening), "entry");
  ExpectRefused(EditEntry(*s, kWang, "s1", "e1", "", kEvening), "text");
  ExpectRefused(EditEntry(*s, kQian, "s1", "e1", "x", kEvening), "officer");
  Do(*s, kZhao, EditEntry(*s, kZhao, "s1", "e1", "20:00 平安无事, 已锁好大门", kEvening));
  ExpectRefused(AppendNote(*s, kWang, "s1", "nope", "x", kEvening), "entry");
  Do(*s, kWang, AppendNote(*s, kWang, "s1", "e1", "补充: 钥匙在抽屉", kEvening));
  Do(*s, kWang, HandOver(*s, kWang, Handover(), kHandover));
  const auto refused = EditEntry(*s, kWang, "s1", "e1", "改", kHandover);
  ExpectRefused(refused, "entry");
  EXPECT_NE(refused.status().zh().find("追加备注"), std::string::npos);
  ExpectRefused(LogEntry(*s, kWang, Entry("e9", "交班后"), kHandover), "status");
  Do(*s, kWang, AppendNote(*s, kWang, "s1", "e1", "交班后补记: 大门钥匙已交孙", kHandover));
  auto log = ReadShiftLog(*s, "s1");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->log.size(), 3u);
  EXPECT_EQ(log->log[1].kind, "edit");
  EXPECT_EQ(log->log[2].kind, "note");
  ASSERT_EQ(log->after_handover.size(), 1u);
  EXPECT_EQ(log->after_handover[0].kind, "note");
  EXPECT_FALSE(log->after_handover[0].late);
  EXPECT_TRUE(VerifyDutyChain(*s, "s1")->ok());
  EXPECT_EQ(Fields(*s, entity::kShift, "s1").value("notes", 0), 2);
}

TEST_F(DutyTest, LogTakesABoundedNumberOfEventsBeforeTheHandover) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  OnDuty(*s);
  std::vector<Draft> drafts;
  for (std::size_t i = 0; i < kMaxLogEvents; ++i)
    drafts.push_back({std::string(entity::kShift), "s1", std::string(kind::kEntryLogged),
                      Json{{"entry", "e" + std::to_string(i)}, {"category", "routine"}, {"text", "巡视"},
                           {"urgent", false}, {"at", "2026-03-02T20:00"}}});
  ASSERT_TRUE(s->Append(kWang, drafts).ok());
  ExpectRefused(LogEntry(*s, kWang, Entry("one-more", "x"), kEvening), "entries");
  ExpectRefused(EditEntry(*s, kWang, "s1", "e1", "x", kEvening), "entries");
  ExpectRefused(AppendNote(*s, kWang, "s1", "", "x", kEvening), "entries");
  // The full log still hands over, and takes notes after.
  Do(*s, kWang, HandOver(*s, kWang, Handover(), kHandover));
  EXPECT_EQ(VerifyDutyChain(*s, "s1")->links, kMaxLogEvents);
  Do(*s, kWang, AppendNote(*s, kWang, "s1", "", "交班后补记", kHandover));
}

TEST_F(DutyTest, TwoOfficersEditingOneEntryOfflineIsAConflict) {
  auto a = Open("a.db", "dev-a");
  Seed(*a);
  OnDuty(*a);
  Do(*a, kWang, LogEntry(*a, kWang, Entry("e1", "接到投诉电话", "call"), kEvening));
  auto b = Open("b.db", "dev-b");
  ExchangeAll(*a, *b);
  Do(*a, kWang, EditEntry(*a, kWang, "s1", "e1", "接到投诉电话, 已转办公室", kEvening));
  Do(*b, kZhao, EditEntry(*b, kZhao, "s1", "e1", "接到投诉电话, 对方未留姓名", kEvening));
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    auto c = ConflictsOf(*s, entity::kShift, "s1", "concurrent_edit");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].events.size(), 2u);
    auto log = ReadShiftLog(*s, "s1");
    ASSERT_EQ(log->log.size(), 3u);  // the entry and both edits, nothing lost
  }
  ExpectConverged(*a, *b);
  // A person resolves it; the next edit builds on the current version without a new conflict.
  auto c = ConflictsOf(*a, entity::kShift, "s1", "concurrent_edit")[0];
  ASSERT_TRUE(a->Append(kWang, {{std::string(entity::kShift), "s1", std::string(kConflictResolvedKind),
                                 Json{{"conflict", c.Id()}, {"note", "以王的为准"}}}}).ok());
  Do(*a, kWang, EditEntry(*a, kWang, "s1", "e1", "接到投诉电话, 已转办公室, 对方未留姓名", kEvening));
  EXPECT_TRUE(ConflictsOf(*a, entity::kShift, "s1", "concurrent_edit").empty());
}

// ---------------------------------------------------------------------------
// Handover

TEST_F(DutyTest, HandoverSignedWithTwoPinsSealsTheLogUnderAChain) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  OnDuty(*s);
  Do(*s, kWang, LogEntry(*s, kWang, Entry("e1", "平安无事"), kEvening));
  Do(*s, kZhao, LogEntry(*s, kZhao, Entry("e2", "02:00 巡查完毕"), kNight));
  auto in = Handover();
  in.checklist["room_clean"] = false;
  in.checklist_notes["room_clean"] = "垃圾未倒";
  in.remarks = "空调遥控器在抽屉";
  const Command cmd = Do(*s, kWang, HandOver(*s, kWang, in, kHandover));
  EXPECT_TRUE(HasWarning(cmd, "checklist_failed"));
  EXPECT_FALSE(HasWarning(cmd, "early_handover"));
  auto shift = FindShift(*s, "s1");
  EXPECT_EQ(shift->status, "handed_over");
  EXPECT_EQ(shift->handed_over_at, kHandover);
  // The event names both signatures and never a PIN.
  const auto events = *s->EventsOf(std::string(entity::kShift), "s1");
  const Event& h = events.back();
  ASSERT_EQ(h.kind, kind::kHandedOver);
  EXPECT_EQ(h.payload["signatures"].size(), 2u);
  EXPECT_EQ(h.payload["signatures"][1]["user"], "sun");
  EXPECT_EQ(h.payload.dump().find("4862"), std::string::npos);
  EXPECT_EQ(h.payload.dump().find("2580"), std::string::npos);
  // The chain: genesis, then one link per log event, in fold order.
  Digest link = ChainGenesis("s1");
  std::size_t n = 0;
  for (const auto& e : events)
    if (IsChainedKind(e.kind)) {
      link = ChainLink(link, e);
      ++n;
    }
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(h.payload["chain"]["head"], ToHex(link));
  EXPECT_EQ(h.payload["chain"]["links"].size(), 2u);
  auto log = ReadShiftLog(*s, "s1");
  ASSERT_TRUE(log->handover);
  EXPECT_EQ(log->handover->outgoing, "wang");
  EXPECT_EQ(log->handover->incoming, "sun");
  EXPECT_EQ(log->handover->links, 2u);
  EXPECT_EQ(log->handover->remarks, "空调遥控器在抽屉");
  EXPECT_EQ(log->handover->checklist_failed, (std::vector<std::string>{"room_clean"}));
  auto report = VerifyDutyChain(*s, "s1");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->links, 2u);
  EXPECT_EQ(report->head, ToHex(link));
  auto c = ShiftComplianceOf(*s, "s1");
  EXPECT_TRUE(c->handed_over);
  EXPECT_FALSE(c->handover_late);
  EXPECT_EQ(c->checklist_failed, (std::vector<std::string>{"room_clean"}));
}

TEST_F(DutyTest, HandoverRefusals) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  ExpectRefused(HandOver(*s, kWang, Handover(), kHandover), "status");
  OnDuty(*s);
  auto in = Handover();
  in.outgoing_pin = "2581";
  auto wrong = HandOver(*s, kWang, in, kHandover);
  ExpectRefused(wrong, "pin");
  EXPECT_TRUE(wrong.status().IsRefused());
  EXPECT_NE(wrong.status().en().find("wang"), std::string::npos);
  in = Handover();
  in.incoming_pin = "0000";
  wrong = HandOver(*s, kWang, in, kHandover);
  ExpectRefused(wrong, "pin");
  EXPECT_NE(wrong.status().en().find("sun"), std::string::npos);
  in = Handover();
  in.incoming_pin = "";
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "pin");
  in = Handover();
  in.outgoing = "qian";
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "outgoing");
  in = Handover();
  in.incoming = "wang";
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "incoming");
  in = Handover();
  in.incoming = "zhao";
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "incoming");  // zhao is not on s2
  in = Handover();
  in.incoming_shift = "s1";
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "incoming_shift");
  in = Handover();
  in.incoming_shift = "nope";
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "incoming_shift");
  // Without a next shift, any duty officer may take over, but only with a PIN.
  in = Handover();
  in.incoming_shift = "";
  in.incoming = "qian";
  auto no_pin = HandOver(*s, kWang, in, kHandover);
  ExpectRefused(no_pin, "pin");
  EXPECT_TRUE(no_pin.status().IsNotFound());
  in.incoming = "amy";
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "incoming");
  in = Handover();
  in.checklist.erase("room_clean");
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "checklist.room_clean");
  in = Handover();
  in.checklist["room_clean"] = false;
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "checklist.room_clean");
  in = Handover();
  in.checklist["coffee_made"] = true;
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "checklist.coffee_made");
  in = Handover();
  in.remarks = std::string(2001, 'x');
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "remarks");
  in = Handover();
  in.checklist["keys_handed"] = false;
  in.checklist_notes["keys_handed"] = std::string(501, 'x');
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "checklist.keys_handed");
  Do(*s, kRoot, RosterShift(*s, kRoot, Shift("s3", "2026-03-03T18:00", "2026-03-04T08:00", {"sun"}, "liu"), kMorning));
  Do(*s, kRoot, CancelShift(*s, kRoot, "s3", "撤销", kMorning));
  in = Handover();
  in.incoming_shift = "s3";
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "incoming_shift");
  ExpectRefused(HandOver(*s, kGao, Handover(), kHandover), "role");
  const Command early = Do(*s, kWang, HandOver(*s, kWang, Handover(), T("2026-03-03T07:30")));
  EXPECT_TRUE(HasWarning(early, "early_handover"));
  ExpectRefused(HandOver(*s, kWang, Handover(), kHandover), "status");
  ExpectRefused(CheckIn(*s, kZhao, "s1", "ROOM-1-QR-7f3a", T("2026-03-03T07:40")), "status");
  RosterChange ch;
  ch.officers = std::vector<std::string>{"wang"};
  ch.reason = "x";
  ExpectRefused(ChangeRoster(*s, kRoot, "s1", ch, kMorning), "status");
}

TEST_F(DutyTest, SiteChecklistFromRules) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  ASSERT_TRUE(s->Append(kRoot, {SetRules(Json{{"checklist", {"room_clean", "fire_extinguisher"}}})}).ok());
  OnDuty(*s);
  auto in = Handover();
  ExpectRefused(HandOver(*s, kWang, in, kHandover), "checklist.fire_extinguisher");
  in.checklist = {{"room_clean", true}, {"fire_extinguisher", true}};
  Do(*s, kWang, HandOver(*s, kWang, in, kHandover));
  EXPECT_EQ(ChecklistLabel("fire_extinguisher").en, "fire_extinguisher");
  EXPECT_EQ(ChecklistLabel("room_clean").zh, "值班室卫生整洁、物品整齐");
}

TEST_F(DutyTest, TwoHandoversOfflineKeepBothAndMarkAConflict) {
  auto a = Open("a.db", "dev-a");
  Seed(*a);
  OnDuty(*a);
  Do(*a, kWang, LogEntry(*a, kWang, Entry("e1", "平安无事"), kEvening));
  auto b = Open("b.db", "dev-b");
  ExchangeAll(*a, *b);
  Do(*a, kWang, HandOver(*a, kWang, Handover(), kHandover));
  auto other = Handover();
  other.outgoing = "zhao";
  other.outgoing_pin = "139746";
  Do(*b, kZhao, HandOver(*b, kZhao, other, kHandover));
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    EXPECT_EQ(ConflictsOf(*s, entity::kShift, "s1", "workflow").size(), 1u);
    EXPECT_EQ(FindShift(*s, "s1")->status, "handed_over");
    EXPECT_TRUE(VerifyDutyChain(*s, "s1")->ok());
  }
  EXPECT_EQ(FindShift(*a, "s1")->handover_event, FindShift(*b, "s1")->handover_event);
  ExpectConverged(*a, *b);
}

// An entry written offline on a phone before the handover reaches the duty room after it.
TEST_F(DutyTest, LateEntryIsKeptShownAfterTheHandoverAndFlagged) {
  auto room = Open("room.db", "duty-room");
  Seed(*room);
  OnDuty(*room);
  Do(*room, kWang, LogEntry(*room, kWang, Entry("e1", "平安无事"), kEvening));
  auto phone = Open("phone.db", "zhao-phone");
  ExchangeAll(*room, *phone);
  // zhao writes on the phone, offline, at 07:50 (its clock is earlier than the handover's).
  Do(*phone, kZhao, LogEntry(*phone, kZhao, Entry("e2", "07:50 发现东门未锁, 已锁"), T("2026-03-03T07:50")));
  Do(*room, kWang, HandOver(*room, kWang, Handover(), kHandover));
  ExchangeAll(*room, *phone);
  for (Store* s : {room.get(), phone.get()}) {
    auto shift = FindShift(*s, "s1");
    EXPECT_EQ(shift->status, "handed_over");
    ASSERT_EQ(shift->late_events.size(), 1u);
    auto late = ConflictsOf(*s, entity::kShift, "s1", "late_entry");
    ASSERT_EQ(late.size(), 1u);
    EXPECT_EQ(late[0].events[0], shift->late_events[0]);
    EXPECT_EQ(late[0].events[1], shift->handover_event);
    EXPECT_NE(late[0].reason.en.find("e2"), std::string::npos);
    auto log = ReadShiftLog(*s, "s1");
    ASSERT_EQ(log->log.size(), 1u);
    EXPECT_EQ(log->log[0].entry, "e1");
    ASSERT_EQ(log->after_handover.size(), 1u);
    EXPECT_EQ(log->after_handover[0].entry, "e2");
    EXPECT_TRUE(log->after_handover[0].late);
    auto report = VerifyDutyChain(*s, "s1");
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok());
    EXPECT_EQ(report->late_events, shift->late_events);
    EXPECT_EQ(ShiftComplianceOf(*s, "s1")->late_entries, 1);
  }
  ExpectConverged(*room, *phone);
}

// The same, when the phone's clock is later than the handover: the entry folds after it.
TEST_F(DutyTest, LateEntryStampedAfterTheHandoverIsFlaggedToo) {
  auto room = Open("room.db", "duty-room");
  Seed(*room);
  OnDuty(*room);
  auto phone = Open("phone.db", "zhao-phone");
  ExchangeAll(*room, *phone);
  Do(*room, kWang, HandOver(*room, kWang, Handover(), kHandover));
  Do(*phone, kZhao, LogEntry(*phone, kZhao, Entry("e2", "补记"), T("2026-03-03T08:10")));
  Do(*phone, kZhao, EditEntry(*phone, kZhao, "s1", "e2", "补记: 东门已锁", T("2026-03-03T08:11")));
  ExchangeAll(*room, *phone);
  for (Store* s : {room.get(), phone.get()}) {
    EXPECT_EQ(FindShift(*s, "s1")->late_events.size(), 2u);
    EXPECT_EQ(ConflictsOf(*s, entity::kShift, "s1", "late_entry").size(), 2u);
    auto log = ReadShiftLog(*s, "s1");
    EXPECT_TRUE(log->log.empty());
    ASSERT_EQ(log->after_handover.size(), 2u);
    EXPECT_TRUE(log->after_handover[0].late && log->after_handover[1].late);
    EXPECT_TRUE(VerifyDutyChain(*s, "s1")->ok());
  }
  ExpectConverged(*room, *phone);
}

// ---------------------------------------------------------------------------
// Tamper evidence: the database is edited behind the app's back.

struct Tamper {
  explicit Tamper(const std::string& path) { EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK); }
  ~Tamper() { sqlite3_close(db); }
  int Run(const std::string& sql, const std::string& event_id, const std::string& text = "") {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    auto id = ParseUuid(event_id);
    EXPECT_TRUE(id.has_value());
    sqlite3_bind_blob(st, 1, id->data(), static_cast<int>(id->size()), SQLITE_TRANSIENT);
    if (!text.empty()) sqlite3_bind_text(st, 2, text.c_str(), -1, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db);
    sqlite3_finalize(st);
    return sqlite3_changes(db);
  }
  sqlite3* db = nullptr;
};

struct ChainTamperTest : DutyTest {
  // A handed-over shift with three entries; returns the entry events in order.
  std::vector<Event> SealedShift(const std::string& file) {
    auto s = Open(file, "dev-a");
    Seed(*s);
    OnDuty(*s);
    Do(*s, kWang, LogEntry(*s, kWang, Entry("e1", "20:00 平安无事"), kEvening));
    Do(*s, kZhao, LogEntry(*s, kZhao, Entry("e2", "23:30 接群众来电, 反映路灯不亮", "call"), kEvening));
    Do(*s, kWang, LogEntry(*s, kWang, Entry("e3", "02:00 巡查完毕"), kNight));
    Do(*s, kWang, HandOver(*s, kWang, Handover(), kHandover));
    EXPECT_TRUE(VerifyDutyChain(*s, "s1")->ok());
    std::vector<Event> out;
    const auto events = s->EventsOf(std::string(entity::kShift), "s1");
    EXPECT_TRUE(events.ok());
    for (const auto& e : *events)
      if (e.kind == kind::kEntryLogged) out.push_back(e);
    return out;
  }
  Result<ChainReport> Verify(const std::string& file) {
    auto s = Open(file, "dev-a");
    return VerifyDutyChain(*s, "s1");
  }
};

TEST_F(ChainTamperTest, ChangedEntryIsNamed) {
  const auto entries = SealedShift("a.db");
  ASSERT_EQ(entries.size(), 3u);
  Json changed = entries[1].payload;
  changed["text"] = "23:30 无事";
  {
    Tamper t(dir.File("a.db"));
    EXPECT_EQ(t.Run("UPDATE events SET payload = ?2 WHERE id = ?1", entries[1].id, changed.dump()), 1);
  }
  auto report = Verify("a.db");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_FALSE(report->ok());
  ASSERT_EQ(report->problems.size(), 1u);
  const ChainProblem& p = report->problems[0];
  EXPECT_EQ(p.kind, ChainProblem::Kind::kChanged);
  EXPECT_EQ(p.entry, "e2");
  EXPECT_EQ(p.event, entries[1].id);
  EXPECT_EQ(p.position, 2u);
  EXPECT_NE(p.text.en.find("e2"), std::string::npos);
  EXPECT_NE(p.text.zh.find("e2"), std::string::npos);
}

TEST_F(ChainTamperTest, ChangedAuthorOrTimeIsNamedToo) {
  const auto entries = SealedShift("a.db");
  {
    Tamper t(dir.File("a.db"));
    // Moving the first entry later by one tick changes its canonical bytes, not its text.
    EXPECT_EQ(t.Run("UPDATE events SET hlc = hlc + 1 WHERE id = ?1", entries[0].id), 1);
  }
  auto report = Verify("a.db");
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0].entry, "e1");
  EXPECT_EQ(report->problems[0].position, 1u);
}

TEST_F(ChainTamperTest, RemovedEntryIsNamed) {
  const auto entries = SealedShift("a.db");
  {
    Tamper t(dir.File("a.db"));
    EXPECT_EQ(t.Run("DELETE FROM events WHERE id = ?1", entries[2].id), 1);
  }
  auto report = Verify("a.db");
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0].kind, ChainProblem::Kind::kRemoved);
  EXPECT_EQ(report->problems[0].event, entries[2].id);
  EXPECT_EQ(report->problems[0].position, 3u);
  EXPECT_EQ(report->problems[0].entry, "e3");  // named from the folded state
}

TEST_F(ChainTamperTest, AddedEntryIsNamed) {
  const auto entries = SealedShift("a.db");
  const std::string forged = NewUuidV7(1767225600000);
  Json payload = entries[0].payload;
  payload["entry"] = "e-forged";
  payload["text"] = "补写: 一切正常";
  {
    Tamper t(dir.File("a.db"));
    // A copy of the first entry's row with a new id, one tick later, and other words.
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(t.db,
                                 "INSERT INTO events(id, rid, hlc, dev, seq, kind, usr, role, payload) "
                                 "SELECT ?2, rid, hlc + 1, dev, seq + 1000, kind, usr, role, ?3 FROM events WHERE id = ?1",
                                 -1, &st, nullptr),
              SQLITE_OK);
    auto src = ParseUuid(entries[0].id);
    auto dst = ParseUuid(forged);
    sqlite3_bind_blob(st, 1, src->data(), 16, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, dst->data(), 16, SQLITE_TRANSIENT);
    const std::string text = payload.dump();
    sqlite3_bind_text(st, 3, text.c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(t.db);
    sqlite3_finalize(st);
  }
  auto report = Verify("a.db");
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0].kind, ChainProblem::Kind::kAdded);
  EXPECT_EQ(report->problems[0].event, forged);
  EXPECT_EQ(report->problems[0].entry, "e-forged");
}

// A replica whose file was edited keeps the same StateHash (entry texts are not folded state)
// and passes VerifyMaterialized: only the chain tells. The edit travels with sync to a fresh
// replica, and the chain names it there too; the honest replica keeps the original.
TEST_F(ChainTamperTest, TamperedReplicaIsFoundAfterExchangingEvents) {
  const auto entries = SealedShift("b.db");
  auto a = Open("a.db", "dev-other");
  {
    auto b = Open("b.db", "dev-a");
    ExchangeAll(*a, *b);
  }
  Json changed = entries[1].payload;
  changed["text"] = "23:30 无事";
  {
    Tamper t(dir.File("b.db"));
    EXPECT_EQ(t.Run("UPDATE events SET payload = ?2 WHERE id = ?1", entries[1].id, changed.dump()), 1);
  }
  auto b = Open("b.db", "dev-a");
  ExchangeAll(*a, *b);
  ExpectConverged(*a, *b);
  EXPECT_TRUE(VerifyDutyChain(*a, "s1")->ok());
  auto report = VerifyDutyChain(*b, "s1");
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0].entry, "e2");
  auto c = Open("c.db", "dev-c");
  ASSERT_TRUE(c->Ingest(AllEvents(*b)).ok());
  report = VerifyDutyChain(*c, "s1");
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0].entry, "e2");
}

// The officer sets the PIN on a phone; the duty-room device checks it after a sync.
TEST_F(DutyTest, PinSetOnAPhoneSignsTheHandoverInTheDutyRoom) {
  auto room = Open("room.db", "duty-room");
  Seed(*room);
  auto phone = Open("phone.db", "wang-phone");
  ExchangeAll(*room, *phone);
  Do(*phone, kWang, SetPin(*phone, kWang, "6093", "2580", kMorning));
  OnDuty(*room);
  auto in = Handover();
  in.outgoing_pin = "6093";
  ExpectRefused(HandOver(*room, kWang, in, kHandover), "pin");  // the room has not seen the new PIN
  ExchangeAll(*room, *phone);
  in.outgoing_pin = "2580";
  ExpectRefused(HandOver(*room, kWang, in, kHandover), "pin");
  in.outgoing_pin = "6093";
  Do(*room, kWang, HandOver(*room, kWang, in, kHandover));
  ExchangeAll(*room, *phone);
  EXPECT_EQ(FindShift(*phone, "s1")->status, "handed_over");
  ExpectConverged(*room, *phone);
}

TEST_F(DutyTest, VerifyNeedsAHandedOverShift) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  auto r = VerifyDutyChain(*s, "s1");
  ASSERT_FALSE(r.ok());
  ExpectStatus(r.status(), "shift");
  EXPECT_TRUE(r.status().IsRefused());
  r = VerifyDutyChain(*s, "nope");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound());
  // A shift handed over with an empty log has a chain of no links: the genesis is its head.
  OnDuty(*s);
  Do(*s, kWang, HandOver(*s, kWang, Handover(), kHandover));
  r = VerifyDutyChain(*s, "s1");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->links, 0u);
  EXPECT_EQ(r->head, ToHex(ChainGenesis("s1")));
}

// ---------------------------------------------------------------------------
// Spot checks and compliance

TEST_F(DutyTest, SpotCheckAbsenceFinesTheWholeShift) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  OnDuty(*s);
  Do(*s, kZhou, RecordSpotCheck(*s, kZhou, {"sc-1", "s1", "wang", true, true, ""}, kEvening));
  const Command absent = Do(*s, kZhou, RecordSpotCheck(*s, kZhou, {"sc-2", "s1", "zhao", false, false, "值班室无人"}, kNight));
  EXPECT_TRUE(HasWarning(absent, "absence_recorded"));
  const Json f = Fields(*s, entity::kSpotCheck, "sc-2");
  EXPECT_EQ(f.value("fine_fen", 0), 5000);
  EXPECT_EQ(f.value("checker", ""), "zhou");
  EXPECT_EQ(f["fined"], Json::array({"wang", "zhao"}));
  auto c = ShiftComplianceOf(*s, "s1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->spot_checks, 2);
  ASSERT_EQ(c->absences.size(), 1u);
  EXPECT_EQ(c->absences[0].officer, "zhao");
  EXPECT_EQ(c->absences[0].checker, "zhou");
  EXPECT_EQ(c->fines_fen.at("wang"), 5000);
  EXPECT_EQ(c->fines_fen.at("zhao"), 5000);
  EXPECT_EQ(c->fines_fen.count("lin"), 0u);
  EXPECT_EQ(c->total_fine_fen, 10000);
}

TEST_F(DutyTest, FineAmountAndLeaderAreConfigurable) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  ASSERT_TRUE(s->Append(kRoot, {SetRules(Json{{"absence_fine_fen", 8000}, {"fine_includes_leader", true}})}).ok());
  EXPECT_EQ(LoadRules(*s).absence_fine_fen, 8000);
  OnDuty(*s);
  Do(*s, kZhou, RecordSpotCheck(*s, kZhou, {"sc-1", "s1", "wang", false, false, ""}, kNight));
  auto c = ShiftComplianceOf(*s, "s1");
  EXPECT_EQ(c->fines_fen.at("lin"), 8000);
  EXPECT_EQ(c->total_fine_fen, 24000);
  // Switched off: the absence is still recorded, with no amount.
  ASSERT_TRUE(s->Append(kRoot, {SetRules(Json{{"absence_fine_enabled", false}})}).ok());
  Do(*s, kZhou, RecordSpotCheck(*s, kZhou, {"sc-2", "s1", "zhao", false, false, ""}, kNight));
  c = ShiftComplianceOf(*s, "s1");
  EXPECT_EQ(c->absences.size(), 2u);
  EXPECT_EQ(c->total_fine_fen, 24000);
}

TEST_F(DutyTest, SpotCheckRefusalsAndVoid) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  OnDuty(*s);
  ExpectRefused(RecordSpotCheck(*s, kWang, {"sc-1", "s1", "zhao", false, false, ""}, kNight), "role");
  ExpectRefused(RecordSpotCheck(*s, kZhou, {"", "s1", "zhao", false, false, ""}, kNight), "id");
  ExpectRefused(RecordSpotCheck(*s, kZhou, {"sc-1", "nope", "zhao", false, false, ""}, kNight), "shift");
  ExpectRefused(RecordSpotCheck(*s, kZhou, {"sc-1", "s1", "qian", false, false, ""}, kNight), "officer");
  ExpectRefused(RecordSpotCheck(*s, kZhou, {"sc-1", "s1", "", false, false, ""}, kNight), "officer");
  ExpectRefused(RecordSpotCheck(*s, kZhou, {"sc-1", "s1", "zhao", false, false, ""}, T("2026-03-02T17:59")), "at");
  ExpectRefused(RecordSpotCheck(*s, kZhou, {"sc-1", "s1", "zhao", false, false, ""}, T("2026-03-03T08:00")), "at");
  ExpectRefused(RecordSpotCheck(*s, kLin, {"sc-1", "s1", "lin", false, false, ""}, kNight), "officer");
  Do(*s, kLin, RecordSpotCheck(*s, kLin, {"sc-1", "s1", "zhao", false, false, ""}, kNight));
  ExpectRefused(RecordSpotCheck(*s, kLin, {"sc-1", "s1", "zhao", true, false, ""}, kNight), "id");
  ExpectRefused(VoidSpotCheck(*s, kRoot, "sc-1", " ", kNight), "reason");
  ExpectRefused(VoidSpotCheck(*s, kLin, "sc-1", "弄错了", kNight), "role");
  ExpectRefused(VoidSpotCheck(*s, kRoot, "nope", "弄错了", kNight), "spot_check");
  Do(*s, kRoot, VoidSpotCheck(*s, kRoot, "sc-1", "赵在卫生间, 误记", kNight));
  EXPECT_EQ(Status_(*s, entity::kSpotCheck, "sc-1"), "voided");
  ExpectRefused(VoidSpotCheck(*s, kRoot, "sc-1", "again", kNight), "status");
  auto c = ShiftComplianceOf(*s, "s1");
  EXPECT_EQ(c->spot_checks, 0);
  EXPECT_TRUE(c->absences.empty());
  EXPECT_EQ(c->total_fine_fen, 0);
  // After the handover there is nothing left to check.
  Do(*s, kWang, HandOver(*s, kWang, Handover(), T("2026-03-03T07:30")));
  ExpectRefused(RecordSpotCheck(*s, kZhou, {"sc-2", "s1", "zhao", false, false, ""}, T("2026-03-03T07:40")), "shift");
}

TEST_F(DutyTest, SpotCheckAbsenceMadeOnAPhoneReachesTheWholeShift) {
  auto room = Open("room.db", "duty-room");
  Seed(*room);
  OnDuty(*room);
  auto phone = Open("phone.db", "checker-phone");
  ExchangeAll(*room, *phone);
  Do(*phone, kZhou, RecordSpotCheck(*phone, kZhou, {"sc-1", "s1", "wang", false, false, "电话无人接听, 到场不在"}, kNight));
  EXPECT_EQ(ShiftComplianceOf(*room, "s1")->total_fine_fen, 0);
  ExchangeAll(*room, *phone);
  for (Store* s : {room.get(), phone.get()}) {
    auto c = ShiftComplianceOf(*s, "s1");
    ASSERT_EQ(c->absences.size(), 1u);
    EXPECT_EQ(c->absences[0].officer, "wang");
    EXPECT_EQ(c->fines_fen, (std::map<std::string, std::int64_t>{{"wang", 5000}, {"zhao", 5000}}));
  }
  ExpectConverged(*room, *phone);
}

TEST_F(DutyTest, SpotCheckOfAnOfficerTakenOffTheRosterOfflineIsAConflict) {
  auto room = Open("room.db", "duty-room");
  Seed(*room);
  OnDuty(*room);
  auto phone = Open("phone.db", "checker-phone");
  ExchangeAll(*room, *phone);
  RosterChange ch;
  ch.officers = std::vector<std::string>{"wang", "qian"};
  ch.reason = "赵病假, 钱顶班";
  Do(*room, kRoot, ChangeRoster(*room, kRoot, "s1", ch, kEvening));
  Do(*phone, kZhou, RecordSpotCheck(*phone, kZhou, {"sc-1", "s1", "zhao", false, false, ""}, kNight));
  ExchangeAll(*room, *phone);
  for (Store* s : {room.get(), phone.get()}) {
    EXPECT_EQ(ConflictsOf(*s, entity::kSpotCheck, "sc-1", "spot_check_off_roster").size(), 1u);
    EXPECT_EQ(ConflictsOf(*s, entity::kShift, "s1", "spot_check_off_roster").size(), 1u);
    // The record stands as the checker made it until someone resolves it.
    EXPECT_EQ(ShiftComplianceOf(*s, "s1")->absences.size(), 1u);
    EXPECT_GE(ShiftComplianceOf(*s, "s1")->conflicts, 2u);
  }
  ExpectConverged(*room, *phone);
}

TEST_F(DutyTest, MonthlyComplianceSummary) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Do(*s, kRoot, RosterShift(*s, kRoot, Shift("s3", "2026-03-04T18:00", "2026-03-05T08:00", {"wang", "qian"}, "lin"), kMorning));
  Do(*s, kRoot, RosterShift(*s, kRoot, Shift("s4", "2026-03-06T18:00", "2026-03-07T08:00", {"zhao"}, "lin"), kMorning));
  Do(*s, kRoot, CancelShift(*s, kRoot, "s4", "撤销", kMorning));
  Do(*s, kRoot, RosterShift(*s, kRoot, Shift("s5", "2026-04-01T18:00", "2026-04-02T08:00", {"zhao"}, "lin"), kMorning));
  Do(*s, kRoot, RosterShift(*s, kRoot, Shift("x1", "2026-03-02T18:00", "2026-03-03T08:00", {"qian"}, "liu", "room-9"), kMorning));
  // s1: wang checks in, zhao never does; an absence; handed over late with the room not clean.
  OnDuty(*s);
  Do(*s, kZhou, RecordSpotCheck(*s, kZhou, {"sc-1", "s1", "zhao", false, false, ""}, kNight));
  auto in = Handover();
  in.checklist["room_clean"] = false;
  in.checklist_notes["room_clean"] = "桌面杂乱";
  Do(*s, kWang, HandOver(*s, kWang, in, T("2026-03-03T09:00")));
  // s3: both check in; never handed over.
  Do(*s, kWang, CheckIn(*s, kWang, "s3", "ROOM-1-QR-7f3a", T("2026-03-04T17:50")));
  Do(*s, kQian, CheckIn(*s, kQian, "s3", "ROOM-1-QR-7f3a", T("2026-03-04T18:30")));

  const MonthCompliance m = MonthComplianceOf(*s, "hq", 2026, 3, T("2026-03-31T00:00"));
  EXPECT_EQ(m.month, "2026-03");
  ASSERT_EQ(m.shifts.size(), 3u);  // s1, s2, s3; the cancelled s4, April's s5 and the annex's x1 are left out
  EXPECT_EQ(m.shifts[0].shift, "s1");
  EXPECT_TRUE(m.shifts[0].handover_late);
  EXPECT_EQ(m.spot_checks, 1);
  EXPECT_EQ(m.absences, 1);
  EXPECT_EQ(m.total_fine_fen, 10000);
  EXPECT_EQ(m.late_handovers, 1);
  EXPECT_EQ(m.rooms_not_clean, 1);
  EXPECT_EQ(m.not_handed_over, 2);  // s2 and s3
  std::map<std::string, OfficerMonth> rows;
  for (const auto& r : m.officers) rows[r.officer] = r;
  EXPECT_EQ(rows["wang"].shifts, 2);
  EXPECT_EQ(rows["wang"].fine_fen, 5000);
  EXPECT_EQ(rows["wang"].missed_checkins, 0);
  EXPECT_EQ(rows["zhao"].absences, 1);
  EXPECT_EQ(rows["zhao"].missed_checkins, 1);
  EXPECT_EQ(rows["zhao"].fine_fen, 5000);
  EXPECT_EQ(rows["qian"].late_checkins, 1);
  EXPECT_EQ(rows["sun"].missed_checkins, 1);
  // Before the month is over, shifts still ahead are not missed.
  const MonthCompliance early = MonthComplianceOf(*s, "hq", 2026, 3, T("2026-03-03T12:00"));
  EXPECT_EQ(early.not_handed_over, 0);
  for (const auto& r : early.officers)
    if (r.officer == "sun") {
      EXPECT_EQ(r.missed_checkins, 0);
    }
}

// ---------------------------------------------------------------------------
// Patrols

TEST_F(DutyTest, PatrolScansCheckpointsInOrder) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  OnDuty(*s);
  ExpectRefused(StartPatrol(*s, kAmy, {"p1", "route-1", "s1"}, kNight), "role");
  ExpectRefused(StartPatrol(*s, kWang, {"p1", "nope", "s1"}, kNight), "route");
  ExpectRefused(StartPatrol(*s, kWang, {"p1", "route-1", "s2"}, kNight), "shift");
  ExpectRefused(StartPatrol(*s, kWang, {"", "route-1", "s1"}, kNight), "id");
  Do(*s, kWang, StartPatrol(*s, kWang, {"p1", "route-1", "s1"}, kNight));
  ExpectRefused(StartPatrol(*s, kWang, {"p1", "route-1", "s1"}, kNight), "id");
  ExpectRefused(ScanCheckpoint(*s, kZhao, "p1", "CP-A-1111", kNight), "patroller");
  ExpectRefused(ScanCheckpoint(*s, kWang, "p1", "", kNight), "code");
  auto later = ScanCheckpoint(*s, kWang, "p1", "CP-B-2222", kNight);
  ExpectRefused(later, "code");
  EXPECT_NE(later.status().en().find("comes later"), std::string::npos);
  ExpectRefused(ScanCheckpoint(*s, kWang, "p1", "ROOM-1-QR-7f3a", kNight), "code");
  Do(*s, kWang, ScanCheckpoint(*s, kWang, "p1", "CP-A-1111", T("2026-03-03T02:05")));
  ExpectRefused(SkipCheckpoint(*s, kWang, "p1", "", kNight), "reason");
  Do(*s, kWang, SkipCheckpoint(*s, kWang, "p1", "配电房施工封闭", T("2026-03-03T02:10")));
  const Command finish = Do(*s, kWang, FinishPatrol(*s, kWang, "p1", T("2026-03-03T02:20")));
  EXPECT_TRUE(HasWarning(finish, "skipped_checkpoints"));
  auto p = FindPatrol(*s, "p1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, "finished");
  ASSERT_EQ(p->scans.size(), 2u);
  EXPECT_EQ(p->scans[0].checkpoint, "cp-a");
  EXPECT_EQ(p->scans[0].at, "2026-03-03T02:05");
  EXPECT_TRUE(p->scans[1].skipped);
  EXPECT_EQ(p->scans[1].reason, "配电房施工封闭");
  EXPECT_EQ(p->missed, (std::vector<std::string>{"cp-c"}));
  ExpectRefused(ScanCheckpoint(*s, kWang, "p1", "CP-C-3333", kNight), "status");

  // A route walked to the end: nothing more to scan.
  Do(*s, kGao, StartPatrol(*s, kGao, {"p2", "route-1", ""}, kNight));
  for (const char* code : {"CP-A-1111", "CP-B-2222", "CP-C-3333"}) Do(*s, kGao, ScanCheckpoint(*s, kGao, "p2", code, kNight));
  ExpectRefused(ScanCheckpoint(*s, kGao, "p2", "CP-A-1111", kNight), "code");
  EXPECT_FALSE(HasWarning(Do(*s, kGao, FinishPatrol(*s, kGao, "p2", kNight)), "skipped_checkpoints"));
  EXPECT_TRUE(FindPatrol(*s, "p2")->missed.empty());
}

TEST_F(DutyTest, PatrolFindingBecomesARepairRequestInOneStep) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  repairs::Area area;
  area.id = "hq-main";
  area.name = "主楼";
  area.buildings = {"主楼"};
  Do(*s, kRoot, repairs::UpsertArea(*s, kRoot, area, kMorning));
  OnDuty(*s);
  Do(*s, kWang, StartPatrol(*s, kWang, {"p1", "route-1", "s1"}, kNight));
  Do(*s, kWang, ScanCheckpoint(*s, kWang, "p1", "CP-A-1111", kNight));
  FindingInput f;
  f.patrol = "p1";
  f.finding_id = "f1";
  f.category = "facility";
  f.description = "大门路灯不亮";
  ExpectRefused(RecordFinding(*s, kZhao, f, kNight), "patroller");
  f.category = "nope";
  ExpectRefused(RecordFinding(*s, kWang, f, kNight), "category");
  f.category = "facility";
  f.checkpoint = "room-1";
  ExpectRefused(RecordFinding(*s, kWang, f, kNight), "checkpoint");
  f.checkpoint = "";
  repairs::RepairInput repair;
  repair.id = "rep-1";
  repair.category = "electricity";
  repair.location = {"hq-main", "主楼", "1", ""};
  f.repair = repair;
  f.repair->location.area = "nowhere";
  ExpectRefused(RecordFinding(*s, kWang, f, kNight), "area");  // the repairs area's refusal passes through
  f.repair = repair;
  const Command cmd = Do(*s, kWang, RecordFinding(*s, kWang, f, kNight));
  ASSERT_EQ(cmd.drafts.size(), 2u);
  EXPECT_EQ(cmd.drafts[1].entity_type, repairs::entity::kRepair);
  ExpectRefused(RecordFinding(*s, kWang, f, kNight), "finding_id");
  auto p = FindPatrol(*s, "p1");
  ASSERT_EQ(p->findings.size(), 1u);
  EXPECT_EQ(p->findings[0].checkpoint, "cp-a");
  EXPECT_EQ(p->findings[0].repair_request, "rep-1");
  auto job = repairs::FindRepair(*s, "rep-1", kNight);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->description, "大门路灯不亮");
  EXPECT_EQ(job->requester, "wang");
  // A finding recorded without a request is linked later, by the coordinator too.
  FindingInput g{"p1", "f2", "fire", "灭火器过期", "cp-a", std::nullopt};
  Do(*s, kWang, RecordFinding(*s, kWang, g, kNight));
  EXPECT_EQ(FindPatrol(*s, "p1")->findings[1].repair_request, "");
  ExpectRefused(LinkFindingRepair(*s, kWang, "p1", "f9", "rep-1", kNight), "finding_id");
  ExpectRefused(LinkFindingRepair(*s, kWang, "p1", "f2", "", kNight), "repair_request");
  ExpectRefused(LinkFindingRepair(*s, kWang, "p1", "f2", "rep-9", kNight), "repair_request");
  ExpectRefused(LinkFindingRepair(*s, kAmy, "p1", "f2", "rep-1", kNight), "role");
  Do(*s, kWang, LinkFindingRepair(*s, kWang, "p1", "f2", "rep-1", kNight));
  EXPECT_EQ(FindPatrol(*s, "p1")->findings[1].repair_request, "rep-1");
}

TEST_F(DutyTest, PatrolScannedOnTwoDevicesOfflineMarksOutOfOrder) {
  auto a = Open("a.db", "dev-a");
  Seed(*a);
  OnDuty(*a);
  Do(*a, kWang, StartPatrol(*a, kWang, {"p1", "route-1", "s1"}, kNight));
  auto b = Open("b.db", "dev-b");
  ExchangeAll(*a, *b);
  Do(*a, kWang, ScanCheckpoint(*a, kWang, "p1", "CP-A-1111", kNight));
  Do(*b, kWang, ScanCheckpoint(*b, kWang, "p1", "CP-A-1111", T("2026-03-03T02:01")));
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    EXPECT_EQ(ConflictsOf(*s, entity::kPatrol, "p1", "out_of_order").size(), 1u);
    EXPECT_EQ(FindPatrol(*s, "p1")->scans.size(), 1u);
  }
  ExpectConverged(*a, *b);
}

// Every workflow table names both languages for each status and step.
TEST_F(DutyTest, WorkflowTablesAreComplete) {
  for (const Workflow* wf : {&ShiftWorkflow(), &SpotCheckWorkflow(), &EscalationWorkflow(), &PatrolWorkflow(),
                             &ProfileWorkflow()}) {
    for (const auto& st : wf->statuses()) EXPECT_FALSE(st.label.en.empty() || st.label.zh.empty()) << st.name;
    for (const auto& step : wf->steps()) {
      EXPECT_FALSE(step.label.en.empty() || step.label.zh.empty()) << step.kind;
      EXPECT_EQ(step.kind.substr(0, wf->entity().size() + 1), std::string(wf->entity()) + ".") << step.kind;
    }
  }
  EXPECT_TRUE(KnownCategory("fire"));
  EXPECT_FALSE(KnownCategory("gossip"));
  EXPECT_EQ(CategoryLabel("flood").zh, "防汛");
}

}  // namespace
}  // namespace houqin::duty
