// The fleet of the official-cars area: car register and file, workflow and
// its refusals, acquisition rules and report, reminders, 尾号限行, dispatch
// and driver eligibility, the odometer and the offline clashes.
#include <gtest/gtest.h>

#include <algorithm>

#include "cars/fleet.h"
#include "directory/directory.h"
#include "domain.h"
#include "engine/store.h"
#include "test_support.h"

namespace houqin {
namespace {

using namespace cars;
using testing::AllEvents;
using testing::ExchangeAll;
using testing::ExpectConverged;

LocalTime At(const char* text) { return *LocalTime::Parse(text); }
Date D(const char* text) { return *Date::Parse(text); }

void ExpectStatus(const Status& s, Status::Code code, const std::string& field) {
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_EQ(s.field(), field) << s.ToString();
  EXPECT_FALSE(s.en().empty());
  EXPECT_FALSE(s.zh().empty());
}
void ExpectRefused(const Status& s, const std::string& field) { ExpectStatus(s, Status::Code::kRefused, field); }
void ExpectInvalid(const Status& s, const std::string& field) { ExpectStatus(s, Status::Code::kInvalid, field); }

bool HasWarning(const Command& c, const std::string& code) {
  return std::any_of(c.warnings.begin(), c.warnings.end(), [&](const Warning& w) {
    return w.code == code && !w.text.en.empty() && !w.text.zh.empty();
  });
}
std::vector<std::string> Codes(const std::vector<Warning>& ws) {
  std::vector<std::string> out;
  for (const auto& w : ws) out.push_back(w.code);
  return out;
}

struct FleetTest : testing::DomainTest {
  FleetTest() { store = Open("a.db", "dev-a"); }

  // Runs a command that must pass and returns its warnings.
  std::vector<Warning> Run(const Author& who, const Result<Command>& cmd, Store* on = nullptr) {
    EXPECT_TRUE(cmd.ok()) << cmd.status().ToString();
    if (!cmd.ok()) return {};
    auto r = Execute(on ? *on : *store, who, cmd);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return cmd->warnings;
  }

  void SetRules(const Json& overrides) { ASSERT_TRUE(store->Append(admin, {cars::SetRules(overrides)}).ok()); }

  // An existing (pre-Houqin) general car: the purchase rules do not apply, so it raises no warning.
  static NewCar Car(const std::string& id, const std::string& plate) {
    NewCar c;
    c.id = id;
    c.plate = plate;
    c.model = "Hongqi H5";
    c.seats = 5;
    c.displacement_ml = 1500;
    c.price_fen = 15'000'000;
    c.acquisition = "existing";
    c.acquired_on = "2024-03-01";
    return c;
  }
  // A domestic new-energy purchase within every rule.
  static NewCar Purchase(const std::string& id, const std::string& plate, const std::string& on) {
    NewCar c = Car(id, plate);
    c.acquisition = "purchase";
    c.new_energy = true;
    c.displacement_ml = 0;
    c.acquired_on = on;
    return c;
  }

  void AddCar(const std::string& id, const std::string& plate) { Run(admin, RegisterCar(*store, admin, Car(id, plate), now)); }
  void AddDriver(const std::string& id, const std::string& licence_class = "C1",
                 const std::string& licence_due = "2030-01-01") {
    NewDriver d{id, "Driver " + id, "", "110101199001011234", licence_class, licence_due, "13800138000"};
    Run(admin, RegisterDriver(*store, admin, d, now));
  }
  // The driver file of the signed-in `driver` user, made custodian of `car_id`.
  void DriverKeeps(const std::string& car_id) {
    if (!FindDriver(*store, "drv-me")) {
      ASSERT_TRUE(store->Append(admin, {directory::UpsertUser({driver.user, "Driver Me", "fleet", {"driver"}})}).ok());
      NewDriver d{"drv-me", "Driver Me", driver.user, "110101199001011235", "C1", "2030-01-01", "13800138001"};
      Run(admin, RegisterDriver(*store, admin, d, now));
    }
    Run(admin, AssignCustodian(*store, admin, car_id, "drv-me", now));
  }
  CarFile Car(const std::string& id) {
    auto c = FindCar(*store, id);
    EXPECT_TRUE(c.has_value());
    return c.value_or(CarFile{});
  }

