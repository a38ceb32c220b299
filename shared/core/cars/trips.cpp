// Car requests and trips: folds, constraints, commands and reports.
//
// Merge rules (every replica folds the same bytes):
//  car_request/<id>
//   - workflow steps by kRequestWorkflow (RequestWorkflow()); a step that no longer fits is kept
//     and marks a "workflow" conflict (two approvers deciding offline, cancel vs trip start).
//   - request.approved / request.rejected whose author is the requester marks "self_approval"
//     and changes nothing (the server refuses such pushes too; the fold never lets one count).
//   - request.dispatched / request.released keep the list of trips serving the request and the
//     number of passengers seated on them; the request falls back to "approved" when its last
//     trip releases it. A release arriving after the request was cancelled changes nothing,
//     silently: both intents agree the request is off that trip.
//   - the table lets request.dispatched follow "dispatched" for any kind (only DispatchTrip limits
//     a second trip to event requests), so the fold adds every trip it is told of; a request on
//     more trips than it should be is marked by the trip_requests constraint ("duplicate_dispatch").
//   - request.started records its trip in "started_trips" (trip → event). A request.released for
//     a trip that has started (its trip.cancelled was made offline while another device started
//     it, and sorts after the start) does not apply: the request stays in_progress on that trip,
//     out of the request_pool, and the fold marks "workflow" naming the release and that start,
//     as the trip's own fold marks its late cancel.
//   - request.trip_ended records each finished trip; the request is "completed" once every
//     trip serving it has ended (an event request may ride in several cars).
//  trip/<id>
//   - workflow steps by kTripWorkflow (TripWorkflow()).
//   - car / driver / window are last-writer-wins in event order (dispatched, reassigned,
//     request_added); "booking_event" / "driver_event" name the event that last set the car or
//     the driver or the window, so a double booking names the two events that made it.
//   - expenses are summed per category (the receipts stay in the events).
//   - a request withdrawn by its requester leaves the trip; the last one cancels the trip.
//   - trip.ended with a reading below odometer_start is applied (distance 0) and marks "odometer"
//     naming the trip.ended event: the command refuses it, so only a faulty or raced replica sends it.
//  Constraints
//   - car_booking (group car@day for each day the planned window touches: at most
//     kMaxWindowDays + 1 groups, since a window of kMaxWindowDays × 24 h that does not start at
//     midnight touches one day more; DaysOf cuts anything longer):
//     two live trips of one car whose planned windows overlap both carry "double_booking",
//     naming both booking events. Evaluated only in the group of the day the overlap starts,
//     so each conflict has exactly one home group.
//   - driver_booking: the same for a driver, "driver_double_booking".
//   - trip_requests (group = request id; members: the live trips listing the request, and the
//     request itself once it is cancelled or has a trip): a cancelled request still listed on a
//     live trip (cancelled offline while another device dispatched or started it) marks
//     "cancelled_request" on both the trip and the request. A request that is not cancelled and
//     is listed on two or more live trips (重复派车: two dispatchers offline) marks
//     "duplicate_dispatch" on the request and on each of those trips, naming each trip's entry
//     event; an event request, which may ride several cars, only when its seats on those trips
//     exceed its passengers. Cancelling one of the trips, or the request leaving it, clears it;
//     so does conflict.resolved on each record.
//   - request_pool (group = departure day of an approved request): no conflicts; an index for
//     MergeCandidates.
#include "cars/trips.h"

#include <algorithm>
#include <map>
#include <set>

#include "cars/fleet.h"
#include "directory/directory.h"
#include "engine/payload.h"
#include "engine/workflow.h"

