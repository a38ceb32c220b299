// Upkeep of the official cars: designated providers, fuel cards, the fuel
// book's fill-up workflow, the monthly fuel and toll reconciliations, the
// car-repair plan chain, maintenance, per-vehicle costs, and the offline
// clashes of each (two devices acting on one record without syncing).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "cars/fleet.h"
#include "cars/trips.h"
#include "cars/upkeep.h"
#include "directory/directory.h"
#include "domain.h"
#include "test_support.h"

namespace houqin::cars {
namespace {

using testing::AllEvents;
using testing::ExchangeAll;

LocalTime At(const char* text) { return *LocalTime::Parse(text); }

// A refusal names its field and explains itself in both languages.
void ExpectNo(const Status& s, const std::string& field, Status::Code code = Status::Code::kRefused) {
  ASSERT_FALSE(s.ok()) << "expected a refusal on " << field;
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_EQ(s.field(), field) << s.ToString();
  EXPECT_FALSE(s.en().empty());
  EXPECT_FALSE(s.zh().empty());
  EXPECT_NE(s.en(), s.zh());
}
template <typename T>
void ExpectNo(const Result<T>& r, const std::string& field, Status::Code code = Status::Code::kRefused) {
  ExpectNo(r.status(), field, code);
}

bool HasWarning(const Result<Command>& r, const std::string& code) {
  return r.ok() && std::any_of(r->warnings.begin(), r->warnings.end(), [&](const Warning& w) { return w.code == code; });
}

bool HasConflict(Store& s, std::string_view type, const std::string& id, const std::string& kind) {
  auto v = s.Get(std::string(type), id);
  if (!v.ok() || !v->has_value()) return false;
  for (const auto& c : (*v)->conflicts)
    if (c.kind == kind && !c.reason.en.empty() && !c.reason.zh.empty()) return true;
  return false;
}

class Upkeep : public testing::DomainTest {
 protected:
  Upkeep() {
    a_ = Open("a.db", "dev-a");
    Seed(*a_);
  }

  // Runs a command that must be accepted.
  void Do(Store& s, const Author& who, const Result<Command>& cmd) {
    ASSERT_TRUE(cmd.ok()) << cmd.status().ToString();
    auto r = Execute(s, who, cmd);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    clock.Advance(1000);
  }
  void Do(const Author& who, const Result<Command>& cmd) { Do(*a_, who, cmd); }

  void Seed(Store& s) {
    std::vector<Draft> people;
    for (const auto& [id, name, roles] :
         std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>{
             {"adm", "管理员", {"admin"}},
             {"cap", "车队队长老张", {"dispatcher"}},
             {"clk", "内勤小李", {"fleet_clerk"}},
             {"drv", "驾驶员王师傅", {"driver"}},
             {"drv2", "驾驶员赵师傅", {"driver"}},
             {"dir", "主管主任", {"director"}},
             {"odir", "办公室主任", {"office_director"}},
             {"fin", "财务", {"finance"}},
             {"lead", "分管领导", {"approver"}},
             {"stf", "干部", {"staff"}},
             {"both", "身兼两职", {"dispatcher", "fleet_clerk"}}})
      people.push_back(directory::UpsertUser({id, name, "office", roles}));
    people.push_back(directory::UpsertDepartment("office", "办公室", {"lead"}));
    // Rotation off: the trips of these tests fall on whichever weekday suits the arithmetic.
    people.push_back(SetRules(Json{{"rotation_enabled", false}, {"rotation_weekend_parked", false}}));
    ASSERT_TRUE(s.Append(admin_, people).ok());

    Do(s, admin_, RegisterProvider(s, admin_, {"st-home", "中石化本地站", "fuel", "本地", true, "ZB-2025-01"}, t0_));
    Do(s, admin_, RegisterProvider(s, admin_, {"st-away", "中石油外地站", "fuel", "外地", true, "ZB-2025-02"}, t0_));
    Do(s, admin_, RegisterProvider(s, admin_, {"st-free", "路边加油站", "fuel", "本地", false, ""}, t0_));
    Do(s, admin_, RegisterProvider(s, admin_, {"shop-1", "定点修理厂", "repair", "本地", true, "ZB-2025-03"}, t0_));
    Do(s, admin_, RegisterProvider(s, admin_, {"shop-x", "街边修理铺", "repair", "本地", false, ""}, t0_));

    NewCar car1;
    car1.id = "car-1";
    car1.plate = "京A12345";
    car1.displacement_ml = 1600;
    car1.price_fen = 15'000'000;
    car1.new_energy = true;
    car1.fuel_norm_ml_per_100km = 8000;  // 8 L per 100 km
    Do(s, admin_, RegisterCar(s, admin_, car1, t0_));
    NewCar car2 = car1;
    car2.id = "car-2";
    car2.plate = "京B23456";
    car2.fuel_norm_ml_per_100km = 10000;
    Do(s, admin_, RegisterCar(s, admin_, car2, t0_));
    Do(s, admin_, RegisterDriver(s, admin_, {"d-1", "王师傅", "drv", "", "C1", "", ""}, t0_));
    Do(s, admin_, RegisterDriver(s, admin_, {"d-2", "赵师傅", "drv2", "", "C1", "", ""}, t0_));

    Do(s, captain_, IssueFuelCard(s, captain_, "card-1", "9001", "car-1", t0_));
    Do(s, captain_, IssueFuelCard(s, captain_, "card-2", "9002", "car-2", t0_));
  }

  // request → approve → fill; signatures as asked.
  void FillUp(Store& s, const std::string& id, const std::string& car, const Author& driver, std::int64_t litres_ml,
              std::int64_t amount_fen, LocalTime when, bool driver_signs = true, bool clerk_signs = true) {
    Do(s, driver, RequestFillUp(s, driver, id, car, "日常用车", when));
    Do(s, captain_, ApproveFillUp(s, captain_, id, false, when));
    Do(s, driver, RecordFill(s, driver, id, {litres_ml, amount_fen, "st-home"}, when));
    if (driver_signs) Do(s, driver, SignSlip(s, driver, id, SlipSigner::kDriver, when));
    if (clerk_signs) Do(s, clerk_, SignSlip(s, clerk_, id, SlipSigner::kClerk, when));
  }

  // A finished trip of `km` with `toll_fen` of tolls recorded on it.
  void Trip(const std::string& id, const std::string& car, const std::string& driver_id, LocalTime departure,
            std::int64_t km, std::int64_t toll_fen = 0) {
    RequestInput in;
    in.id = "req-" + id;
    in.departure = departure;
    in.return_time = departure.AddMinutes(8 * 60);
    in.destination = "市政府";
    in.purpose = "送文件";
    in.estimated_km = km;
    Do(staff_, SubmitRequest(*a_, staff_, in, departure.AddMinutes(-120)));
    Do(leader_, ApproveRequest(*a_, leader_, in.id, "", departure.AddMinutes(-100)));
    Do(captain_, DispatchTrip(*a_, captain_, {id, car, driver_id, {in.id}}, departure.AddMinutes(-90)));
    std::int64_t& odo = odometer_[car];
    Do(captain_, StartTrip(*a_, captain_, id, odo, departure));
    odo += km;
    Do(captain_, EndTrip(*a_, captain_, id, odo, departure.AddMinutes(6 * 60)));
    if (toll_fen > 0)
      Do(captain_, RecordExpense(*a_, captain_, id, "toll", toll_fen, "R-" + id, "", departure.AddMinutes(7 * 60)));
  }

  // Submitted, priced, approved and agreed.
  void AgreedPlan(Store& s, const std::string& id) {
    Do(s, driver_, SubmitRepairPlan(s, driver_, id, "car-1", "刹车异响", {{"刹车片", 2, 30000}}, t0_));
    Do(s, captain_, PriceRepairPlan(s, captain_, id, "查验属实", {{"刹车片", 2, 25000}, {"工时", 1, 10000}}, t0_));
    Do(s, director_, ApproveRepairPlan(s, director_, id, t0_));
    Do(s, office_, AgreeRepairPlan(s, office_, id, t0_));
  }

  static void ExpectConverged(Store& a, Store& b) {
    ExchangeAll(a, b);
    testing::ExpectConverged(a, b);
  }