  std::unique_ptr<Store> store;
  Author admin{"u-admin", "admin", ""};
  Author dispatcher{"u-captain", "dispatcher", ""};
  Author clerk{"u-clerk", "fleet_clerk", ""};
  Author driver{"u-driver", "driver", ""};
  Author staff{"u-staff", "staff", ""};
  LocalTime now = At("2026-11-23T09:00");  // a Monday
};

// ---------------------------------------------------------------- register

TEST_F(FleetTest, RegisterKeepsTheNormalizedFile) {
  NewCar c = Car("car-1", " 京a·12345 ");
  c.fuel_card = "FC-001";
  c.fuel_norm_ml_per_100km = 8000;
  c.odometer_km = 42000;
  c.inspection_due = "2027-06-30";
  const auto warnings = Run(dispatcher, RegisterCar(*store, dispatcher, c, now));
  EXPECT_TRUE(warnings.empty()) << warnings.size();
  const CarFile f = Car("car-1");
  EXPECT_EQ(f.plate, "京A12345");
  EXPECT_EQ(f.status, "in_use");
  EXPECT_EQ(f.car_class, "general");
  EXPECT_EQ(f.seats, 5);
  EXPECT_EQ(f.displacement_ml, 1500);
  EXPECT_EQ(f.price_fen, 15'000'000);
  EXPECT_EQ(f.acquired_on, "2024-03-01");
  EXPECT_EQ(f.registered_on, "2026-11-23");
  EXPECT_EQ(f.inspection_due, "2027-06-30");
  EXPECT_EQ(f.fuel_card, "FC-001");
  EXPECT_EQ(f.fuel_norm_ml_per_100km, 8000);
  EXPECT_EQ(f.cap_displacement_ml, 1800);
  EXPECT_EQ(f.cap_price_fen, 16'000'000);
  EXPECT_TRUE(f.domestic);
  EXPECT_FALSE(f.new_energy);
  EXPECT_FALSE(f.over_standard());
  EXPECT_EQ(LastOdometer(*store, "car-1"), 42000);
  EXPECT_EQ(ListCars(*store).size(), 1u);
  EXPECT_FALSE(FindCar(*store, "nope").has_value());
}

TEST_F(FleetTest, NewEnergyPlateMarksTheCarNewEnergy) {
  Run(admin, RegisterCar(*store, admin, Car("car-ne", "京AD12345"), now));
  EXPECT_TRUE(Car("car-ne").new_energy);
}

TEST_F(FleetTest, RegisterRefusesBadInput) {
  // Plates: each error names the field "plate".
  for (const char* bad : {"", "京A1234", "京I12345", "X A12345", "京A123456", "京AA1234警"}) {
    auto r = RegisterCar(*store, admin, Car("car-x", bad), now);
    ASSERT_FALSE(r.ok()) << bad;
    ExpectInvalid(r.status(), "plate");
  }
  NewCar c = Car("car-x", "京A12345");
  c.seats = 0;
  ExpectInvalid(RegisterCar(*store, admin, c, now).status(), "seats");
  c = Car("car-x", "京A12345");
  c.car_class = "limousine";
  ExpectInvalid(RegisterCar(*store, admin, c, now).status(), "car_class");
  c = Car("car-x", "京A12345");
  c.price_fen = -1;
  ExpectInvalid(RegisterCar(*store, admin, c, now).status(), "price_fen");
  c = Car("car-x", "京A12345");
  c.insurance_due = "2026-13-01";
  ExpectInvalid(RegisterCar(*store, admin, c, now).status(), "insurance_due");
  c = Car("car-x", "京A12345");
  c.acquisition = "gift";
  ExpectInvalid(RegisterCar(*store, admin, c, now).status(), "acquisition");
  c = Car("", "京A12345");
  ExpectInvalid(RegisterCar(*store, admin, c, now).status(), "id");
  // 不得借用、占用…不得接受企业捐赠的车辆.
  for (const char* kind : {"borrowed", "occupied", "donated"}) {
    c = Car("car-x", "京A12345");
    c.acquisition = kind;
    ExpectRefused(RegisterCar(*store, admin, c, now).status(), "acquisition");
  }
  ExpectRefused(RegisterCar(*store, staff, Car("car-x", "京A12345"), now).status(), "role");
  ExpectRefused(RegisterCar(*store, driver, Car("car-x", "京A12345"), now).status(), "role");
  c = Car("car-x", "京A12345");
  c.custodian_driver = "nobody";
  ExpectStatus(RegisterCar(*store, admin, c, now).status(), Status::Code::kNotFound, "custodian_driver");

  AddCar("car-1", "京A12345");
  ExpectRefused(RegisterCar(*store, admin, Car("car-1", "京B12345"), now).status(), "id");
  ExpectRefused(RegisterCar(*store, admin, Car("car-2", "京a 12345"), now).status(), "plate");
  c = Car("car-3", "京C12345");
  ASSERT_TRUE(Execute(*store, admin, UpdateCar(*store, admin, "car-1", {.fuel_card = "FC-9"}, now)).ok());
  c.fuel_card = "FC-9";
  ExpectRefused(RegisterCar(*store, admin, c, now).status(), "fuel_card");
}

TEST_F(FleetTest, DisposedCarFreesItsPlate) {
  AddCar("car-1", "京A12345");
  Run(admin, DisposeCar(*store, admin, "car-1", "scrap", "end of life", now));
  Run(admin, RegisterCar(*store, admin, Car("car-2", "京A12345"), now));
  EXPECT_TRUE(Car("car-2").conflicts.empty());
}

// ---------------------------------------------------------------- workflow

TEST_F(FleetTest, CarWorkflowTransitions) {
  AddCar("car-1", "京A12345");
  EXPECT_EQ(Car("car-1").status, "in_use");
  Run(dispatcher, SealCar(*store, dispatcher, "car-1", "surplus", now));
  EXPECT_EQ(Car("car-1").status, "sealed");
  Run(admin, UnsealCar(*store, admin, "car-1", now));
  EXPECT_EQ(Car("car-1").status, "in_use");
  Run(admin, SealCar(*store, admin, "car-1", "", now));
  // Edits, custodian and due dates are allowed on a sealed car.
  Run(admin, UpdateCar(*store, admin, "car-1", {.model = "Hongqi H6"}, now));
  Run(clerk, SetCarDueDates(*store, clerk, "car-1", "2027-01-31", std::nullopt, std::nullopt, now));
  DriverKeeps("car-1");
  Run(driver, SetOutOfService(*store, driver, "car-1", true, "brakes", now));
  EXPECT_TRUE(Car("car-1").out_of_service);
  EXPECT_EQ(Car("car-1").out_of_service_reason, "brakes");
  Run(driver, SetOutOfService(*store, driver, "car-1", false, "", now));
  EXPECT_FALSE(Car("car-1").out_of_service);
  EXPECT_EQ(Car("car-1").model, "Hongqi H6");
  EXPECT_EQ(Car("car-1").inspection_due, "2027-01-31");
  // sealed → disposed, terminal.
  Run(admin, DisposeCar(*store, admin, "car-1", "auction", "over standard", now));
  EXPECT_EQ(Car("car-1").status, "disposed");
  EXPECT_EQ(Car("car-1").disposed_on, "2026-11-23");
  // in_use → disposed.
  AddCar("car-2", "京B12345");
  Run(admin, DisposeCar(*store, admin, "car-2", "transfer", "", now));
  EXPECT_EQ(Car("car-2").status, "disposed");
  ASSERT_TRUE(store->VerifyMaterialized().ok());
}

TEST_F(FleetTest, CarWorkflowRefusals) {
  AddCar("car-1", "京A12345");
  // Wrong status.
  ExpectRefused(UnsealCar(*store, admin, "car-1", now).status(), "status");
  Run(admin, SealCar(*store, admin, "car-1", "", now));
  ExpectRefused(SealCar(*store, admin, "car-1", "", now).status(), "status");
  Run(admin, UnsealCar(*store, admin, "car-1", now));
  // Wrong role, each step.
  ExpectRefused(SealCar(*store, driver, "car-1", "", now).status(), "role");
  ExpectRefused(SealCar(*store, staff, "car-1", "", now).status(), "role");
  ExpectRefused(DisposeCar(*store, dispatcher, "car-1", "scrap", "", now).status(), "role");
  ExpectRefused(UpdateCar(*store, clerk, "car-1", {.model = "x"}, now).status(), "role");
  ExpectRefused(AssignCustodian(*store, driver, "car-1", "", now).status(), "role");
  ExpectRefused(SetCarDueDates(*store, driver, "car-1", "2027-01-01", {}, {}, now).status(), "role");
  ExpectRefused(SetOutOfService(*store, staff, "car-1", true, "", now).status(), "role");
  Run(admin, SealCar(*store, admin, "car-1", "", now));
  ExpectRefused(UnsealCar(*store, clerk, "car-1", now).status(), "role");
  Run(admin, UnsealCar(*store, admin, "car-1", now));
  // Same-state toggles, missing input.
  ExpectRefused(SetOutOfService(*store, admin, "car-1", false, "", now).status(), "out_of_service");
  Run(admin, SetOutOfService(*store, admin, "car-1", true, "", now));
  ExpectRefused(SetOutOfService(*store, admin, "car-1", true, "", now).status(), "out_of_service");
  ExpectInvalid(DisposeCar(*store, admin, "car-1", "", "", now).status(), "manner");
  ExpectInvalid(UpdateCar(*store, admin, "car-1", {}, now).status(), "changes");
  ExpectInvalid(SetCarDueDates(*store, admin, "car-1", {}, {}, {}, now).status(), "due_dates");
  ExpectInvalid(SetCarDueDates(*store, admin, "car-1", "soon", {}, {}, now).status(), "inspection_due");
  ExpectInvalid(UpdateCar(*store, admin, "car-1", {.seats = 0}, now).status(), "seats");
  ExpectInvalid(UpdateCar(*store, admin, "car-1", {.plate = "京A1"}, now).status(), "plate");
  ExpectStatus(SealCar(*store, admin, "ghost", "", now).status(), Status::Code::kNotFound, "car");
  // Disposed is terminal: every step is refused on the status.
  Run(admin, DisposeCar(*store, admin, "car-1", "scrap", "", now));
  ExpectRefused(SealCar(*store, admin, "car-1", "", now).status(), "status");
  ExpectRefused(UnsealCar(*store, admin, "car-1", now).status(), "status");
  ExpectRefused(DisposeCar(*store, admin, "car-1", "scrap", "", now).status(), "status");
  ExpectRefused(UpdateCar(*store, admin, "car-1", {.model = "x"}, now).status(), "status");
  ExpectRefused(AssignCustodian(*store, admin, "car-1", "", now).status(), "status");
  ExpectRefused(SetCarDueDates(*store, admin, "car-1", "2027-01-01", {}, {}, now).status(), "status");
  ExpectRefused(SetOutOfService(*store, admin, "car-1", false, "", now).status(), "status");
  ExpectRefused(RecordOdometer(*store, admin, "car-1", 10, "", now).status(), "car");
}

TEST_F(FleetTest, OnlyTheCustodianDriverTakesTheirCarOutOfService) {
  AddCar("car-1", "京A12345");
  AddCar("car-2", "京B12345");
  // A driver who keeps no car speaks for none.
  ExpectRefused(SetOutOfService(*store, driver, "car-1", true, "brakes", now).status(), "car");
  DriverKeeps("car-1");
  // Another driver's car: refused, on- and off-service alike.
  ASSERT_TRUE(store->Append(admin, {directory::UpsertUser({"u-other", "Driver 2", "fleet", {"driver"}})}).ok());
  NewDriver other{"drv-2", "Driver 2", "u-other", "110101199001011236", "C1", "2030-01-01", "13800138002"};
  Run(admin, RegisterDriver(*store, admin, other, now));
  Run(admin, AssignCustodian(*store, admin, "car-2", "drv-2", now));
  ExpectRefused(SetOutOfService(*store, driver, "car-2", true, "brakes", now).status(), "car");
  Run(admin, SetOutOfService(*store, admin, "car-2", true, "tyres", now));
  ExpectRefused(SetOutOfService(*store, driver, "car-2", false, "", now).status(), "car");
  // Their own car: accepted; the captain and the admin act on any car.
  Run(driver, SetOutOfService(*store, driver, "car-1", true, "brakes", now));
  EXPECT_TRUE(Car("car-1").out_of_service);
  Run(dispatcher, SetOutOfService(*store, dispatcher, "car-1", false, "", now));
  EXPECT_FALSE(Car("car-1").out_of_service);
  // The custodian moves on: the former custodian no longer may.
  Run(admin, AssignCustodian(*store, admin, "car-1", "drv-2", now));
  ExpectRefused(SetOutOfService(*store, driver, "car-1", true, "brakes", now).status(), "car");
}

TEST_F(FleetTest, WorkflowTableNamesEveryStep) {
  const Workflow& w = CarWorkflow();
  for (auto kind : {car_event::kRegistered, car_event::kUpdated, car_event::kCustodianAssigned, car_event::kDueDatesSet,
                    car_event::kSealed, car_event::kUnsealed, car_event::kDisposed, car_event::kOutOfService,
                    car_event::kBackInService})
    EXPECT_NE(w.Find(kind), nullptr) << kind;
  // Nothing leaves "disposed".
  for (const auto& step : w.steps())
    EXPECT_EQ(std::count(step.from.begin(), step.from.end(), car_status::kDisposed), 0) << step.kind;
  EXPECT_EQ(w.Find(car_event::kDisposed)->roles, (std::vector<std::string_view>{"admin"}));
}

TEST_F(FleetTest, EditsAreLastWriterWinsPerField) {
  AddCar("car-1", "京A12345");
  auto b = Open("b.db", "dev-b");
  ExchangeAll(*store, *b);
  // Offline: device A edits the model and seats, device B (later) the model and the fuel norm.
  Run(admin, UpdateCar(*store, admin, "car-1", {.model = "A's model", .seats = 7}, now));
  clock.Advance(1000);
  Run(dispatcher, UpdateCar(*b, dispatcher, "car-1", {.model = "B's model", .fuel_norm_ml_per_100km = 9000}, now),
      b.get());
  ExchangeAll(*store, *b);
  ExpectConverged(*store, *b);
  const CarFile f = Car("car-1");
  EXPECT_EQ(f.model, "B's model");
  EXPECT_EQ(f.seats, 7);
  EXPECT_EQ(f.fuel_norm_ml_per_100km, 9000);
  EXPECT_TRUE(f.conflicts.empty());
}

TEST_F(FleetTest, EditArrivingAfterDisposalIsKeptAsWorkflowConflict) {
  AddCar("car-1", "京A12345");
  auto b = Open("b.db", "dev-b");
  ExchangeAll(*store, *b);
  Run(admin, DisposeCar(*store, admin, "car-1", "scrap", "", now));
  clock.Advance(1000);
  Run(dispatcher, UpdateCar(*b, dispatcher, "car-1", {.model = "edited offline"}, now), b.get());
  ExchangeAll(*store, *b);
  ExpectConverged(*store, *b);
  for (Store* s : {store.get(), b.get()}) {
    auto f = FindCar(*s, "car-1");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->status, "disposed");
    EXPECT_EQ(f->model, "Hongqi H5");
    ASSERT_EQ(f->conflicts.size(), 1u);
    EXPECT_EQ(f->conflicts[0].kind, "workflow");
    EXPECT_EQ(f->conflicts[0].events.size(), 2u);
  }
}

TEST_F(FleetTest, FoldIgnoresWrongTypesWithoutThrowing) {
  AddCar("car-1", "京A12345");
  ASSERT_TRUE(store->Append(admin, {{"car", "car-1", "car.updated",
                                     Json{{"seats", "five"}, {"model", 7}, {"plate", ""}, {"off_road", true}}}})
                  .ok());
  const CarFile f = Car("car-1");
  EXPECT_EQ(f.seats, 5);
  EXPECT_EQ(f.model, "Hongqi H5");
  EXPECT_EQ(f.plate, "");  // an empty string clears, last writer wins
  EXPECT_TRUE(f.off_road);
  EXPECT_TRUE(store->VerifyMaterialized().ok());
}

// ---------------------------------------------------------------- custodian

TEST_F(FleetTest, CustodianAssignment) {
  AddCar("car-1", "京A12345");
  AddDriver("drv-1");
  Run(dispatcher, AssignCustodian(*store, dispatcher, "car-1", "drv-1", now));
  EXPECT_EQ(Car("car-1").custodian_driver, "drv-1");
  Run(dispatcher, AssignCustodian(*store, dispatcher, "car-1", "", now));
  EXPECT_EQ(Car("car-1").custodian_driver, "");
  ExpectStatus(AssignCustodian(*store, admin, "car-1", "ghost", now).status(), Status::Code::kNotFound, "driver");
  Run(admin, DriverLeaves(*store, admin, "drv-1", now));
  ExpectRefused(AssignCustodian(*store, admin, "car-1", "drv-1", now).status(), "driver");
  // A coach needs an A1 licence: the assignment warns.
  NewCar coach = Car("coach-1", "京A66661");
  coach.car_class = "coach";
  coach.seats = 45;
  AddDriver("drv-2", "C1");
  Run(admin, RegisterCar(*store, admin, coach, now));
  auto cmd = AssignCustodian(*store, admin, "coach-1", "drv-2", now);
  ASSERT_TRUE(cmd.ok());
  EXPECT_TRUE(HasWarning(*cmd, "licence_class"));
}

// ---------------------------------------------------------------- acquisition

TEST_F(FleetTest, GeneralClassCapsAreInclusive) {
  NewCar at = Purchase("car-1", "京A10001", "2026-11-01");
  at.new_energy = false;
  at.clean_energy = true;
  at.displacement_ml = 1800;
  at.price_fen = 16'000'000;
  auto ok = RegisterCar(*store, admin, at, now);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->warnings.empty()) << ok->warnings.size();
  Run(admin, ok);
  EXPECT_FALSE(Car("car-1").over_standard());

