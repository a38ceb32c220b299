// Car requests, approval, dispatch, merging, trips, expenses and use statistics
// (cars/trips.h) on real stores with the full domain, including the offline
// clashes between two devices.
#include <gtest/gtest.h>

#include <algorithm>

#include "cars/fleet.h"
#include "cars/trips.h"
#include "directory/directory.h"
#include "domain.h"
#include "engine/command.h"
#include "test_support.h"

namespace houqin::cars {
namespace {

using testing::AllEvents;
using testing::ConflictsOf;
using testing::D;
using testing::ExchangeAll;
using testing::ExpectConverged;
using testing::ExpectRefused;
using testing::HasWarning;
using testing::T;

// 2026-03-02 is a Monday: plates ending in 1 or 6 are restricted (尾号限行).
const LocalTime kNow = T("2026-03-01T09:00");

const Author kAdmin{"root", std::string(role::kAdmin), ""};
const Author kAlice{"alice", std::string(role::kStaff), ""};         // office staff, the usual requester
const Author kGina{"gina", std::string(role::kStaff), ""};           // office staff
const Author kHank{"hank", std::string(role::kStaff), ""};           // finance staff
const Author kBob{"bob", std::string(role::kApprover), ""};          // 分管领导 of the office
const Author kCarol{"carol", std::string(role::kApprover), ""};      // 分管领导 of finance
const Author kDan{"dan", std::string(role::kDispatcher), ""};        // fleet captain
const Author kDora{"dora", std::string(role::kDispatcher), ""};      // a second dispatcher
const Author kErin{"erin", std::string(role::kDriver), ""};          // drives drv-1
const Author kFrank{"frank", std::string(role::kDriver), ""};        // drives drv-2
const Author kFay{"fay", std::string(role::kFinance), ""};

RequestInput Req(const std::string& id, const char* departure = "2026-03-02T09:00",
                 const char* return_time = "2026-03-02T12:00", const std::string& destination = "市政府",
                 int passengers = 1, std::int64_t km = 20) {
  RequestInput in;
  in.id = id;
  in.departure = T(departure);
  in.return_time = T(return_time);
  in.origin = "机关大院";
  in.destination = destination;
  in.purpose = "送文件";
  in.passengers = passengers;
  in.estimated_km = km;
  return in;
}

struct TripsTest : testing::DomainTest {
  // People, departments, three cars and two drivers.
  void Seed(Store& s) {
    std::vector<Draft> people{
        directory::UpsertDepartment("office", "办公室", {"bob"}),
        directory::UpsertDepartment("finance", "财务科", {"carol"}),
        directory::UpsertDepartment("archive", "档案室", {}),
        directory::UpsertUser({"alice", "Alice", "office", {"staff"}}),
        directory::UpsertUser({"gina", "Gina", "office", {"staff"}}),
        directory::UpsertUser({"hank", "Hank", "finance", {"staff"}}),
        directory::UpsertUser({"bob", "Bob", "office", {"staff", "approver"}}),
        directory::UpsertUser({"carol", "Carol", "finance", {"staff", "approver"}}),
        directory::UpsertUser({"dan", "Dan", "office", {"dispatcher"}}),
        directory::UpsertUser({"dora", "Dora", "office", {"dispatcher"}}),
        directory::UpsertUser({"erin", "Erin", "office", {"driver"}}),
        directory::UpsertUser({"frank", "Frank", "office", {"driver"}}),
        directory::UpsertUser({"fay", "Fay", "finance", {"finance"}}),
    };
    ASSERT_TRUE(s.Append(kAdmin, people).ok());
    AddCar(s, "car-1", "京A12345", 5);
    AddCar(s, "car-2", "京A12343", 5);  // restricted on Wednesdays
    AddCar(s, "car-6", "京A12346", 5);  // restricted on Mondays
    AddCar(s, "bus-1", "京A12347", 20);
    AddDriver(s, "drv-1", "erin", "A1");
    AddDriver(s, "drv-2", "frank", "C1");
  }
  void AddCar(Store& s, const std::string& id, const std::string& plate, int seats) {
    NewCar car;
    car.id = id;
    car.plate = plate;
    car.seats = seats;
    car.displacement_ml = 1600;
    car.price_fen = 15'000'000;
    car.new_energy = true;
    car.car_class = seats >= 20 ? std::string(car_class::kCoach) : std::string(car_class::kGeneral);
    car.odometer_km = 1000;
    Do(s, kAdmin, RegisterCar(s, kAdmin, car, kNow));
  }
  void AddDriver(Store& s, const std::string& id, const std::string& user, const std::string& licence_class) {
    NewDriver d;
    d.id = id;
    d.name = user;
    d.user_id = user;
    d.licence_class = licence_class;
    d.licence_due = "2030-01-01";
    Do(s, kAdmin, RegisterDriver(s, kAdmin, d, kNow));
  }

  // A request submitted by `requester` and approved by the department's approver.
  void Approved(Store& s, const RequestInput& in, const Author& requester = kAlice, const Author& approver = kBob) {
    Do(s, requester, SubmitRequest(s, requester, in, kNow));
    Do(s, approver, ApproveRequest(s, approver, in.id, "", kNow));
  }

  DispatchInput Trip(const std::string& id, const std::string& car, const std::string& driver,
                     std::vector<std::string> requests) {
    return {id, car, driver, std::move(requests)};
  }

  std::string RequestStatus(Store& s, const std::string& id) {
    auto r = FindRequest(s, id);
    return r ? r->status : "<none>";
  }
  std::string TripStatus(Store& s, const std::string& id) {
    auto t = FindTrip(s, id);
    return t ? t->status : "<none>";
  }

};

// ---------------------------------------------------------------------------
// Requests

TEST_F(TripsTest, SubmitRecordsTheRequestWithTheRequestersDepartment) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Command c = Do(*s, kAlice, SubmitRequest(*s, kAlice, Req("req-1"), kNow));
  EXPECT_TRUE(c.warnings.empty());
  auto r = FindRequest(*s, "req-1");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, "submitted");
  EXPECT_EQ(r->requester, "alice");
  EXPECT_EQ(r->department, "office");
  EXPECT_EQ(r->destination, "市政府");
  EXPECT_EQ(r->purpose, "送文件");
  EXPECT_EQ(r->departure, T("2026-03-02T09:00"));
  EXPECT_EQ(r->return_time, T("2026-03-02T12:00"));
  EXPECT_EQ(r->estimated_km, 20);
  // The same id twice is refused.
  ExpectRefused(SubmitRequest(*s, kAlice, Req("req-1"), kNow), "id");
}

TEST_F(TripsTest, SubmitRefusesMissingOrWrongFields) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  auto without = [](auto change) {
    RequestInput in = Req("req-x");
    change(in);
    return in;
  };
  ExpectRefused(SubmitRequest(*s, kAlice, without([](RequestInput& r) { r.departure.reset(); }), kNow), "departure");
  ExpectRefused(SubmitRequest(*s, kAlice, without([](RequestInput& r) { r.return_time.reset(); }), kNow),
                "return_time");
  ExpectRefused(SubmitRequest(*s, kAlice, without([](RequestInput& r) { r.destination = "  "; }), kNow),
                "destination");
  ExpectRefused(SubmitRequest(*s, kAlice, without([](RequestInput& r) { r.purpose.clear(); }), kNow), "purpose");
  ExpectRefused(SubmitRequest(*s, kAlice, without([](RequestInput& r) { r.passengers = 0; }), kNow), "passengers");
  ExpectRefused(SubmitRequest(*s, kAlice, without([](RequestInput& r) { r.kind = "joyride"; }), kNow), "kind");
  ExpectRefused(SubmitRequest(*s, kAlice, without([](RequestInput& r) { r.estimated_km = -1; }), kNow),
                "estimated_km");
  ExpectRefused(SubmitRequest(*s, kAlice, without([](RequestInput& r) { r.return_time = T("2026-03-02T08:00"); }), kNow),
                "return_time");
  ExpectRefused(SubmitRequest(*s, kAlice, without([](RequestInput& r) { r.departure = T("2026-02-28T09:00"); }), kNow),
                "departure");
  ExpectRefused(SubmitRequest(*s, kAlice, without([](RequestInput& r) { r.return_time = T("2026-04-15T09:00"); }), kNow),
                "return_time");
  // A stranger without a directory entry must name the department.
  const Author stranger{"nobody", std::string(role::kStaff), ""};
  ExpectRefused(SubmitRequest(*s, stranger, Req("req-y"), kNow), "department");
  EXPECT_TRUE(SubmitRequest(*s, stranger, without([](RequestInput& r) { r.department = "office"; }), kNow).ok());
  EXPECT_FALSE(FindRequest(*s, "req-x").has_value());
}

