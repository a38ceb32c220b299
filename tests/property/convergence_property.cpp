// Property: replicas that exchange events over an unreliable network converge.
//
// Each case has 2 to 8 replicas running the full Houqin domain. Replicas make
// offline edits (including steps out of workflow order and overlapping
// bookings of one car, so that conflicts arise), and gossip what they hold to
// one another with random loss, duplication, reordering, batching and
// network partitions. At the end the partitions heal and everyone retries
// until nothing new arrives. Then every replica must hold every event, have
// the same state hash as every other and as a fresh replica fed everything in
// one batch, and its materialised state must equal a re-fold of its events.
//
//   convergence_property --cases N   (default 10000; ctest passes HOUQIN_PROPERTY_CASES)
#include <rapidcheck.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <iostream>
#include <set>
#include <string>

#include "domain.h"
#include "engine/store.h"
#include "test_support.h"

namespace houqin {
namespace {

struct Op {
  int replica;
  int entity;  // index into a small id space, so that replicas collide
  int kind;
  int field;   // payload variation
};

struct Delivery {
  int from, to;
  unsigned seed;        // drives loss, duplication, order and batch sizes
  int loss_percent;     // 0..60
  bool duplicate;
};

struct Action {
  int type;  // 0 op, 1 delivery, 2 partition toggle
  Op op;
  Delivery delivery;
  int a, b;
};

// A small vocabulary with the payload shapes the cars area writes, including
// steps out of workflow order (as offline devices produce them), self
// approvals, shared cars and drivers at overlapping times, and decreasing
// odometer readings, so that every kind of conflict arises.
std::vector<Draft> MakeDrafts(const Op& op, const std::string& author) {
  static const char* kCars[] = {"car-1", "car-2"};
  static const char* kTimes[] = {"2026-05-11T08:00", "2026-05-11T09:00", "2026-05-11T13:00", "2026-05-12T08:00"};
  const std::string car = kCars[op.field % 2];
  const std::string start = kTimes[op.field % 4];
  const std::string end = op.field % 4 == 3 ? "2026-05-12T18:00" : kTimes[(op.field % 4) + 1];
  const std::string id = std::to_string(op.entity);
  const std::string req = "req-" + id, trip = "trip-" + id;
  const Json location = {{"area", "office"}, {"building", "1号楼"}, {"floor", "3"}, {"room", "305"}};
  const std::string job = "job-" + id;
  const std::string shift = "s-" + std::to_string(op.field % 2);
  const std::string invite = "inv-" + std::to_string(op.entity % 3), visit = "v-" + id;
  switch (op.kind % 29) {
    case 0:
      return {{"user", "u" + id, "user.upserted", {{"name", "User " + std::to_string(op.field)}, {"roles", {"staff"}}}}};
    case 1:
      return {{"car_request", req, "request.submitted",
               {{"department", "d1"}, {"kind", "ordinary"}, {"passengers", 1 + op.field % 4}, {"departure", start},
                {"return_time", end}, {"origin", "机关大院"}, {"destination", "市政府"}, {"purpose", "会议"},
                {"estimated_km", 12}, {"work_required", false}, {"at", "2026-05-10T08:00"}}}};
    case 2:  // may be the requester's own approval: a self_approval conflict
      return {{"car_request", req, op.field % 3 == 0 ? "request.rejected" : "request.approved", {{"note", "同意"}}}};
    case 3:
      return {{"car_request", req, "request.cancelled", {{"reason", "改期"}, {"at", start}}}};
    case 4:
      return {{"trip", trip, "trip.dispatched",
               {{"car", car}, {"driver", "drv-" + std::to_string(op.field % 3)}, {"start", start}, {"end", end},
                {"work_required", false}, {"requests", {{{"id", req}, {"seated", 1}}}}}},
              {"car_request", req, "request.dispatched", {{"trip", trip}, {"seated", 1}}}};
    case 5:
      return {{"trip", trip, "trip.started", {{"odometer_start", 1000 + op.field}, {"at", start}}},
              {"car", car, "car.odometer_recorded", {{"km", 1000 + op.field}, {"trip", trip}}},
              {"car_request", req, "request.started", {{"trip", trip}}}};
    case 6:
      return {{"trip", trip, "trip.ended", {{"odometer_end", 990 + op.field * 3}, {"at", end}}},
              {"car_request", req, "request.trip_ended", {{"trip", trip}}}};
    case 7:
      return {{"trip", trip, "trip.reassigned", {{"car", car}, {"driver", "drv-1"}, {"reason", "改派"}}}};
    case 8:
      return {{"trip", trip, "trip.cancelled", {{"reason", "取消"}}}};
    case 9:
      return {{"car", car, op.field % 2 ? "car.sealed" : "car.unsealed", {{"reason", "封存"}}}};
    case 10:
      return {{"department", "d1", "department.upserted",
               {{"name", "处室" + std::to_string(op.field)}, {"approvers", {author}}}}};
    case 12:  // two cards on one car, or one number on two cars: fuel-card clashes
      return {{"fuel_card", "card-" + std::to_string(op.entity % 3), "fuel_card.issued",
               {{"number", "9100" + std::to_string(op.field % 2)}, {"car", car}}}};
    case 13:
      return {{"fill_up", "fill-" + id, "fill_up.requested",
               {{"car", car}, {"driver", author}, {"card", "91000"}, {"purpose", "出车"}, {"requested_at", start}}}};
    case 14:
      return {{"fill_up", "fill-" + id, op.field % 2 ? "fill_up.approved" : "fill_up.rejected",
               {{"other_locality_consent", op.field % 3 == 0}, {"reason", "超量"}}}};
    case 15: {
      static const char* kRepairSteps[] = {"car_repair.planned", "car_repair.priced", "car_repair.approved",
                                           "car_repair.agreed", "car_repair.rejected", "car_repair.started"};
      return {{"car_repair", "repair-" + id, kRepairSteps[op.field % 6],
               {{"car", car}, {"items", {{{"name", "刹车片"}, {"price_fen", 30000 + op.field}}}}, {"reason", "磨损"}}}};
    }
    case 16:
      return {{"repair", job, "repair.reported",
               {{"requester", "u1"}, {"category", "water"}, {"location", location}, {"description", "漏水"},
                {"urgency", "normal"}, {"photos", Json::array()}, {"at", start}}}};
    case 17:  // two different sizes offline: a workflow conflict
      return {{"repair", job, "repair.triaged",
               {{"size", op.field % 2 ? "large" : "small"}, {"due", end}, {"counted_from", start},
                {"working_days", op.field % 2 ? 3 : 1}, {"assumed", false}, {"at", start}}}};
    case 18:  // two coordinators assign different technicians: double_assignment
      return {{"repair", job, "repair.assigned",
               {{"technician", op.field % 2 ? "t1" : "t2"}, {"contractor", ""}, {"previous", ""}, {"note", ""},
                {"at", start}}}};
    case 19: {  // a cancel crossing a technician's start or done: cancelled_while_worked
      static const char* kSteps[] = {"repair.started", "repair.done", "repair.cancelled"};
      return {{"repair", job, kSteps[op.field % 3],
               {{"technician", "t1"}, {"note", ""}, {"photos", Json::array()}, {"reason", "不需要了"}, {"at", end}}}};
    }
    case 20:
      return {{"repair", job, op.field % 2 ? "repair.confirmed" : "repair.rejected",
               {{"rating", 1 + op.field % 5}, {"comment", ""}, {"on_behalf", false}, {"reason", "还漏"},
                {"due", end}, {"counted_from", start}, {"working_days", 1}, {"assumed", false}, {"at", end}}}};
    case 21:  // overlapping rosters of one officer: double_rostered
      return {{"duty_shift", shift, "duty_shift.rostered",
               {{"site", "hq"}, {"room", "room-1"}, {"date", "2026-05-11"}, {"start", start}, {"end", end},
                {"officers", {"o" + std::to_string(op.field % 3), "o" + std::to_string((op.field + 1) % 3)}},
                {"leader", "lead"}, {"at", "2026-05-10T09:00"}}}};
    case 22:  // entries, duplicates and late entries after a handover
      return {{"duty_shift", shift, "duty_shift.entry_logged",
               {{"entry", "e" + std::to_string(op.entity % 3)}, {"category", "routine"},
                {"text", "巡视" + std::to_string(op.field)}, {"urgent", false}, {"at", start}}}};
    case 23:  // concurrent edits of one entry
      return {{"duty_shift", shift, "duty_shift.entry_edited",
               {{"entry", "e" + std::to_string(op.entity % 3)}, {"base", ""},
                {"text", "改" + std::to_string(op.field)}, {"at", start}}}};
    case 24:  // a handover (a second one is a workflow conflict)
      return {{"duty_shift", shift, "duty_shift.handed_over",
               {{"outgoing", "o0"}, {"incoming", "o2"}, {"incoming_shift", ""}, {"at", end},
                {"checklist", {{"room_clean", op.field % 2 == 0}}}, {"checklist_notes", Json::object()},
                {"remarks", ""}, {"signatures", Json::array()},
                {"chain", {{"v", 1}, {"head", ""}, {"links", Json::array()}}}}}};
    case 25:  // a spot check recorded against a roster changed offline
      return {{"duty_spot_check", "sc-" + id, "duty_spot_check.recorded",
               {{"shift", shift}, {"officer", "o" + std::to_string(op.field % 3)}, {"present", op.field % 2 == 1},
                {"regular", false}, {"note", ""}, {"at", start}, {"fine_fen", 5000}, {"fined", {"o0", "o1"}}}}};
    case 26:  // personal data travels apart from the body
      return {{"visitor_invite", invite, "visitor_invite.created",
               {{"site", "main"}, {"host", author}, {"organisation", "区教育局"}, {"purpose", "商谈"},
                {"party_size", 1 + op.field % 3}, {"window_start", start}, {"window_end", end}, {"expires", end},
                {"single_use", op.field % 4 != 0}, {"signer_device", "dev-0"}, {"token", "AQE"}, {"at", start}},
               {{"name", "李娜"}, {"phone", "13900001111"}}}};
    case 27:  // one invite used at two kiosks: invite_reused
      return {{"visitor_visit", visit, "visitor_visit.checked_in",
               {{"site", "main"}, {"kind", "invited"}, {"organisation", "区教育局"}, {"host", "u1"},
                {"routed_to", ""}, {"purpose", ""}, {"party_size", 1}, {"invite", invite},
                {"invite_single_use", true}, {"invite_signer", "dev-0"}, {"document_kind", ""},
                {"notice_version", "2026.1"}, {"blocklist", Json::array()}, {"at", start}},
               {{"name", "李娜"}}}};
    case 28:  // a purge, sorting before or after the data it covers
      return {{op.field % 2 ? "visitor_visit" : "visitor_invite", op.field % 2 ? visit : invite, "personal.purged",
               {{"through", op.field % 3 ? "7fffffffffffffff" : "0000000000000001"}}}};
    default:
      return {{"trip", trip, "trip.expense_recorded",
               {{"category", "toll"}, {"amount_fen", 500 * (1 + op.field)}, {"receipt", "R" + id}}}};
  }
}

std::vector<Event> AllEvents(Store& s) {
  std::vector<Event> out;
  RC_ASSERT(s.ForEachEvent(0, [&](std::int64_t, const Event& e) {
              out.push_back(e);
              return true;
            }).ok());
  return out;
}

void Deliver(Store& from, Store& to, const Delivery& d) {
  std::vector<Event> events = AllEvents(from);
  std::mt19937 rng(d.seed);
  std::vector<Event> sent;
  for (auto& e : events) {
    if (static_cast<int>(rng() % 100) < d.loss_percent) continue;
    sent.push_back(e);
    if (d.duplicate && rng() % 4 == 0) sent.push_back(e);
  }
  std::shuffle(sent.begin(), sent.end(), rng);
  std::size_t i = 0;
  while (i < sent.size()) {
    const std::size_t n = 1 + rng() % 7;
    std::vector<Event> batch(sent.begin() + static_cast<long>(i),
                             sent.begin() + static_cast<long>(std::min(sent.size(), i + n)));
    auto r = to.Ingest(batch);
    RC_ASSERT(r.ok());
    i += n;
  }
}

bool Converged(const std::vector<std::unique_ptr<Store>>& stores) {
  std::set<std::string> hashes;
  for (auto& s : stores) hashes.insert(*s->StateHash());
  return hashes.size() == 1;
}

void RunCase(const std::vector<Action>& actions, int replicas) {
  testing::TempDir dir;
  auto domain = MakeDomain();
  ManualClock clock;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < replicas; ++i) {
    StoreOptions o;
    o.domain = domain.get();
    o.clock = &clock;
    o.device_id = "device-" + std::to_string(i);
    auto s = Store::Open(dir.File("r" + std::to_string(i) + ".db"), o);
    RC_ASSERT(s.ok());
    stores.push_back(std::move(*s));
  }
  std::set<std::pair<int, int>> cut;
  std::size_t made = 0;
  for (const auto& a : actions) {
    clock.Advance(1 + static_cast<int>(a.op.field % 3));
    if (a.type == 0 && a.op.kind == 29) {
      // The server's verdict on some event this replica holds: every replica
      // must fold that record as if the event were absent, wherever it sorts.
      auto& s = *stores[static_cast<std::size_t>(a.op.replica % replicas)];
      const auto held = AllEvents(s);
      if (held.empty()) continue;
      const Event& judged = held[static_cast<std::size_t>(a.op.entity * 13 + a.op.field) % held.size()];
      auto r = s.Append({"server", std::string(kServerRole), ""},
                        {RefusalDraft(judged, Status::Refused("role", {"not allowed", "无权操作"}))});
      RC_ASSERT(r.ok());
      ++made;
    } else if (a.type == 0) {
      auto& s = *stores[static_cast<std::size_t>(a.op.replica % replicas)];
      // Authors reuse the entity numbers, so some approvals are the requester's own.
      const Author author{"u" + std::to_string(a.op.entity), "dispatcher", ""};
      const auto drafts = MakeDrafts(a.op, author.user);
      auto r = s.Append(author, drafts);
      RC_ASSERT(r.ok());
      made += drafts.size();
    } else if (a.type == 1) {
      const int from = a.delivery.from % replicas, to = a.delivery.to % replicas;
      if (from == to || cut.count({std::min(from, to), std::max(from, to)})) continue;
      Deliver(*stores[static_cast<std::size_t>(from)], *stores[static_cast<std::size_t>(to)], a.delivery);
    } else {
      const int x = a.a % replicas, y = a.b % replicas;
      auto key = std::make_pair(std::min(x, y), std::max(x, y));
      if (!cut.erase(key)) cut.insert(key);
    }
  }
  // Heal: everyone retries with everyone, without loss, until a full round changes nothing.
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < replicas; ++i)
      for (int j = 0; j < replicas; ++j)
        if (i != j) Deliver(*stores[static_cast<std::size_t>(i)], *stores[static_cast<std::size_t>(j)],
                            {i, j, static_cast<unsigned>(round * 31 + i * 7 + j), 0, true});
  RC_ASSERT(Converged(stores));
  for (auto& s : stores) {
    RC_ASSERT(static_cast<std::size_t>(s->Stats()->events) == made);
    Status v = s->VerifyMaterialized();
    if (!v.ok()) RC_FAIL(v.ToString());
  }
  // A fresh replica fed every event at once, in order, agrees with the gossipers.
  StoreOptions o;
  o.domain = domain.get();
  o.clock = &clock;
  auto fresh = Store::Open(dir.File("fresh.db"), o);
  RC_ASSERT(fresh.ok());
  auto all = AllEvents(*stores[0]);
  std::sort(all.begin(), all.end(), OrderBefore);
  RC_ASSERT((*fresh)->Ingest(all).ok());
  RC_ASSERT(*(*fresh)->StateHash() == *stores[0]->StateHash());
}