  NewCar over = at;
  over.id = "car-2";
  over.plate = "京A10002";
  over.displacement_ml = 1801;
  auto w = RegisterCar(*store, admin, over, now);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(Codes(w->warnings), (std::vector<std::string>{"over_displacement"}));
  Run(admin, w);
  EXPECT_EQ(Car("car-2").standard_flags, (std::vector<std::string>{"over_displacement"}));

  over.id = "car-3";
  over.plate = "京A10003";
  over.displacement_ml = 1800;
  over.price_fen = 16'000'001;
  w = RegisterCar(*store, admin, over, now);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(Codes(w->warnings), (std::vector<std::string>{"over_price"}));
  EXPECT_NE(w->warnings[0].text.en.find("160000.01"), std::string::npos) << w->warnings[0].text.en;
}

TEST_F(FleetTest, ConfidentialClassCapsAreInclusive) {
  NewCar c = Purchase("car-1", "京A20001", "2026-11-01");
  c.car_class = "confidential";
  c.new_energy = false;
  c.clean_energy = true;
  c.displacement_ml = 1600;
  c.price_fen = 12'000'000;
  auto r = RegisterCar(*store, admin, c, now);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->warnings.empty());
  c.displacement_ml = 1601;
  c.price_fen = 12'000'001;
  r = RegisterCar(*store, admin, c, now);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Codes(r->warnings), (std::vector<std::string>{"over_displacement", "over_price"}));
  // Caps come from Rules: a site may raise them.
  SetRules({{"confidential_max_displacement_ml", 2000}, {"confidential_max_price_fen", 20'000'000}});
  r = RegisterCar(*store, admin, c, now);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->warnings.empty());
  // Leader cars have no cap in the documents.
  c.car_class = "leader";
  c.displacement_ml = 3000;
  c.price_fen = 45'000'000;
  r = RegisterCar(*store, admin, c, now);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->warnings.empty());
}