TEST_F(TripsTest, ShortTripWarnsAndTheWarningCanBeSwitchedOff) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  auto near = SubmitRequest(*s, kAlice, Req("req-1", "2026-03-02T09:00", "2026-03-02T10:00", "区政府", 1, 5), kNow);
  ASSERT_TRUE(near.ok());
  EXPECT_TRUE(HasWarning(*near, "short_trip"));
  auto far = SubmitRequest(*s, kAlice, Req("req-2", "2026-03-02T09:00", "2026-03-02T10:00", "区政府", 1, 6), kNow);
  ASSERT_TRUE(far.ok());
  EXPECT_FALSE(HasWarning(*far, "short_trip"));
  ASSERT_TRUE(s->Append(kAdmin, {SetRules(Json{{"short_trip_warning", false}})}).ok());
  auto off = SubmitRequest(*s, kAlice, Req("req-3", "2026-03-02T09:00", "2026-03-02T10:00", "区政府", 1, 2), kNow);
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(HasWarning(*off, "short_trip"));
  ASSERT_TRUE(s->Append(kAdmin, {SetRules(Json{{"short_trip_warning", true}, {"short_trip_km", 10}})}).ok());
  auto wider = SubmitRequest(*s, kAlice, Req("req-4", "2026-03-02T09:00", "2026-03-02T10:00", "区政府", 1, 8), kNow);
  ASSERT_TRUE(wider.ok());
  EXPECT_TRUE(HasWarning(*wider, "short_trip"));
  // A short trip is a warning, never a refusal: it can be submitted.
  Do(*s, kAlice, near);
  EXPECT_EQ(RequestStatus(*s, "req-1"), "submitted");
}

TEST_F(TripsTest, DepartmentWithoutApproverWarns) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  RequestInput in = Req("req-1");
  in.department = "archive";
  auto c = SubmitRequest(*s, kAlice, in, kNow);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(HasWarning(*c, "no_approver"));
}

TEST_F(TripsTest, ApproveAndRejectByTheDepartmentsApprover) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Do(*s, kAlice, SubmitRequest(*s, kAlice, Req("req-1"), kNow));
  Do(*s, kAlice, SubmitRequest(*s, kAlice, Req("req-2"), kNow));
  Do(*s, kBob, ApproveRequest(*s, kBob, "req-1", "同意", kNow));
  EXPECT_EQ(RequestStatus(*s, "req-1"), "approved");
  ExpectRefused(RejectRequest(*s, kBob, "req-2", " ", kNow), "reason");
  Do(*s, kBob, RejectRequest(*s, kBob, "req-2", "可乘公交", kNow));
  EXPECT_EQ(RequestStatus(*s, "req-2"), "rejected");
  // Deciding twice, or a rejected request, is refused by the table.
  ExpectRefused(ApproveRequest(*s, kBob, "req-1", "", kNow), "status");
  ExpectRefused(ApproveRequest(*s, kBob, "req-2", "", kNow), "status");
  ExpectRefused(ApproveRequest(*s, kBob, "req-none", "", kNow), "request");
}

TEST_F(TripsTest, ApprovalByTheRequesterIsRefused) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  // Bob is the office's approver and requests a car himself.
  const Author bob_as_staff{"bob", std::string(role::kStaff), ""};
  Do(*s, bob_as_staff, SubmitRequest(*s, bob_as_staff, Req("req-1"), kNow));
  ExpectRefused(ApproveRequest(*s, kBob, "req-1", "", kNow), "approver");
  ExpectRefused(RejectRequest(*s, kBob, "req-1", "no", kNow), "approver");
  EXPECT_EQ(RequestStatus(*s, "req-1"), "submitted");
}

TEST_F(TripsTest, ApprovalByAnotherDepartmentsApproverOrByStaffIsRefused) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Do(*s, kAlice, SubmitRequest(*s, kAlice, Req("req-1"), kNow));
  ExpectRefused(ApproveRequest(*s, kCarol, "req-1", "", kNow), "approver");
  ExpectRefused(ApproveRequest(*s, kGina, "req-1", "", kNow), "role");
  EXPECT_EQ(RequestStatus(*s, "req-1"), "submitted");
}

TEST_F(TripsTest, SelfApprovalArrivingInTheFoldIsAConflictAndDoesNotApply) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  const Author bob_as_staff{"bob", std::string(role::kStaff), ""};
  Do(*s, bob_as_staff, SubmitRequest(*s, bob_as_staff, Req("req-1"), kNow));
  // A device that skipped the command's check: the event is kept, marked, and changes nothing.
  ASSERT_TRUE(s->Append(kBob, {{"car_request", "req-1", "request.approved", Json{{"note", ""}}}}).ok());
  EXPECT_EQ(RequestStatus(*s, "req-1"), "submitted");
  EXPECT_EQ(ConflictsOf(*s, entity::kRequest, "req-1", "self_approval").size(), 1u);
  EXPECT_TRUE(s->VerifyMaterialized().ok());
}

TEST_F(TripsTest, TwoApproversDecidingOfflineConflict) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  ASSERT_TRUE(a->Append(kAdmin, {directory::UpsertDepartment("office", "办公室", {"bob", "carol"})}).ok());
  Do(*a, kAlice, SubmitRequest(*a, kAlice, Req("req-1"), kNow));
  ExchangeAll(*a, *b);
  Do(*a, kBob, ApproveRequest(*a, kBob, "req-1", "", kNow));
  Do(*b, kCarol, RejectRequest(*b, kCarol, "req-1", "不必要", kNow));
  ExchangeAll(*a, *b);
  EXPECT_EQ(ConflictsOf(*a, entity::kRequest, "req-1", "workflow").size(), 1u);
  EXPECT_EQ(ConflictsOf(*b, entity::kRequest, "req-1", "workflow").size(), 1u);
  EXPECT_EQ(RequestStatus(*a, "req-1"), "approved");  // bob's came first
  ExpectConverged(*a, *b);
}

TEST_F(TripsTest, RequesterCancelsBeforeCompletionOnly) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Do(*s, kAlice, SubmitRequest(*s, kAlice, Req("req-1"), kNow));
  ExpectRefused(CancelRequest(*s, kGina, "req-1", "", kNow), "requester");
  Do(*s, kAlice, CancelRequest(*s, kAlice, "req-1", "会议取消", kNow));
  EXPECT_EQ(RequestStatus(*s, "req-1"), "cancelled");
  ExpectRefused(CancelRequest(*s, kAlice, "req-1", "", kNow), "status");
  Approved(*s, Req("req-2"));
  Do(*s, kAlice, CancelRequest(*s, kAlice, "req-2", "", kNow));
  EXPECT_EQ(RequestStatus(*s, "req-2"), "cancelled");
}