  std::unique_ptr<Store> a_;
  std::map<std::string, std::int64_t> odometer_;
  const LocalTime t0_ = At("2026-01-05T09:00");
  const Author admin_{"adm", "admin", ""};
  const Author captain_{"cap", "dispatcher", ""};
  const Author clerk_{"clk", "fleet_clerk", ""};
  const Author driver_{"drv", "driver", ""};
  const Author driver2_{"drv2", "driver", ""};
  const Author director_{"dir", "director", ""};
  const Author office_{"odir", "office_director", ""};
  const Author finance_{"fin", "finance", ""};
  const Author leader_{"lead", "approver", ""};
  const Author staff_{"stf", "staff", ""};
};

// ---------------------------------------------------------------------------
// Providers (定点)

TEST_F(Upkeep, ProvidersAreRegisteredByTheAdminWithATenderWhenDesignated) {
  Store& s = *a_;
  ExpectNo(RegisterProvider(s, admin_, {"st-new", "新站", "fuel", "本地", true, ""}, t0_), "tender_ref",
           Status::Code::kInvalid);
  ExpectNo(RegisterProvider(s, admin_, {"st-new", "新站", "bakery", "本地", false, ""}, t0_), "kind",
           Status::Code::kInvalid);
  ExpectNo(RegisterProvider(s, admin_, {"st-new", "", "fuel", "本地", false, ""}, t0_), "name", Status::Code::kInvalid);
  ExpectNo(RegisterProvider(s, captain_, {"st-new", "新站", "fuel", "本地", false, ""}, t0_), "role");
  ExpectNo(RegisterProvider(s, admin_, {"st-home", "重复", "fuel", "本地", false, ""}, t0_), "status");
  // Acting in a role the directory does not give the user.
  ExpectNo(RegisterProvider(s, {"cap", "admin", ""}, {"st-new", "新站", "fuel", "本地", false, ""}, t0_), "role");

  EXPECT_EQ(ListProviders(s, provider_kind::kFuel).size(), 3u);
  EXPECT_EQ(ListProviders(s, provider_kind::kRepair).size(), 2u);
  EXPECT_TRUE(RequireDesignated(s, "st-home", provider_kind::kFuel, "station").ok());
  Status wrong_kind = RequireDesignated(s, "shop-1", provider_kind::kFuel, "station");
  EXPECT_TRUE(wrong_kind.IsRefused());
  EXPECT_EQ(wrong_kind.field(), "station");
  EXPECT_TRUE(RequireDesignated(s, "nowhere", provider_kind::kFuel, "station").IsNotFound());

  // The designation ends: the shop is refused from then on.
  Do(admin_, UpdateProvider(s, admin_, {"shop-1", "定点修理厂", "repair", "本地", false, ""}, t0_));
  auto shop = FindProvider(s, "shop-1");
  ASSERT_TRUE(shop.has_value());
  EXPECT_FALSE(shop->designated);
  Status refused = RequireDesignated(s, "shop-1", provider_kind::kRepair, "shop");
  EXPECT_TRUE(refused.IsRefused());
  EXPECT_FALSE(refused.zh().empty());
  ExpectNo(UpdateProvider(s, admin_, {"nobody", "x", "repair", "本地", false, ""}, t0_), "id", Status::Code::kNotFound);
}

// ---------------------------------------------------------------------------
// Fuel cards (一车一卡)

TEST_F(Upkeep, OneFuelCardPerCar) {
  Store& s = *a_;
  ExpectNo(IssueFuelCard(s, captain_, "card-3", "9003", "car-1", t0_), "car");
  ExpectNo(IssueFuelCard(s, captain_, "card-3", "9001", "car-2", t0_), "number");
  ExpectNo(IssueFuelCard(s, driver_, "card-3", "9003", "car-1", t0_), "role");
  ExpectNo(IssueFuelCard(s, captain_, "card-3", "9003", "no-such-car", t0_), "car", Status::Code::kNotFound);
  ExpectNo(IssueFuelCard(s, captain_, "card-1", "9001", "car-2", t0_), "status");  // card-1 is live already
  ExpectNo(WithdrawFuelCard(s, captain_, "card-1", "", t0_), "reason", Status::Code::kInvalid);

  Do(captain_, WithdrawFuelCard(s, captain_, "card-1", "卡片损坏", t0_));
  EXPECT_FALSE(FuelCardOfCar(s, "car-1").has_value());
  ExpectNo(RequestFillUp(s, driver_, "f-nocard", "car-1", "日常", t0_), "fuel_card");
  Do(captain_, IssueFuelCard(s, captain_, "card-3", "9003", "car-1", t0_));
  auto card = FuelCardOfCar(s, "car-1");
  ASSERT_TRUE(card.has_value());
  EXPECT_EQ(card->number, "9003");
  EXPECT_EQ(FindFuelCard(s, "card-1")->status, "withdrawn");
}

TEST_F(Upkeep, TheCarFilesCardCountsAsTheCarsCard) {
  Store& s = *a_;
  NewCar car3;
  car3.id = "car-3";
  car3.plate = "京C34567";
  car3.displacement_ml = 1500;
  car3.price_fen = 12'000'000;
  car3.new_energy = true;
  car3.fuel_card = "9100";
  Do(admin_, RegisterCar(s, admin_, car3, t0_));
  auto held = FuelCardOfCar(s, "car-3");
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->number, "9100");
  EXPECT_TRUE(held->id.empty());
  ExpectNo(IssueFuelCard(s, captain_, "card-9", "9200", "car-3", t0_), "car");
  ExpectNo(IssueFuelCard(s, captain_, "card-9", "9100", "car-1", t0_), "number");
  // The register's number becomes a card record.
  Do(captain_, IssueFuelCard(s, captain_, "card-9", "9100", "car-3", t0_));
  EXPECT_EQ(FuelCardOfCar(s, "car-3")->id, "card-9");
}

// ---------------------------------------------------------------------------
// Fill-ups: 002's procedure

TEST_F(Upkeep, FillUpGoesRequestApproveFillSignTwice) {
  Store& s = *a_;
  Do(driver_, RequestFillUp(s, driver_, "f-1", "car-1", "日常用车", t0_));
  auto f = FindFillUp(s, "f-1");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->status, "requested");
  EXPECT_EQ(f->card, "9001");
  EXPECT_EQ(f->driver, "drv");

  Do(captain_, ApproveFillUp(s, captain_, "f-1", false, t0_));
  EXPECT_EQ(FindFillUp(s, "f-1")->status, "approved");
  EXPECT_TRUE(FindFillUp(s, "f-1")->approved);

  auto fill = RecordFill(s, clerk_, "f-1", {40000, 32000, "st-home"}, At("2026-01-05T10:30"));
  EXPECT_FALSE(HasWarning(fill, "leader_signature_needed"));
  Do(clerk_, fill);
  f = FindFillUp(s, "f-1");
  EXPECT_EQ(f->status, "filled");
  EXPECT_EQ(f->litres_ml, 40000);
  EXPECT_EQ(f->amount_fen, 32000);
  EXPECT_EQ(f->station, "st-home");
  EXPECT_EQ(f->locality, "本地");
  EXPECT_FALSE(f->other_locality);
  EXPECT_EQ(f->month(), "2026-01");
  EXPECT_FALSE(f->complete);
  EXPECT_EQ(SlipProblems(*f, false), (std::vector<std::string>{"driver_unsigned", "clerk_unsigned"}));

  Do(driver_, SignSlip(s, driver_, "f-1", SlipSigner::kDriver, At("2026-01-05T10:35")));
  EXPECT_FALSE(FindFillUp(s, "f-1")->complete);  // one signature is not enough
  Do(clerk_, SignSlip(s, clerk_, "f-1", SlipSigner::kClerk, At("2026-01-06T08:00")));
  f = FindFillUp(s, "f-1");
  EXPECT_TRUE(f->complete);
  ASSERT_TRUE(f->driver_signature && f->clerk_signature);
  EXPECT_EQ(f->driver_signature->name, "驾驶员王师傅");
  EXPECT_EQ(f->driver_signature->date, "2026-01-05");
  EXPECT_EQ(f->clerk_signature->name, "内勤小李");
  EXPECT_EQ(f->clerk_signature->date, "2026-01-06");
  EXPECT_TRUE(SlipProblems(*f, false).empty());
  EXPECT_EQ(FuelBook(s, "2026-01").size(), 1u);
  EXPECT_TRUE(FuelBook(s, "2026-02").empty());
}