namespace houqin::cars {

namespace {

// A trip window touches at most this many days (our decision): it bounds the constraint groups.
constexpr std::int64_t kMaxWindowDays = 31;

constexpr std::string_view kCarBooking = "car_booking";
constexpr std::string_view kDriverBooking = "driver_booking";
constexpr std::string_view kTripRequests = "trip_requests";
constexpr std::string_view kRequestPool = "request_pool";

namespace ev {
constexpr std::string_view kSubmitted = "request.submitted";
constexpr std::string_view kApproved = "request.approved";
constexpr std::string_view kRejected = "request.rejected";
constexpr std::string_view kReqDispatched = "request.dispatched";
constexpr std::string_view kReleased = "request.released";
constexpr std::string_view kReqStarted = "request.started";
constexpr std::string_view kTripEnded = "request.trip_ended";
constexpr std::string_view kReqCancelled = "request.cancelled";

constexpr std::string_view kDispatched = "trip.dispatched";
constexpr std::string_view kRequestAdded = "trip.request_added";
constexpr std::string_view kRequestWithdrawn = "trip.request_withdrawn";
constexpr std::string_view kReassigned = "trip.reassigned";
constexpr std::string_view kTripCancelled = "trip.cancelled";
constexpr std::string_view kStarted = "trip.started";
constexpr std::string_view kExpense = "trip.expense_recorded";
constexpr std::string_view kEnded = "trip.ended";
constexpr std::string_view kClosed = "trip.closed";
}  // namespace ev

// ---- small helpers --------------------------------------------------------

using payload::Bool;
using payload::Contains;
using payload::Int;
using payload::Load;
using payload::Str;
using payload::Strings;
using payload::Time;
using payload::Trim;

// Destinations typed by different people: compare trimmed, ASCII case folded.
std::string DestinationKey(std::string_view s) {
  std::string out = Trim(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool Overlap(LocalTime a_start, LocalTime a_end, LocalTime b_start, LocalTime b_end) {
  return a_start < b_end && b_start < a_end;
}

// The days a window [start, end) touches; an end at midnight does not touch its day. A window of
// kMaxWindowDays × 24 h touches one day more; anything longer (only from a faulty replica) is cut.
std::vector<Date> DaysOf(LocalTime start, LocalTime end) {
  std::vector<Date> out;
  if (!(start < end)) return out;
  const Date last = end.AddMinutes(-1).date;
  for (Date d = start.date; d <= last && static_cast<std::int64_t>(out.size()) <= kMaxWindowDays; d = d.AddDays(1))
    out.push_back(d);
  return out;
}

std::string Describe(LocalTime start, LocalTime end) { return start.ToString() + " – " + end.ToString(); }

using payload::Missing;

// ---- trip state, as the fold keeps it ------------------------------------

struct TripRequestEntry {
  std::string id;
  int seated = 0;
  std::string event;  // the event that put the request on the trip
};

std::vector<TripRequestEntry> TripRequests(const Json& fields) {
  std::vector<TripRequestEntry> out;
  auto it = fields.find("requests");
  if (it == fields.end() || !it->is_array()) return out;
  for (const auto& r : *it) {
    if (!r.is_object()) continue;
    out.push_back({Str(r, "id"), static_cast<int>(Int(r, "seated")), Str(r, "event")});
  }
  return out;
}

Json TripRequestsJson(const std::vector<TripRequestEntry>& entries) {
  Json out = Json::array();
  for (const auto& e : entries) out.push_back(Json{{"id", e.id}, {"seated", e.seated}, {"event", e.event}});
  return out;
}

bool TripIsLive(std::string_view status) {
  return status == "planned" || status == "started" || status == "ended" || status == "closed";
}

}  // namespace

// ---------------------------------------------------------------------------
// Workflow tables

const Workflow& RequestWorkflow() {
  static const Workflow wf(
      entity::kRequest,
      {
          {"submitted", {"submitted", "已提交"}},
          {"approved", {"approved", "已批准"}},
          {"rejected", {"rejected", "已驳回"}},
          {"dispatched", {"dispatched", "已派车"}},
          {"in_progress", {"on the road", "出车中"}},
          {"completed", {"completed", "已完成"}},
          {"cancelled", {"cancelled", "已取消"}},
      },
      {
          {ev::kSubmitted, {"submit the request", "提交用车申请"}, {""}, "submitted", {}},
          {ev::kApproved, {"approve", "批准"}, {"submitted"}, "approved", {role::kApprover}},
          {ev::kRejected, {"reject", "驳回"}, {"submitted"}, "rejected", {role::kApprover}},
          // An event request (大型活动) may be placed on further trips while it is dispatched.
          {ev::kReqDispatched, {"dispatch", "派车"}, {"approved", "dispatched"}, "dispatched", {role::kDispatcher}},
          // Status "approved" again once no trip serves it (the fold decides).
          {ev::kReleased, {"release from a trip", "撤出行程"}, {"dispatched", "in_progress"}, "", {role::kDispatcher}},
          {ev::kReqStarted, {"start the trip", "出车"}, {"dispatched", "in_progress"}, "in_progress",
           {role::kDriver, role::kDispatcher}},
          // Status "completed" once every trip serving it has ended (the fold decides).
          {ev::kTripEnded, {"end the trip", "收车"}, {"in_progress"}, "", {role::kDriver, role::kDispatcher}},
          // The requester's step; the command checks the user, any role may hold it.
          {ev::kReqCancelled, {"cancel the request", "取消用车申请"}, {"submitted", "approved", "dispatched"},
           "cancelled", {}},
      });
  return wf;
}

const Workflow& TripWorkflow() {
  static const Workflow wf(
      entity::kTrip,
      {
          {"planned", {"planned", "已派车"}},
          {"started", {"on the road", "出车中"}},
          {"ended", {"returned", "已收车"}},
          {"closed", {"closed", "已结清"}},
          {"cancelled", {"cancelled", "已取消"}},
      },
      {
          {ev::kDispatched, {"dispatch", "派车"}, {""}, "planned", {role::kDispatcher}},
          {ev::kRequestAdded, {"add a request", "合并用车申请"}, {"planned"}, "", {role::kDispatcher}},
          {ev::kReassigned, {"reassign", "改派"}, {"planned"}, "", {role::kDispatcher}},
          // Written by the requester's cancel; the trip is cancelled when no request is left.
          {ev::kRequestWithdrawn, {"withdraw a request", "撤回用车申请"}, {"planned"}, "", {}},
          {ev::kTripCancelled, {"cancel the trip", "取消出车"}, {"planned"}, "cancelled", {role::kDispatcher}},
          {ev::kStarted, {"start the trip", "出车"}, {"planned"}, "started", {role::kDriver, role::kDispatcher}},
          {ev::kExpense, {"record an expense", "登记费用"}, {"started", "ended"}, "",
           {role::kDriver, role::kDispatcher}},
          {ev::kEnded, {"end the trip", "收车"}, {"started"}, "ended", {role::kDriver, role::kDispatcher}},
          {ev::kClosed, {"settle the expenses", "结清费用"}, {"ended"}, "closed", {role::kDispatcher, role::kFinance}},
      });
  return wf;
}

namespace {

// ---------------------------------------------------------------------------
// Folds

class RequestFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kRequest; }

  void Apply(RecordState& r, const Event& e) const override {
    const Json& p = e.payload;
    Json& f = r.fields;
    if ((e.kind == ev::kApproved || e.kind == ev::kRejected) && e.author.user == Str(f, "requester")) {
      r.AddConflict({"self_approval",
                     {e.id},
                     {"the requester " + e.author.user + " decided on their own request; kept, not applied",
                      "申请人 " + e.author.user + " 审批了自己的用车申请; 已保留, 未生效"}});
      return;
    }
    if (e.kind == ev::kReleased && Str(f, "status") == "cancelled") return;
    if (!RequestWorkflow().Advance(r, e)) return;

    if (e.kind == ev::kSubmitted) {
      f["requester"] = e.author.user;
      for (const char* key : {"department", "kind", "departure", "return_time", "origin", "destination", "purpose"})
        f[key] = Str(p, key);
      f["passengers"] = Int(p, "passengers");
      f["estimated_km"] = Int(p, "estimated_km");
      f["work_required"] = Bool(p, "work_required");
      f["trips"] = Json::array();
      f["seated"] = 0;
    } else if (e.kind == ev::kApproved || e.kind == ev::kRejected) {
      f["decided_by"] = e.author.user;
      f["decision_note"] = Str(p, "note");
    } else if (e.kind == ev::kReqDispatched) {
      auto trips = Strings(f, "trips");
      const std::string trip = Str(p, "trip");
      if (!Contains(trips, trip)) {
        trips.push_back(trip);
        f["seated"] = Int(f, "seated") + Int(p, "seated");
      }
      f["trips"] = trips;
    } else if (e.kind == ev::kReleased) {
      auto trips = Strings(f, "trips");
      const std::string trip = Str(p, "trip");
      if (const std::string start = StartEventOf(f, trip); !start.empty()) {
        r.AddConflict({"workflow",
                       {e.id, start},
                       {"release from trip " + trip + " by " + e.author.user +
                            " arrived after the trip had started; kept, not applied",
                        e.author.user + " 将申请撤出行程 " + trip + ", 但该行程已出车; 已保留, 未生效"}});
        return;
      }
      if (Contains(trips, trip)) {
        std::erase(trips, trip);
        f["seated"] = std::max<std::int64_t>(0, Int(f, "seated") - Int(p, "seated"));
      }
      f["trips"] = trips;
      auto ended = Strings(f, "ended_trips");
      std::erase(ended, trip);
      if (ended.empty()) f.erase("ended_trips");
      else f["ended_trips"] = ended;
      if (trips.empty()) SetStatus(r, "approved", e.id);
      else CompleteIfAllEnded(r, e.id);
    } else if (e.kind == ev::kReqStarted) {
      const std::string trip = Str(p, "trip");
      Json& started = f["started_trips"];
      if (!started.is_object()) started = Json::object();
      if (!trip.empty() && !started.contains(trip)) started[trip] = e.id;
    } else if (e.kind == ev::kTripEnded) {
      auto ended = Strings(f, "ended_trips");
      const std::string trip = Str(p, "trip");
      if (!Contains(ended, trip)) ended.push_back(trip);
      f["ended_trips"] = ended;
      CompleteIfAllEnded(r, e.id);
    } else if (e.kind == ev::kReqCancelled) {
      f["cancel_reason"] = Str(p, "reason");
    }
  }

 private:
  // The request.started event of `trip`, empty when that trip has not started for this request.
  static std::string StartEventOf(const Json& f, const std::string& trip) {
    auto it = f.find("started_trips");
    if (trip.empty() || it == f.end() || !it->is_object()) return {};
    return Str(*it, trip.c_str());
  }
  static void SetStatus(RecordState& r, const char* status, const std::string& event_id) {
    r.fields["status"] = status;
    r.fields["status_event"] = event_id;
  }
  static void CompleteIfAllEnded(RecordState& r, const std::string& event_id) {
    const auto trips = Strings(r.fields, "trips");
    const auto ended = Strings(r.fields, "ended_trips");
    if (trips.empty() || Str(r.fields, "status") != "in_progress") return;
    for (const auto& t : trips)
      if (!Contains(ended, t)) return;
    SetStatus(r, "completed", event_id);
  }
};

class TripFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kTrip; }