TEST_F(TripsTest, CancellingADispatchedRequestWithdrawsItAndFreesTheCar) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Approved(*s, Req("req-1"));
  Approved(*s, Req("req-2"), kGina);
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1", "req-2"}), kNow));
  Do(*s, kAlice, CancelRequest(*s, kAlice, "req-1", "", kNow));
  EXPECT_EQ(RequestStatus(*s, "req-1"), "cancelled");
  EXPECT_EQ(FindTrip(*s, "trip-1")->requests, (std::vector<std::string>{"req-2"}));
  EXPECT_EQ(TripStatus(*s, "trip-1"), "planned");
  // The last request gone, the trip is cancelled and the car is free again.
  Do(*s, kGina, CancelRequest(*s, kGina, "req-2", "", kNow));
  EXPECT_EQ(TripStatus(*s, "trip-1"), "cancelled");
  Approved(*s, Req("req-3"));
  EXPECT_TRUE(DispatchTrip(*s, kDan, Trip("trip-2", "car-1", "drv-1", {"req-3"}), kNow).ok());
  auto conflicts = s->Conflicts();
  ASSERT_TRUE(conflicts.ok());
  EXPECT_TRUE(conflicts->empty());
}

// ---------------------------------------------------------------------------
// Dispatch

TEST_F(TripsTest, DispatchPlansTheTripAndMarksTheRequests) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Approved(*s, Req("req-1", "2026-03-02T09:00", "2026-03-02T12:00"));
  Approved(*s, Req("req-2", "2026-03-02T09:30", "2026-03-02T13:00"), kHank, kCarol);
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1", "req-2"}), kNow));
  auto t = FindTrip(*s, "trip-1");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->status, "planned");
  EXPECT_EQ(t->car, "car-1");
  EXPECT_EQ(t->driver, "drv-1");
  EXPECT_EQ(t->start, T("2026-03-02T09:00"));
  EXPECT_EQ(t->end, T("2026-03-02T13:00"));
  EXPECT_EQ(t->requests, (std::vector<std::string>{"req-1", "req-2"}));
  EXPECT_EQ(t->departments, (std::vector<std::string>{"finance", "office"}));
  EXPECT_EQ(t->passengers, 2);
  EXPECT_EQ(RequestStatus(*s, "req-1"), "dispatched");
  EXPECT_EQ(FindRequest(*s, "req-2")->trips, (std::vector<std::string>{"trip-1"}));
  // Dispatched requests are not dispatched again.
  ExpectRefused(DispatchTrip(*s, kDan, Trip("trip-2", "car-2", "drv-2", {"req-1"}), kNow), "requests");
  ExpectRefused(DispatchTrip(*s, kDan, Trip("trip-1", "car-2", "drv-2", {"req-1"}), kNow), "trip_id");
}

TEST_F(TripsTest, DispatchRefusals) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Approved(*s, Req("req-1"));
  Do(*s, kAlice, SubmitRequest(*s, kAlice, Req("req-open"), kNow));
  ExpectRefused(DispatchTrip(*s, kAlice, Trip("t", "car-1", "drv-1", {"req-1"}), kNow), "role");
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "car-1", "drv-1", {}), kNow), "requests");
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "car-1", "drv-1", {"req-open"}), kNow), "requests");
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "car-1", "drv-1", {"req-none"}), kNow), "requests");
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "car-1", "drv-1", {"req-1", "req-1"}), kNow), "requests");
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "", "drv-1", {"req-1"}), kNow), "car");
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "car-none", "drv-1", {"req-1"}), kNow), "car");
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "car-1", "", {"req-1"}), kNow), "driver");
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "car-1", "drv-none", {"req-1"}), kNow), "driver");
  // drv-2 holds C1, which does not cover a 20-seat coach (fleet's rule).
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "bus-1", "drv-2", {"req-1"}), kNow), "driver");
  EXPECT_FALSE(FindTrip(*s, "t").has_value());
}

TEST_F(TripsTest, SealedRestrictedOrWeekendCarsAreNotDispatched) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Approved(*s, Req("req-1"));  // Monday
  // 尾号限行: car-6's plate ends in 6, restricted on Mondays.
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "car-6", "drv-1", {"req-1"}), kNow), "car");
  Do(*s, kAdmin, SealCar(*s, kAdmin, "car-2", "超编", kNow));
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "car-2", "drv-1", {"req-1"}), kNow), "car");
  // Weekends: parked unless work requires.
  Approved(*s, Req("req-sat", "2026-03-07T09:00", "2026-03-07T12:00"));
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "car-1", "drv-1", {"req-sat"}), kNow), "car");
  RequestInput work = Req("req-sun", "2026-03-08T09:00", "2026-03-08T12:00");
  work.work_required = true;
  Approved(*s, work);
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("t-sun", "car-1", "drv-1", {"req-sun"}), kNow));
  EXPECT_EQ(TripStatus(*s, "t-sun"), "planned");
}

TEST_F(TripsTest, SeatsHoldTheDriverAndEveryPassenger) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Approved(*s, Req("req-4", "2026-03-02T09:00", "2026-03-02T12:00", "市政府", 4));
  Approved(*s, Req("req-5", "2026-03-02T09:00", "2026-03-02T12:00", "市政府", 5));
  Approved(*s, Req("req-1", "2026-03-02T09:00", "2026-03-02T12:00", "市政府", 1));
  // 5 seats: the driver and 4 passengers.
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "car-1", "drv-1", {"req-5"}), kNow), "seats");
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t", "car-1", "drv-1", {"req-4", "req-1"}), kNow), "seats");
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("t-4", "car-1", "drv-2", {"req-4"}), kNow));
  EXPECT_EQ(FindTrip(*s, "t-4")->passengers, 4);
  // The coach's 20 seats take the five; its driver needs an A1 licence.
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t-bus", "bus-1", "drv-2", {"req-5"}), kNow), "driver");
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("t-bus", "bus-1", "drv-1", {"req-5"}), kNow));
  EXPECT_EQ(FindTrip(*s, "t-bus")->passengers, 5);
}

TEST_F(TripsTest, AnEventRequestSpreadsOverSeveralCars) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  RequestInput in = Req("req-ev", "2026-03-02T09:00", "2026-03-02T17:00", "会展中心", 6);
  in.kind = std::string(request_kind::kEvent);
  Approved(*s, in);
  Command first = Do(*s, kDan, DispatchTrip(*s, kDan, Trip("t-1", "car-1", "drv-1", {"req-ev"}), kNow));
  EXPECT_TRUE(HasWarning(first, "needs_more_cars"));
  auto r = FindRequest(*s, "req-ev");
  EXPECT_EQ(r->status, "dispatched");
  EXPECT_EQ(r->seated, 4);
  Command second = Do(*s, kDan, DispatchTrip(*s, kDan, Trip("t-2", "car-2", "drv-2", {"req-ev"}), kNow));
  EXPECT_FALSE(HasWarning(second, "needs_more_cars"));
  r = FindRequest(*s, "req-ev");
  EXPECT_EQ(r->seated, 6);
  EXPECT_EQ(r->trips, (std::vector<std::string>{"t-1", "t-2"}));
  EXPECT_EQ(FindTrip(*s, "t-2")->passengers, 2);
  // Everyone seated: no third car.
  ExpectRefused(DispatchTrip(*s, kDan, Trip("t-3", "bus-1", "drv-1", {"req-ev"}), kNow), "requests");
  // Both trips must end before the request is completed.
  Do(*s, kErin, StartTrip(*s, kErin, "t-1", 1000, T("2026-03-02T09:00")));
  Do(*s, kFrank, StartTrip(*s, kFrank, "t-2", 1000, T("2026-03-02T09:05")));
  EXPECT_EQ(RequestStatus(*s, "req-ev"), "in_progress");
  Do(*s, kErin, EndTrip(*s, kErin, "t-1", 1030, T("2026-03-02T16:00")));
  EXPECT_EQ(RequestStatus(*s, "req-ev"), "in_progress");
  Do(*s, kFrank, EndTrip(*s, kFrank, "t-2", 1040, T("2026-03-02T16:30")));
  EXPECT_EQ(RequestStatus(*s, "req-ev"), "completed");
}