TEST_F(Upkeep, FillUpRefusalsBeforeApproval) {
  Store& s = *a_;
  ExpectNo(RequestFillUp(s, clerk_, "f-1", "car-1", "日常", t0_), "role");
  ExpectNo(RequestFillUp(s, driver_, "f-1", "no-such-car", "日常", t0_), "car", Status::Code::kNotFound);
  ExpectNo(RequestFillUp(s, driver_, "", "car-1", "日常", t0_), "id", Status::Code::kInvalid);
  Do(driver_, RequestFillUp(s, driver_, "f-1", "car-1", "日常", t0_));
  ExpectNo(RequestFillUp(s, driver_, "f-1", "car-1", "日常", t0_), "status");

  // 加油需先报请车队队长: no filling, no signing before the captain approves.
  ExpectNo(RecordFill(s, driver_, "f-1", {30000, 24000, "st-home"}, t0_), "status");
  ExpectNo(SignSlip(s, driver_, "f-1", SlipSigner::kDriver, t0_), "status");
  ExpectNo(ApproveFillUp(s, driver_, "f-1", false, t0_), "role");
  ExpectNo(ApproveFillUp(s, clerk_, "f-1", false, t0_), "role");
  ExpectNo(ApproveFillUp(s, {"drv", "dispatcher", ""}, "f-1", false, t0_), "role");  // not a captain in the directory
  ExpectNo(ApproveFillUp(s, captain_, "f-9", false, t0_), "id", Status::Code::kNotFound);
  ExpectNo(RejectFillUp(s, captain_, "f-1", " ", t0_), "reason", Status::Code::kInvalid);

  // The captain cannot approve a fill-up he asked for himself.
  Do(admin_, Result<Command>(Command{{directory::UpsertUser({"cap", "车队队长老张", "office", {"dispatcher", "driver"}})}, {}}));
  Do({"cap", "driver", ""}, RequestFillUp(s, {"cap", "driver", ""}, "f-own", "car-1", "自用", t0_));
  ExpectNo(ApproveFillUp(s, captain_, "f-own", false, t0_), "actor");

  Do(captain_, RejectFillUp(s, captain_, "f-1", "本周已加过油", t0_));
  EXPECT_EQ(FindFillUp(s, "f-1")->status, "rejected");
  ExpectNo(ApproveFillUp(s, captain_, "f-1", false, t0_), "status");
  ExpectNo(CancelFillUp(s, driver_, "f-1", "不需要了", t0_), "status");

  Do(driver_, RequestFillUp(s, driver_, "f-2", "car-1", "日常", t0_));
  ExpectNo(CancelFillUp(s, driver2_, "f-2", "不需要了", t0_), "actor");
  Do(driver_, CancelFillUp(s, driver_, "f-2", "不需要了", t0_));
  EXPECT_EQ(FindFillUp(s, "f-2")->status, "cancelled");
}

TEST_F(Upkeep, FillUpRefusalsAtTheStationAndOnTheSlip) {
  Store& s = *a_;
  Do(driver_, RequestFillUp(s, driver_, "f-1", "car-1", "日常", t0_));
  Do(captain_, ApproveFillUp(s, captain_, "f-1", false, t0_));
  ExpectNo(RecordFill(s, driver_, "f-1", {30000, 24000, "st-free"}, t0_), "station");  // not designated
  ExpectNo(RecordFill(s, driver_, "f-1", {30000, 24000, "shop-1"}, t0_), "station");   // not a station
  ExpectNo(RecordFill(s, driver_, "f-1", {30000, 24000, "nowhere"}, t0_), "station", Status::Code::kNotFound);
  ExpectNo(RecordFill(s, driver_, "f-1", {0, 24000, "st-home"}, t0_), "litres_ml", Status::Code::kInvalid);
  ExpectNo(RecordFill(s, driver_, "f-1", {30000, 0, "st-home"}, t0_), "amount_fen", Status::Code::kInvalid);
  ExpectNo(RecordFill(s, driver2_, "f-1", {30000, 24000, "st-home"}, t0_), "actor");
  ExpectNo(RecordFill(s, finance_, "f-1", {30000, 24000, "st-home"}, t0_), "role");
  Do(driver_, RecordFill(s, driver_, "f-1", {30000, 24000, "st-home"}, t0_));
  ExpectNo(RecordFill(s, driver_, "f-1", {30000, 24000, "st-home"}, t0_), "status");

  ExpectNo(SignSlip(s, driver2_, "f-1", SlipSigner::kDriver, t0_), "actor");    // not the driver who filled
  ExpectNo(SignSlip(s, driver_, "f-1", SlipSigner::kClerk, t0_), "role");       // a driver is no clerk
  ExpectNo(SignSlip(s, clerk_, "f-1", SlipSigner::kDriver, t0_), "role");
  ExpectNo(SignSlip(s, {"drv", "fleet_clerk", ""}, "f-1", SlipSigner::kClerk, t0_), "role");  // not in the directory
  ExpectNo(SignSlip(s, leader_, "f-1", SlipSigner::kLeader, t0_), "signature");  // home locality: no leader needed
  Do(driver_, SignSlip(s, driver_, "f-1", SlipSigner::kDriver, t0_));
  ExpectNo(SignSlip(s, driver_, "f-1", SlipSigner::kDriver, t0_), "signature");
}

TEST_F(Upkeep, AnotherLocalityIsRefusedWithoutTheCaptainsConsent) {
  Store& s = *a_;
  Do(driver_, RequestFillUp(s, driver_, "f-1", "car-1", "出差", t0_));
  Do(captain_, ApproveFillUp(s, captain_, "f-1", false, t0_));
  ExpectNo(RecordFill(s, driver_, "f-1", {30000, 24000, "st-away"}, t0_), "locality");
  // The home station is fine for the same approval.
  Do(driver_, RecordFill(s, driver_, "f-1", {30000, 24000, "st-home"}, t0_));
}

TEST_F(Upkeep, AnotherLocalityWithConsentNeedsTheLeadersSignature) {
  Store& s = *a_;
  Do(driver_, RequestFillUp(s, driver_, "f-1", "car-1", "出差", t0_));
  Do(captain_, ApproveFillUp(s, captain_, "f-1", true, t0_));
  EXPECT_TRUE(FindFillUp(s, "f-1")->other_locality_consent);
  auto fill = RecordFill(s, driver_, "f-1", {30000, 25000, "st-away"}, t0_);
  EXPECT_TRUE(HasWarning(fill, "leader_signature_needed"));
  Do(driver_, fill);
  Do(driver_, SignSlip(s, driver_, "f-1", SlipSigner::kDriver, t0_));
  Do(clerk_, SignSlip(s, clerk_, "f-1", SlipSigner::kClerk, t0_));
  auto f = FindFillUp(s, "f-1");
  EXPECT_TRUE(f->other_locality);
  EXPECT_EQ(f->locality, "外地");
  EXPECT_FALSE(f->complete);
  EXPECT_EQ(SlipProblems(*f, false), std::vector<std::string>{"leader_unsigned"});

  ExpectNo(SignSlip(s, clerk_, "f-1", SlipSigner::kLeader, t0_), "role");
  ExpectNo(SignSlip(s, {"drv", "approver", ""}, "f-1", SlipSigner::kLeader, t0_), "role");
  Do(leader_, SignSlip(s, leader_, "f-1", SlipSigner::kLeader, t0_));
  f = FindFillUp(s, "f-1");
  EXPECT_TRUE(f->complete);
  EXPECT_EQ(f->leader_signature->name, "分管领导");
}

TEST_F(Upkeep, AnUnrequestedCardUseEntersTheBookAsAnException) {
  Store& s = *a_;
  ExpectNo(EnterUnrequestedFill(s, driver_, "f-x", "car-1", "drv", {20000, 16000, "st-home"}, t0_, t0_), "role");
  ExpectNo(EnterUnrequestedFill(s, clerk_, "f-x", "car-1", "stf", {20000, 16000, "st-home"}, t0_, t0_), "driver",
           Status::Code::kInvalid);
  ExpectNo(EnterUnrequestedFill(s, clerk_, "f-x", "car-1", "drv", {20000, 16000, "st-home"}, t0_.AddMinutes(60), t0_),
           "filled_at", Status::Code::kInvalid);
  ExpectNo(EnterUnrequestedFill(s, clerk_, "f-x", "car-1", "drv", {20000, 16000, "st-free"}, t0_, t0_), "station");
  auto entered = EnterUnrequestedFill(s, clerk_, "f-x", "car-1", "drv", {20000, 16000, "st-away"}, t0_, t0_);
  EXPECT_TRUE(HasWarning(entered, "not_approved"));
  Do(clerk_, entered);
  Do(driver_, SignSlip(s, driver_, "f-x", SlipSigner::kDriver, t0_));
  Do(clerk_, SignSlip(s, clerk_, "f-x", SlipSigner::kClerk, t0_));
  Do(leader_, SignSlip(s, leader_, "f-x", SlipSigner::kLeader, t0_));
  auto f = FindFillUp(s, "f-x");
  EXPECT_EQ(f->status, "filled");
  EXPECT_FALSE(f->complete);
  EXPECT_EQ(SlipProblems(*f, false), (std::vector<std::string>{"not_approved", "no_consent"}));
  for (const auto& code : SlipProblems(*f, true)) {
    EXPECT_FALSE(ProblemText(code).en.empty());
    EXPECT_FALSE(ProblemText(code).zh.empty());
  }
}