  void Apply(RecordState& r, const Event& e) const override {
    const Json& p = e.payload;
    Json& f = r.fields;
    if (!TripWorkflow().Advance(r, e)) return;

    if (e.kind == ev::kDispatched) {
      f["car"] = Str(p, "car");
      f["driver"] = Str(p, "driver");
      f["start"] = Str(p, "start");
      f["end"] = Str(p, "end");
      f["work_required"] = Bool(p, "work_required");
      std::vector<TripRequestEntry> entries;
      if (auto it = p.find("requests"); it != p.end() && it->is_array())
        for (const auto& q : *it)
          if (q.is_object()) entries.push_back({Str(q, "id"), static_cast<int>(Int(q, "seated")), e.id});
      f["requests"] = TripRequestsJson(entries);
      f["booking_event"] = e.id;
      f["driver_event"] = e.id;
    } else if (e.kind == ev::kRequestAdded) {
      auto entries = TripRequests(f);
      const std::string id = Str(p, "request");
      if (std::none_of(entries.begin(), entries.end(), [&](const auto& x) { return x.id == id; }))
        entries.push_back({id, static_cast<int>(Int(p, "seated")), e.id});
      f["requests"] = TripRequestsJson(entries);
      if (Bool(p, "work_required")) f["work_required"] = true;
      const std::string start = Str(p, "start"), end = Str(p, "end");
      if (!start.empty() && !end.empty() && (start != Str(f, "start") || end != Str(f, "end"))) {
        f["start"] = start;
        f["end"] = end;
        f["booking_event"] = e.id;
        f["driver_event"] = e.id;
      }
    } else if (e.kind == ev::kReassigned) {
      if (const std::string car = Str(p, "car"); !car.empty()) {
        f["car"] = car;
        f["booking_event"] = e.id;
      }
      if (const std::string driver = Str(p, "driver"); !driver.empty()) {
        f["driver"] = driver;
        f["driver_event"] = e.id;
      }
    } else if (e.kind == ev::kRequestWithdrawn) {
      auto entries = TripRequests(f);
      const std::string id = Str(p, "request");
      std::erase_if(entries, [&](const auto& x) { return x.id == id; });
      f["requests"] = TripRequestsJson(entries);
      if (entries.empty()) {
        f["status"] = "cancelled";
        f["status_event"] = e.id;
        f["cancel_reason"] = "withdrawn";
      }
    } else if (e.kind == ev::kTripCancelled) {
      f["cancel_reason"] = Str(p, "reason");
    } else if (e.kind == ev::kStarted) {
      f["odometer_start"] = Int(p, "odometer_start");
      f["started_at"] = Str(p, "at");
    } else if (e.kind == ev::kEnded) {
      const std::int64_t start_km = Int(f, "odometer_start"), end_km = Int(p, "odometer_end");
      f["odometer_end"] = end_km;
      f["ended_at"] = Str(p, "at");
      f["distance_km"] = std::max<std::int64_t>(0, end_km - start_km);
      if (end_km < start_km)
        r.AddConflict({"odometer",
                       {e.id},
                       {"the end reading " + std::to_string(end_km) + " km is below the start reading " +
                            std::to_string(start_km) + " km",
                        "收车里程 " + std::to_string(end_km) + " 公里低于出车里程 " + std::to_string(start_km) +
                            " 公里"}});
    } else if (e.kind == ev::kExpense) {
      const std::string category = Str(p, "category");
      const char* key = category == expense_category::kToll      ? "tolls_fen"
                        : category == expense_category::kParking ? "parking_fen"
                                                                 : "other_fen";
      f[key] = Int(f, key) + Int(p, "amount_fen");
      f["expense_count"] = Int(f, "expense_count") + 1;
    } else if (e.kind == ev::kClosed) {
      f["settled_fen"] = Int(p, "settled_fen");
      f["closed_at"] = Str(p, "at");
    }
  }
};

// ---------------------------------------------------------------------------
// Constraints

// Two live trips on one resource (car or driver) with overlapping planned windows.
class BookingConstraint final : public Constraint {
 public:
  BookingConstraint(std::string_view name, const char* resource_field, const char* event_field,
                    std::string_view conflict_kind, Text resource_label)
      : name_(name),
        resource_field_(resource_field),
        event_field_(event_field),
        conflict_kind_(conflict_kind),
        label_(std::move(resource_label)) {}

  std::string_view name() const override { return name_; }

  std::vector<std::string> Groups(const RecordState& r) const override {
    std::vector<std::string> out;
    if (r.type != entity::kTrip || !TripIsLive(Str(r.fields, "status"))) return out;
    const std::string resource = Str(r.fields, resource_field_);
    auto start = Time(r.fields, "start"), end = Time(r.fields, "end");
    if (resource.empty() || !start || !end) return out;
    for (const Date& d : DaysOf(*start, *end)) out.push_back(resource + "@" + d.ToString());
    return out;
  }

  void Evaluate(const std::string& group, const std::vector<const RecordState*>& members,
                std::vector<GroupConflict>& out) const override {
    const auto at = group.rfind('@');
    if (at == std::string::npos) return;
    const std::string resource = group.substr(0, at), day = group.substr(at + 1);
    struct Booking {
      std::size_t index;
      LocalTime start, end;
    };
    std::vector<Booking> bookings;
    for (std::size_t i = 0; i < members.size(); ++i) {
      auto s = Time(members[i]->fields, "start"), e = Time(members[i]->fields, "end");
      if (s && e) bookings.push_back({i, *s, *e});
    }
    for (std::size_t a = 0; a < bookings.size(); ++a) {
      for (std::size_t b = a + 1; b < bookings.size(); ++b) {
        const Booking& x = bookings[a];
        const Booking& y = bookings[b];
        if (!Overlap(x.start, x.end, y.start, y.end)) continue;
        // The overlap's first day is its one home group.
        if (std::max(x.start, y.start).date.ToString() != day) continue;
        const RecordState& tx = *members[x.index];
        const RecordState& ty = *members[y.index];
        Conflict c{std::string(conflict_kind_),
                   {Str(tx.fields, event_field_), Str(ty.fields, event_field_)},
                   {"the " + label_.en + " " + resource + " is booked for overlapping trips " + tx.id + " (" +
                        Describe(x.start, x.end) + ") and " + ty.id + " (" + Describe(y.start, y.end) + ")",
                    label_.zh + " " + resource + " 被同时派给时间重叠的行程 " + tx.id + "(" +
                        Describe(x.start, x.end) + ")和 " + ty.id + "(" + Describe(y.start, y.end) + ")"}};
        out.push_back({x.index, c});
        out.push_back({y.index, std::move(c)});
      }
    }
  }

 private:
  std::string_view name_;
  const char* resource_field_;
  const char* event_field_;
  std::string_view conflict_kind_;
  Text label_;
};

// One request and the live trips serving it: a cancelled request still carried by a live trip,
// and a request carried by more trips than it may be (重复派车).
class TripRequestsConstraint final : public Constraint {
 public:
  std::string_view name() const override { return kTripRequests; }

  std::vector<std::string> Groups(const RecordState& r) const override {
    std::vector<std::string> out;
    const std::string status = Str(r.fields, "status");
    if (r.type == entity::kRequest) {
      // A request that never had a trip and is not cancelled cannot clash: it stays out.
      if (status == "cancelled" || !Strings(r.fields, "trips").empty()) out.push_back(r.id);
    } else if (r.type == entity::kTrip && TripIsLive(status)) {
      for (const auto& entry : TripRequests(r.fields))
        if (!entry.id.empty()) out.push_back(entry.id);
    }
    return out;
  }

  void Evaluate(const std::string& group, const std::vector<const RecordState*>& members,
                std::vector<GroupConflict>& out) const override {
    std::optional<std::size_t> request;
    for (std::size_t i = 0; i < members.size(); ++i)
      if (members[i]->type == entity::kRequest) request = i;
    if (!request) return;
    if (Str(members[*request]->fields, "status") == "cancelled") {
      CancelledRequest(group, members, *request, out);
    } else {
      DuplicateDispatch(group, members, *request, out);
    }
  }

 private:
  static std::string EntryEvent(const RecordState& trip, const std::string& request, int* seated = nullptr) {
    for (const auto& entry : TripRequests(trip.fields))
      if (entry.id == request) {
        if (seated != nullptr) *seated = entry.seated;
        return entry.event;
      }
    return {};
  }