TEST_F(TripsTest, ACarOrDriverAlreadyBookedIsRefusedLocally) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Approved(*s, Req("req-1", "2026-03-02T09:00", "2026-03-02T12:00"));
  Approved(*s, Req("req-2", "2026-03-02T11:00", "2026-03-02T14:00", "医院"));
  Approved(*s, Req("req-3", "2026-03-02T12:00", "2026-03-02T14:00", "医院"));
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1"}), kNow));
  ExpectRefused(DispatchTrip(*s, kDan, Trip("trip-2", "car-1", "drv-2", {"req-2"}), kNow), "car");
  ExpectRefused(DispatchTrip(*s, kDan, Trip("trip-2", "car-2", "drv-1", {"req-2"}), kNow), "driver");
  // Back-to-back is no overlap.
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-3", "car-1", "drv-1", {"req-3"}), kNow));
  EXPECT_TRUE(s->Conflicts()->empty());
}

// ---------------------------------------------------------------------------
// Merging

TEST_F(TripsTest, MergeCandidatesGoTheSameWayWithinTheWindow) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Approved(*s, Req("req-1", "2026-03-02T09:00", "2026-03-02T12:00", "市政府"));
  Approved(*s, Req("req-near", "2026-03-02T09:45", "2026-03-02T12:00", " 市政府 "), kGina);
  Approved(*s, Req("req-edge", "2026-03-02T08:00", "2026-03-02T12:00", "市政府"), kHank, kCarol);
  Approved(*s, Req("req-late", "2026-03-02T10:01", "2026-03-02T12:00", "市政府"));
  Approved(*s, Req("req-other", "2026-03-02T09:10", "2026-03-02T12:00", "医院"));
  Do(*s, kAlice, SubmitRequest(*s, kAlice, Req("req-open", "2026-03-02T09:05", "2026-03-02T12:00", "市政府"), kNow));
  const Rules rules = LoadRules(*s);
  auto ids = [](const std::vector<RequestSummary>& v) {
    std::vector<std::string> out;
    for (const auto& r : v) out.push_back(r.id);
    return out;
  };
  EXPECT_EQ(ids(MergeCandidates(*s, "req-1", rules)), (std::vector<std::string>{"req-edge", "req-near"}));
  Rules narrow = rules;
  narrow.merge_window_minutes = 30;
  EXPECT_TRUE(MergeCandidates(*s, "req-1", narrow).empty());

  // A lone dispatch is told about them; merging adds a request to the planned trip.
  Command lone = Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1"}), kNow));
  EXPECT_TRUE(HasWarning(lone, "merge_candidates"));
  Do(*s, kDan, AddRequestToTrip(*s, kDan, "trip-1", "req-edge", kNow));
  auto t = FindTrip(*s, "trip-1");
  EXPECT_EQ(t->requests, (std::vector<std::string>{"req-1", "req-edge"}));
  EXPECT_EQ(t->start, T("2026-03-02T08:00"));  // the window grew to cover it
  EXPECT_EQ(t->departments, (std::vector<std::string>{"finance", "office"}));
  EXPECT_EQ(RequestStatus(*s, "req-edge"), "dispatched");
  EXPECT_EQ(ids(MergeCandidates(*s, "req-1", rules)), (std::vector<std::string>{"req-near"}));
  ExpectRefused(AddRequestToTrip(*s, kDan, "trip-1", "req-edge", kNow), "request");
  ExpectRefused(AddRequestToTrip(*s, kDan, "trip-1", "req-open", kNow), "request");
  ExpectRefused(AddRequestToTrip(*s, kAlice, "trip-1", "req-near", kNow), "role");
}

TEST_F(TripsTest, AddingARequestNeedsFreeSeats) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Approved(*s, Req("req-3", "2026-03-02T09:00", "2026-03-02T12:00", "市政府", 3));
  Approved(*s, Req("req-2", "2026-03-02T09:10", "2026-03-02T12:00", "市政府", 2), kGina);
  Approved(*s, Req("req-1", "2026-03-02T09:20", "2026-03-02T12:00", "市政府", 1), kGina);
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-1", "car-1", "drv-1", {"req-3"}), kNow));
  ExpectRefused(AddRequestToTrip(*s, kDan, "trip-1", "req-2", kNow), "seats");
  Do(*s, kDan, AddRequestToTrip(*s, kDan, "trip-1", "req-1", kNow));
  EXPECT_EQ(FindTrip(*s, "trip-1")->passengers, 4);
}

// ---------------------------------------------------------------------------
// Offline double booking

TEST_F(TripsTest, TwoDispatchersOfflineDoubleBookACarThenReassignClearsIt) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Approved(*a, Req("req-1", "2026-03-02T09:00", "2026-03-02T12:00"));
  Approved(*a, Req("req-2", "2026-03-02T11:00", "2026-03-02T15:00", "医院"), kGina);
  ExchangeAll(*a, *b);
  // Neither device knows of the other's trip.
  Do(*a, kDan, DispatchTrip(*a, kDan, Trip("trip-a", "car-1", "drv-1", {"req-1"}), kNow));
  Do(*b, kDora, DispatchTrip(*b, kDora, Trip("trip-b", "car-1", "drv-2", {"req-2"}), kNow));
  ExchangeAll(*a, *b);
  const std::string dispatch_a = (*a->Get("trip", "trip-a"))->fields["booking_event"];
  const std::string dispatch_b = (*a->Get("trip", "trip-b"))->fields["booking_event"];
  for (Store* s : {a.get(), b.get()}) {
    for (const char* trip : {"trip-a", "trip-b"}) {
      auto c = ConflictsOf(*s, entity::kTrip, trip, "double_booking");
      ASSERT_EQ(c.size(), 1u) << trip;
      std::vector<std::string> events = c[0].events;
      std::sort(events.begin(), events.end());
      std::vector<std::string> expected{dispatch_a, dispatch_b};
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(events, expected);
      EXPECT_EQ(c[0].source, "car_booking");
      EXPECT_FALSE(c[0].reason.en.empty());
      EXPECT_FALSE(c[0].reason.zh.empty());
    }
    EXPECT_TRUE(ConflictsOf(*s, entity::kTrip, "trip-a", "driver_double_booking").empty());
  }
  ExpectConverged(*a, *b);
  // Now either device refuses a further overlapping booking of car-1 locally.
  Approved(*b, Req("req-3", "2026-03-02T10:00", "2026-03-02T11:00", "区政府"));
  ExpectRefused(DispatchTrip(*b, kDora, Trip("trip-c", "car-1", "drv-2", {"req-3"}), kNow), "car");

  Do(*b, kDora, ReassignTrip(*b, kDora, "trip-b", "car-2", "", "车辆冲突", kNow));
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    EXPECT_TRUE(ConflictsOf(*s, entity::kTrip, "trip-a", "double_booking").empty());
    EXPECT_TRUE(ConflictsOf(*s, entity::kTrip, "trip-b", "double_booking").empty());
    EXPECT_EQ(FindTrip(*s, "trip-b")->car, "car-2");
  }
  ExpectConverged(*a, *b);
}

TEST_F(TripsTest, TwoDispatchersOfflineDoubleBookADriverThenResolve) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Approved(*a, Req("req-1", "2026-03-02T09:00", "2026-03-03T12:00"));  // over two days
  Approved(*a, Req("req-2", "2026-03-03T11:00", "2026-03-03T15:00", "医院"), kGina);
  ExchangeAll(*a, *b);
  Do(*a, kDan, DispatchTrip(*a, kDan, Trip("trip-a", "car-1", "drv-1", {"req-1"}), kNow));
  Do(*b, kDora, DispatchTrip(*b, kDora, Trip("trip-b", "car-2", "drv-1", {"req-2"}), kNow));
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    EXPECT_EQ(ConflictsOf(*s, entity::kTrip, "trip-a", "driver_double_booking").size(), 1u);
    EXPECT_EQ(ConflictsOf(*s, entity::kTrip, "trip-b", "driver_double_booking").size(), 1u);
    EXPECT_TRUE(ConflictsOf(*s, entity::kTrip, "trip-a", "double_booking").empty());
  }
  ExpectConverged(*a, *b);
  // The captain decides it is fine (a relief driver rides along) and resolves it on both trips.
  const std::string cid = ConflictsOf(*a, entity::kTrip, "trip-a", "driver_double_booking")[0].Id();
  ASSERT_TRUE(a->Append(kDan, {{"trip", "trip-a", "conflict.resolved", Json{{"conflict", cid}, {"note", "ok"}}},
                               {"trip", "trip-b", "conflict.resolved", Json{{"conflict", cid}, {"note", "ok"}}}})
                  .ok());
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    EXPECT_TRUE(ConflictsOf(*s, entity::kTrip, "trip-a", "driver_double_booking").empty());
    EXPECT_TRUE(ConflictsOf(*s, entity::kTrip, "trip-b", "driver_double_booking").empty());
  }
  ExpectConverged(*a, *b);
}