TEST_F(Upkeep, ACorrectionClearsTheSignatures) {
  Store& s = *a_;
  FillUp(s, "f-1", "car-1", driver_, 30000, 24000, t0_);
  ASSERT_TRUE(FindFillUp(s, "f-1")->complete);
  ExpectNo(CorrectFill(s, clerk_, "f-1", {31000, 24800, "st-home"}, "", t0_), "reason", Status::Code::kInvalid);
  ExpectNo(CorrectFill(s, driver_, "f-1", {31000, 24800, "st-home"}, "看错表", t0_), "role");
  ExpectNo(CorrectFill(s, clerk_, "f-1", {31000, 24800, "st-away"}, "看错表", t0_), "locality");
  auto fix = CorrectFill(s, clerk_, "f-1", {31000, 24800, "st-home"}, "看错表", t0_);
  EXPECT_TRUE(HasWarning(fix, "signatures_cleared"));
  Do(clerk_, fix);
  auto f = FindFillUp(s, "f-1");
  EXPECT_EQ(f->litres_ml, 31000);
  EXPECT_EQ(f->filled_at, "2026-01-05T09:00");
  EXPECT_FALSE(f->complete);
  EXPECT_FALSE(f->driver_signature.has_value());
  EXPECT_FALSE(f->clerk_signature.has_value());
}

// ---------------------------------------------------------------------------
// Car repairs (修车计划和预算) and maintenance (保养)

TEST_F(Upkeep, RepairPlanChainInOrder) {
  Store& s = *a_;
  Do(driver_, SubmitRepairPlan(s, driver_, "rp-1", "car-1", "刹车异响", {{"刹车片", 2, 30000}}, t0_));
  auto r = FindRepair(s, "rp-1");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, "planned");
  EXPECT_EQ(r->kind, "repair");
  EXPECT_EQ(r->estimate_fen, 60000);

  Do(captain_, PriceRepairPlan(s, captain_, "rp-1", "查验属实, 按市场价核定",
                               {{"刹车片", 2, 25000}, {"工时", 1, 10000}}, t0_));
  r = FindRepair(s, "rp-1");
  EXPECT_EQ(r->status, "priced");
  EXPECT_EQ(r->budget_fen, 60000);
  EXPECT_EQ(r->priced_items.size(), 2u);
  EXPECT_EQ(r->priced_by, "cap");

  Do(director_, ApproveRepairPlan(s, director_, "rp-1", t0_));
  EXPECT_EQ(FindRepair(s, "rp-1")->status, "approved");
  Do(office_, AgreeRepairPlan(s, office_, "rp-1", t0_));
  EXPECT_EQ(FindRepair(s, "rp-1")->status, "agreed");
  Do(driver_, StartRepair(s, driver_, "rp-1", "shop-1", At("2026-01-06T09:00")));
  r = FindRepair(s, "rp-1");
  EXPECT_EQ(r->status, "in_repair");
  EXPECT_EQ(r->shop, "shop-1");

  auto done = CompleteRepair(s, captain_, "rp-1", 65000, {{"刹车片", 2, 25000}, {"工时", 1, 15000}},
                             At("2026-01-07T16:00"));
  EXPECT_TRUE(HasWarning(done, "over_budget"));
  Do(captain_, done);
  r = FindRepair(s, "rp-1");
  EXPECT_EQ(r->status, "completed");
  EXPECT_EQ(r->final_cost_fen, 65000);
  EXPECT_EQ(r->completed_at, "2026-01-07T16:00");
  EXPECT_EQ(r->approved_by, "dir");
  EXPECT_EQ(r->agreed_by, "odir");
}

TEST_F(Upkeep, RepairStepsOutOfOrderAreRefused) {
  Store& s = *a_;
  ExpectNo(SubmitRepairPlan(s, captain_, "rp-1", "car-1", "刹车异响", {{"刹车片", 2, 30000}}, t0_), "role");
  ExpectNo(SubmitRepairPlan(s, driver_, "rp-1", "car-1", "", {{"刹车片", 2, 30000}}, t0_), "description",
           Status::Code::kInvalid);
  ExpectNo(SubmitRepairPlan(s, driver_, "rp-1", "car-1", "刹车异响", {}, t0_), "items", Status::Code::kInvalid);
  ExpectNo(SubmitRepairPlan(s, driver_, "rp-1", "car-1", "刹车异响", {{"刹车片", 0, 30000}}, t0_), "items",
           Status::Code::kInvalid);
  Do(driver_, SubmitRepairPlan(s, driver_, "rp-1", "car-1", "刹车异响", {{"刹车片", 2, 30000}}, t0_));

  // planned: only the captain's inspection may follow.
  ExpectNo(ApproveRepairPlan(s, director_, "rp-1", t0_), "status");
  ExpectNo(AgreeRepairPlan(s, office_, "rp-1", t0_), "status");
  ExpectNo(StartRepair(s, driver_, "rp-1", "shop-1", t0_), "status");
  ExpectNo(CompleteRepair(s, driver_, "rp-1", 50000, {{"刹车片", 2, 25000}}, t0_), "status");
  ExpectNo(PriceRepairPlan(s, director_, "rp-1", "看过", {{"刹车片", 2, 25000}}, t0_), "role");
  ExpectNo(PriceRepairPlan(s, captain_, "rp-1", "", {{"刹车片", 2, 25000}}, t0_), "inspection_note",
           Status::Code::kInvalid);
  ExpectNo(PriceRepairPlan(s, captain_, "rp-1", "看过", {{"刹车片", 2, 0}}, t0_), "priced_items",
           Status::Code::kInvalid);
  Do(captain_, PriceRepairPlan(s, captain_, "rp-1", "看过", {{"刹车片", 2, 25000}}, t0_));

  // priced: the supervising director, not the office director yet.
  ExpectNo(AgreeRepairPlan(s, office_, "rp-1", t0_), "status");
  ExpectNo(ApproveRepairPlan(s, office_, "rp-1", t0_), "role");
  ExpectNo(StartRepair(s, driver_, "rp-1", "shop-1", t0_), "status");
  ExpectNo(PriceRepairPlan(s, captain_, "rp-1", "再看", {{"刹车片", 2, 25000}}, t0_), "status");
  Do(director_, ApproveRepairPlan(s, director_, "rp-1", t0_));

  // approved: the office director agrees; only then may it start.
  ExpectNo(StartRepair(s, driver_, "rp-1", "shop-1", t0_), "status");
  ExpectNo(AgreeRepairPlan(s, director_, "rp-1", t0_), "role");
  ExpectNo(ApproveRepairPlan(s, director_, "rp-1", t0_), "status");
  Do(office_, AgreeRepairPlan(s, office_, "rp-1", t0_));

  // agreed: at a designated repair shop only.
  ExpectNo(StartRepair(s, driver_, "rp-1", "shop-x", t0_), "shop");
  ExpectNo(StartRepair(s, driver_, "rp-1", "st-home", t0_), "shop");
  ExpectNo(StartRepair(s, driver_, "rp-1", "", t0_), "shop", Status::Code::kInvalid);
  ExpectNo(StartRepair(s, finance_, "rp-1", "shop-1", t0_), "role");
  ExpectNo(CompleteRepair(s, driver_, "rp-1", 50000, {{"刹车片", 2, 25000}}, t0_), "status");
  Do(driver_, StartRepair(s, driver_, "rp-1", "shop-1", t0_));
  ExpectNo(CompleteRepair(s, driver_, "rp-1", 0, {{"刹车片", 2, 25000}}, t0_), "final_cost_fen",
           Status::Code::kInvalid);
  ExpectNo(CancelRepairPlan(s, driver_, "rp-1", "不修了", t0_), "status");
  Do(driver_, CompleteRepair(s, driver_, "rp-1", 50000, {{"刹车片", 2, 25000}}, t0_));
  ExpectNo(CompleteRepair(s, driver_, "rp-1", 50000, {{"刹车片", 2, 25000}}, t0_), "status");
  ExpectNo(RejectRepairPlan(s, director_, "rp-1", "太贵", t0_), "status");
}

