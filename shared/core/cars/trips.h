// Car requests, approval, dispatch, merging, trips, odometer, trip expenses
// and use statistics of the official-cars area (公务用车: 申请 → 审批 → 派车 → 出车 → 完成).
//
// Two entities, each with a workflow table (RequestWorkflow(), TripWorkflow(); the merge
// rules are written at the top of trips.cpp):
//   car_request/<id>  a staff member's request, approved by the department's 分管领导
//   trip/<id>         one dispatch: a car + a driver serving one or more approved requests
// Constraints: "car_booking" and "driver_booking" mark overlapping trips of one car / one
// driver (two dispatchers offline); "trip_requests" marks a cancelled request still served by a
// live trip ("cancelled_request") and a request put on more live trips than it may ride
// ("duplicate_dispatch", 重复派车), on the request and on its trips; "request_pool" indexes
// approved requests by departure day for merging.
//
// Commands are free functions that read the store, check every rule and return drafts plus
// soft warnings, or a Status naming the field. They never append: run Execute(store, actor, cmd).
// Thread safety: free functions; the Store is single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cars/cars.h"
#include "cars/rules.h"
#include "engine/command.h"
#include "engine/store.h"
#include "engine/workflow.h"
#include "util/civil_time.h"

namespace houqin::cars {

// The lifecycle tables (statuses, steps, roles); trips.cpp explains each step.
const Workflow& RequestWorkflow();
const Workflow& TripWorkflow();

// ---------------------------------------------------------------------------
// Car requests

namespace request_kind {
inline constexpr std::string_view kOrdinary = "ordinary";    // 一般公务
inline constexpr std::string_view kLeader = "leader";        // 领导用车
inline constexpr std::string_view kEvent = "event";          // 大型活动, may need several cars
inline constexpr std::string_view kReception = "reception";  // 接待
}  // namespace request_kind

struct RequestInput {
  std::string id;          // new record id (UUIDv7 in the apps)
  std::string department;  // empty: the requester's department from the directory
  std::string kind = std::string(request_kind::kOrdinary);
  int passengers = 1;
  std::optional<LocalTime> departure;    // 出发时间, required
  std::optional<LocalTime> return_time;  // required, after departure
  std::string origin;                    // optional: empty means the compound
  std::string destination;               // 地点, required
  std::string purpose;                   // 事由, required
  std::int64_t estimated_km = 0;
  bool work_required = false;  // a weekend trip that work requires (周末...除工作需要外全部停驶)
};

// The requester is actor.user. Warnings: "short_trip" (≤ Rules.short_trip_km, when switched on),
// "no_approver" (the department has no 分管领导 set, so nobody can approve yet).
Result<Command> SubmitRequest(Store& store, const Author& actor, const RequestInput& input, LocalTime now);
// By one of the department's approvers (directory::Approvers), never the requester.
Result<Command> ApproveRequest(Store& store, const Author& actor, const std::string& request_id,
                               const std::string& note, LocalTime now);
// The relation both decisions need (the role is the table's): never the requester, and one of
// the approvers of the request's department. Shared with the server's verdicts (sync/access.h).
Status MayDecideRequest(Store& store, const Json& request_fields, const Author& actor);
Result<Command> RejectRequest(Store& store, const Author& actor, const std::string& request_id,
                              const std::string& reason, LocalTime now);
// By the requester, before any trip serving it has started. Withdraws it from its planned trips
// (a planned trip left without requests is cancelled by its fold).
Result<Command> CancelRequest(Store& store, const Author& actor, const std::string& request_id,
                              const std::string& reason, LocalTime now);

struct RequestSummary {
  std::string id, requester, department, kind, status;
  int passengers = 0;
  int seated = 0;  // passengers already placed on trips
  LocalTime departure, return_time;
  std::string origin, destination, purpose;
  std::int64_t estimated_km = 0;
  bool work_required = false;
  std::vector<std::string> trips;
};
std::optional<RequestSummary> FindRequest(Store& store, const std::string& request_id);

// 合理调配,减少单独或重复派车: approved, not yet dispatched requests to the same destination
// whose departure lies within Rules.merge_window_minutes of this request's; itself excluded.
std::vector<RequestSummary> MergeCandidates(Store& store, const std::string& request_id, const Rules& rules);

// ---------------------------------------------------------------------------
// Trips

struct DispatchInput {
  std::string trip_id;  // new record id
  std::string car;
  std::string driver;
  std::vector<std::string> requests;  // approved requests; the window spans their departure..return
};

// By the dispatcher. Checks the car (fleet's DispatchEligibility), the driver (DriverEligibility
// on every day of the window), seats (the car's seats hold the driver + the passengers), and
// that neither car nor driver is already booked for an overlapping trip on this replica.
// Warning "merge_candidates" for a lone request that others could share, "needs_more_cars"
// when an event request still has passengers without a seat.
Result<Command> DispatchTrip(Store& store, const Author& actor, const DispatchInput& input, LocalTime now);
// Adds an approved request to a planned trip when seats allow; the window grows to cover it.
Result<Command> AddRequestToTrip(Store& store, const Author& actor, const std::string& trip_id,
                                 const std::string& request_id, LocalTime now);
// Gives a planned trip another car and/or driver (empty = unchanged); reason required.
Result<Command> ReassignTrip(Store& store, const Author& actor, const std::string& trip_id, const std::string& car,
                             const std::string& driver, const std::string& reason, LocalTime now);
Result<Command> CancelTrip(Store& store, const Author& actor, const std::string& trip_id, const std::string& reason,
                           LocalTime now);
// The trip's driver (or the dispatcher) records the odometer at departure; the car's odometer
// (fleet) is written in the same batch. Refused below the car's last reading.
Result<Command> StartTrip(Store& store, const Author& actor, const std::string& trip_id, std::int64_t odometer_km,
                          LocalTime now);
// A driver acts on the trips they drive only (the trip's driver record names their user); other
// roles pass. Refused, field "driver". Shared with the server's verdicts (sync/access.h).
Status CheckTripDriver(Store& store, const RecordView& trip, const Author& actor);
// Refused below the trip's starting reading.
Result<Command> EndTrip(Store& store, const Author& actor, const std::string& trip_id, std::int64_t odometer_km,
                        LocalTime now);

namespace expense_category {
inline constexpr std::string_view kToll = "toll";        // 过路费
inline constexpr std::string_view kParking = "parking";  // 停车费
inline constexpr std::string_view kOther = "other";
}  // namespace expense_category

// An expense advanced on a started or ended trip; amount in fen, receipt number required.
Result<Command> RecordExpense(Store& store, const Author& actor, const std::string& trip_id,
                              const std::string& category, std::int64_t amount_fen, const std::string& receipt,
                              const std::string& note, LocalTime now);
// Settles the trip's expenses and closes it (ended → closed). Warning "settled_late" after the due date.
Result<Command> SettleTrip(Store& store, const Author& actor, const std::string& trip_id, LocalTime now);

struct TripSummary {
  std::string id, car, driver, status;
  LocalTime start, end;                      // planned window (actual times in the record when known)
  std::int64_t distance_km = 0;              // odometer_end - odometer_start once ended
  std::int64_t tolls_fen = 0, other_expenses_fen = 0;
  std::vector<std::string> requests;         // the car requests it serves
  std::vector<std::string> departments;      // of those requests
  std::optional<LocalTime> started_at, ended_at;  // actual times, once known
  std::optional<std::int64_t> odometer_start, odometer_end;
  int passengers = 0;
};
std::optional<TripSummary> FindTrip(Store& store, const std::string& trip_id);
// Trips of one car whose planned start date lies in [from, to]; cancelled trips are left out.
std::vector<TripSummary> TripsOfCar(Store& store, const std::string& car_id, Date from, Date to);
// Every trip (any status) whose planned start date lies in [from, to], by start then id.
std::vector<TripSummary> ListTrips(Store& store, Date from, Date to);

// 公出结束后3日内结清费用: ended trips with unsettled expenses.
struct ExpenseDue {
  std::string trip, car, driver;
  Date ended;
  Date due;  // ended + Rules.expense_settle_days
  std::int64_t amount_fen = 0;
  bool overdue = false;  // today > due
};
std::vector<ExpenseDue> ExpensesDue(Store& store, Date today);

// 使用登记和统计报告: finished (ended or closed) trips whose planned start lies in [from, to].
// A trip that served several departments counts in full for each of them.
struct UsageRow {
  std::string key;  // car id or department id
  int trips = 0;
  std::int64_t distance_km = 0;
  std::int64_t minutes = 0;  // actual driving time, started → ended
  int requests = 0;
};
std::vector<UsageRow> UsageByCar(Store& store, Date from, Date to);
std::vector<UsageRow> UsageByDepartment(Store& store, Date from, Date to);

// Registers the car_request and trip folds and the constraints above.
void RegisterTrips(Domain& domain);

}  // namespace houqin::cars