TEST_F(FleetTest, PurchaseRulesWarnAndFlagTheFile) {
  NewCar petrol = Purchase("car-1", "京A30001", "2026-11-01");
  petrol.new_energy = false;
  auto r = RegisterCar(*store, admin, petrol, now);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Codes(r->warnings), (std::vector<std::string>{"not_new_energy"}));
  Run(admin, r);
  EXPECT_EQ(Car("car-1").standard_flags, (std::vector<std::string>{"not_new_energy"}));
  // Recording the special need later clears the flag (the fold recomputes it).
  Run(admin, UpdateCar(*store, admin, "car-1", {.special_need = "confidential liaison in mountains"}, now));
  EXPECT_FALSE(Car("car-1").over_standard());

  NewCar foreign = Purchase("car-2", "京A30002", "2026-11-01");
  foreign.domestic = false;
  r = RegisterCar(*store, admin, foreign, now);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Codes(r->warnings), (std::vector<std::string>{"not_domestic"}));

  NewCar suv = Purchase("car-3", "京A30003", "2026-11-01");
  suv.off_road = true;
  r = RegisterCar(*store, admin, suv, now);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Codes(r->warnings), (std::vector<std::string>{"off_road"}));
  suv.terrain_need = "flood patrol on the dyke";
  r = RegisterCar(*store, admin, suv, now);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->warnings.empty());

  // A transferred petrol car is judged by the caps alone.
  NewCar transfer = Car("car-4", "京A30004");
  transfer.acquisition = "transfer";
  r = RegisterCar(*store, admin, transfer, now);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->warnings.empty());
}

TEST_F(FleetTest, QuotaWarningsAtRegistration) {
  SetRules({{"car_quota", 3}});  // 70% of 3 → 2 purchases a year
  Run(admin, RegisterCar(*store, admin, Purchase("p1", "京A40001", "2026-02-01"), now));
  Run(admin, RegisterCar(*store, admin, Purchase("p2", "京A40002", "2026-03-01"), now));
  auto r = RegisterCar(*store, admin, Purchase("p3", "京A40003", "2026-04-01"), now);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Codes(r->warnings), (std::vector<std::string>{"purchase_quota_exceeded"}));
  Run(admin, r);
  r = RegisterCar(*store, admin, Car("old", "京A40004"), now);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Codes(r->warnings), (std::vector<std::string>{"over_quota"}));
}