TEST_F(Upkeep, RepairRejectionsBelongToTheStepThatIsDue) {
  Store& s = *a_;
  Do(driver_, SubmitRepairPlan(s, driver_, "rp-1", "car-1", "异响", {{"检查", 1, 10000}}, t0_));
  ExpectNo(RejectRepairPlan(s, director_, "rp-1", "不必", t0_), "role");  // the captain's step is due
  ExpectNo(RejectRepairPlan(s, driver_, "rp-1", "不必", t0_), "role");
  ExpectNo(RejectRepairPlan(s, captain_, "rp-1", "", t0_), "reason", Status::Code::kInvalid);
  Do(captain_, RejectRepairPlan(s, captain_, "rp-1", "查验无故障", t0_));
  EXPECT_EQ(FindRepair(s, "rp-1")->status, "rejected");
  EXPECT_EQ(FindRepair(s, "rp-1")->reason, "查验无故障");
  ExpectNo(PriceRepairPlan(s, captain_, "rp-1", "看过", {{"检查", 1, 10000}}, t0_), "status");

  Do(driver_, SubmitRepairPlan(s, driver_, "rp-2", "car-1", "异响", {{"检查", 1, 10000}}, t0_));
  Do(captain_, PriceRepairPlan(s, captain_, "rp-2", "看过", {{"检查", 1, 8000}}, t0_));
  ExpectNo(RejectRepairPlan(s, office_, "rp-2", "贵", t0_), "role");
  Do(director_, ApproveRepairPlan(s, director_, "rp-2", t0_));
  ExpectNo(RejectRepairPlan(s, director_, "rp-2", "贵", t0_), "role");
  Do(office_, RejectRepairPlan(s, office_, "rp-2", "预算不足", t0_));
  EXPECT_EQ(FindRepair(s, "rp-2")->status, "rejected");

  Do(driver_, SubmitRepairPlan(s, driver_, "rp-3", "car-1", "异响", {{"检查", 1, 10000}}, t0_));
  ExpectNo(CancelRepairPlan(s, driver2_, "rp-3", "不修了", t0_), "actor");
  Do(driver_, CancelRepairPlan(s, driver_, "rp-3", "不修了", t0_));
  EXPECT_EQ(FindRepair(s, "rp-3")->status, "cancelled");
}

TEST_F(Upkeep, NobodyApprovesTheirOwnRepairPlan) {
  Store& s = *a_;
  Do(admin_, Result<Command>(Command{{directory::UpsertUser({"dir", "主管主任", "office", {"director", "driver"}})}, {}}));
  const Author dir_as_driver{"dir", "driver", ""};
  Do(dir_as_driver, SubmitRepairPlan(s, dir_as_driver, "rp-1", "car-1", "异响", {{"检查", 1, 10000}}, t0_));
  Do(captain_, PriceRepairPlan(s, captain_, "rp-1", "看过", {{"检查", 1, 8000}}, t0_));
  ExpectNo(ApproveRepairPlan(s, director_, "rp-1", t0_), "actor");
}

TEST_F(Upkeep, MaintenanceIsRecordedAtADesignatedShop) {
  Store& s = *a_;
  ExpectNo(RecordMaintenance(s, captain_, "mt-1", "car-1", "shop-x", "5000公里保养", 40000, {}, t0_), "shop");
  ExpectNo(RecordMaintenance(s, driver_, "mt-1", "car-1", "shop-1", "5000公里保养", 40000, {}, t0_), "role");
  ExpectNo(RecordMaintenance(s, captain_, "mt-1", "car-1", "shop-1", "5000公里保养", 0, {}, t0_), "cost_fen",
           Status::Code::kInvalid);
  Do(captain_, RecordMaintenance(s, captain_, "mt-1", "car-1", "shop-1", "5000公里保养", 40000,
                                 {{"机油", 1, 30000}, {"机滤", 1, 10000}}, t0_));
  auto m = FindRepair(s, "mt-1");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->kind, "maintenance");
  EXPECT_EQ(m->status, "completed");
  EXPECT_EQ(m->final_cost_fen, 40000);
  EXPECT_EQ(m->final_items.size(), 2u);
  ExpectNo(RecordMaintenance(s, captain_, "mt-1", "car-1", "shop-1", "再次", 40000, {}, t0_), "status");
}

// ---------------------------------------------------------------------------
// Monthly reconciliations (一月一结)

TEST_F(Upkeep, FuelReconciliationFlagsFuelAboveTheMileageAndListsBadSlips) {
  Store& s = *a_;
  // car-1: 500 km at 8 L/100 km allows 40 L, 44 L with the 10% tolerance; 50 L were filled.
  Trip("t-1", "car-1", "d-1", At("2026-01-06T08:00"), 300);
  Trip("t-2", "car-1", "d-1", At("2026-01-13T08:00"), 200);
  FillUp(s, "f-1", "car-1", driver_, 30000, 24000, At("2026-01-06T07:30"));
  FillUp(s, "f-2", "car-1", driver_, 20000, 16000, At("2026-01-14T07:30"));
  // car-2: 200 km at 10 L/100 km allows 20 L; 15 L were filled, but one slip lacks the clerk and one use was never
  // requested.
  Trip("t-3", "car-2", "d-2", At("2026-01-07T08:00"), 200);
  FillUp(s, "f-3", "car-2", driver2_, 10000, 8000, At("2026-01-07T07:30"), true, false);
  Do(clerk_, EnterUnrequestedFill(s, clerk_, "f-4", "car-2", "drv2", {5000, 4000, "st-home"}, At("2026-01-20T12:00"),
                                  At("2026-01-21T09:00")));
  // A February fill-up is not January's business.
  FillUp(s, "f-5", "car-1", driver_, 10000, 8000, At("2026-02-01T07:30"));

  const FuelFigures f = ComputeFuelFigures(s, "2026-01", LoadRules(s));
  EXPECT_EQ(f.entries, 4);
  EXPECT_EQ(f.litres_ml, 65000);
  EXPECT_EQ(f.amount_fen, 52000);
  ASSERT_EQ(f.clean.size(), 2u);
  EXPECT_EQ(f.clean[0].fill_up, "f-1");
  EXPECT_EQ(f.clean[1].fill_up, "f-2");
  ASSERT_EQ(f.exceptions.size(), 2u);
  EXPECT_EQ(f.exceptions[0].fill_up, "f-3");
  EXPECT_EQ(f.exceptions[0].problems, std::vector<std::string>{"clerk_unsigned"});
  EXPECT_EQ(f.exceptions[1].fill_up, "f-4");
  EXPECT_EQ(f.exceptions[1].problems,
            (std::vector<std::string>{"not_approved", "driver_unsigned", "clerk_unsigned"}));
  ASSERT_EQ(f.cars.size(), 2u);
  const CarFuelCheck& c1 = f.cars[0];
  EXPECT_EQ(c1.car, "car-1");
  EXPECT_EQ(c1.distance_km, 500);
  EXPECT_EQ(c1.used_ml, 50000);
  EXPECT_EQ(c1.allowed_ml, 40000);
  EXPECT_EQ(c1.limit_ml, 44000);
  EXPECT_TRUE(c1.flagged);
  EXPECT_EQ(c1.excess_ml, 6000);
  EXPECT_EQ(c1.excess_fen, 4800);  // 6 L at the month's 8 CNY per litre
  const CarFuelCheck& c2 = f.cars[1];
  EXPECT_EQ(c2.car, "car-2");
  EXPECT_EQ(c2.distance_km, 200);
  EXPECT_EQ(c2.used_ml, 15000);
  EXPECT_FALSE(c2.flagged);
  EXPECT_EQ(c2.excess_ml, 0);
  EXPECT_EQ(f.not_reimbursable_fen, 4800);

  // Prepared, the record holds the same figures.
  auto prep = PrepareFuelReconciliation(s, captain_, "2026-01", At("2026-01-31T17:00"));
  EXPECT_TRUE(HasWarning(prep, "exceptions"));
  EXPECT_TRUE(HasWarning(prep, "month_open"));
  Do(captain_, prep);
  auto r = FindReconciliation(s, ReconciliationId(reconciliation_kind::kFuel, "2026-01"));
  ASSERT_TRUE(r.has_value() && r->fuel.has_value());
  EXPECT_EQ(r->id, "fuel-2026-01");
  EXPECT_EQ(r->status, "prepared");
  EXPECT_EQ(r->fuel->cars[0].excess_ml, 6000);
  EXPECT_EQ(r->fuel->exceptions.size(), 2u);
  EXPECT_EQ(r->fuel->not_reimbursable_fen, 4800);
}

TEST_F(Upkeep, TheToleranceIsARule) {
  Store& s = *a_;
  Trip("t-1", "car-1", "d-1", At("2026-01-06T08:00"), 500);
  FillUp(s, "f-1", "car-1", driver_, 43000, 34400, At("2026-01-06T07:30"));
  EXPECT_FALSE(ComputeFuelFigures(s, "2026-01", LoadRules(s)).cars.at(0).flagged);  // 43 L within 44 L
  Do(admin_, Result<Command>(Command{{SetRules(Json{{"fuel_tolerance_percent", 0}})}, {}}));
  const auto check = ComputeFuelFigures(s, "2026-01", LoadRules(s)).cars.at(0);
  EXPECT_TRUE(check.flagged);
  EXPECT_EQ(check.excess_ml, 3000);
  EXPECT_EQ(check.excess_fen, 2400);
}