  // Two dispatchers offline each put the request on a trip of their own. An ordinary (or leader,
  // reception) request rides one trip; an event request may ride several, until it is over-seated.
  static void DuplicateDispatch(const std::string& group, const std::vector<const RecordState*>& members,
                                std::size_t request, std::vector<GroupConflict>& out) {
    // Most requests ride one trip: nothing to weigh (this runs for every dispatched request).
    if (std::count_if(members.begin(), members.end(), [](const RecordState* m) { return m->type == entity::kTrip; }) < 2)
      return;
    const RecordState& req = *members[request];
    const bool event = Str(req.fields, "kind") == request_kind::kEvent;
    const std::int64_t passengers = Int(req.fields, "passengers");
    std::vector<std::size_t> trips;
    std::vector<std::string> events;
    std::string names;
    std::int64_t seated = 0;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (members[i]->type != entity::kTrip) continue;
      int on_trip = 0;
      events.push_back(EntryEvent(*members[i], group, &on_trip));
      seated += on_trip;
      trips.push_back(i);
      names += (names.empty() ? "" : ", ") + members[i]->id;
    }
    if (trips.size() < 2) return;
    if (event && seated <= passengers) return;
    const std::string counts = std::to_string(seated) + "/" + std::to_string(passengers);
    Conflict c{"duplicate_dispatch",
               std::move(events),
               event ? Text{"event request " + group + " has more seats than passengers (" + counts +
                                ") on trips " + names,
                            "大型活动用车申请 " + group + " 派车座位超过乘车人数(" + counts + "): " + names}
                     : Text{"request " + group + " was dispatched on several trips: " + names + " (seated " + counts +
                                ")",
                            "用车申请 " + group + " 被重复派车: " + names + "(已安排 " + counts + " 人)"}};
    for (std::size_t i : trips) out.push_back({i, c});
    out.push_back({request, std::move(c)});
  }

  static void CancelledRequest(const std::string& group, const std::vector<const RecordState*>& members,
                               std::size_t request, std::vector<GroupConflict>& out) {
    const std::string cancel_event = Str(members[request]->fields, "status_event");
    for (std::size_t i = 0; i < members.size(); ++i) {
      const RecordState& trip = *members[i];
      if (trip.type != entity::kTrip) continue;
      Conflict c{"cancelled_request",
                 {cancel_event, EntryEvent(trip, group)},
                 {"request " + group + " was cancelled but trip " + trip.id + " (" + Str(trip.fields, "status") +
                      ") still serves it",
                  "用车申请 " + group + " 已取消, 但行程 " + trip.id + " 仍在为其出车"}};
      out.push_back({i, c});
      out.push_back({request, std::move(c)});
    }
  }
};

// Approved requests by departure day, for MergeCandidates; never conflicts.
class RequestPoolConstraint final : public Constraint {
 public:
  std::string_view name() const override { return kRequestPool; }
  bool IndexOnly() const override { return true; }
  std::vector<std::string> Groups(const RecordState& r) const override {
    if (r.type != entity::kRequest || Str(r.fields, "status") != "approved") return {};
    auto departure = Time(r.fields, "departure");
    if (!departure) return {};
    return {departure->date.ToString()};
  }
  void Evaluate(const std::string&, const std::vector<const RecordState*>&, std::vector<GroupConflict>&) const override {}
};

// ---------------------------------------------------------------------------
// Reading records

RequestSummary ToRequestSummary(const RecordView& v) {
  const Json& f = v.fields;
  RequestSummary s;
  s.id = v.key.id;
  s.requester = Str(f, "requester");
  s.department = Str(f, "department");
  s.kind = Str(f, "kind");
  s.status = Str(f, "status");
  s.passengers = static_cast<int>(Int(f, "passengers"));
  s.seated = static_cast<int>(Int(f, "seated"));
  s.departure = Time(f, "departure").value_or(LocalTime{});
  s.return_time = Time(f, "return_time").value_or(LocalTime{});
  s.origin = Str(f, "origin");
  s.destination = Str(f, "destination");
  s.purpose = Str(f, "purpose");
  s.estimated_km = Int(f, "estimated_km");
  s.work_required = Bool(f, "work_required");
  s.trips = Strings(f, "trips");
  return s;
}

// Department of each request, read once per report.
class DepartmentCache {
 public:
  explicit DepartmentCache(Store& store) : store_(store) {}
  const std::string& Of(const std::string& request_id) {
    auto it = cache_.find(request_id);
    if (it != cache_.end()) return it->second;
    auto v = Load(store_, entity::kRequest, request_id);
    return cache_[request_id] = v ? Str(v->fields, "department") : std::string();
  }

 private:
  Store& store_;
  std::map<std::string, std::string> cache_;
};

TripSummary ToTripSummary(const RecordView& v, DepartmentCache& departments) {
  const Json& f = v.fields;
  TripSummary s;
  s.id = v.key.id;
  s.car = Str(f, "car");
  s.driver = Str(f, "driver");
  s.status = Str(f, "status");
  s.start = Time(f, "start").value_or(LocalTime{});
  s.end = Time(f, "end").value_or(LocalTime{});
  s.distance_km = Int(f, "distance_km");
  s.tolls_fen = Int(f, "tolls_fen");
  s.other_expenses_fen = Int(f, "parking_fen") + Int(f, "other_fen");
  std::set<std::string> depts;
  for (const auto& entry : TripRequests(f)) {
    s.requests.push_back(entry.id);
    s.passengers += entry.seated;
    if (const std::string& d = departments.Of(entry.id); !d.empty()) depts.insert(d);
  }
  s.departments.assign(depts.begin(), depts.end());
  s.started_at = Time(f, "started_at");
  s.ended_at = Time(f, "ended_at");
  if (f.contains("odometer_start")) s.odometer_start = Int(f, "odometer_start");
  if (f.contains("odometer_end")) s.odometer_end = Int(f, "odometer_end");
  return s;
}

// Another live trip of this car (or driver) whose window overlaps, on this replica.
std::optional<std::string> BusyWith(Store& store, std::string_view constraint, const std::string& resource,
                                    LocalTime start, LocalTime end, const std::string& except_trip) {
  for (const Date& d : DaysOf(start, end)) {
    auto members = store.GroupMembers(constraint, resource + "@" + d.ToString());
    if (!members.ok()) continue;
    for (const auto& m : *members) {
      if (m.key.id == except_trip) continue;
      auto s = Time(m.fields, "start"), e = Time(m.fields, "end");
      if (s && e && Overlap(start, end, *s, *e)) return m.key.id;
    }
  }
  return std::nullopt;
}

Status CheckCarFree(Store& store, const std::string& car, LocalTime start, LocalTime end, const std::string& trip) {
  if (auto other = BusyWith(store, kCarBooking, car, start, end, trip))
    return Status::Refused("car", {"car " + car + " is already booked for trip " + *other + " at an overlapping time",
                                   "车辆 " + car + " 已派给时间重叠的行程 " + *other});
  return Status::Ok();
}

Status CheckDriverFree(Store& store, const std::string& driver, LocalTime start, LocalTime end,
                       const std::string& trip) {
  if (auto other = BusyWith(store, kDriverBooking, driver, start, end, trip))
    return Status::Refused("driver", {"driver " + driver + " already drives trip " + *other + " at an overlapping time",
                                      "驾驶员 " + driver + " 已被派给时间重叠的行程 " + *other});
  return Status::Ok();
}

Status CheckDriver(Store& store, const std::string& driver_id, const CarFile& car, LocalTime start, LocalTime end) {
  auto driver = FindDriver(store, driver_id);
  if (!driver) return Status::NotFound("driver", {"no driver " + driver_id, "没有驾驶员 " + driver_id});
  for (const Date& d : DaysOf(start, end))
    if (Status s = DriverEligibility(store, driver_id, d); !s.ok()) return s;
  return DriverLicenceFits(*driver, car);
}

Status SeatsRefusal(const CarFile& car, int passengers) {
  return Status::Refused(
      "seats", {"car " + car.plate + " has " + std::to_string(car.seats) + " seats: the driver and " +
                    std::to_string(passengers) + " passengers do not fit",
                "车辆 " + car.plate + " 核定 " + std::to_string(car.seats) + " 座, 容纳不下驾驶员和 " +
                    std::to_string(passengers) + " 名乘车人"});
}

// The seats a car offers to passengers: its rated seats less the driver's (our decision: 核定座位 include the driver).
int PassengerSeats(const CarFile& car) { return std::max(0, car.seats - 1); }