TEST_F(FleetTest, AcquisitionReportFigures) {
  SetRules({{"car_quota", 5}});  // purchase limit floor(5 × 70%) = 3
  // 2026: four purchases, one new-energy; one transfer; one over standard.
  Run(admin, RegisterCar(*store, admin, Purchase("ne-1", "京AD10001", "2026-01-10"), now));
  for (const char* id : {"pet-1", "pet-2"}) {
    NewCar c = Purchase(id, std::string("京A5000") + (id[4] == '1' ? "1" : "2"), "2026-05-10");
    c.new_energy = false;
    c.special_need = "mountain roads";
    Run(admin, RegisterCar(*store, admin, c, now));
  }
  NewCar big = Purchase("big", "京A50003", "2026-07-01");
  big.new_energy = false;
  big.clean_energy = true;
  big.displacement_ml = 2000;
  Run(admin, RegisterCar(*store, admin, big, now));
  NewCar t = Car("tr-1", "京A50004");
  t.acquisition = "transfer";
  t.acquired_on = "2026-03-01";
  Run(admin, RegisterCar(*store, admin, t, now));
  // Outside the period, and a disposed car.
  Run(admin, RegisterCar(*store, admin, Purchase("ne-2025", "京AD10002", "2025-12-31"), now));
  NewCar gone = Car("gone", "京A50005");
  gone.displacement_ml = 2500;  // over standard, and disposed of: off the over-standard list
  Run(admin, RegisterCar(*store, admin, gone, now));
  EXPECT_TRUE(Car("gone").over_standard());
  Run(admin, DisposeCar(*store, admin, "gone", "scrap", "", now));

  const AcquisitionReport r = BuildAcquisitionReport(*store, LoadRules(*store), D("2026-01-01"), D("2026-12-31"));
  EXPECT_EQ(r.purchases, 4);
  EXPECT_EQ(r.new_energy_purchases, 1);
  EXPECT_EQ(r.new_energy_share_percent, 25);
  EXPECT_EQ(r.new_energy_target_percent, 30);
  EXPECT_FALSE(r.new_energy_target_met);
  EXPECT_EQ(r.car_quota, 5);
  EXPECT_EQ(r.purchase_limit, 3);
  EXPECT_FALSE(r.within_purchase_limit);
  EXPECT_EQ(r.cars_held, 6);  // 4 purchases + transfer + ne-2025; "gone" was disposed on 2026-11-23
  EXPECT_TRUE(r.over_quota);
  EXPECT_EQ(r.purchased, (std::vector<std::string>{"big", "ne-1", "pet-1", "pet-2"}));
  EXPECT_EQ(r.over_standard, (std::vector<std::string>{"big"}));

  // Held at the end of 2025: ne-2025 and "gone" (acquired 2024, disposed later).
  const AcquisitionReport y25 = BuildAcquisitionReport(*store, LoadRules(*store), D("2025-01-01"), D("2025-12-31"));
  EXPECT_EQ(y25.purchases, 1);
  EXPECT_EQ(y25.new_energy_share_percent, 100);
  EXPECT_TRUE(y25.new_energy_target_met);
  EXPECT_TRUE(y25.within_purchase_limit);
  EXPECT_EQ(y25.cars_held, 2);
  EXPECT_FALSE(y25.over_quota);
}

// ---------------------------------------------------------------- reminders

TEST_F(FleetTest, DueReminders) {
  CarFile c;
  c.id = "car-1";
  c.plate = "京A12345";
  const Rules rules;  // 30 days
  const Date today = D("2026-11-23");
  c.inspection_due = "2026-12-23";  // 30 days: due soon
  c.licence_due = "2026-11-22";     // yesterday: lapsed
  c.insurance_due = "2026-12-24";   // 31 days: nothing yet
  auto w = DueReminders(c, today, rules);
  EXPECT_EQ(Codes(w), (std::vector<std::string>{"inspection_due_soon", "licence_lapsed"}));
  for (const auto& x : w) {
    EXPECT_NE(x.text.en.find("京A12345"), std::string::npos);
    EXPECT_NE(x.text.zh.find("车辆京A12345"), std::string::npos);
  }
  c.inspection_due = c.licence_due = c.insurance_due = "2026-11-23";  // valid through today
  EXPECT_EQ(Codes(DueReminders(c, today, rules)),
            (std::vector<std::string>{"inspection_due_soon", "licence_due_soon", "insurance_due_soon"}));
  Rules shorter;
  shorter.due_reminder_days = 7;
  c.inspection_due = "2026-12-01";  // 8 days
  c.licence_due = c.insurance_due = "";
  EXPECT_TRUE(DueReminders(c, today, shorter).empty());

  // The fleet list skips disposed cars; registration warns at once.
  NewCar n = Car("car-2", "京B12345");
  n.insurance_due = "2026-12-01";
  auto reg = RegisterCar(*store, admin, n, now);
  ASSERT_TRUE(reg.ok());
  EXPECT_TRUE(HasWarning(*reg, "insurance_due_soon"));
  Run(admin, reg);
  n = Car("car-3", "京C12345");
  n.insurance_due = "2026-01-01";
  Run(admin, RegisterCar(*store, admin, n, now));
  Run(admin, DisposeCar(*store, admin, "car-3", "scrap", "", now));
  auto fleet = FleetReminders(*store, today, rules);
  ASSERT_EQ(fleet.size(), 1u);
  EXPECT_EQ(fleet[0].car_id, "car-2");
  EXPECT_EQ(fleet[0].warning.code, "insurance_due_soon");
  auto set = SetCarDueDates(*store, admin, "car-2", std::nullopt, "2026-11-01", std::nullopt, now);
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(HasWarning(*set, "licence_lapsed"));
}

// ---------------------------------------------------------------- 尾号限行

TEST_F(FleetTest, RotationWeekdayTable) {
  ASSERT_EQ(D("2026-11-23").Weekday(), 1);
  const PlateRotation rotation;  // the 2008 defaults
  const int restricted[5][2] = {{1, 6}, {2, 7}, {3, 8}, {4, 9}, {5, 0}};
  const char* en[5] = {"Monday: last digits 1 and 6", "Tuesday: last digits 2 and 7", "Wednesday: last digits 3 and 8",
                       "Thursday: last digits 4 and 9", "Friday: last digits 5 and 0"};
  const char* zh[5] = {"周一限行尾号1和6", "周二限行尾号2和7", "周三限行尾号3和8", "周四限行尾号4和9",
                       "周五限行尾号5和0"};
  for (int i = 0; i < 5; ++i) {
    const Date day = D("2026-11-23").AddDays(i);
    for (int digit = 0; digit <= 9; ++digit) {
      const std::string plate = "京A1234" + std::to_string(digit);
      const bool expect = digit == restricted[i][0] || digit == restricted[i][1];
      const RotationVerdict v = CheckRotation(rotation, plate, day, false);
      EXPECT_EQ(v.restricted, expect) << day.ToString() << " " << plate;
      if (expect) {
        EXPECT_EQ(v.rule.en, en[i]);
        EXPECT_EQ(v.rule.zh, zh[i]);
      } else {
        EXPECT_NE(v.rule.en.find(en[i]), std::string::npos) << v.rule.en;
        EXPECT_NE(v.rule.zh.find("不限行"), std::string::npos) << v.rule.zh;
      }
      // Work does not lift the weekday table.
      EXPECT_EQ(CheckRotation(rotation, plate, day, true).restricted, expect);
    }
  }
  // A plate ending in a letter or character is judged by its last digit.
  EXPECT_TRUE(CheckRotation(rotation, "京A1234警", D("2026-11-26"), false).restricted);  // Thursday, 4
  EXPECT_TRUE(CheckRotation(rotation, "京AD12346", D("2026-11-23"), false).restricted);
}