TEST_F(Upkeep, ReconciliationWorkflowPrepareCheckSignSettle) {
  Store& s = *a_;
  FillUp(s, "f-1", "car-1", driver_, 30000, 24000, At("2026-01-06T07:30"));
  FillUp(s, "f-2", "car-2", driver2_, 10000, 8000, At("2026-01-07T07:30"), true, false);
  const LocalTime feb = At("2026-02-02T09:00");
  const std::string id = ReconciliationId(reconciliation_kind::kFuel, "2026-01");

  ExpectNo(PrepareFuelReconciliation(s, clerk_, "2026-01", feb), "role");
  ExpectNo(PrepareFuelReconciliation(s, captain_, "2026-03", feb), "month");
  ExpectNo(PrepareFuelReconciliation(s, captain_, "2026-1", feb), "month", Status::Code::kInvalid);
  ExpectNo(CheckReconciliation(s, clerk_, id, feb), "id", Status::Code::kNotFound);
  auto prep = PrepareFuelReconciliation(s, captain_, "2026-01", feb);
  EXPECT_FALSE(HasWarning(prep, "month_open"));
  Do(captain_, prep);

  // prepared: the clerk checks, nobody else moves it on.
  ExpectNo(SignReconciliation(s, director_, id, feb), "status");
  ExpectNo(SettleReconciliation(s, finance_, id, feb), "status");
  ExpectNo(CheckReconciliation(s, director_, id, feb), "role");
  Do(captain_, PrepareFuelReconciliation(s, captain_, "2026-01", feb));  // again, until checked
  Do(clerk_, CheckReconciliation(s, clerk_, id, feb));
  EXPECT_EQ(FindReconciliation(s, id)->checked_by, "clk");
  ExpectNo(PrepareFuelReconciliation(s, captain_, "2026-01", feb), "status");

  // checked: the director (主管主任) signs.
  ExpectNo(SettleReconciliation(s, finance_, id, feb), "status");
  ExpectNo(SignReconciliation(s, office_, id, feb), "role");
  ExpectNo(SignReconciliation(s, clerk_, id, feb), "role");
  auto sign = SignReconciliation(s, director_, id, feb);
  EXPECT_TRUE(HasWarning(sign, "exceptions"));  // f-2 lacks the clerk's signature
  Do(director_, sign);
  EXPECT_EQ(FindReconciliation(s, id)->signed_by, "dir");

  // signed: finance settles at month end, and the clean entries with it.
  ExpectNo(SettleReconciliation(s, director_, id, feb), "role");
  ExpectNo(SettleReconciliation(s, finance_, id, At("2026-01-30T17:00")), "month");
  auto settle = SettleReconciliation(s, finance_, id, feb);
  ASSERT_TRUE(settle.ok());
  EXPECT_EQ(settle->drafts.size(), 2u);  // the reconciliation and f-1
  Do(finance_, settle);
  auto r = FindReconciliation(s, id);
  EXPECT_EQ(r->status, "settled");
  EXPECT_EQ(r->settled_by, "fin");
  auto f1 = FindFillUp(s, "f-1");
  EXPECT_EQ(f1->status, "settled");
  EXPECT_EQ(f1->reconciliation, id);
  EXPECT_EQ(FindFillUp(s, "f-2")->status, "filled");  // the exception is not reimbursed

  // A settled entry cannot be edited or signed any more; a settled month is closed.
  ExpectNo(CorrectFill(s, clerk_, "f-1", {31000, 24800, "st-home"}, "看错表", feb), "status");
  ExpectNo(SignSlip(s, clerk_, "f-1", SlipSigner::kClerk, feb), "status");
  ExpectNo(SettleReconciliation(s, finance_, id, feb), "status");
  ExpectNo(ReturnReconciliation(s, director_, id, "重做", feb), "status");
  ExpectNo(PrepareFuelReconciliation(s, captain_, "2026-01", feb), "status");
}

TEST_F(Upkeep, AReconciliationIsReturnedAndPreparedAgain) {
  Store& s = *a_;
  FillUp(s, "f-1", "car-1", driver_, 30000, 24000, At("2026-01-06T07:30"));
  const LocalTime feb = At("2026-02-02T09:00");
  const std::string id = ReconciliationId(reconciliation_kind::kFuel, "2026-01");
  Do(captain_, PrepareFuelReconciliation(s, captain_, "2026-01", feb));
  // Whoever prepared cannot also check.
  const Author both_as_captain{"both", "dispatcher", ""}, both_as_clerk{"both", "fleet_clerk", ""};
  Do(both_as_captain, PrepareFuelReconciliation(s, both_as_captain, "2026-01", feb));
  ExpectNo(CheckReconciliation(s, both_as_clerk, id, feb), "actor");
  Do(clerk_, CheckReconciliation(s, clerk_, id, feb));
  Do(director_, SignReconciliation(s, director_, id, feb));

  // Changed after signing: finance cannot settle stale figures.
  Do(clerk_, CorrectFill(s, clerk_, "f-1", {31000, 24800, "st-home"}, "看错表", feb));
  ExpectNo(SettleReconciliation(s, finance_, id, feb), "figures");
  ExpectNo(ReturnReconciliation(s, captain_, id, "重做", feb), "role");
  ExpectNo(ReturnReconciliation(s, finance_, id, "", feb), "reason", Status::Code::kInvalid);
  Do(finance_, ReturnReconciliation(s, finance_, id, "油本已更正, 请重新编制", feb));
  auto r = FindReconciliation(s, id);
  EXPECT_EQ(r->status, "returned");
  EXPECT_EQ(r->note, "油本已更正, 请重新编制");
  EXPECT_TRUE(r->signed_by.empty());
  ExpectNo(SignReconciliation(s, director_, id, feb), "status");

  Do(driver_, SignSlip(s, driver_, "f-1", SlipSigner::kDriver, feb));
  Do(clerk_, SignSlip(s, clerk_, "f-1", SlipSigner::kClerk, feb));
  Do(captain_, PrepareFuelReconciliation(s, captain_, "2026-01", feb));
  Do(clerk_, CheckReconciliation(s, clerk_, id, feb));
  Do(director_, SignReconciliation(s, director_, id, feb));
  Do(finance_, SettleReconciliation(s, finance_, id, feb));
  EXPECT_EQ(FindFillUp(s, "f-1")->status, "settled");
  EXPECT_EQ(FindFillUp(s, "f-1")->litres_ml, 31000);
}

TEST_F(Upkeep, PreparingAgainOnlyBeforeTheCheckOrAfterAReturn) {
  Store& s = *a_;
  FillUp(s, "f-1", "car-1", driver_, 30000, 24000, At("2026-01-06T07:30"));
  const LocalTime feb = At("2026-02-02T09:00");
  const std::string id = ReconciliationId(reconciliation_kind::kFuel, "2026-01");
  Do(captain_, PrepareFuelReconciliation(s, captain_, "2026-01", feb));
  Do(captain_, PrepareFuelReconciliation(s, captain_, "2026-01", feb));  // prepared → prepared
  // Returned straight from prepared, then prepared again.
  Do(clerk_, ReturnReconciliation(s, clerk_, id, "漏登一笔", feb));
  EXPECT_EQ(FindReconciliation(s, id)->status, "returned");
  Do(captain_, PrepareFuelReconciliation(s, captain_, "2026-01", feb));
  // Once checked, or signed, the captain must have it returned before preparing again.
  Do(clerk_, CheckReconciliation(s, clerk_, id, feb));
  ExpectNo(PrepareFuelReconciliation(s, captain_, "2026-01", feb), "status");
  Do(director_, SignReconciliation(s, director_, id, feb));
  ExpectNo(PrepareFuelReconciliation(s, captain_, "2026-01", feb), "status");
  Do(director_, ReturnReconciliation(s, director_, id, "重新核对", feb));
  Do(captain_, PrepareFuelReconciliation(s, captain_, "2026-01", feb));
  EXPECT_EQ(FindReconciliation(s, id)->status, "prepared");
  EXPECT_TRUE(s.VerifyMaterialized().ok());
}

