#include "sync/access.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "cars/fleet.h"
#include "cars/trips.h"
#include "cars/upkeep.h"
#include "directory/directory.h"
#include "domain.h"
#include "duty/duty.h"
#include "duty/internal.h"
#include "engine/payload.h"
#include "repairs/facilities.h"
#include "repairs/repairs.h"
#include "visitors/entities.h"
#include "visitors/invites.h"
#include "visitors/visitors.h"

namespace houqin::sync {

namespace {

using RoleList = std::vector<std::string_view>;

Status No(std::string field, std::string en, std::string zh) {
  return Status::Refused(std::move(field), {std::move(en), std::move(zh)});
}

std::string Str(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool Holds(const RoleList& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

// The server judges with the same folds every replica runs; the Store does not
// hand out its Domain, so the judge keeps its own (immutable, shared by threads).
const Domain& Folds() {
  static const std::unique_ptr<Domain> domain = MakeDomain();
  return *domain;
}

// Every entity with a lifecycle table, by entity type.
const Workflow* WorkflowOf(std::string_view type) {
  static const std::map<std::string_view, const Workflow*, std::less<>> tables(AllWorkflows().begin(),
                                                                                AllWorkflows().end());
  auto it = tables.find(type);
  return it == tables.end() ? nullptr : it->second;
}

// Kinds no workflow table lists (registers and the odometer), with the roles
// their commands admit. Keep in step with the commands named beside each.
struct RegisterKind {
  std::string_view type, kind;
  RoleList roles;
  Text action;
};
const std::vector<RegisterKind>& RegisterKinds() {
  static const std::vector<RegisterKind> kinds = {
      // RecordOdometer; trips write it with their start and end.
      {cars::entity::kCar, cars::car_event::kOdometerRecorded, {role::kDriver, role::kDispatcher, role::kAdmin},
       {"record the odometer", "录入里程表读数"}},
      // The directory and the sites' settings: houqin admin.
      {entity::kUser, "user.upserted", {role::kAdmin}, {"edit the directory of users", "维护用户名录"}},
      {entity::kDepartment, "department.upserted", {role::kAdmin}, {"edit the departments", "维护部门"}},
      {entity::kSiteConfig, "site_config.updated", {role::kAdmin}, {"change the site's settings", "修改院区设置"}},
      // repairs: UpsertArea, UpsertContractor, EvaluateContractor, DefineMaintenanceSchedule.
      {repairs::entity::kArea, "area.upserted", {role::kAdmin}, {"edit the areas", "维护区域"}},
      {repairs::entity::kContractor, "contractor.upserted", {role::kAdmin, role::kRepairCoordinator},
       {"edit the contractors", "维护外包单位"}},
      {repairs::entity::kContractorEvaluation, "contractor_evaluation.recorded", {role::kRepairCoordinator},
       {"evaluate a contractor", "考核外包单位"}},
      {repairs::entity::kMaintenanceSchedule, "maintenance_schedule.defined",
       {role::kRepairCoordinator, role::kAdmin}, {"define a maintenance schedule", "制定保养计划"}},
      // duty registers: SaveCheckpoint, SaveRoute, SavePlan (AdminOnly).
      {duty::entity::kCheckpoint, duty::kind::kCheckpointSaved, {role::kAdmin}, {"register checkpoints", "登记巡查点"}},
      {duty::entity::kRoute, duty::kind::kRouteSaved, {role::kAdmin}, {"register patrol routes", "登记巡查路线"}},
      {duty::entity::kPlan, duty::kind::kPlanSaved, {role::kAdmin}, {"register emergency plans", "登记应急预案"}},
  };
  return kinds;
}

const RegisterKind* FindRegisterKind(std::string_view type, std::string_view kind) {
  for (const auto& k : RegisterKinds())
    if (k.type == type && k.kind == kind) return &k;
  return nullptr;
}

Status RoleRefused(std::string_view role, const Text& action) {
  return No("role", "the role " + std::string(role) + " may not " + action.en,
            "角色 " + std::string(role) + " 无权" + action.zh);
}

// A record as the judge sees it: stored events plus those earlier in the push.
struct Record {
  bool exists = false;
  RecordView view;
};

Result<Record> Load(Store& store, const std::string& type, const std::string& id, const std::vector<Event>& earlier) {
  Record out;
  out.view.key = {type, id};
  out.view.fields = Json::object();
  std::vector<Event> pending;
  for (const auto& e : earlier)
    if (e.entity_type == type && e.entity_id == id) pending.push_back(e);
  if (pending.empty()) {
    auto got = store.Get(type, id);
    if (!got.ok()) return got.status();
    if (got->has_value()) {
      out.exists = true;
      out.view = std::move(**got);
    }
    return out;
  }
  auto stored = store.EventsOf(type, id);
  if (!stored.ok()) return stored.status();
  std::vector<Event> all = std::move(*stored);
  all.insert(all.end(), pending.begin(), pending.end());
  RecordState state = FoldRecord(Folds(), type, id, std::move(all));
  out.exists = true;
  out.view.fields = std::move(state.fields);
  out.view.purged_through = state.purged_through;
  return out;
}

// The user behind a driver record (trips name drivers, people sign in as users).
std::string DriverUser(Store& store, const std::string& driver_id, const std::vector<Event>& earlier) {
  if (driver_id.empty()) return {};
  auto driver = Load(store, std::string(cars::entity::kDriver), driver_id, earlier);
  if (!driver.ok() || !driver->exists) return {};
  return Str(driver->view.fields, "user_id");
}

Status TripDriverOnly(Store& store, const std::string& trip_id, const Author& author,
                      const std::vector<Event>& earlier) {
  auto trip = Load(store, std::string(cars::entity::kTrip), trip_id, earlier);
  if (!trip.ok()) return trip.status();
  return cars::CheckTripDriver(store, trip->view, author);
}

// The relations a role alone cannot express: who the author is to this record.
Status CheckRelation(Store& store, const Event& e, const Record& rec, const std::vector<Event>& earlier) {
  const Author& a = e.author;
  const Json& f = rec.view.fields;
  const std::string& kind = e.kind;

  // Official cars.
  if (kind == "request.approved" || kind == "request.rejected") {
    if (!rec.exists)
      return No("entity_id", "no car request " + e.entity_id + " to decide on", "没有用车申请 " + e.entity_id);
    return cars::MayDecideRequest(store, f, a);
  }
  if (kind == "request.cancelled") {
    if (a.user != Str(f, "requester"))
      return No("requester", "only the requester may cancel a car request", "只有申请人可以取消用车申请");
    return Status::Ok();
  }
  if (kind == "trip.request_withdrawn" && a.role != role::kDispatcher) {
    auto req = Load(store, std::string(cars::entity::kRequest), Str(e.payload, "request"), earlier);
    if (!req.ok()) return req.status();
    if (!req->exists || Str(req->view.fields, "requester") != a.user)
      return No("request", "only the requester withdraws their request from a trip", "只有申请人可以撤回自己的用车申请");
    return Status::Ok();
  }
  if (a.role == role::kDriver) {
    if (kind == "trip.started" || kind == "trip.ended" || kind == "trip.expense_recorded")
      return TripDriverOnly(store, e.entity_id, a, earlier);
    if (kind == "request.started" || kind == "request.trip_ended")
      return TripDriverOnly(store, Str(e.payload, "trip"), a, earlier);
    if (kind == cars::car_event::kOutOfService || kind == cars::car_event::kBackInService)
      return cars::CheckCustodian(store, rec.view, a);
    if (kind == cars::car_event::kOdometerRecorded) {
      const std::string trip = Str(e.payload, "trip");
      if (!trip.empty()) return TripDriverOnly(store, trip, a, earlier);
      return cars::CheckCustodian(store, rec.view, a);
    }
  }

  // Repairs: the requester's verdicts, the assigned technician's work.
  if (kind == "repair.confirmed" || kind == "repair.rejected" || kind == "repair.cancelled")
    return repairs::CheckRequester(rec.view, a);
  if (kind == "repair.started" || kind == "repair.cost_recorded" || kind == "repair.done" ||
      kind == "repair.cause_recorded")
    return repairs::CheckAssignedTechnician(store, rec.view, a);

  // Night duty.
  if (e.entity_type == duty::entity::kShift && kind != duty::kind::kRostered &&
      kind != duty::kind::kRosterChanged && kind != duty::kind::kShiftCancelled) {
    if (Status s = duty::internal::OnThisShift(rec.view, a); !s.ok()) return s;
    // The sealed log takes notes only: an edit is refused, not left to the fold, because the
    // author could see the handover had happened.
    if (kind == duty::kind::kEntryEdited && (Str(f, "status") == "handed_over" || f.contains("handover")))
      return duty::internal::Sealed(rec.view);
    return Status::Ok();
  }
  if (e.entity_type == duty::entity::kPatrol && kind != duty::kind::kPatrolStarted &&
      a.role != role::kRepairCoordinator) {
    if (a.user != Str(f, "patroller"))
      return No("patroller", "only " + Str(f, "patroller") + ", who walks this patrol, records it",
                "只有巡查人 " + Str(f, "patroller") + " 可以记录本次巡查");
    return Status::Ok();
  }
  if (kind == duty::kind::kPinSet && e.entity_id != a.user)
    return No("entity_id", "an officer sets their own PIN only", "值班人员只能设置自己的PIN");

  // Visitors: on another person's behalf only reception or the admin.
  if (kind == visitors::kind::kInviteCreated || kind == visitors::kind::kInviteCancelled) {
    const std::string host = kind == visitors::kind::kInviteCreated ? Str(e.payload, "host") : Str(f, "host");
    if (!host.empty() && host != a.user && !visitors::MayActForHost(a))
      return No("host", "only the host, reception or the admin may act on this invite",
                "只有被访人、会议接待科或管理员可以操作该邀请");
  }
  return Status::Ok();
}

// Who may clear a conflict mark: whoever keeps the record (a role its table
// names), its requester, or the admin.
Status MayResolve(const Event& e, const Record& rec, const Workflow* wf) {
  const Author& a = e.author;
  if (a.role == role::kAdmin) return Status::Ok();
  if (wf != nullptr)
    for (const auto& step : wf->steps())
      if (Holds(step.roles, a.role)) return Status::Ok();
  for (const auto& k : RegisterKinds())
    if (k.type == e.entity_type && Holds(k.roles, a.role)) return Status::Ok();
  if (!Str(rec.view.fields, "requester").empty() && Str(rec.view.fields, "requester") == a.user) return Status::Ok();
  return RoleRefused(a.role, {"resolve conflicts of this " + e.entity_type, "处理该记录的冲突"});
}

bool KioskWritable(std::string_view type) {
  return type == visitors::entity::kVisit || type == visitors::entity::kGroup;
}

}  // namespace

Status CheckAuthorClaim(const DeviceIdentity& device, const Event& e) {
  if (e.author.device != device.device_id)
    return No("author.device", "the event claims device " + e.author.device + ", not this device",
              "事件声称来自设备 " + e.author.device + ", 而非本设备");
  if (e.author.role == kServerRole)
    return No("author.role", "no device may act in the server's role", "任何设备都不能以服务器角色操作");
  if (device.user.empty())
    return No("author.user", "nobody is signed in on this device", "本设备尚无用户登录");
  if (e.author.user != device.user)
    return No("author.user", "the event claims user " + e.author.user + ", but " + device.user + " is signed in",
              "事件声称用户 " + e.author.user + ", 但登录的是 " + device.user);
  if (device.kind == kKiosk) {
    if (e.author.role != role::kKiosk)
      return No("author.role", "a kiosk acts in the role kiosk only", "自助机只能以自助机角色操作");
    return Status::Ok();
  }
  if (std::find(device.roles.begin(), device.roles.end(), e.author.role) == device.roles.end())
    return No("author.role", e.author.user + " does not hold the role " + e.author.role,
              e.author.user + " 不具有角色 " + e.author.role);
  return Status::Ok();
}

Status AuthorizeEvent(Store& store, const DeviceIdentity& device, const Event& e, const std::vector<Event>& earlier) {
  if (e.kind == kServerRefusedKind)
    return No("kind", "only the server gives verdicts", "只有服务器可以作出裁决");
  if (Status s = CheckAuthorClaim(device, e); !s.ok()) return s;
  const Author& a = e.author;
  if (a.role == role::kKiosk && !KioskWritable(e.entity_type))
    return No("role", "a kiosk only checks visitors in and out; it may not write a " + e.entity_type,
              "自助机只能办理来访登记和离开登记, 不能写入 " + e.entity_type);
  if (!Folds().Knows(e.entity_type))
    return No("entity_type", "unknown record type " + e.entity_type, "未知的记录类型 " + e.entity_type);

  auto rec = Load(store, e.entity_type, e.entity_id, earlier);
  if (!rec.ok()) return rec.status();
  const Workflow* wf = WorkflowOf(e.entity_type);

  if (e.kind == kConflictResolvedKind) {
    if (a.role == role::kKiosk) return RoleRefused(a.role, {"resolve conflicts", "处理冲突"});
    return MayResolve(e, *rec, wf);
  }
  if (e.kind == kPersonalPurgedKind) {
    if (a.role != role::kAdmin) return No("role", "only the admin purges personal data", "只有管理员可以清除个人信息");
    return Status::Ok();
  }

  if (const WorkflowStep* step = wf ? wf->Find(e.kind) : nullptr) {
    // The table's `from` is deliberately not judged: offline work that no longer
    // fits the record's status is the fold's conflict, not a refusal.
    if (!step->roles.empty() && !Holds(step->roles, a.role)) return RoleRefused(a.role, step->label);
  } else if (const RegisterKind* reg = FindRegisterKind(e.entity_type, e.kind)) {
    if (!Holds(reg->roles, a.role)) return RoleRefused(a.role, reg->action);
  } else {
    return No("kind", "unknown step " + e.kind + " for a " + e.entity_type,
              e.entity_type + " 没有步骤 " + e.kind);
  }
  return CheckRelation(store, e, *rec, earlier);
}

// ---------------------------------------------------------------------------
// Scopes

namespace {

void Add(std::vector<ScopeKey>& keys, std::string key, std::optional<Date> last_day = std::nullopt) {
  if (key.empty()) return;
  for (const auto& k : keys)
    if (k.key == key) return;
  keys.push_back({std::move(key), last_day});
}

void AddUser(std::vector<ScopeKey>& keys, const std::string& user) {
  if (!user.empty()) Add(keys, "user:" + user);
}

std::optional<Date> DayOf(const Json& f, const char* key) {
  auto t = LocalTime::Parse(Str(f, key));
  if (t) return t->date;
  return Date::Parse(Str(f, key));
}

// The site of a duty record, from the record or from the shift it belongs to.
std::string DutySite(Store& store, const Json& f) {
  if (std::string site = Str(f, "site"); !site.empty()) return site;
  const std::string shift = Str(f, "shift");
  if (shift.empty()) return {};
  auto v = store.Get(std::string(duty::entity::kShift), shift);
  if (!v.ok() || !v->has_value()) return {};
  return Str((*v)->fields, "site");
}

std::string UserSite(Store& store, const std::string& user) {
  auto v = store.Get(std::string(entity::kUser), user);
  if (!v.ok() || !v->has_value()) return {};
  return Str((*v)->fields, "site");
}

bool IsFleetType(std::string_view t) {
  return t == cars::entity::kCar || t == cars::entity::kDriver || t == cars::entity::kRequest ||
         t == cars::entity::kTrip || t == cars::entity::kFuelCard || t == cars::entity::kFillUp ||
         t == cars::entity::kReconciliation || t == cars::entity::kRepairPlan || t == cars::entity::kProvider;
}

bool IsRepairsType(std::string_view t) {
  return t == repairs::entity::kRepair || t == repairs::entity::kLossReport || t == repairs::entity::kArea ||
         t == repairs::entity::kContractor || t == repairs::entity::kContractorEvaluation ||
         t == repairs::entity::kRectification || t == repairs::entity::kMaintenanceSchedule ||
         t == repairs::entity::kMaintenanceJob || t == repairs::entity::kMajorRepair ||
         t == repairs::entity::kInspection;
}

bool IsDutyType(std::string_view t) { return t.substr(0, 5) == "duty_"; }

// The requests a trip serves, from its folded `requests` entries ({id, seated, event}).
std::vector<std::string> TripRequestIds(const Json& f) {
  std::vector<std::string> out;
  for (const auto& r : payload::Arr(f, "requests"))
    if (std::string id = Str(r, "id"); !id.empty()) out.push_back(std::move(id));
  return out;
}

std::string FieldOf(Store& store, std::string_view type, const std::string& id, const char* key) {
  if (id.empty()) return {};
  auto v = store.Get(std::string(type), id);
  if (!v.ok() || !v->has_value()) return {};
  return Str((*v)->fields, key);
}

}  // namespace

std::vector<ScopeKey> RecordScopes(Store& store, const RecordView& record) {
  std::vector<ScopeKey> keys;
  Add(keys, std::string(scope::kAll));
  const std::string& type = record.key.type;
  const Json& f = record.fields;

  if (type == entity::kUser || type == entity::kDepartment) {
    Add(keys, std::string(scope::kDirectory));
  } else if (type == entity::kSiteConfig) {
    Add(keys, std::string(scope::kConfig));
    Add(keys, std::string(scope::kConfig) + ":" + record.key.id);
  } else if (type == visitors::entity::kDeviceKey) {
    Add(keys, std::string(scope::kKeys));
  } else if (IsFleetType(type)) {
    Add(keys, std::string(scope::kFleet));
    if (type == cars::entity::kCar) Add(keys, std::string(scope::kCars));
    if (type == cars::entity::kDriver) AddUser(keys, Str(f, "user_id"));
    if (type == cars::entity::kRequest) {
      AddUser(keys, Str(f, "requester"));
      const std::string dept = Str(f, "department");
      if (!dept.empty()) {
        Add(keys, "dept:" + dept);
        for (const auto& approver : directory::Approvers(store, dept)) AddUser(keys, approver);
      }
    }
    // Each side reads the relation from its own list (the request's `trips`, the trip's `requests`), so a
    // key follows the record that names it; ScopeDependents re-evaluates the other side when one changes.
    if (type == cars::entity::kRequest)  // the drivers of its trips: who to pick up, where, when
      for (const auto& trip : payload::Strings(f, "trips"))
        AddUser(keys, DriverUser(store, FieldOf(store, cars::entity::kTrip, trip, "driver"), {}));
    if (type == cars::entity::kTrip) {
      AddUser(keys, DriverUser(store, Str(f, "driver"), {}));
      // The requesters it serves: which car, which driver, when.
      for (const auto& request : TripRequestIds(f))
        AddUser(keys, FieldOf(store, cars::entity::kRequest, request, "requester"));
    }
    if (type == cars::entity::kFillUp) AddUser(keys, Str(f, "driver"));
    if (type == cars::entity::kRepairPlan) AddUser(keys, Str(f, "planned_by"));
  } else if (IsRepairsType(type)) {
    Add(keys, std::string(scope::kRepairs));
    if (type == repairs::entity::kArea) Add(keys, std::string(scope::kAreas));
    if (type == repairs::entity::kInspection) Add(keys, std::string(scope::kInspections));
    if (type == repairs::entity::kRepair) {
      AddUser(keys, Str(f, "requester"));
      AddUser(keys, Str(f, "technician"));
    }
  } else if (IsDutyType(type)) {
    Add(keys, std::string(scope::kDuty));
    std::string site = type == duty::entity::kProfile ? UserSite(store, record.key.id) : DutySite(store, f);
    Add(keys, site.empty() ? std::string(scope::kDutyAnySite) : "duty:" + site);
    if (type == duty::entity::kProfile) AddUser(keys, record.key.id);
    if (type == duty::entity::kCheckpoint || type == duty::entity::kRoute || type == duty::entity::kPatrol)
      Add(keys, site.empty() ? std::string(scope::kPatrolAnySite) : "patrol:" + site);
  } else if (type == visitors::entity::kVisit || type == visitors::entity::kInvite ||
             type == visitors::entity::kGroup) {
    std::optional<Date> last_day;
    if (type == visitors::entity::kVisit) {
      // Still on site: every kiosk of the site keeps it until it leaves.
      if (Str(f, "status") != "on_site") last_day = DayOf(f, "checked_in_at");
    } else {
      last_day = DayOf(f, "window_end");
    }
    Add(keys, "site:" + Str(f, "site") + ":visitors", last_day);
    AddUser(keys, Str(f, "host"));
  } else if (type == visitors::entity::kBlock) {
    const std::string site = Str(f, "site");
    Add(keys, site.empty() ? std::string(scope::kBlocksAllSites) : "site:" + site + ":visitors");
  }
  return keys;
}

void ScopeDependents::Add(std::string_view type, const std::string& id) {
  if (!id.empty()) found_.push_back({std::string(type), id});
}

void ScopeDependents::Note(const RecordView& r) {
  noted_.insert(r.key);
  const std::string& type = r.key.type;
  if (type == cars::entity::kTrip) {
    for (const auto& request : TripRequestIds(r.fields)) Add(cars::entity::kRequest, request);
  } else if (type == cars::entity::kRequest) {
    for (const auto& trip : payload::Strings(r.fields, "trips")) Add(cars::entity::kTrip, trip);
  } else if (type == cars::entity::kDriver) {
    drivers_.insert(r.key.id);
  } else if (type == entity::kDepartment) {
    departments_.insert(r.key.id);
  } else if (type == entity::kUser) {
    Add(duty::entity::kProfile, r.key.id);  // keyed by the user's site
  }
}

Result<std::vector<RecordKey>> ScopeDependents::Finish(Store& store) {
  // Drivers and departments name no list of their trips or requests: one scan each, only in the (rare)
  // passes that change a driver record (its user) or a department (its approvers).
  if (!drivers_.empty()) {
    Status s = store.ForEachRecord(std::string(cars::entity::kTrip), [&](const RecordView& t) {
      if (!drivers_.contains(Str(t.fields, "driver"))) return;
      Add(cars::entity::kTrip, t.key.id);
      // The trip's requests carry its driver's key too.
      for (const auto& request : TripRequestIds(t.fields)) Add(cars::entity::kRequest, request);
    });
    if (!s.ok()) return s;
  }
  if (!departments_.empty()) {
    Status s = store.ForEachRecord(std::string(cars::entity::kRequest), [&](const RecordView& q) {
      if (departments_.contains(Str(q.fields, "department"))) Add(cars::entity::kRequest, q.key.id);
    });
    if (!s.ok()) return s;
  }
  std::vector<RecordKey> out;
  std::set<RecordKey> seen = noted_;
  for (auto& key : found_)
    if (seen.insert(key).second) out.push_back(std::move(key));
  found_.clear();
  return out;
}

std::vector<ReadScope> DeviceScopes(const DeviceIdentity& device) {
  std::vector<ReadScope> out;
  const auto add = [&out](std::string key, bool bounded = false) {
    for (const auto& r : out)
      if (r.key == key) return;
    out.push_back({std::move(key), bounded});
  };
  if (device.kind == kKiosk) {
    if (!device.site.empty()) add("site:" + device.site + ":visitors", true);
    add(std::string(scope::kBlocksAllSites));
    add(std::string(scope::kKeys));
    add(std::string(scope::kDirectory));
    add(std::string(scope::kConfig) + ":visitors");
    return out;
  }
  if (device.user.empty()) return out;
  add("user:" + device.user);
  add(std::string(scope::kDirectory));
  add(std::string(scope::kConfig));
  add(std::string(scope::kCars));
  add(std::string(scope::kAreas));
  const auto has = [&device](std::string_view r) {
    return std::find(device.roles.begin(), device.roles.end(), r) != device.roles.end();
  };
  if (has(role::kAdmin)) add(std::string(scope::kAll));
  if (has(role::kApprover) && !device.department.empty()) add("dept:" + device.department);
  for (auto r : {role::kDispatcher, role::kFleetClerk, role::kDirector, role::kOfficeDirector, role::kFinance})
    if (has(r)) add(std::string(scope::kFleet));
  for (auto r : {role::kRepairCoordinator, role::kTechnician, role::kFinance, role::kDirector, role::kOfficeDirector})
    if (has(r)) add(std::string(scope::kRepairs));
  for (auto r : {role::kRepairCoordinator, role::kTechnician, role::kGuard, role::kDutyOfficer, role::kDirector,
                 role::kOfficeDirector})
    if (has(r)) add(std::string(scope::kInspections));
  if (has(role::kDutyOfficer) || has(role::kDutyLeader)) {
    if (!device.site.empty()) add("duty:" + device.site);
    add(std::string(scope::kDutyAnySite));
  }
  if (has(role::kDirector) || has(role::kOfficeDirector)) add(std::string(scope::kDuty));
  if (has(role::kGuard)) {
    if (!device.site.empty()) add("patrol:" + device.site);
    add(std::string(scope::kPatrolAnySite));
  }
  if (has(role::kGuard) || has(role::kReception)) {
    if (!device.site.empty()) add("site:" + device.site + ":visitors");
    add(std::string(scope::kBlocksAllSites));
    add(std::string(scope::kKeys));
  }
  return out;
}

bool ReceivesPersonal(const DeviceIdentity& device, const Event& e) {
  if (device.kind != kKiosk) return true;
  // The host directory goes to a kiosk by name and department only.
  return e.entity_type != entity::kUser && e.entity_type != entity::kDepartment;
}

}  // namespace houqin::sync