TEST_F(FleetTest, RotationWeekendSwitchesAndExemptions) {
  const Date saturday = D("2026-11-28"), sunday = D("2026-11-29"), monday = D("2026-11-23");
  PlateRotation r;
  for (Date day : {saturday, sunday}) {
    const RotationVerdict parked = CheckRotation(r, "京A12345", day, false);
    EXPECT_TRUE(parked.restricted);
    EXPECT_NE(parked.rule.zh.find("除工作需要外"), std::string::npos);
    const RotationVerdict work = CheckRotation(r, "京A12345", day, true);
    EXPECT_FALSE(work.restricted);
  }
  EXPECT_EQ(CheckRotation(r, "京A12345", saturday, true).rule.en, "no restriction on Saturday for work-required trips");
  EXPECT_EQ(CheckRotation(r, "京A12345", sunday, false).rule.en,
            "Sunday: official cars stay parked at weekends unless work requires");

  r.weekend_parked = false;
  EXPECT_FALSE(CheckRotation(r, "京A12345", saturday, false).restricted);
  EXPECT_NE(CheckRotation(r, "京A12345", saturday, false).rule.en.find("switched off"), std::string::npos);

  PlateRotation off;
  off.enabled = false;
  const RotationVerdict v = CheckRotation(off, "京A12341", monday, false);
  EXPECT_FALSE(v.restricted);
  EXPECT_EQ(v.rule.en, "plate rotation is switched off");
  EXPECT_EQ(v.rule.zh, "尾号限行已关闭");
  EXPECT_TRUE(CheckRotation(off, "京A12341", saturday, false).restricted);  // the weekend rule stands alone

  PlateRotation exempt;
  exempt.new_energy_exempt = true;
  EXPECT_FALSE(CheckRotation(exempt, "京AD12341", monday, false).restricted);
  EXPECT_EQ(CheckRotation(exempt, "京AD12341", monday, false).rule.zh, "新能源车牌不受尾号限行");
  EXPECT_TRUE(CheckRotation(exempt, "京A12341", monday, false).restricted);
  EXPECT_TRUE(CheckRotation(exempt, "京AD12341", saturday, false).restricted);
  EXPECT_TRUE(CheckRotation(PlateRotation{}, "京AD12341", monday, false).restricted);

  PlateRotation custom;
  custom.weekday_digits[0] = {};
  custom.weekday_digits[1] = {1, 2, 3};
  EXPECT_FALSE(CheckRotation(custom, "京A12341", monday, false).restricted);
  const RotationVerdict tue = CheckRotation(custom, "京A12341", D("2026-11-24"), false);
  EXPECT_TRUE(tue.restricted);
  EXPECT_EQ(tue.rule.en, "Tuesday: last digits 1, 2 and 3");
  EXPECT_EQ(tue.rule.zh, "周二限行尾号1、2和3");
}

// ---------------------------------------------------------------- dispatch eligibility

TEST_F(FleetTest, DispatchEligibility) {
  const Rules rules;
  NewCar c = Car("car-3", "京A12343");  // restricted on Wednesdays
  c.insurance_due = "2026-11-23";
  Run(admin, RegisterCar(*store, admin, c, now));
  const auto eligible = [&](const char* from, const char* to, bool work = false) {
    return DispatchEligibility(*store, rules, "car-3", At(from), At(to), work);
  };
  EXPECT_TRUE(eligible("2026-11-23T09:00", "2026-11-23T23:59").ok());  // insurance valid through its due day
  const Status lapsed = eligible("2026-11-23T09:00", "2026-11-24T10:00");  // lapsed on the 24th, a free Tuesday
  ExpectRefused(lapsed, "car");
  EXPECT_NE(lapsed.zh().find("保险"), std::string::npos) << lapsed.zh();
  Run(admin, SetCarDueDates(*store, admin, "car-3", std::nullopt, std::nullopt, "2027-11-24", now));
  // Restricted Wednesday, alone and inside a longer window.
  const Status wed = eligible("2026-11-25T09:00", "2026-11-25T12:00");
  ExpectRefused(wed, "car");
  EXPECT_NE(wed.zh().find("周三限行尾号3和8"), std::string::npos) << wed.zh();
  ExpectRefused(eligible("2026-11-24T09:00", "2026-11-26T12:00"), "car");
  ExpectRefused(eligible("2026-11-25T09:00", "2026-11-25T12:00", true), "car");
  // Weekend: parked unless work requires.
  ExpectRefused(eligible("2026-11-28T09:00", "2026-11-28T12:00"), "car");
  EXPECT_TRUE(eligible("2026-11-28T09:00", "2026-11-29T12:00", true).ok());
  ExpectInvalid(eligible("2026-11-23T12:00", "2026-11-23T09:00"), "end");
  ExpectStatus(DispatchEligibility(*store, rules, "ghost", now, now, false), Status::Code::kNotFound, "car");
  // Switched off at the site: Wednesday is fine.
  Rules off;
  off.rotation.enabled = false;
  EXPECT_TRUE(DispatchEligibility(*store, off, "car-3", At("2026-11-25T09:00"), At("2026-11-25T12:00"), false).ok());

  // Out of service, sealed, disposed.
  DriverKeeps("car-3");
  Run(driver, SetOutOfService(*store, driver, "car-3", true, "in repair", now));
  const Status repair = eligible("2026-11-23T09:00", "2026-11-23T17:00");
  ExpectRefused(repair, "car");
  EXPECT_NE(repair.en().find("in repair"), std::string::npos);
  Run(driver, SetOutOfService(*store, driver, "car-3", false, "", now));
  Run(admin, SealCar(*store, admin, "car-3", "", now));
  const Status sealed = eligible("2026-11-23T09:00", "2026-11-23T17:00");
  ExpectRefused(sealed, "car");
  EXPECT_NE(sealed.zh().find("封存"), std::string::npos);
  Run(admin, DisposeCar(*store, admin, "car-3", "scrap", "", now));
  const Status gone = eligible("2026-11-23T09:00", "2026-11-23T17:00");
  ExpectRefused(gone, "car");
  EXPECT_NE(gone.zh().find("处置"), std::string::npos);
}

TEST_F(FleetTest, DispatchEligibilityLapsedInspectionAndLicence) {
  NewCar c = Car("car-1", "京A12345");
  c.inspection_due = "2026-11-20";
  Run(admin, RegisterCar(*store, admin, c, now));
  const Status s = DispatchEligibility(*store, Rules{}, "car-1", now, now.AddMinutes(60), false);
  ExpectRefused(s, "car");
  EXPECT_NE(s.zh().find("年检"), std::string::npos);
  Run(admin, SetCarDueDates(*store, admin, "car-1", "2027-11-20", "2026-11-22", std::nullopt, now));
  const Status l = DispatchEligibility(*store, Rules{}, "car-1", now, now.AddMinutes(60), false);
  ExpectRefused(l, "car");
  EXPECT_NE(l.zh().find("行驶证"), std::string::npos);
}

// ---------------------------------------------------------------- odometer