TEST_F(Upkeep, TollsAreCheckedAgainstTheTripRecords) {
  Store& s = *a_;
  Trip("t-1", "car-1", "d-1", At("2026-01-06T08:00"), 120, 3500);
  Trip("t-2", "car-2", "d-2", At("2026-01-08T08:00"), 80, 2000);
  Trip("t-3", "car-1", "d-1", At("2026-01-12T08:00"), 60, 1500);
  const std::vector<TollLine> claims{
      {"ETC-001", "car-1", Date{2026, 1, 6}, 2000},
      {"ETC-002", "car-1", Date{2026, 1, 6}, 1500},   // with ETC-001 equals t-1's 3,500
      {"ETC-003", "car-2", Date{2026, 1, 8}, 2500},   // t-2 recorded 2,000
      {"ETC-004", "car-1", Date{2026, 1, 9}, 800},    // car-1 did not drive that day
  };
  const LocalTime feb = At("2026-02-02T09:00");
  ExpectNo(PrepareTollReconciliation(s, captain_, "2026-01", {{"", "car-1", Date{2026, 1, 6}, 100}}, feb), "claims",
           Status::Code::kInvalid);
  ExpectNo(PrepareTollReconciliation(s, captain_, "2026-01", {{"X", "car-1", Date{2026, 2, 6}, 100}}, feb), "claims",
           Status::Code::kInvalid);
  ExpectNo(PrepareTollReconciliation(s, captain_, "2026-01", {{"X", "car-9", Date{2026, 1, 6}, 100}}, feb), "claims",
           Status::Code::kInvalid);
  ExpectNo(PrepareTollReconciliation(s, captain_, "2026-01",
                                     {{"X", "car-1", Date{2026, 1, 6}, 100}, {"X", "car-1", Date{2026, 1, 6}, 100}},
                                     feb),
           "claims", Status::Code::kInvalid);
  ExpectNo(PrepareTollReconciliation(s, clerk_, "2026-01", claims, feb), "role");

  auto prep = PrepareTollReconciliation(s, captain_, "2026-01", claims, feb);
  EXPECT_TRUE(HasWarning(prep, "exceptions"));
  Do(captain_, prep);
  auto r = FindReconciliation(s, ReconciliationId(reconciliation_kind::kTolls, "2026-01"));
  ASSERT_TRUE(r.has_value() && r->tolls.has_value());
  const TollFigures& t = *r->tolls;
  EXPECT_EQ(t.lines, 4);
  EXPECT_EQ(t.claimed_fen, 6800);
  EXPECT_EQ(t.recorded_fen, 7000);
  EXPECT_EQ(t.matched_fen, 3500);
  EXPECT_EQ(t.claims.size(), 4u);
  std::map<std::string, TollException> by_code;
  for (const auto& x : t.exceptions) by_code[x.code] = x;
  ASSERT_EQ(t.exceptions.size(), 3u);
  EXPECT_EQ(by_code["no_trip"].ref, "ETC-004");
  EXPECT_EQ(by_code["no_trip"].claimed_fen, 800);
  EXPECT_EQ(by_code["amount_mismatch"].trip, "t-2");
  EXPECT_EQ(by_code["amount_mismatch"].claimed_fen, 2500);
  EXPECT_EQ(by_code["amount_mismatch"].recorded_fen, 2000);
  EXPECT_EQ(by_code["no_receipt"].trip, "t-3");
  EXPECT_EQ(by_code["no_receipt"].recorded_fen, 1500);

  // Same table as fuel: clerk, director, finance; no fill-up is touched.
  const std::string id = r->id;
  Do(clerk_, CheckReconciliation(s, clerk_, id, feb));
  Do(director_, SignReconciliation(s, director_, id, feb));
  auto settle = SettleReconciliation(s, finance_, id, feb);
  ASSERT_TRUE(settle.ok());
  EXPECT_EQ(settle->drafts.size(), 1u);
  Do(finance_, settle);
  EXPECT_EQ(FindReconciliation(s, id)->status, "settled");
}

// ---------------------------------------------------------------------------
// 单车核算

TEST_F(Upkeep, CarCostsPerKmAgainstTheSocialAverages) {
  Store& s = *a_;
  Trip("t-1", "car-1", "d-1", At("2026-01-06T08:00"), 500, 5000);
  Trip("t-2", "car-2", "d-2", At("2026-01-07T08:00"), 200);
  FillUp(s, "f-1", "car-1", driver_, 50000, 40000, At("2026-01-06T07:30"));   // 80 fen/km: at the average
  FillUp(s, "f-2", "car-2", driver2_, 25000, 20000, At("2026-01-07T07:30"));  // 100 fen/km: above 80
  FillUp(s, "f-3", "car-1", driver_, 10000, 8000, At("2026-02-03T07:30"));    // outside the period
  AgreedPlan(s, "rp-1");
  Do(driver_, StartRepair(s, driver_, "rp-1", "shop-1", At("2026-01-09T09:00")));
  Do(driver_, CompleteRepair(s, driver_, "rp-1", 15000, {{"刹车片", 1, 15000}}, At("2026-01-10T09:00")));
  Do(captain_, RecordMaintenance(s, captain_, "mt-1", "car-1", "shop-1", "保养", 10000, {}, At("2026-01-20T09:00")));
  Do(captain_, RecordMaintenance(s, captain_, "mt-2", "car-2", "shop-1", "保养", 7000, {}, At("2026-01-21T09:00")));

  ExpectNo(CarCosts(s, "no-such-car", Date{2026, 1, 1}, Date{2026, 1, 31}, LoadRules(s)), "car",
           Status::Code::kNotFound);
  ExpectNo(CarCosts(s, "", Date{2026, 1, 31}, Date{2026, 1, 1}, LoadRules(s)), "to", Status::Code::kInvalid);

  auto costs = CarCosts(s, "", Date{2026, 1, 1}, Date{2026, 1, 31}, LoadRules(s));
  ASSERT_TRUE(costs.ok());
  ASSERT_EQ(costs->size(), 2u);
  const CarCost& c1 = (*costs)[0];
  EXPECT_EQ(c1.car, "car-1");
  EXPECT_EQ(c1.distance_km, 500);
  EXPECT_EQ(c1.fuel_ml, 50000);
  EXPECT_EQ(c1.fuel_fen, 40000);
  EXPECT_EQ(c1.repair_fen, 25000);  // repair 150 CNY + maintenance 100 CNY
  EXPECT_EQ(c1.tolls_fen, 5000);
  EXPECT_EQ(c1.fuel_fen_per_km, 80);
  EXPECT_EQ(c1.repair_fen_per_km, 50);
  EXPECT_EQ(c1.cost_fen_per_km, 140);
  EXPECT_FALSE(c1.fuel_above_average);  // equal to the average is not above it
  EXPECT_TRUE(c1.repair_above_average);  // 50 > 40
  const CarCost& c2 = (*costs)[1];
  EXPECT_EQ(c2.car, "car-2");
  EXPECT_EQ(c2.fuel_fen_per_km, 100);
  EXPECT_TRUE(c2.fuel_above_average);
  EXPECT_EQ(c2.repair_fen, 7000);
  EXPECT_EQ(c2.repair_fen_per_km, 35);
  EXPECT_FALSE(c2.repair_above_average);

  auto one = CarCosts(s, "car-1", Date{2026, 1, 1}, Date{2026, 2, 28}, LoadRules(s));
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].fuel_fen, 48000);

  // No distance: any cost is above the average, and there is no per-km figure.
  auto idle = CarCosts(s, "car-2", Date{2026, 1, 21}, Date{2026, 1, 31}, LoadRules(s));
  ASSERT_TRUE(idle.ok());
  EXPECT_FALSE((*idle)[0].cost_fen_per_km.has_value());
  EXPECT_TRUE((*idle)[0].repair_above_average);
  EXPECT_FALSE((*idle)[0].fuel_above_average);

  // The averages are rules.
  Do(admin_, Result<Command>(Command{{SetRules(Json{{"social_avg_repair_fen_per_km", 60}})}, {}}));
  EXPECT_FALSE(CarCosts(s, "car-1", Date{2026, 1, 1}, Date{2026, 1, 31}, LoadRules(s))->at(0).repair_above_average);
}

// ---------------------------------------------------------------------------
// Offline clashes: two devices, no sync, then exchange.

class UpkeepOffline : public Upkeep {
 protected:
  UpkeepOffline() {
    b_ = Open("b.db", "dev-b");
    EXPECT_TRUE(b_->Ingest(AllEvents(*a_)).ok());
  }
  std::unique_ptr<Store> b_;
};

TEST_F(UpkeepOffline, FillUpApprovedOnOneDeviceAndRejectedOnAnother) {
  Do(*a_, driver_, RequestFillUp(*a_, driver_, "f-1", "car-1", "日常", t0_));
  ASSERT_TRUE(b_->Ingest(AllEvents(*a_)).ok());
  Do(*a_, captain_, ApproveFillUp(*a_, captain_, "f-1", false, t0_));
  Do(*b_, captain_, RejectFillUp(*b_, captain_, "f-1", "本周已加过油", t0_));
  ExpectConverged(*a_, *b_);
  EXPECT_TRUE(HasConflict(*a_, entity::kFillUp, "f-1", "workflow"));
  EXPECT_TRUE(HasConflict(*b_, entity::kFillUp, "f-1", "workflow"));
  EXPECT_EQ(FindFillUp(*a_, "f-1")->status, "approved");  // the first in event order stands
  EXPECT_EQ(FindFillUp(*b_, "f-1")->status, "approved");
}