// How many of a request's passengers a trip with `free` seats takes. An event request
// (大型活动) may spread over several cars; any other request rides whole or not at all.
Result<int> SeatRequest(const RequestSummary& req, const CarFile& car, int free, int already_on_car,
                        std::vector<Warning>& warnings) {
  const int need = req.kind == request_kind::kEvent ? req.passengers - req.seated : req.passengers;
  if (req.kind != request_kind::kEvent) {
    if (need > free) return SeatsRefusal(car, already_on_car + need);
    return need;
  }
  if (free <= 0) return SeatsRefusal(car, already_on_car + need);
  const int take = std::min(need, free);
  if (take < need)
    warnings.push_back({"needs_more_cars",
                        {"request " + req.id + ": " + std::to_string(need - take) + " passengers still need a car",
                         "用车申请 " + req.id + " 还有 " + std::to_string(need - take) + " 人需要另派车辆"}});
  return take;
}

// May this request go on a trip now? Approved, or an event request not yet fully seated.
Status Dispatchable(const RequestSummary& req) {
  if (req.status == "approved") return Status::Ok();
  if (req.status == "dispatched" && req.kind == request_kind::kEvent && req.seated < req.passengers)
    return Status::Ok();
  const Text st = RequestWorkflow().StatusText(req.status);
  return Status::Refused("requests", {"request " + req.id + " is " + st.en + ", only approved requests are dispatched",
                                      "用车申请 " + req.id + " 状态为“" + st.zh + "”, 只能为已批准的申请派车"});
}

Status CheckRole(std::string_view entity_type, const std::optional<RecordView>& record, std::string_view kind,
                 const Author& actor) {
  const Workflow& wf = entity_type == entity::kTrip ? TripWorkflow() : RequestWorkflow();
  return wf.Check(record ? Str(record->fields, "status") : std::string(), kind, actor.role);
}

}  // namespace

Status CheckTripDriver(Store& store, const RecordView& trip, const Author& actor) {
  if (actor.role != role::kDriver) return Status::Ok();
  auto driver = FindDriver(store, Str(trip.fields, "driver"));
  if (driver && driver->user_id == actor.user) return Status::Ok();
  return Status::Refused("driver", {"only the trip's driver or the dispatcher may do this",
                                    "只有本次出车的驾驶员或车队队长可以操作"});
}

namespace {

Result<RecordView> LoadTrip(Store& store, const std::string& trip_id) {
  auto trip = Load(store, entity::kTrip, trip_id);
  if (!trip) return Status::NotFound("trip", {"no trip " + trip_id, "没有行程 " + trip_id});
  return std::move(*trip);
}

Result<RecordView> LoadRequest(Store& store, const std::string& request_id) {
  auto req = Load(store, entity::kRequest, request_id);
  if (!req) return Status::NotFound("request", {"no car request " + request_id, "没有用车申请 " + request_id});
  return std::move(*req);
}

Status NotOverlong(LocalTime start, LocalTime end, const std::string& field) {
  if (end.MinutesSinceEpoch() - start.MinutesSinceEpoch() > kMaxWindowDays * 1440)
    return Status::Invalid(field, {"a trip may last at most " + std::to_string(kMaxWindowDays) + " days",
                                   "一次出车最长 " + std::to_string(kMaxWindowDays) + " 天"});
  return Status::Ok();
}

std::optional<Date> DueDate(const RecordView& trip, const Rules& rules) {
  auto ended = Time(trip.fields, "ended_at");
  if (!ended) return std::nullopt;
  return ended->date.AddDays(rules.expense_settle_days);
}

std::int64_t ExpenseTotal(const Json& f) { return Int(f, "tolls_fen") + Int(f, "parking_fen") + Int(f, "other_fen"); }

}  // namespace

// ---------------------------------------------------------------------------
// Request commands

Result<Command> SubmitRequest(Store& store, const Author& actor, const RequestInput& in, LocalTime now) {
  if (Status s = RequestWorkflow().Check("", ev::kSubmitted, actor.role); !s.ok()) return s;
  if (in.id.empty()) return Missing("id", "a request id", "申请编号");
  if (Load(store, entity::kRequest, in.id))
    return Status::Refused("id", {"request " + in.id + " exists already", "用车申请 " + in.id + " 已存在"});
  std::string department = in.department;
  if (department.empty())
    if (auto user = directory::FindUser(store, actor.user)) department = user->department;
  if (department.empty()) return Missing("department", "the requesting department", "用车部门");
  if (in.kind != request_kind::kOrdinary && in.kind != request_kind::kLeader && in.kind != request_kind::kEvent &&
      in.kind != request_kind::kReception)
    return Status::Invalid("kind", {"unknown request kind " + in.kind + " (ordinary, leader, event, reception)",
                                    "未知的用车类型 " + in.kind + "(一般公务、领导用车、大型活动、接待)"});
  if (in.passengers < 1) return Status::Invalid("passengers", {"at least one passenger", "乘车人数至少为 1"});
  if (!in.departure) return Missing("departure", "the departure time", "出发时间");
  if (!in.return_time) return Missing("return_time", "the return time", "返回时间");
  if (*in.departure < now)
    return Status::Invalid("departure", {"the departure time " + in.departure->ToString() + " has passed",
                                         "出发时间 " + in.departure->ToString() + " 已过"});
  if (!(*in.departure < *in.return_time))
    return Status::Invalid("return_time", {"the return time must be after the departure", "返回时间必须晚于出发时间"});
  if (Status s = NotOverlong(*in.departure, *in.return_time, "return_time"); !s.ok()) return s;
  const std::string destination = Trim(in.destination), purpose = Trim(in.purpose), origin = Trim(in.origin);
  if (destination.empty()) return Missing("destination", "the destination", "目的地");
  if (purpose.empty()) return Missing("purpose", "the purpose", "事由");
  if (in.estimated_km < 0)
    return Status::Invalid("estimated_km", {"the estimated distance cannot be negative", "预计里程不能为负数"});

  Command cmd;
  const Rules rules = LoadRules(store);
  // 0 means "not estimated": no warning on a distance nobody gave.
  if (rules.short_trip_warning && in.estimated_km > 0 && in.estimated_km <= rules.short_trip_km)
    cmd.warnings.push_back(
        {"short_trip",
         {"a short trip (" + std::to_string(in.estimated_km) + " km, limit " + std::to_string(rules.short_trip_km) +
              " km): short distances are normally travelled by public transport",
          "短距离出行(" + std::to_string(in.estimated_km) + " 公里, 不超过 " + std::to_string(rules.short_trip_km) +
              " 公里)一般乘用公共交通工具"}});
  if (directory::Approvers(store, department).empty())
    cmd.warnings.push_back({"no_approver",
                            {"department " + department + " has no approver (分管领导) set; nobody can approve yet",
                             "部门 " + department + " 尚未设置分管领导, 暂时无人审批"}});
  cmd.drafts.push_back({std::string(entity::kRequest), in.id, std::string(ev::kSubmitted),
                        Json{{"department", department},
                             {"kind", in.kind},
                             {"passengers", in.passengers},
                             {"departure", in.departure->ToString()},
                             {"return_time", in.return_time->ToString()},
                             {"origin", origin},
                             {"destination", destination},
                             {"purpose", purpose},
                             {"estimated_km", in.estimated_km},
                             {"work_required", in.work_required},
                             {"at", now.ToString()}}});
  return cmd;
}

Status MayDecideRequest(Store& store, const Json& request_fields, const Author& actor) {
  const std::string requester = Str(request_fields, "requester"), department = Str(request_fields, "department");
  if (actor.user == requester)
    return Status::Refused("approver", {"you cannot decide on your own car request; your department's approver does",
                                        "不能审批自己的用车申请, 应由分管领导审批"});
  if (!Contains(directory::Approvers(store, department), actor.user))
    return Status::Refused("approver", {actor.user + " is not an approver (分管领导) of department " + department,
                                        actor.user + " 不是部门 " + department + " 的分管领导"});
  return Status::Ok();
}

namespace {
Result<Command> Decide(Store& store, const Author& actor, const std::string& request_id, std::string_view kind,
                       const std::string& note, LocalTime now) {
  auto req = LoadRequest(store, request_id);
  if (!req.ok()) return req.status();
  if (Status s = RequestWorkflow().Check(Str(req->fields, "status"), kind, actor.role); !s.ok()) return s;
  if (Status s = MayDecideRequest(store, req->fields, actor); !s.ok()) return s;
  Command cmd;
  cmd.drafts.push_back(
      {std::string(entity::kRequest), request_id, std::string(kind), Json{{"note", note}, {"at", now.ToString()}}});
  return cmd;
}
}  // namespace