TEST_F(FleetTest, RecordOdometer) {
  AddCar("car-1", "京A12345");
  EXPECT_FALSE(LastOdometer(*store, "car-1").has_value());
  EXPECT_FALSE(LastOdometer(*store, "ghost").has_value());
  Run(driver, RecordOdometer(*store, driver, "car-1", 1000, "trip-1", now));
  EXPECT_EQ(LastOdometer(*store, "car-1"), 1000);
  Run(driver, RecordOdometer(*store, driver, "car-1", 1000, "", now));  // unchanged is fine
  ExpectRefused(RecordOdometer(*store, driver, "car-1", 999, "trip-2", now).status(), "odometer_km");
  ExpectInvalid(RecordOdometer(*store, driver, "car-1", -5, "", now).status(), "odometer_km");
  ExpectRefused(RecordOdometer(*store, staff, "car-1", 2000, "", now).status(), "role");
  ExpectStatus(RecordOdometer(*store, driver, "ghost", 2000, "", now).status(), Status::Code::kNotFound, "car");
  const Draft d = OdometerDraft("car-1", 1234, "trip-9");
  EXPECT_EQ(d.entity_type, "car");
  EXPECT_EQ(d.kind, "car.odometer_recorded");
  EXPECT_EQ(d.payload, (Json{{"km", 1234}, {"trip", "trip-9"}}));
  // Trips append the draft directly; a sealed car still takes the reading of a trip that ended.
  Run(admin, SealCar(*store, admin, "car-1", "", now));
  ASSERT_TRUE(store->Append(driver, {d}).ok());
  EXPECT_EQ(LastOdometer(*store, "car-1"), 1234);
  EXPECT_TRUE(Car("car-1").conflicts.empty());
}