TEST_F(TripsTest, CancellingOneOfTwoDoubleBookedTripsClearsTheConflict) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Approved(*a, Req("req-1"));
  Approved(*a, Req("req-2", "2026-03-02T10:00", "2026-03-02T11:00", "医院"), kGina);
  ExchangeAll(*a, *b);
  Do(*a, kDan, DispatchTrip(*a, kDan, Trip("trip-a", "car-1", "drv-1", {"req-1"}), kNow));
  Do(*b, kDora, DispatchTrip(*b, kDora, Trip("trip-b", "car-1", "drv-2", {"req-2"}), kNow));
  ExchangeAll(*a, *b);
  ASSERT_EQ(ConflictsOf(*a, entity::kTrip, "trip-a", "double_booking").size(), 1u);
  Do(*a, kDan, CancelTrip(*a, kDan, "trip-b", "重复派车", kNow));
  ExchangeAll(*a, *b);
  EXPECT_TRUE(ConflictsOf(*b, entity::kTrip, "trip-a", "double_booking").empty());
  EXPECT_EQ(RequestStatus(*b, "req-2"), "approved");
  ExpectConverged(*a, *b);
}

TEST_F(TripsTest, AnOrdinaryRequestDispatchedOfflineOnTwoTripsIsADuplicateDispatch) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Approved(*a, Req("req-1"));
  ExchangeAll(*a, *b);
  // 重复派车: each dispatcher puts the same request on a trip of their own, another car and driver.
  Do(*a, kDan, DispatchTrip(*a, kDan, Trip("trip-a", "car-1", "drv-1", {"req-1"}), kNow));
  Do(*b, kDora, DispatchTrip(*b, kDora, Trip("trip-b", "car-2", "drv-2", {"req-1"}), kNow));
  ExchangeAll(*a, *b);
  const std::string dispatch_a = (*a->Get("trip", "trip-a"))->fields["booking_event"];
  const std::string dispatch_b = (*a->Get("trip", "trip-b"))->fields["booking_event"];
  std::vector<std::string> expected{dispatch_a, dispatch_b};
  std::sort(expected.begin(), expected.end());
  for (Store* s : {a.get(), b.get()}) {
    auto r = FindRequest(*s, "req-1");
    EXPECT_EQ(r->trips.size(), 2u);
    EXPECT_EQ(r->seated, 2);
    for (auto [type, id] : {std::pair{entity::kRequest, "req-1"}, std::pair{entity::kTrip, "trip-a"},
                            std::pair{entity::kTrip, "trip-b"}}) {
      auto c = ConflictsOf(*s, type, id, "duplicate_dispatch");
      ASSERT_EQ(c.size(), 1u) << id;
      std::vector<std::string> events = c[0].events;
      std::sort(events.begin(), events.end());
      EXPECT_EQ(events, expected) << id;
      EXPECT_EQ(c[0].source, "trip_requests");
      EXPECT_FALSE(c[0].reason.en.empty());
      EXPECT_FALSE(c[0].reason.zh.empty());
    }
    EXPECT_TRUE(ConflictsOf(*s, entity::kTrip, "trip-a", "double_booking").empty());
    EXPECT_TRUE(ConflictsOf(*s, entity::kTrip, "trip-a", "driver_double_booking").empty());
  }
  ExpectConverged(*a, *b);

  // The captain cancels one of the two: the request rides the other, the marks go.
  Do(*b, kDora, CancelTrip(*b, kDora, "trip-b", "重复派车", kNow));
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    auto r = FindRequest(*s, "req-1");
    EXPECT_EQ(r->status, "dispatched");
    EXPECT_EQ(r->trips, (std::vector<std::string>{"trip-a"}));
    EXPECT_EQ(r->seated, 1);
    for (auto [type, id] : {std::pair{entity::kRequest, "req-1"}, std::pair{entity::kTrip, "trip-a"},
                            std::pair{entity::kTrip, "trip-b"}})
      EXPECT_TRUE(ConflictsOf(*s, type, id, "duplicate_dispatch").empty()) << id;
  }
  ExpectConverged(*a, *b);
}

TEST_F(TripsTest, AnEventRequestOnSeveralTripsIsADuplicateDispatchOnlyWhenOverSeated) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  RequestInput eight = Req("req-ev8", "2026-03-02T09:00", "2026-03-02T12:00", "会展中心", 8);
  eight.kind = std::string(request_kind::kEvent);
  RequestInput six = Req("req-ev6", "2026-03-03T09:00", "2026-03-03T12:00", "会展中心", 6);
  six.kind = std::string(request_kind::kEvent);
  Approved(*a, eight);
  Approved(*a, six, kGina);
  ExchangeAll(*a, *b);
  // Each device seats 4 in a car of its own: 8 of 8 is fine, 8 of 6 is two dispatchers too many.
  Do(*a, kDan, DispatchTrip(*a, kDan, Trip("t-1", "car-1", "drv-1", {"req-ev8"}), kNow));
  Do(*a, kDan, DispatchTrip(*a, kDan, Trip("t-3", "car-1", "drv-1", {"req-ev6"}), kNow));
  Do(*b, kDora, DispatchTrip(*b, kDora, Trip("t-2", "car-2", "drv-2", {"req-ev8"}), kNow));
  Do(*b, kDora, DispatchTrip(*b, kDora, Trip("t-4", "car-2", "drv-2", {"req-ev6"}), kNow));
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    EXPECT_EQ(FindRequest(*s, "req-ev8")->seated, 8);
    for (auto [type, id] : {std::pair{entity::kRequest, "req-ev8"}, std::pair{entity::kTrip, "t-1"},
                            std::pair{entity::kTrip, "t-2"}})
      EXPECT_TRUE(ConflictsOf(*s, type, id, "duplicate_dispatch").empty()) << id;
    EXPECT_EQ(FindRequest(*s, "req-ev6")->seated, 8);
    for (auto [type, id] : {std::pair{entity::kRequest, "req-ev6"}, std::pair{entity::kTrip, "t-3"},
                            std::pair{entity::kTrip, "t-4"}})
      EXPECT_EQ(ConflictsOf(*s, type, id, "duplicate_dispatch").size(), 1u) << id;
  }
  ExpectConverged(*a, *b);

  // The captain keeps both cars (guests were added) and resolves the mark on each record.
  const auto marks = ConflictsOf(*a, entity::kRequest, "req-ev6", "duplicate_dispatch");
  ASSERT_EQ(marks.size(), 1u);
  const std::string cid = marks[0].Id();
  const Json resolved{{"conflict", cid}, {"note", "来宾增加"}};
  ASSERT_TRUE(a->Append(kDan, {{"car_request", "req-ev6", "conflict.resolved", resolved},
                               {"trip", "t-3", "conflict.resolved", resolved},
                               {"trip", "t-4", "conflict.resolved", resolved}})
                  .ok());
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()})
    for (auto [type, id] : {std::pair{entity::kRequest, "req-ev6"}, std::pair{entity::kTrip, "t-3"},
                            std::pair{entity::kTrip, "t-4"}})
      EXPECT_TRUE(ConflictsOf(*s, type, id, "duplicate_dispatch").empty()) << id;
  ExpectConverged(*a, *b);
}