Result<Command> ApproveRequest(Store& store, const Author& actor, const std::string& request_id,
                               const std::string& note, LocalTime now) {
  return Decide(store, actor, request_id, ev::kApproved, Trim(note), now);
}

Result<Command> RejectRequest(Store& store, const Author& actor, const std::string& request_id,
                              const std::string& reason, LocalTime now) {
  if (Trim(reason).empty()) {
    if (auto req = LoadRequest(store, request_id); !req.ok()) return req.status();
    return Missing("reason", "a reason for the rejection", "驳回理由");
  }
  return Decide(store, actor, request_id, ev::kRejected, Trim(reason), now);
}

Result<Command> CancelRequest(Store& store, const Author& actor, const std::string& request_id,
                              const std::string& reason, LocalTime now) {
  auto req = LoadRequest(store, request_id);
  if (!req.ok()) return req.status();
  if (actor.user != Str(req->fields, "requester"))
    return Status::Refused("requester", {"only the requester may cancel a car request", "只有申请人可以取消用车申请"});
  if (Status s = RequestWorkflow().Check(Str(req->fields, "status"), ev::kReqCancelled, actor.role); !s.ok())
    return s;
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kRequest), request_id, std::string(ev::kReqCancelled),
                        Json{{"reason", Trim(reason)}, {"at", now.ToString()}}});
  for (const auto& trip_id : Strings(req->fields, "trips")) {
    auto trip = Load(store, entity::kTrip, trip_id);
    if (!trip) continue;
    const std::string status = Str(trip->fields, "status");
    if (status == "cancelled") continue;
    if (status != "planned")
      return Status::Refused("status", {"trip " + trip_id + " serving this request has already left",
                                        "为该申请派出的行程 " + trip_id + " 已出车"});
    cmd.drafts.push_back({std::string(entity::kTrip), trip_id, std::string(ev::kRequestWithdrawn),
                          Json{{"request", request_id}}});
  }
  return cmd;
}

std::optional<RequestSummary> FindRequest(Store& store, const std::string& request_id) {
  auto v = Load(store, entity::kRequest, request_id);
  if (!v) return std::nullopt;
  return ToRequestSummary(*v);
}

std::vector<RequestSummary> MergeCandidates(Store& store, const std::string& request_id, const Rules& rules) {
  std::vector<RequestSummary> out;
  auto self = FindRequest(store, request_id);
  if (!self) return out;
  const std::string destination = DestinationKey(self->destination);
  const std::int64_t window = std::max<std::int64_t>(0, rules.merge_window_minutes);
  const Date first = self->departure.AddMinutes(-window).date, last = self->departure.AddMinutes(window).date;
  for (Date d = first; d <= last; d = d.AddDays(1)) {
    auto members = store.GroupMembers(kRequestPool, d.ToString());
    if (!members.ok()) continue;
    for (const auto& m : *members) {
      if (m.key.type != entity::kRequest || m.key.id == request_id) continue;
      RequestSummary other = ToRequestSummary(m);
      if (other.status != "approved" || DestinationKey(other.destination) != destination) continue;
      const std::int64_t gap = other.departure.MinutesSinceEpoch() - self->departure.MinutesSinceEpoch();
      if (gap < -window || gap > window) continue;
      out.push_back(std::move(other));
    }
  }
  std::sort(out.begin(), out.end(), [](const RequestSummary& a, const RequestSummary& b) {
    return std::tie(a.departure, a.id) < std::tie(b.departure, b.id);
  });
  return out;
}

// ---------------------------------------------------------------------------
// Trip commands

Result<Command> DispatchTrip(Store& store, const Author& actor, const DispatchInput& in, LocalTime now) {
  (void)now;
  if (Status s = TripWorkflow().Check("", ev::kDispatched, actor.role); !s.ok()) return s;
  if (in.trip_id.empty()) return Missing("trip_id", "a trip id", "行程编号");
  if (Load(store, entity::kTrip, in.trip_id))
    return Status::Refused("trip_id", {"trip " + in.trip_id + " exists already", "行程 " + in.trip_id + " 已存在"});
  if (in.requests.empty()) return Missing("requests", "at least one approved car request", "至少一份已批准的用车申请");
  std::vector<RequestSummary> requests;
  for (const auto& id : in.requests) {
    if (std::count(in.requests.begin(), in.requests.end(), id) > 1)
      return Status::Invalid("requests", {"request " + id + " is listed twice", "用车申请 " + id + " 重复"});
    auto req = FindRequest(store, id);
    if (!req) return Status::NotFound("requests", {"no car request " + id, "没有用车申请 " + id});
    if (Status s = Dispatchable(*req); !s.ok()) return s;
    requests.push_back(std::move(*req));
  }
  LocalTime start = requests.front().departure, end = requests.front().return_time;
  bool work_required = false;
  for (const auto& r : requests) {
    start = std::min(start, r.departure);
    end = std::max(end, r.return_time);
    work_required = work_required || r.work_required;
  }
  if (Status s = NotOverlong(start, end, "requests"); !s.ok()) return s;

  if (in.car.empty()) return Missing("car", "a car", "车辆");
  auto car = FindCar(store, in.car);
  if (!car) return Status::NotFound("car", {"no car " + in.car, "没有车辆 " + in.car});
  const Rules rules = LoadRules(store);
  if (Status s = DispatchEligibility(store, rules, in.car, start, end, work_required); !s.ok()) return s;
  if (in.driver.empty()) return Missing("driver", "a driver", "驾驶员");
  if (Status s = CheckDriver(store, in.driver, *car, start, end); !s.ok()) return s;

  Command cmd;
  Json entries = Json::array();
  int on_car = 0;
  for (const auto& r : requests) {
    auto seated = SeatRequest(r, *car, PassengerSeats(*car) - on_car, on_car, cmd.warnings);
    if (!seated.ok()) return seated.status();
    on_car += *seated;
    entries.push_back(Json{{"id", r.id}, {"seated", *seated}});
  }
  if (Status s = CheckCarFree(store, in.car, start, end, in.trip_id); !s.ok()) return s;
  if (Status s = CheckDriverFree(store, in.driver, start, end, in.trip_id); !s.ok()) return s;

  cmd.drafts.push_back({std::string(entity::kTrip), in.trip_id, std::string(ev::kDispatched),
                        Json{{"car", in.car},
                             {"driver", in.driver},
                             {"start", start.ToString()},
                             {"end", end.ToString()},
                             {"work_required", work_required},
                             {"requests", entries}}});
  for (const auto& e : entries)
    cmd.drafts.push_back({std::string(entity::kRequest), e["id"].get<std::string>(), std::string(ev::kReqDispatched),
                          Json{{"trip", in.trip_id}, {"seated", e["seated"]}}});
  if (requests.size() == 1) {
    const auto others = MergeCandidates(store, requests.front().id, rules);
    if (!others.empty()) {
      std::string ids;
      for (const auto& o : others) ids += (ids.empty() ? "" : ", ") + o.id;
      cmd.warnings.push_back({"merge_candidates",
                              {"requests going the same way at about the same time could share this car: " + ids,
                               "同一时段同一目的地的用车申请可合并派车: " + ids}});
    }
  }
  return cmd;
}