rc::Gen<Action> GenAction() {
  // rapidcheck scales inRange by the size (max_size 40 would cap every field
  // at 40% of its range and never write the later kinds): fix the size so
  // every kind, entity and payload variant is drawn uniformly.
  return rc::gen::resize(100, rc::gen::apply(
      [](int type, int replica, int entity, int kind, int field, int to, unsigned seed, int loss, bool dup, int a,
         int b) {
        Action act{};
        act.type = type < 5 ? 0 : (type < 9 ? 1 : 2);
        act.op = {replica, entity, kind, field};
        act.delivery = {replica, to, seed, loss, dup};
        act.a = a;
        act.b = b;
        return act;
      },
      rc::gen::inRange(0, 10), rc::gen::inRange(0, 8), rc::gen::inRange(0, 4), rc::gen::inRange(0, 30),
      rc::gen::inRange(0, 12), rc::gen::inRange(0, 8), rc::gen::arbitrary<unsigned>(), rc::gen::inRange(0, 61),
      rc::gen::arbitrary<bool>(), rc::gen::inRange(0, 8), rc::gen::inRange(0, 8)));
}

}  // namespace
}  // namespace houqin

int main(int argc, char** argv) {
  int cases = 10000;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--cases") cases = std::atoi(argv[i + 1]);
  // Thousands of short-lived databases: on a memory file system their fsyncs
  // cost nothing, and the property is about merging, not disks.
  if (std::getenv("TMPDIR") == nullptr && std::filesystem::is_directory("/dev/shm")) setenv("TMPDIR", "/dev/shm", 1);
  // rapidcheck reads its parameters from RC_PARAMS; an explicit setting there wins.
  if (std::getenv("RC_PARAMS") == nullptr) {
    const std::string params = "max_success=" + std::to_string(cases) + " max_size=40";
    setenv("RC_PARAMS", params.c_str(), 1);
  }
  const bool ok = rc::check("replicas converge under loss, duplication, reordering and partitions", [] {
    const int replicas = *rc::gen::inRange(2, 9);
    const auto actions = *rc::gen::container<std::vector<houqin::Action>>(houqin::GenAction());
    houqin::RunCase(actions, replicas);
  });
  return ok ? 0 : 1;
}