TEST_F(UpkeepOffline, RepairPlanApprovedAndRejectedOffline) {
  Do(*a_, driver_, SubmitRepairPlan(*a_, driver_, "rp-1", "car-1", "异响", {{"检查", 1, 10000}}, t0_));
  Do(*a_, captain_, PriceRepairPlan(*a_, captain_, "rp-1", "看过", {{"检查", 1, 8000}}, t0_));
  ASSERT_TRUE(b_->Ingest(AllEvents(*a_)).ok());
  Do(*b_, director_, RejectRepairPlan(*b_, director_, "rp-1", "不必修", t0_));
  Do(*a_, director_, ApproveRepairPlan(*a_, director_, "rp-1", t0_));
  Do(*a_, office_, AgreeRepairPlan(*a_, office_, "rp-1", t0_));
  ExpectConverged(*a_, *b_);
  EXPECT_TRUE(HasConflict(*a_, entity::kRepairPlan, "rp-1", "workflow"));
  EXPECT_TRUE(HasConflict(*b_, entity::kRepairPlan, "rp-1", "workflow"));
  EXPECT_EQ(FindRepair(*a_, "rp-1")->status, "rejected");
}

// Setup for the settlement clashes: one clean entry, its month prepared, checked and signed on both devices.
class SettlementClash : public UpkeepOffline {
 protected:
  void SetUp() override {
    FillUp(*a_, "f-1", "car-1", driver_, 30000, 24000, At("2026-01-06T07:30"));
    Do(*a_, captain_, PrepareFuelReconciliation(*a_, captain_, "2026-01", feb_));
    Do(*a_, clerk_, CheckReconciliation(*a_, clerk_, id_, feb_));
    Do(*a_, director_, SignReconciliation(*a_, director_, id_, feb_));
    ASSERT_TRUE(b_->Ingest(AllEvents(*a_)).ok());
  }
  const LocalTime feb_ = At("2026-02-02T09:00");
  const std::string id_ = ReconciliationId(reconciliation_kind::kFuel, "2026-01");
};

TEST_F(SettlementClash, CorrectedOfflineThenSettled) {
  Do(*b_, clerk_, CorrectFill(*b_, clerk_, "f-1", {31000, 24800, "st-home"}, "看错表", feb_));
  Do(*a_, finance_, SettleReconciliation(*a_, finance_, id_, feb_));  // later in event order
  ExpectConverged(*a_, *b_);
  for (Store* s : {a_.get(), b_.get()}) {
    EXPECT_TRUE(HasConflict(*s, entity::kFillUp, "f-1", "workflow"));
    auto f = FindFillUp(*s, "f-1");
    EXPECT_EQ(f->status, "filled");  // the settlement of figures that no longer hold is kept, not applied
    EXPECT_EQ(f->litres_ml, 31000);
  }
}

TEST_F(SettlementClash, SettledThenCorrectedOffline) {
  Do(*a_, finance_, SettleReconciliation(*a_, finance_, id_, feb_));
  Do(*b_, clerk_, CorrectFill(*b_, clerk_, "f-1", {31000, 24800, "st-home"}, "看错表", feb_));  // later
  ExpectConverged(*a_, *b_);
  for (Store* s : {a_.get(), b_.get()}) {
    EXPECT_TRUE(HasConflict(*s, entity::kFillUp, "f-1", "workflow"));
    auto f = FindFillUp(*s, "f-1");
    EXPECT_EQ(f->status, "settled");
    EXPECT_EQ(f->litres_ml, 30000);  // the settled entry is not edited
  }
}

TEST_F(UpkeepOffline, TwoCardsIssuedToOneCarOffline) {
  Do(*a_, captain_, WithdrawFuelCard(*a_, captain_, "card-1", "挂失", t0_));
  ASSERT_TRUE(b_->Ingest(AllEvents(*a_)).ok());
  Do(*a_, captain_, IssueFuelCard(*a_, captain_, "card-a", "9101", "car-1", t0_));
  Do(*b_, admin_, IssueFuelCard(*b_, admin_, "card-b", "9102", "car-1", t0_));
  ExpectConverged(*a_, *b_);
  for (Store* s : {a_.get(), b_.get()}) {
    EXPECT_TRUE(HasConflict(*s, entity::kFuelCard, "card-a", "fuel_card_clash"));
    EXPECT_TRUE(HasConflict(*s, entity::kFuelCard, "card-b", "fuel_card_clash"));
    EXPECT_FALSE(HasConflict(*s, entity::kFuelCard, "card-2", "fuel_card_clash"));
  }
  // Withdrawing one card clears the mark on both.
  Do(*a_, captain_, WithdrawFuelCard(*a_, captain_, "card-b", "一车一卡", t0_));
  EXPECT_FALSE(HasConflict(*a_, entity::kFuelCard, "card-a", "fuel_card_clash"));
  EXPECT_TRUE(a_->VerifyMaterialized().ok());
}

TEST_F(UpkeepOffline, OneCardOnTwoCarsOffline) {
  NewCar spare;
  spare.displacement_ml = 1500;
  spare.price_fen = 12'000'000;
  spare.new_energy = true;
  spare.id = "car-3";
  spare.plate = "京C34567";
  Do(*a_, admin_, RegisterCar(*a_, admin_, spare, t0_));
  spare.id = "car-4";
  spare.plate = "京D45678";
  Do(*a_, admin_, RegisterCar(*a_, admin_, spare, t0_));
  Do(*a_, captain_, WithdrawFuelCard(*a_, captain_, "card-1", "换卡", t0_));
  ASSERT_TRUE(b_->Ingest(AllEvents(*a_)).ok());
  // One card record issued to two cars: the later issue is a workflow conflict.
  Do(*a_, captain_, IssueFuelCard(*a_, captain_, "card-1", "9001", "car-3", t0_));
  Do(*b_, captain_, IssueFuelCard(*b_, captain_, "card-1", "9001", "car-4", t0_));
  // One card number entered as two records on two cars.
  Do(*a_, captain_, IssueFuelCard(*a_, captain_, "card-n1", "9500", "car-1", t0_));
  Do(*b_, captain_, IssueFuelCard(*b_, captain_, "card-n2", "9500", "car-3", t0_));
  ExpectConverged(*a_, *b_);
  for (Store* s : {a_.get(), b_.get()}) {
    EXPECT_TRUE(HasConflict(*s, entity::kFuelCard, "card-1", "workflow"));
    EXPECT_EQ(FindFuelCard(*s, "card-1")->car, "car-3");
    EXPECT_TRUE(HasConflict(*s, entity::kFuelCard, "card-n1", "fuel_card_number_clash"));
    EXPECT_TRUE(HasConflict(*s, entity::kFuelCard, "card-n2", "fuel_card_number_clash"));
  }
}

// The tables say what the docs say.
TEST(UpkeepTables, RolesOfTheSteps) {
  EXPECT_EQ(FillUpWorkflow().Find("fill_up.approved")->roles, std::vector<std::string_view>{"dispatcher"});
  EXPECT_EQ(FillUpWorkflow().Find("fill_up.clerk_signed")->roles, std::vector<std::string_view>{"fleet_clerk"});
  EXPECT_EQ(ReconciliationWorkflow().Find("reconciliation.signed")->roles, std::vector<std::string_view>{"director"});
  EXPECT_EQ(ReconciliationWorkflow().Find("reconciliation.settled")->roles, std::vector<std::string_view>{"finance"});
  EXPECT_EQ(RepairWorkflow().Find("car_repair.approved")->roles, std::vector<std::string_view>{"director"});
  EXPECT_EQ(RepairWorkflow().Find("car_repair.agreed")->roles, std::vector<std::string_view>{"office_director"});
  EXPECT_EQ(RepairWorkflow().Find("car_repair.started")->from, std::vector<std::string_view>{"agreed"});
  for (const Workflow* wf : {&ProviderWorkflow(), &FuelCardWorkflow(), &FillUpWorkflow(), &ReconciliationWorkflow(),
                             &RepairWorkflow()})
    for (const auto& st : wf->statuses()) {
      EXPECT_FALSE(st.label.en.empty());
      EXPECT_FALSE(st.label.zh.empty());
    }
}

}  // namespace
}  // namespace houqin::cars