Result<Command> AddRequestToTrip(Store& store, const Author& actor, const std::string& trip_id,
                                 const std::string& request_id, LocalTime now) {
  (void)now;
  auto trip = LoadTrip(store, trip_id);
  if (!trip.ok()) return trip.status();
  if (Status s = CheckRole(entity::kTrip, *trip, ev::kRequestAdded, actor); !s.ok()) return s;
  auto req = FindRequest(store, request_id);
  if (!req) return Status::NotFound("request", {"no car request " + request_id, "没有用车申请 " + request_id});
  const auto entries = TripRequests(trip->fields);
  if (std::any_of(entries.begin(), entries.end(), [&](const auto& x) { return x.id == request_id; }))
    return Status::Refused("request", {"trip " + trip_id + " already serves request " + request_id,
                                       "行程 " + trip_id + " 已包含用车申请 " + request_id});
  if (Status s = Dispatchable(*req); !s.ok()) return Status::Refused("request", s.message());

  const std::string car_id = Str(trip->fields, "car"), driver_id = Str(trip->fields, "driver");
  const LocalTime start = std::min(Time(trip->fields, "start").value_or(req->departure), req->departure);
  const LocalTime end = std::max(Time(trip->fields, "end").value_or(req->return_time), req->return_time);
  const bool work_required = Bool(trip->fields, "work_required") || req->work_required;
  if (Status s = NotOverlong(start, end, "request"); !s.ok()) return s;
  auto car = FindCar(store, car_id);
  if (!car) return Status::NotFound("car", {"no car " + car_id, "没有车辆 " + car_id});
  const Rules rules = LoadRules(store);
  if (Status s = DispatchEligibility(store, rules, car_id, start, end, work_required); !s.ok()) return s;
  if (Status s = CheckDriver(store, driver_id, *car, start, end); !s.ok()) return s;

  Command cmd;
  int on_car = 0;
  for (const auto& e : entries) on_car += e.seated;
  auto seated = SeatRequest(*req, *car, PassengerSeats(*car) - on_car, on_car, cmd.warnings);
  if (!seated.ok()) return seated.status();
  if (Status s = CheckCarFree(store, car_id, start, end, trip_id); !s.ok()) return s;
  if (Status s = CheckDriverFree(store, driver_id, start, end, trip_id); !s.ok()) return s;

  cmd.drafts.push_back({std::string(entity::kTrip), trip_id, std::string(ev::kRequestAdded),
                        Json{{"request", request_id},
                             {"seated", *seated},
                             {"start", start.ToString()},
                             {"end", end.ToString()},
                             {"work_required", work_required}}});
  cmd.drafts.push_back({std::string(entity::kRequest), request_id, std::string(ev::kReqDispatched),
                        Json{{"trip", trip_id}, {"seated", *seated}}});
  return cmd;
}

Result<Command> ReassignTrip(Store& store, const Author& actor, const std::string& trip_id, const std::string& car_id,
                             const std::string& driver_id, const std::string& reason, LocalTime now) {
  (void)now;
  auto trip = LoadTrip(store, trip_id);
  if (!trip.ok()) return trip.status();
  if (Status s = CheckRole(entity::kTrip, *trip, ev::kReassigned, actor); !s.ok()) return s;
  const std::string old_car = Str(trip->fields, "car"), old_driver = Str(trip->fields, "driver");
  const bool new_car = !car_id.empty() && car_id != old_car;
  const bool new_driver = !driver_id.empty() && driver_id != old_driver;
  if (!new_car && !new_driver)
    return Status::Invalid("car", {"give another car or another driver", "请指定另一辆车或另一名驾驶员"});
  if (Trim(reason).empty()) return Missing("reason", "a reason for the reassignment", "改派理由");
  const LocalTime start = Time(trip->fields, "start").value_or(LocalTime{});
  const LocalTime end = Time(trip->fields, "end").value_or(LocalTime{});
  const std::string car_after = new_car ? car_id : old_car;
  const std::string driver_after = new_driver ? driver_id : old_driver;
  auto car = FindCar(store, car_after);
  if (!car) return Status::NotFound("car", {"no car " + car_after, "没有车辆 " + car_after});
  Json payload{{"reason", Trim(reason)}};
  if (new_car) {
    const Rules rules = LoadRules(store);
    if (Status s = DispatchEligibility(store, rules, car_id, start, end, Bool(trip->fields, "work_required")); !s.ok())
      return s;
    int on_car = 0;
    for (const auto& e : TripRequests(trip->fields)) on_car += e.seated;
    if (on_car > PassengerSeats(*car)) return SeatsRefusal(*car, on_car);
    if (Status s = CheckCarFree(store, car_id, start, end, trip_id); !s.ok()) return s;
    payload["car"] = car_id;
  }
  if (new_driver || new_car) {
    // A new car may need a licence class the driver does not hold, so the driver is judged again.
    if (Status s = CheckDriver(store, driver_after, *car, start, end); !s.ok()) return s;
  }
  if (new_driver) {
    if (Status s = CheckDriverFree(store, driver_id, start, end, trip_id); !s.ok()) return s;
    payload["driver"] = driver_id;
  }
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kTrip), trip_id, std::string(ev::kReassigned), std::move(payload)});
  return cmd;
}

Result<Command> CancelTrip(Store& store, const Author& actor, const std::string& trip_id, const std::string& reason,
                           LocalTime now) {
  auto trip = LoadTrip(store, trip_id);
  if (!trip.ok()) return trip.status();
  if (Status s = CheckRole(entity::kTrip, *trip, ev::kTripCancelled, actor); !s.ok()) return s;
  if (Trim(reason).empty()) return Missing("reason", "a reason for the cancellation", "取消理由");
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kTrip), trip_id, std::string(ev::kTripCancelled),
                        Json{{"reason", Trim(reason)}, {"at", now.ToString()}}});
  for (const auto& entry : TripRequests(trip->fields)) {
    auto req = FindRequest(store, entry.id);
    if (!req || (req->status != "dispatched" && req->status != "in_progress")) continue;
    cmd.drafts.push_back({std::string(entity::kRequest), entry.id, std::string(ev::kReleased),
                          Json{{"trip", trip_id}, {"seated", entry.seated}}});
  }
  return cmd;
}

Result<Command> StartTrip(Store& store, const Author& actor, const std::string& trip_id, std::int64_t odometer_km,
                          LocalTime now) {
  auto trip = LoadTrip(store, trip_id);
  if (!trip.ok()) return trip.status();
  if (Status s = CheckRole(entity::kTrip, *trip, ev::kStarted, actor); !s.ok()) return s;
  if (Status s = CheckTripDriver(store, *trip, actor); !s.ok()) return s;
  const std::string car = Str(trip->fields, "car");
  if (odometer_km < 0)
    return Status::Invalid("odometer_start", {"the odometer reading cannot be negative", "里程表读数不能为负数"});
  if (auto last = LastOdometer(store, car); last && odometer_km < *last)
    return Status::Refused("odometer_start",
                           {"the reading " + std::to_string(odometer_km) + " km is below the car's last reading " +
                                std::to_string(*last) + " km",
                            "读数 " + std::to_string(odometer_km) + " 公里低于该车上次记录的 " +
                                std::to_string(*last) + " 公里"});
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kTrip), trip_id, std::string(ev::kStarted),
                        Json{{"odometer_start", odometer_km}, {"at", now.ToString()}}});
  cmd.drafts.push_back(OdometerDraft(car, odometer_km, trip_id));
  for (const auto& entry : TripRequests(trip->fields)) {
    auto req = FindRequest(store, entry.id);
    if (!req || (req->status != "dispatched" && req->status != "in_progress")) continue;
    cmd.drafts.push_back(
        {std::string(entity::kRequest), entry.id, std::string(ev::kReqStarted), Json{{"trip", trip_id}}});
  }
  return cmd;
}

Result<Command> EndTrip(Store& store, const Author& actor, const std::string& trip_id, std::int64_t odometer_km,
                        LocalTime now) {
  auto trip = LoadTrip(store, trip_id);
  if (!trip.ok()) return trip.status();
  if (Status s = CheckRole(entity::kTrip, *trip, ev::kEnded, actor); !s.ok()) return s;
  if (Status s = CheckTripDriver(store, *trip, actor); !s.ok()) return s;
  const std::int64_t start_km = Int(trip->fields, "odometer_start");
  if (odometer_km < start_km)
    return Status::Refused("odometer_end",
                           {"the reading " + std::to_string(odometer_km) + " km is below the start reading " +
                                std::to_string(start_km) + " km",
                            "收车读数 " + std::to_string(odometer_km) + " 公里低于出车读数 " +
                                std::to_string(start_km) + " 公里"});
  if (auto started = Time(trip->fields, "started_at"); started && now < *started)
    return Status::Invalid("ended_at", {"the trip cannot end before it started (" + started->ToString() + ")",
                                        "收车时间不能早于出车时间(" + started->ToString() + ")"});
  const std::string car = Str(trip->fields, "car");
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kTrip), trip_id, std::string(ev::kEnded),
                        Json{{"odometer_end", odometer_km}, {"at", now.ToString()}}});
  cmd.drafts.push_back(OdometerDraft(car, odometer_km, trip_id));
  for (const auto& entry : TripRequests(trip->fields)) {
    auto req = FindRequest(store, entry.id);
    if (!req || req->status != "in_progress") continue;
    cmd.drafts.push_back(
        {std::string(entity::kRequest), entry.id, std::string(ev::kTripEnded), Json{{"trip", trip_id}}});
  }
  return cmd;
}