TEST_F(TripsTest, ATripOfTheLongestWindowBooksItsCarOnOneDayMore) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  ASSERT_TRUE(s->Append(kAdmin, {SetRules(Json{{"rotation_enabled", false}, {"rotation_weekend_parked", false}})}).ok());
  // Exactly the longest window (31 × 24 h) from 09:00 touches 32 days: 03-02 … 04-02.
  Approved(*s, Req("req-long", "2026-03-02T09:00", "2026-04-02T09:00", "外省"));
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-long", "car-1", "drv-1", {"req-long"}), kNow));
  Approved(*s, Req("req-last", "2026-04-02T08:00", "2026-04-02T08:30", "医院"), kGina);
  ExpectRefused(DispatchTrip(*s, kDan, Trip("trip-last", "car-1", "drv-2", {"req-last"}), kNow), "car");
  // One minute longer is refused at submission.
  ExpectRefused(SubmitRequest(*s, kAlice, Req("req-over", "2026-03-02T09:00", "2026-04-02T09:01", "外省"), kNow),
                "return_time");
}

// ---------------------------------------------------------------------------
// Trip workflow

TEST_F(TripsTest, TripRunsFromPlannedToClosed) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Approved(*s, Req("req-1"));
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1"}), kNow));
  // Only the trip's driver (or the dispatcher) starts it; staff may not.
  ExpectRefused(StartTrip(*s, kFrank, "trip-1", 1200, T("2026-03-02T09:00")), "driver");
  ExpectRefused(StartTrip(*s, kAlice, "trip-1", 1200, T("2026-03-02T09:00")), "role");
  ExpectRefused(StartTrip(*s, kErin, "trip-1", 999, T("2026-03-02T09:00")), "odometer_start");
  ExpectRefused(StartTrip(*s, kErin, "trip-1", -1, T("2026-03-02T09:00")), "odometer_start");
  ExpectRefused(EndTrip(*s, kErin, "trip-1", 1300, T("2026-03-02T12:00")), "status");
  ExpectRefused(SettleTrip(*s, kDan, "trip-1", T("2026-03-02T12:00")), "status");
  ExpectRefused(StartTrip(*s, kErin, "trip-none", 1200, T("2026-03-02T09:00")), "trip");

  Do(*s, kErin, StartTrip(*s, kErin, "trip-1", 1200, T("2026-03-02T09:05")));
  EXPECT_EQ(TripStatus(*s, "trip-1"), "started");
  EXPECT_EQ(RequestStatus(*s, "req-1"), "in_progress");
  EXPECT_EQ(LastOdometer(*s, "car-1"), 1200);  // written on the car in the same batch
  ExpectRefused(StartTrip(*s, kErin, "trip-1", 1200, T("2026-03-02T09:05")), "status");
  ExpectRefused(CancelTrip(*s, kDan, "trip-1", "x", kNow), "status");
  ExpectRefused(ReassignTrip(*s, kDan, "trip-1", "car-2", "", "x", kNow), "status");
  ExpectRefused(CancelRequest(*s, kAlice, "req-1", "", kNow), "status");

  ExpectRefused(EndTrip(*s, kErin, "trip-1", 1199, T("2026-03-02T12:00")), "odometer_end");
  ExpectRefused(EndTrip(*s, kErin, "trip-1", 1240, T("2026-03-02T09:00")), "ended_at");
  Do(*s, kErin, EndTrip(*s, kErin, "trip-1", 1236, T("2026-03-02T11:40")));
  auto t = FindTrip(*s, "trip-1");
  EXPECT_EQ(t->status, "ended");
  EXPECT_EQ(t->distance_km, 36);
  EXPECT_EQ(t->started_at, T("2026-03-02T09:05"));
  EXPECT_EQ(t->ended_at, T("2026-03-02T11:40"));
  EXPECT_EQ(t->odometer_start, 1200);
  EXPECT_EQ(t->odometer_end, 1236);
  EXPECT_EQ(LastOdometer(*s, "car-1"), 1236);
  EXPECT_EQ(RequestStatus(*s, "req-1"), "completed");
  ExpectRefused(EndTrip(*s, kErin, "trip-1", 1300, T("2026-03-02T12:00")), "status");
  ExpectRefused(CancelRequest(*s, kAlice, "req-1", "", kNow), "status");

  ExpectRefused(SettleTrip(*s, kErin, "trip-1", T("2026-03-02T12:00")), "role");
  Do(*s, kFay, SettleTrip(*s, kFay, "trip-1", T("2026-03-02T12:00")));
  EXPECT_EQ(TripStatus(*s, "trip-1"), "closed");
  ExpectRefused(RecordExpense(*s, kErin, "trip-1", "toll", 500, "R1", "", kNow), "status");
  EXPECT_TRUE(s->VerifyMaterialized().ok());
}

TEST_F(TripsTest, CancelAndReassignAPlannedTrip) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Approved(*s, Req("req-1"));
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1"}), kNow));
  ExpectRefused(ReassignTrip(*s, kDan, "trip-1", "", "", "x", kNow), "car");
  ExpectRefused(ReassignTrip(*s, kDan, "trip-1", "car-2", "", "", kNow), "reason");
  ExpectRefused(ReassignTrip(*s, kDan, "trip-1", "car-6", "", "x", kNow), "car");  // restricted on Monday
  ExpectRefused(ReassignTrip(*s, kDan, "trip-1", "bus-1", "drv-2", "x", kNow), "driver");  // C1 on a coach
  ExpectRefused(ReassignTrip(*s, kErin, "trip-1", "car-2", "", "x", kNow), "role");
  Do(*s, kDan, ReassignTrip(*s, kDan, "trip-1", "car-2", "drv-2", "换车", kNow));
  auto t = FindTrip(*s, "trip-1");
  EXPECT_EQ(t->car, "car-2");
  EXPECT_EQ(t->driver, "drv-2");
  // The new driver now starts it, the old one may not.
  ExpectRefused(StartTrip(*s, kErin, "trip-1", 1000, T("2026-03-02T09:00")), "driver");

  ExpectRefused(CancelTrip(*s, kDan, "trip-1", "", kNow), "reason");
  ExpectRefused(CancelTrip(*s, kAlice, "trip-1", "x", kNow), "role");
  Do(*s, kDan, CancelTrip(*s, kDan, "trip-1", "会议改期", kNow));
  EXPECT_EQ(TripStatus(*s, "trip-1"), "cancelled");
  EXPECT_EQ(RequestStatus(*s, "req-1"), "approved");  // back in the pool, to be dispatched again
  EXPECT_TRUE(FindRequest(*s, "req-1")->trips.empty());
  ExpectRefused(StartTrip(*s, kFrank, "trip-1", 1000, T("2026-03-02T09:00")), "status");
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-2", "car-1", "drv-1", {"req-1"}), kNow));
  EXPECT_EQ(RequestStatus(*s, "req-1"), "dispatched");
}