TEST_F(FleetTest, OdometerConflictBetweenTwoOfflineDevices) {
  NewCar c = Car("car-1", "京A12345");
  c.odometer_km = 11'800;
  Run(admin, RegisterCar(*store, admin, c, now));
  auto b = Open("b.db", "dev-b");
  ExchangeAll(*store, *b);
  // Device A ends a trip at 12,000 km; device B, later and offline, enters 11,900 km.
  auto ra = Execute(*store, driver, RecordOdometer(*store, driver, "car-1", 12'000, "trip-a", now));
  ASSERT_TRUE(ra.ok());
  clock.Advance(60'000);
  auto rb = Execute(*b, dispatcher, RecordOdometer(*b, dispatcher, "car-1", 11'900, "trip-b", now));
  ASSERT_TRUE(rb.ok());
  ExchangeAll(*store, *b);
  ExpectConverged(*store, *b);
  for (Store* s : {store.get(), b.get()}) {
    auto f = FindCar(*s, "car-1");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->odometer_km, 11'900);  // the latest in event order, kept
    ASSERT_EQ(f->conflicts.size(), 1u);
    const Conflict& k = f->conflicts[0];
    EXPECT_EQ(k.kind, "odometer_decreased");
    EXPECT_EQ(k.events, (std::vector<std::string>{ra->events[0].id, rb->events[0].id}));
    EXPECT_NE(k.reason.en.find("11900"), std::string::npos);
    EXPECT_FALSE(k.reason.zh.empty());
  }
  // Someone checks both slips, records the true reading and clears the mark.
  const std::string conflict_id = FindCar(*store, "car-1")->conflicts[0].Id();
  ASSERT_TRUE(store->Append(admin, {{"car", "car-1", std::string(kConflictResolvedKind),
                                     Json{{"conflict", conflict_id}, {"note", "slip says 12,050"}}},
                                    OdometerDraft("car-1", 12'050, "")})
                  .ok());
  ExchangeAll(*store, *b);
  ExpectConverged(*store, *b);
  EXPECT_TRUE(FindCar(*b, "car-1")->conflicts.empty());
  EXPECT_EQ(LastOdometer(*b, "car-1"), 12'050);
}

TEST_F(FleetTest, SamePlateRegisteredOnTwoDevicesConflicts) {
  auto b = Open("b.db", "dev-b");
  Run(admin, RegisterCar(*store, admin, Car("car-a", "京A12345"), now));
  NewCar other = Car("car-b", "京A12345");
  other.fuel_card = "FC-1";
  Run(dispatcher, RegisterCar(*b, dispatcher, other, now), b.get());
  Run(admin, UpdateCar(*store, admin, "car-a", {.fuel_card = "FC-1"}, now));
  ExchangeAll(*store, *b);
  ExpectConverged(*store, *b);
  for (Store* s : {store.get(), b.get()})
    for (const char* id : {"car-a", "car-b"}) {
      auto f = FindCar(*s, id);
      ASSERT_TRUE(f);
      std::vector<std::string> kinds;
      for (const auto& k : f->conflicts) kinds.push_back(k.kind);
      std::sort(kinds.begin(), kinds.end());
      EXPECT_EQ(kinds, (std::vector<std::string>{"duplicate_plate", "fuel_card_shared"})) << id;
    }
  // Correcting one plate and one card clears both marks.
  Run(admin, UpdateCar(*store, admin, "car-b", {.plate = "京A12346", .fuel_card = ""}, now));
  for (const char* id : {"car-a", "car-b"}) EXPECT_TRUE(Car(id).conflicts.empty()) << id;
  EXPECT_TRUE(store->VerifyMaterialized().ok());
}

TEST_F(FleetTest, OnlyCarRecordsJoinTheRegisterConstraint) {
  AddCar("car-1", "京A12345");
  Run(admin, UpdateCar(*store, admin, "car-1", {.fuel_card = "FC-1"}, now));
  const std::string plate = Car("car-1").plate;
  // Another entity that happens to carry a car-like status, plate and card (a note, an import row).
  ASSERT_TRUE(store
                  ->Append(admin, {{"vehicle_note", "n-1", "vehicle_note.upserted",
                                    Json{{"status", "in_use"}, {"plate", plate}, {"fuel_card", "FC-1"}}}})
                  .ok());
  EXPECT_TRUE(Car("car-1").conflicts.empty());
  auto note = store->Get("vehicle_note", "n-1");
  ASSERT_TRUE(note.ok() && note->has_value());
  EXPECT_TRUE((*note)->conflicts.empty());
  EXPECT_TRUE(store->VerifyMaterialized().ok());
}

// ---------------------------------------------------------------- drivers

TEST_F(FleetTest, DriverFileAndEligibility) {
  ASSERT_TRUE(store->Append(admin, {directory::UpsertUser({"u-wang", "王师傅", "fleet", {"driver"}})}).ok());
  NewDriver d{"drv-1", "王师傅", "u-wang", "110101199001011234", "b1", "2026-12-10", "138-0013-8000"};
  auto r = RegisterDriver(*store, dispatcher, d, now);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Codes(r->warnings), (std::vector<std::string>{"licence_due_soon"}));
  Run(dispatcher, r);
  auto f = FindDriver(*store, "drv-1");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->status, "active");
  EXPECT_EQ(f->licence_class, "B1");
  EXPECT_EQ(f->phone, "13800138000");
  EXPECT_EQ(f->user_id, "u-wang");
  EXPECT_EQ(ListDrivers(*store).size(), 1u);

  EXPECT_TRUE(DriverEligibility(*store, "drv-1", D("2026-12-10")).ok());
  ExpectRefused(DriverEligibility(*store, "drv-1", D("2026-12-11")), "driver");
  ExpectStatus(DriverEligibility(*store, "ghost", D("2026-12-11")), Status::Code::kNotFound, "driver");
  Run(admin, RenewDriverLicence(*store, admin, "drv-1", "2032-12-10", now));
  EXPECT_TRUE(DriverEligibility(*store, "drv-1", D("2026-12-11")).ok());
  Run(admin, UpdateDriver(*store, admin, "drv-1", {.phone = "+86 139 0013 9000"}, now));
  EXPECT_EQ(FindDriver(*store, "drv-1")->phone, "13900139000");
  EXPECT_EQ(FindDriver(*store, "drv-1")->name, "王师傅");

  // Leaving: the custodian's cars are named; eligibility refuses.
  AddCar("car-1", "京A12345");
  Run(admin, AssignCustodian(*store, admin, "car-1", "drv-1", now));
  auto leave = DriverLeaves(*store, admin, "drv-1", now);
  ASSERT_TRUE(leave.ok());
  EXPECT_TRUE(HasWarning(*leave, "custodian_left"));
  Run(admin, leave);
  EXPECT_EQ(FindDriver(*store, "drv-1")->status, "left");
  EXPECT_EQ(FindDriver(*store, "drv-1")->left_on, "2026-11-23");
  const Status left = DriverEligibility(*store, "drv-1", D("2026-11-24"));
  ExpectRefused(left, "driver");
  EXPECT_NE(left.zh().find("离职"), std::string::npos);
  Run(admin, DriverRejoins(*store, admin, "drv-1", now));
  EXPECT_TRUE(DriverEligibility(*store, "drv-1", D("2026-11-24")).ok());
  EXPECT_EQ(FindDriver(*store, "drv-1")->left_on, "");
}

TEST_F(FleetTest, DriverRefusals) {
  NewDriver d{"drv-1", "李师傅", "", "", "C1", "2030-01-01", ""};
  ExpectRefused(RegisterDriver(*store, staff, d, now).status(), "role");
  ExpectRefused(RegisterDriver(*store, driver, d, now).status(), "role");
  NewDriver bad = d;
  bad.name = "";
  ExpectInvalid(RegisterDriver(*store, admin, bad, now).status(), "name");
  bad = d;
  bad.id = "";
  ExpectInvalid(RegisterDriver(*store, admin, bad, now).status(), "id");
  bad = d;
  bad.phone = "12345";
  ExpectInvalid(RegisterDriver(*store, admin, bad, now).status(), "phone");
  bad = d;
  bad.licence_class = "Z9";
  ExpectInvalid(RegisterDriver(*store, admin, bad, now).status(), "licence_class");
  bad = d;
  bad.licence_due = "2030/01/01";
  ExpectInvalid(RegisterDriver(*store, admin, bad, now).status(), "licence_due");
  bad = d;
  bad.user_id = "u-nobody";
  ExpectStatus(RegisterDriver(*store, admin, bad, now).status(), Status::Code::kNotFound, "user_id");
  Run(admin, RegisterDriver(*store, admin, d, now));
  ExpectRefused(RegisterDriver(*store, admin, d, now).status(), "id");
  ExpectRefused(DriverRejoins(*store, admin, "drv-1", now).status(), "status");
  ExpectRefused(DriverLeaves(*store, driver, "drv-1", now).status(), "role");
  ExpectRefused(UpdateDriver(*store, clerk, "drv-1", {.name = "x"}, now).status(), "role");
  ExpectInvalid(UpdateDriver(*store, admin, "drv-1", {}, now).status(), "changes");
  ExpectInvalid(RenewDriverLicence(*store, admin, "drv-1", "", now).status(), "licence_due");
  Run(admin, DriverLeaves(*store, admin, "drv-1", now));
  ExpectRefused(DriverLeaves(*store, admin, "drv-1", now).status(), "status");
  ExpectRefused(UpdateDriver(*store, admin, "drv-1", {.name = "x"}, now).status(), "status");
  ExpectRefused(RenewDriverLicence(*store, admin, "drv-1", "2031-01-01", now).status(), "status");
  ExpectStatus(DriverLeaves(*store, admin, "ghost", now).status(), Status::Code::kNotFound, "driver");
}

TEST_F(FleetTest, DriverLeavingOfflineWhileRenewedElsewhereConflicts) {
  AddDriver("drv-1");
  auto b = Open("b.db", "dev-b");
  ExchangeAll(*store, *b);
  Run(admin, DriverLeaves(*store, admin, "drv-1", now));
  clock.Advance(1000);
  Run(dispatcher, RenewDriverLicence(*b, dispatcher, "drv-1", "2035-01-01", now), b.get());
  ExchangeAll(*store, *b);
  ExpectConverged(*store, *b);
  for (Store* s : {store.get(), b.get()}) {
    auto f = FindDriver(*s, "drv-1");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->status, "left");
    EXPECT_EQ(f->licence_due, "2030-01-01");
    ASSERT_EQ(f->conflicts.size(), 1u);
    EXPECT_EQ(f->conflicts[0].kind, "workflow");
  }
}

TEST_F(FleetTest, DriverLicenceFitsTheCar) {
  DriverFile d;
  CarFile car;
  car.seats = 5;
  for (const char* cls : {"A1", "A2", "B1", "B2", "C1", "C2", ""}) {
    d.licence_class = cls;
    EXPECT_TRUE(DriverLicenceFits(d, car).ok()) << cls;
  }
  car.seats = 14;
  d.licence_class = "C1";
  ExpectRefused(DriverLicenceFits(d, car), "driver");
  d.licence_class = "B1";
  EXPECT_TRUE(DriverLicenceFits(d, car).ok());
  car.seats = 45;
  ExpectRefused(DriverLicenceFits(d, car), "driver");
  d.licence_class = "A1";
  EXPECT_TRUE(DriverLicenceFits(d, car).ok());
}

TEST_F(FleetTest, DriverReminders) {
  DriverFile d;
  d.id = "drv-1";
  d.name = "张";
  d.status = "active";
  d.licence_due = "2026-11-01";
  auto w = cars::DriverReminders(d, D("2026-11-23"), Rules{});
  ASSERT_EQ(Codes(w), (std::vector<std::string>{"licence_lapsed"}));
  EXPECT_NE(w[0].text.zh.find("驾驶员张"), std::string::npos);
  d.status = "left";
  EXPECT_TRUE(cars::DriverReminders(d, D("2026-11-23"), Rules{}).empty());
}

}  // namespace
}  // namespace houqin