Result<Command> RecordExpense(Store& store, const Author& actor, const std::string& trip_id,
                              const std::string& category, std::int64_t amount_fen, const std::string& receipt,
                              const std::string& note, LocalTime now) {
  auto trip = LoadTrip(store, trip_id);
  if (!trip.ok()) return trip.status();
  if (Status s = CheckRole(entity::kTrip, *trip, ev::kExpense, actor); !s.ok()) return s;
  if (Status s = CheckTripDriver(store, *trip, actor); !s.ok()) return s;
  if (category != expense_category::kToll && category != expense_category::kParking &&
      category != expense_category::kOther)
    return Status::Invalid("category", {"unknown expense category " + category + " (toll, parking, other)",
                                        "未知的费用类别 " + category + "(过路费、停车费、其他)"});
  if (amount_fen <= 0) return Status::Invalid("amount_fen", {"the amount must be positive", "金额必须大于零"});
  if (Trim(receipt).empty()) return Missing("receipt", "the receipt number", "票据号");
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kTrip), trip_id, std::string(ev::kExpense),
                        Json{{"category", category},
                             {"amount_fen", amount_fen},
                             {"receipt", Trim(receipt)},
                             {"note", Trim(note)},
                             {"at", now.ToString()}}});
  return cmd;
}

Result<Command> SettleTrip(Store& store, const Author& actor, const std::string& trip_id, LocalTime now) {
  auto trip = LoadTrip(store, trip_id);
  if (!trip.ok()) return trip.status();
  if (Status s = CheckRole(entity::kTrip, *trip, ev::kClosed, actor); !s.ok()) return s;
  const Rules rules = LoadRules(store);
  const std::int64_t total = ExpenseTotal(trip->fields);
  Command cmd;
  if (auto due = DueDate(*trip, rules); due && total > 0 && now.date > *due)
    cmd.warnings.push_back({"settled_late",
                            {"settled after the due date " + due->ToString() + " (" +
                                 std::to_string(rules.expense_settle_days) + " days after the trip)",
                             "超过结清期限 " + due->ToString() + "(公出结束后" +
                                 std::to_string(rules.expense_settle_days) + "日内结清费用)"}});
  cmd.drafts.push_back({std::string(entity::kTrip), trip_id, std::string(ev::kClosed),
                        Json{{"settled_fen", total}, {"at", now.ToString()}}});
  return cmd;
}

// ---------------------------------------------------------------------------
// Reports

std::optional<TripSummary> FindTrip(Store& store, const std::string& trip_id) {
  auto v = Load(store, entity::kTrip, trip_id);
  if (!v) return std::nullopt;
  DepartmentCache departments(store);
  return ToTripSummary(*v, departments);
}

namespace {
bool ByStart(const TripSummary& a, const TripSummary& b) { return std::tie(a.start, a.id) < std::tie(b.start, b.id); }
}  // namespace

std::vector<TripSummary> TripsOfCar(Store& store, const std::string& car_id, Date from, Date to) {
  std::vector<TripSummary> out;
  std::set<std::string> seen;
  DepartmentCache departments(store);
  // The booking groups hold every live trip of the car on each day its window touches.
  for (Date d = from; d <= to; d = d.AddDays(1)) {
    auto members = store.GroupMembers(kCarBooking, car_id + "@" + d.ToString());
    if (!members.ok()) continue;
    for (const auto& m : *members) {
      if (!seen.insert(m.key.id).second) continue;
      auto start = Time(m.fields, "start");
      if (!start || start->date < from || start->date > to) continue;
      out.push_back(ToTripSummary(m, departments));
    }
  }
  std::sort(out.begin(), out.end(), ByStart);
  return out;
}

std::vector<TripSummary> ListTrips(Store& store, Date from, Date to) {
  std::vector<TripSummary> out;
  DepartmentCache departments(store);
  (void)store.ForEachRecord(std::string(entity::kTrip), [&](const RecordView& v) {
    auto start = Time(v.fields, "start");
    if (start && start->date >= from && start->date <= to) out.push_back(ToTripSummary(v, departments));
  });
  std::sort(out.begin(), out.end(), ByStart);
  return out;
}

std::vector<ExpenseDue> ExpensesDue(Store& store, Date today) {
  std::vector<ExpenseDue> out;
  const Rules rules = LoadRules(store);
  (void)store.ForEachRecord(std::string(entity::kTrip), [&](const RecordView& v) {
    if (Str(v.fields, "status") != "ended") return;
    const std::int64_t total = ExpenseTotal(v.fields);
    auto due = DueDate(v, rules);
    if (total <= 0 || !due) return;
    ExpenseDue row;
    row.trip = v.key.id;
    row.car = Str(v.fields, "car");
    row.driver = Str(v.fields, "driver");
    row.ended = Time(v.fields, "ended_at")->date;
    row.due = *due;
    row.amount_fen = total;
    row.overdue = today > *due;
    out.push_back(std::move(row));
  });
  std::sort(out.begin(), out.end(),
            [](const ExpenseDue& a, const ExpenseDue& b) { return std::tie(a.due, a.trip) < std::tie(b.due, b.trip); });
  return out;
}

namespace {
template <typename KeysOf>
std::vector<UsageRow> Usage(Store& store, Date from, Date to, KeysOf keys_of) {
  std::map<std::string, UsageRow> rows;
  for (const auto& t : ListTrips(store, from, to)) {
    if (t.status != "ended" && t.status != "closed") continue;
    std::int64_t minutes = 0;
    if (t.started_at && t.ended_at)
      minutes = std::max<std::int64_t>(0, t.ended_at->MinutesSinceEpoch() - t.started_at->MinutesSinceEpoch());
    for (const auto& [key, requests] : keys_of(t)) {
      UsageRow& row = rows[key];
      row.key = key;
      row.trips += 1;
      row.distance_km += t.distance_km;
      row.minutes += minutes;
      row.requests += requests;
    }
  }
  std::vector<UsageRow> out;
  for (auto& [key, row] : rows) out.push_back(std::move(row));
  return out;
}
}  // namespace

std::vector<UsageRow> UsageByCar(Store& store, Date from, Date to) {
  return Usage(store, from, to, [](const TripSummary& t) {
    return std::map<std::string, int>{{t.car, static_cast<int>(t.requests.size())}};
  });
}

std::vector<UsageRow> UsageByDepartment(Store& store, Date from, Date to) {
  DepartmentCache departments(store);
  return Usage(store, from, to, [&](const TripSummary& t) {
    std::map<std::string, int> out;
    for (const auto& r : t.requests)
      if (const std::string& d = departments.Of(r); !d.empty()) out[d] += 1;
    return out;
  });
}

void RegisterTrips(Domain& domain) {
  domain.Add(std::make_unique<RequestFold>());
  domain.Add(std::make_unique<TripFold>());
  domain.Add(std::make_unique<BookingConstraint>(kCarBooking, "car", "booking_event", "double_booking",
                                                 Text{"car", "车辆"}));
  domain.Add(std::make_unique<BookingConstraint>(kDriverBooking, "driver", "driver_event", "driver_double_booking",
                                                 Text{"driver", "驾驶员"}));
  domain.Add(std::make_unique<TripRequestsConstraint>());
  domain.Add(std::make_unique<RequestPoolConstraint>());
}

}  // namespace houqin::cars