TEST_F(TripsTest, RequestCancelledOfflineWhileItsTripStartsIsAConflictOnBoth) {
  // Whichever of the two steps comes first in the merged order, neither is lost silently.
  for (bool cancel_first : {true, false}) {
    SCOPED_TRACE(cancel_first ? "cancel first" : "start first");
    const std::string tag = cancel_first ? "1" : "2";
    auto a = Open("a" + tag + ".db", "dev-a" + tag);
    auto b = Open("b" + tag + ".db", "dev-b" + tag);
    Seed(*a);
    Approved(*a, Req("req-1"));
    Do(*a, kDan, DispatchTrip(*a, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1"}), kNow));
    ExchangeAll(*a, *b);
    auto cancel = [&] { Do(*a, kAlice, CancelRequest(*a, kAlice, "req-1", "不去了", kNow)); };  // alice's phone
    auto start = [&] { Do(*b, kErin, StartTrip(*b, kErin, "trip-1", 1200, T("2026-03-02T09:00"))); };  // erin's
    if (cancel_first) {
      cancel();
      start();
    } else {
      start();
      cancel();
    }
    ExchangeAll(*a, *b);
    for (Store* s : {a.get(), b.get()}) {
      EXPECT_EQ(ConflictsOf(*s, entity::kRequest, "req-1", "workflow").size(), 1u);
      EXPECT_EQ(ConflictsOf(*s, entity::kTrip, "trip-1", "workflow").size(), 1u);
      EXPECT_EQ(RequestStatus(*s, "req-1"), cancel_first ? "cancelled" : "in_progress");
      EXPECT_EQ(TripStatus(*s, "trip-1"), cancel_first ? "cancelled" : "started");
    }
    ExpectConverged(*a, *b);
  }
}

TEST_F(TripsTest, RequestCancelledOfflineWhileItIsDispatchedIsAConflictOnBoth) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Approved(*a, Req("req-1"));
  ExchangeAll(*a, *b);
  Do(*b, kDan, DispatchTrip(*b, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1"}), kNow));
  clock.Advance(60'000);
  Do(*a, kAlice, CancelRequest(*a, kAlice, "req-1", "", kNow));  // knows of no trip
  ExchangeAll(*a, *b);
  for (Store* s : {a.get(), b.get()}) {
    EXPECT_EQ(RequestStatus(*s, "req-1"), "cancelled");
    EXPECT_EQ(ConflictsOf(*s, entity::kTrip, "trip-1", "cancelled_request").size(), 1u);
    EXPECT_EQ(ConflictsOf(*s, entity::kRequest, "req-1", "cancelled_request").size(), 1u);
  }
  ExpectConverged(*a, *b);
  // The captain cancels the now pointless trip: the mark goes.
  Do(*a, kDan, CancelTrip(*a, kDan, "trip-1", "申请已取消", kNow));
  EXPECT_TRUE(ConflictsOf(*a, entity::kTrip, "trip-1", "cancelled_request").empty());
  EXPECT_TRUE(ConflictsOf(*a, entity::kRequest, "req-1", "cancelled_request").empty());
  EXPECT_TRUE(ConflictsOf(*a, entity::kRequest, "req-1", "workflow").empty());
  EXPECT_TRUE(a->VerifyMaterialized().ok());
}

TEST_F(TripsTest, ATripCancelledOfflineAfterItStartedKeepsItsRequestOnTheRoad) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Approved(*a, Req("req-1"));
  Do(*a, kDan, DispatchTrip(*a, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1"}), kNow));
  ExchangeAll(*a, *b);
  // Erin starts the trip on her phone; later the captain, offline, cancels it (and so releases the request).
  Do(*b, kErin, StartTrip(*b, kErin, "trip-1", 1200, T("2026-03-02T09:00")));
  Do(*a, kDan, CancelTrip(*a, kDan, "trip-1", "会议取消", kNow));
  EXPECT_EQ(RequestStatus(*a, "req-1"), "approved");  // as far as the captain's device knows
  ExchangeAll(*a, *b);
  const std::string start_event = (*a->Get("car_request", "req-1"))->fields["status_event"];
  for (Store* s : {a.get(), b.get()}) {
    EXPECT_EQ(TripStatus(*s, "trip-1"), "started");
    EXPECT_EQ(ConflictsOf(*s, entity::kTrip, "trip-1", "workflow").size(), 1u);
    // The request stays on the road with its trip, out of the merge pool, and says why.
    auto r = FindRequest(*s, "req-1");
    EXPECT_EQ(r->status, "in_progress");
    EXPECT_EQ(r->trips, (std::vector<std::string>{"trip-1"}));
    EXPECT_EQ(r->seated, 1);
    auto pool = s->GroupMembers("request_pool", "2026-03-02");
    ASSERT_TRUE(pool.ok());
    EXPECT_TRUE(pool->empty());
    auto c = ConflictsOf(*s, entity::kRequest, "req-1", "workflow");
    ASSERT_EQ(c.size(), 1u);
    EXPECT_NE(std::find(c[0].events.begin(), c[0].events.end(), start_event), c[0].events.end());
    EXPECT_EQ(c[0].events.size(), 2u);
    EXPECT_FALSE(c[0].reason.en.empty());
    EXPECT_FALSE(c[0].reason.zh.empty());
  }
  ExpectConverged(*a, *b);
  // The trip runs its course and completes the request.
  Do(*a, kErin, EndTrip(*a, kErin, "trip-1", 1230, T("2026-03-02T12:00")));
  ExchangeAll(*a, *b);
  EXPECT_EQ(RequestStatus(*b, "req-1"), "completed");
  ExpectConverged(*a, *b);
}

TEST_F(TripsTest, StartRefusesAReadingBelowTheCarsLast) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Approved(*s, Req("req-1", "2026-03-02T08:00", "2026-03-02T09:00"));
  Approved(*s, Req("req-2", "2026-03-02T10:00", "2026-03-02T11:00", "医院"));
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1"}), kNow));
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-2", "car-1", "drv-1", {"req-2"}), kNow));
  Do(*s, kErin, StartTrip(*s, kErin, "trip-1", 1000, T("2026-03-02T08:00")));
  Do(*s, kErin, EndTrip(*s, kErin, "trip-1", 1025, T("2026-03-02T09:00")));
  ExpectRefused(StartTrip(*s, kErin, "trip-2", 1020, T("2026-03-02T10:00")), "odometer_start");
  Do(*s, kDan, StartTrip(*s, kDan, "trip-2", 1025, T("2026-03-02T10:00")));  // the dispatcher may record it
  EXPECT_EQ(FindTrip(*s, "trip-2")->odometer_start, 1025);
}

// ---------------------------------------------------------------------------
// Expenses

TEST_F(TripsTest, ExpensesAreRecordedAndDueThreeDaysAfterTheTrip) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  Approved(*s, Req("req-1"));
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1"}), kNow));
  ExpectRefused(RecordExpense(*s, kErin, "trip-1", "toll", 500, "R1", "", kNow), "status");
  Do(*s, kErin, StartTrip(*s, kErin, "trip-1", 1000, T("2026-03-02T09:00")));
  ExpectRefused(RecordExpense(*s, kErin, "trip-1", "fuel", 500, "R1", "", kNow), "category");
  ExpectRefused(RecordExpense(*s, kErin, "trip-1", "toll", 0, "R1", "", kNow), "amount_fen");
  ExpectRefused(RecordExpense(*s, kErin, "trip-1", "toll", 500, " ", "", kNow), "receipt");
  ExpectRefused(RecordExpense(*s, kFrank, "trip-1", "toll", 500, "R1", "", kNow), "driver");
  ExpectRefused(RecordExpense(*s, kAlice, "trip-1", "toll", 500, "R1", "", kNow), "role");
  Do(*s, kErin, RecordExpense(*s, kErin, "trip-1", "toll", 1500, "G-0001", "京港澳高速", T("2026-03-02T09:30")));
  Do(*s, kErin, RecordExpense(*s, kErin, "trip-1", "toll", 1500, "G-0002", "", T("2026-03-02T11:00")));
  Do(*s, kErin, RecordExpense(*s, kErin, "trip-1", "parking", 1000, "P-17", "", T("2026-03-02T10:00")));
  EXPECT_TRUE(ExpensesDue(*s, D("2026-03-02")).empty());  // not ended yet
  Do(*s, kErin, EndTrip(*s, kErin, "trip-1", 1080, T("2026-03-02T12:00")));
  Do(*s, kErin, RecordExpense(*s, kErin, "trip-1", "other", 200, "O-1", "洗车", T("2026-03-02T13:00")));
  auto t = FindTrip(*s, "trip-1");
  EXPECT_EQ(t->tolls_fen, 3000);
  EXPECT_EQ(t->other_expenses_fen, 1200);

  auto due = ExpensesDue(*s, D("2026-03-05"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].trip, "trip-1");
  EXPECT_EQ(due[0].car, "car-1");
  EXPECT_EQ(due[0].ended, D("2026-03-02"));
  EXPECT_EQ(due[0].due, D("2026-03-05"));
  EXPECT_EQ(due[0].amount_fen, 4200);
  EXPECT_FALSE(due[0].overdue);
  due = ExpensesDue(*s, D("2026-03-06"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_TRUE(due[0].overdue);

  auto late = SettleTrip(*s, kDan, "trip-1", T("2026-03-06T10:00"));
  ASSERT_TRUE(late.ok());
  EXPECT_TRUE(HasWarning(*late, "settled_late"));
  auto on_time = SettleTrip(*s, kDan, "trip-1", T("2026-03-05T10:00"));
  ASSERT_TRUE(on_time.ok());
  EXPECT_FALSE(HasWarning(*on_time, "settled_late"));
  Do(*s, kDan, on_time);
  EXPECT_EQ(TripStatus(*s, "trip-1"), "closed");
  EXPECT_TRUE(ExpensesDue(*s, D("2026-03-06")).empty());
  EXPECT_EQ((*s->Get("trip", "trip-1"))->fields["settled_fen"], 4200);
}

TEST_F(TripsTest, TheSettlementDeadlineIsARule) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  ASSERT_TRUE(s->Append(kAdmin, {SetRules(Json{{"expense_settle_days", 5}})}).ok());
  Approved(*s, Req("req-1"));
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1"}), kNow));
  Do(*s, kErin, StartTrip(*s, kErin, "trip-1", 1000, T("2026-03-02T09:00")));
  Do(*s, kErin, RecordExpense(*s, kErin, "trip-1", "toll", 1000, "G-1", "", T("2026-03-02T10:00")));
  Do(*s, kErin, EndTrip(*s, kErin, "trip-1", 1050, T("2026-03-02T12:00")));
  auto due = ExpensesDue(*s, D("2026-03-07"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].due, D("2026-03-07"));
  EXPECT_FALSE(due[0].overdue);
}

// ---------------------------------------------------------------------------
// Lists and statistics

TEST_F(TripsTest, TripListsAndUseStatistics) {
  auto s = Open("a.db", "dev-a");
  Seed(*s);
  // Monday: car-1 takes office + finance together; car-2 takes the office alone.
  Approved(*s, Req("req-1", "2026-03-02T09:00", "2026-03-02T12:00", "市政府", 2));
  Approved(*s, Req("req-2", "2026-03-02T09:00", "2026-03-02T12:00", "市政府", 1), kHank, kCarol);
  Approved(*s, Req("req-3", "2026-03-02T14:00", "2026-03-02T17:00", "医院", 1), kGina);
  // Tuesday: car-1 again for finance, but it is cancelled: not counted.
  Approved(*s, Req("req-4", "2026-03-03T14:00", "2026-03-03T17:00", "税务局", 1), kHank, kCarol);
  // Next month: outside the range.
  Approved(*s, Req("req-5", "2026-04-01T09:00", "2026-04-01T12:00", "市政府", 1));
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1", "req-2"}), kNow));
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-2", "car-2", "drv-2", {"req-3"}), kNow));
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-3", "car-1", "drv-1", {"req-4"}), kNow));
  Do(*s, kDan, DispatchTrip(*s, kDan, Trip("trip-4", "car-1", "drv-1", {"req-5"}), kNow));
  Do(*s, kErin, StartTrip(*s, kErin, "trip-1", 1000, T("2026-03-02T09:00")));
  Do(*s, kErin, RecordExpense(*s, kErin, "trip-1", "toll", 800, "G-1", "", T("2026-03-02T09:30")));
  Do(*s, kErin, EndTrip(*s, kErin, "trip-1", 1040, T("2026-03-02T11:30")));  // 40 km, 150 min
  Do(*s, kFrank, StartTrip(*s, kFrank, "trip-2", 1000, T("2026-03-02T14:00")));
  Do(*s, kFrank, EndTrip(*s, kFrank, "trip-2", 1012, T("2026-03-02T15:00")));  // 12 km, 60 min
  Do(*s, kDan, CancelTrip(*s, kDan, "trip-3", "改期", kNow));
  Do(*s, kErin, StartTrip(*s, kErin, "trip-4", 1040, T("2026-04-01T09:00")));
  Do(*s, kErin, EndTrip(*s, kErin, "trip-4", 1100, T("2026-04-01T11:00")));

  const Date from = D("2026-03-01"), to = D("2026-03-31");
  auto car1 = TripsOfCar(*s, "car-1", from, to);
  ASSERT_EQ(car1.size(), 1u);  // trip-3 cancelled, trip-4 in April
  EXPECT_EQ(car1[0].id, "trip-1");
  EXPECT_EQ(car1[0].distance_km, 40);
  EXPECT_EQ(car1[0].tolls_fen, 800);
  EXPECT_EQ(car1[0].departments, (std::vector<std::string>{"finance", "office"}));
  EXPECT_EQ(TripsOfCar(*s, "car-1", D("2026-04-01"), D("2026-04-30")).size(), 1u);

  auto all = ListTrips(*s, from, to);
  std::vector<std::string> ids;
  for (const auto& t : all) ids.push_back(t.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"trip-1", "trip-2", "trip-3"}));

  auto by_car = UsageByCar(*s, from, to);
  ASSERT_EQ(by_car.size(), 2u);
  EXPECT_EQ(by_car[0].key, "car-1");
  EXPECT_EQ(by_car[0].trips, 1);
  EXPECT_EQ(by_car[0].distance_km, 40);
  EXPECT_EQ(by_car[0].minutes, 150);
  EXPECT_EQ(by_car[0].requests, 2);
  EXPECT_EQ(by_car[1].key, "car-2");
  EXPECT_EQ(by_car[1].trips, 1);
  EXPECT_EQ(by_car[1].distance_km, 12);
  EXPECT_EQ(by_car[1].minutes, 60);
  EXPECT_EQ(by_car[1].requests, 1);

  auto by_dept = UsageByDepartment(*s, from, to);
  ASSERT_EQ(by_dept.size(), 2u);
  EXPECT_EQ(by_dept[0].key, "finance");
  EXPECT_EQ(by_dept[0].trips, 1);
  EXPECT_EQ(by_dept[0].distance_km, 40);
  EXPECT_EQ(by_dept[0].minutes, 150);
  EXPECT_EQ(by_dept[0].requests, 1);
  EXPECT_EQ(by_dept[1].key, "office");
  EXPECT_EQ(by_dept[1].trips, 2);  // the shared trip counts in full for each department
  EXPECT_EQ(by_dept[1].distance_km, 52);
  EXPECT_EQ(by_dept[1].minutes, 210);
  EXPECT_EQ(by_dept[1].requests, 2);
}

TEST_F(TripsTest, TheWholeHistoryReFoldsToTheSameState) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  Seed(*a);
  Approved(*a, Req("req-1"));
  Approved(*a, Req("req-2", "2026-03-02T09:30", "2026-03-02T12:00"), kGina);
  Do(*a, kDan, DispatchTrip(*a, kDan, Trip("trip-1", "car-1", "drv-1", {"req-1"}), kNow));
  Do(*a, kDan, AddRequestToTrip(*a, kDan, "trip-1", "req-2", kNow));
  Do(*a, kErin, StartTrip(*a, kErin, "trip-1", 1000, T("2026-03-02T09:00")));
  Do(*a, kErin, RecordExpense(*a, kErin, "trip-1", "toll", 900, "G-1", "", T("2026-03-02T09:30")));
  Do(*a, kErin, EndTrip(*a, kErin, "trip-1", 1030, T("2026-03-02T12:00")));
  Do(*a, kDan, SettleTrip(*a, kDan, "trip-1", T("2026-03-03T09:00")));
  // b receives everything in reverse arrival order.
  auto events = AllEvents(*a);
  std::reverse(events.begin(), events.end());
  ASSERT_TRUE(b->Ingest(events).ok());
  ExpectConverged(*a, *b);
  EXPECT_EQ(RequestStatus(*b, "req-2"), "completed");
  EXPECT_EQ(TripStatus(*b, "trip-1"), "closed");
}

}  // namespace
}  // namespace houqin::cars
