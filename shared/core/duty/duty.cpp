// Night duty: workflow tables, rules, folds and constraints.
//
// Merge rules (every replica folds the same bytes; MERGE-RULES.md has the same text):
//  duty_checkpoint/<id>, duty_route/<id>, duty_plan/<id>
//   - registers the admin writes: fields last-writer-wins in event order (FieldsFold). A
//     checkpoint keeps its code only as code_hash = SHA-256(id, code).
//  duty_profile/<user>
//   - ProfileWorkflow(); pin_set replaces salt, hash and KDF parameters; pin_reset clears them.
//   - a pin_set whose "base" is not the PIN event the record holds (two devices set a PIN
//     offline) marks "concurrent_pin_change"; the later one in event order is the PIN.
//  duty_shift/<id>
//   - ShiftWorkflow(); roster fields last-writer-wins (rostered, roster_changed);
//     "roster_event" names the event that last set officers or times.
//   - checked_in keeps each person's first check-in (later ones change nothing).
//   - every log event (entry_logged, entry_edited, note_appended) folded before the handover
//     is listed in "log", whatever its status, because the handover's chain covers exactly
//     those events in the order the handing-over device folded them.
//   - entry_edited whose "base" is not the entry's current version (two officers edited
//     offline) marks "concurrent_edit" naming both edits; the later one in event order is the
//     current version. An edit of an entry the record does not know marks "unknown_entry".
//   - handed_over (on_duty -> handed_over) compares "log" with the event ids its chain covers:
//     every log event it does not cover is "late" and marks "late_entry" (naming the event and
//     the handover). Entries and edits folded after the handover are late too; they never go
//     through the table and never change a sealed entry. Notes after the handover are normal.
//   - a second handover (two devices) is kept and marks "workflow".
//  duty_spot_check/<id>
//   - SpotCheckWorkflow(); the payload carries the fine per officer and the officers fined, as
//     the checker's device judged them: the fold never recomputes an amount.
//  duty_escalation/<id>
//   - EscalationWorkflow(); an acknowledgement arriving after the first one is kept in
//     "also_acknowledged_by" without a conflict: both people meant the same thing.
//  duty_patrol/<id>
//   - PatrolWorkflow(); the route is copied at start. A scan that is not the next checkpoint
//     of the route (only from a faulty or racing device) marks "out_of_order" and changes
//     nothing. Findings are appended; finding_linked sets a finding's repair request
//     (last writer wins).
//  Constraints
//   - duty_roster (group officer@day for each day a live shift touches): two live shifts of
//     one officer whose windows overlap both carry "double_rostered", naming both roster
//     events; evaluated only in the group of the day the overlap starts.
//   - duty_shift_records (group = shift id: the shift, its spot checks, escalations and
//     patrols): a recorded spot check of an officer who is not on the shift's roster (the
//     roster changed offline) marks "spot_check_off_roster" on the spot check and the shift.
//   - duty_month (site@YYYY-MM) and duty_inbox (leader of an open escalation): indexes only.
#include "duty/duty.h"

#include <set>

#include "duty/internal.h"

namespace houqin::duty {

using namespace internal;

// ---------------------------------------------------------------------------
// Workflow tables

const Workflow& ShiftWorkflow() {
  static const Workflow wf(
      entity::kShift,
      {
          {"rostered", {"rostered", "已排班"}},
          {"on_duty", {"on duty", "值班中"}},
          {"handed_over", {"handed over", "已交接"}},
          {"cancelled", {"cancelled", "已取消"}},
      },
      {
          {kind::kRostered, {"roster the shift", "排班"}, {""}, "rostered", {role::kAdmin}},
          {kind::kRosterChanged, {"change the roster", "调整排班"}, {"rostered", "on_duty"}, "", {role::kAdmin}},
          {kind::kShiftCancelled, {"cancel the shift", "取消班次"}, {"rostered"}, "cancelled", {role::kAdmin}},
          {kind::kCheckedIn, {"check in", "签到"}, {"rostered", "on_duty"}, "on_duty",
           {role::kDutyOfficer, role::kDutyLeader}},
          {kind::kEntryLogged, {"write a log entry", "填写值班记录"}, {"on_duty"}, "",
           {role::kDutyOfficer, role::kDutyLeader}},
          {kind::kEntryEdited, {"edit a log entry", "修改值班记录"}, {"on_duty"}, "",
           {role::kDutyOfficer, role::kDutyLeader}},
          // The sealed log takes appended notes (our decision: 只能追加备注).
          {kind::kNoteAppended, {"append a note", "追加备注"}, {"on_duty", "handed_over"}, "",
           {role::kDutyOfficer, role::kDutyLeader}},
          {kind::kHandedOver, {"hand over", "交接班"}, {"on_duty"}, "handed_over",
           {role::kDutyOfficer, role::kDutyLeader}},
      });
  return wf;
}

const Workflow& SpotCheckWorkflow() {
  static const Workflow wf(entity::kSpotCheck,
                           {
                               {"recorded", {"recorded", "已记录"}},
                               {"voided", {"voided", "已作废"}},
                           },
                           {
                               {kind::kSpotChecked, {"record a spot check", "记录抽查"}, {""}, "recorded",
                                {role::kDutyLeader, role::kOfficeDirector, role::kDirector, role::kAdmin}},
                               {kind::kSpotCheckVoided, {"void the spot check", "作废抽查记录"}, {"recorded"},
                                "voided", {role::kAdmin, role::kOfficeDirector}},
                           });
  return wf;
}

const Workflow& EscalationWorkflow() {
  static const Workflow wf(entity::kEscalation,
                           {
                               {"open", {"open", "待处理"}},
                               {"acknowledged", {"acknowledged", "已确认"}},
                           },
                           {
                               {kind::kEscalationRaised, {"report to the duty leader", "上报带班领导"}, {""}, "open",
                                {role::kDutyOfficer, role::kDutyLeader}},
                               {kind::kEscalationAcknowledged, {"acknowledge", "确认收到"}, {"open"},
                                "acknowledged", {role::kDutyLeader}},
                           });
  return wf;
}

const Workflow& PatrolWorkflow() {
  static const Workflow wf(
      entity::kPatrol,
      {
          {"in_progress", {"under way", "巡查中"}},
          {"finished", {"finished", "已完成"}},
      },
      {
          {kind::kPatrolStarted, {"start the patrol", "开始巡查"}, {""}, "in_progress",
           {role::kDutyOfficer, role::kDutyLeader, role::kGuard}},
          {kind::kCheckpointScanned, {"scan a checkpoint", "巡查点打卡"}, {"in_progress"}, "",
           {role::kDutyOfficer, role::kDutyLeader, role::kGuard}},
          {kind::kCheckpointSkipped, {"skip a checkpoint", "跳过巡查点"}, {"in_progress"}, "",
           {role::kDutyOfficer, role::kDutyLeader, role::kGuard}},
          {kind::kFindingRecorded, {"record a finding", "记录巡查发现"}, {"in_progress"}, "",
           {role::kDutyOfficer, role::kDutyLeader, role::kGuard}},
          {kind::kFindingLinked, {"link the repair request", "关联维修单"}, {"in_progress", "finished"}, "",
           {role::kDutyOfficer, role::kDutyLeader, role::kGuard, role::kRepairCoordinator}},
          {kind::kPatrolFinished, {"finish the patrol", "结束巡查"}, {"in_progress"}, "finished",
           {role::kDutyOfficer, role::kDutyLeader, role::kGuard}},
      });
  return wf;
}

const Workflow& ProfileWorkflow() {
  static const Workflow wf(entity::kProfile,
                           {
                               {"active", {"PIN set", "已设置PIN"}},
                               {"reset", {"PIN cleared", "PIN已清除"}},
                           },
                           {
                               {kind::kPinSet, {"set the PIN", "设置PIN"}, {"", "active", "reset"}, "active",
                                {role::kDutyOfficer, role::kDutyLeader}},
                               {kind::kPinReset, {"clear the PIN", "清除PIN"}, {"active"}, "reset", {role::kAdmin}},
                           });
  return wf;
}

// ---------------------------------------------------------------------------
// Rules

using payload::Take;

void ApplyOverrides(Rules& r, const Json& f) {
  Take(f, "absence_fine_enabled", r.absence_fine_enabled);
  Take(f, "absence_fine_fen", r.absence_fine_fen);
  Take(f, "fine_includes_leader", r.fine_includes_leader);
  Take(f, "checkin_early_minutes", r.checkin_early_minutes);
  Take(f, "checkin_grace_minutes", r.checkin_grace_minutes);
  Take(f, "handover_grace_minutes", r.handover_grace_minutes);
  std::vector<std::string> checklist;
  Take(f, "checklist", checklist);
  if (!checklist.empty()) r.checklist = std::move(checklist);
}

Rules LoadRules(Store& store) {
  Rules r;
  auto rec = store.Get(std::string(houqin::entity::kSiteConfig), "duty");
  if (rec.ok() && rec->has_value()) ApplyOverrides(r, (*rec)->fields);
  return r;
}

Draft SetRules(const Json& overrides) {
  return {std::string(houqin::entity::kSiteConfig), "duty", "site_config.updated", overrides};
}

Text ChecklistLabel(std::string_view item) {
  if (item == checklist_item::kLogComplete) return {"duty log complete", "值班记录填写完整"};
  if (item == checklist_item::kRoomClean) return {"duty room clean and in order", "值班室卫生整洁、物品整齐"};
  if (item == checklist_item::kEquipmentOk) return {"phones, radios and equipment working", "通讯设备完好"};
  if (item == checklist_item::kKeysHanded) return {"keys and items handed over", "钥匙、物品已交接"};
  if (item == checklist_item::kMattersBriefed) return {"open matters briefed", "未尽事项已交代"};
  return {std::string(item), std::string(item)};
}

namespace {
struct CategoryRow {
  std::string_view name;
  Text label;
};
const std::vector<CategoryRow>& Categories() {
  static const std::vector<CategoryRow> rows = {
      {category::kRoutine, {"routine", "日常"}},
      {category::kCall, {"phone call", "来电"}},
      {category::kVisit, {"visit", "来访"}},
      {category::kFire, {"fire", "火灾"}},
      {category::kFlood, {"flood", "防汛"}},
      {category::kUtility, {"water or power cut", "停水停电"}},
      {category::kSecurity, {"security", "治安"}},
      {category::kMedical, {"medical emergency", "医疗急救"}},
      {category::kPetition, {"petition", "信访"}},
      {category::kPublicHealth, {"public health", "公共卫生"}},
      {category::kWeather, {"severe weather", "气象灾害"}},
      {category::kFacility, {"damaged facility", "设施损坏"}},
      {category::kOther, {"other", "其他"}},
  };
  return rows;
}
}  // namespace

bool KnownCategory(std::string_view c) {
  const auto& rows = Categories();
  return std::any_of(rows.begin(), rows.end(), [&](const CategoryRow& r) { return r.name == c; });
}

Text CategoryLabel(std::string_view c) {
  for (const auto& r : Categories())
    if (r.name == c) return r.label;
  return {std::string(c), std::string(c)};
}

// ---------------------------------------------------------------------------
// Internal helpers

namespace internal {

Result<RecordView> LoadShift(Store& store, const std::string& shift_id) {
  if (shift_id.empty()) return Missing("shift", "the shift", "班次");
  auto v = Load(store, entity::kShift, shift_id);
  if (!v) return Status::NotFound("shift", {"no duty shift " + shift_id, "没有值班班次 " + shift_id});
  return std::move(*v);
}

bool OnShift(const Json& f, const std::string& user) {
  return !user.empty() && (Contains(Strings(f, "officers"), user) || Str(f, "leader") == user);
}

std::vector<Date> DaysOf(LocalTime start, LocalTime end) {
  std::vector<Date> out;
  if (!(start < end)) return out;
  const Date last = end.AddMinutes(-1).date;
  // A window longer than kMaxShiftMinutes only comes from a faulty replica: cut it.
  for (Date d = start.date; d <= last && out.size() <= static_cast<std::size_t>(kMaxShiftMinutes / 1440);
       d = d.AddDays(1))
    out.push_back(d);
  return out;
}

bool ShiftIsLive(std::string_view status) {
  return status == "rostered" || status == "on_duty" || status == "handed_over";
}

std::string CodeHash(const std::string& checkpoint_id, const std::string& code) {
  Sha256Hasher h;
  h.UpdateField("houqin.duty.checkpoint.v1");
  h.UpdateField(checkpoint_id);
  h.UpdateField(code);
  return ToHex(h.Finish());
}

ShiftInfo ToShiftInfo(const RecordView& v) {
  const Json& f = v.fields;
  ShiftInfo s;
  s.id = v.key.id;
  s.site = Str(f, "site");
  s.room = Str(f, "room");
  s.status = Str(f, "status");
  s.leader = Str(f, "leader");
  s.date = Date::Parse(Str(f, "date")).value_or(Date{});
  s.start = Time(f, "start").value_or(LocalTime{});
  s.end = Time(f, "end").value_or(LocalTime{});
  s.officers = Strings(f, "officers");
  if (auto it = f.find("checkins"); it != f.end() && it->is_object())
    for (const auto& [user, at] : it->items())
      if (at.is_string()) s.checkins[user] = at.get<std::string>();
  if (auto it = f.find("entries"); it != f.end() && it->is_object()) s.entries = static_cast<int>(it->size());
  s.late_events = Strings(f, "late");
  if (auto it = f.find("handover"); it != f.end() && it->is_object()) {
    s.handover_event = Str(*it, "event");
    s.handed_over_at = Time(*it, "at");
  }
  s.conflicts = v.conflicts.size();
  return s;
}

Json PlanJson(const PlanInfo& p) {
  Json contacts = Json::array();
  for (const auto& c : p.contacts) contacts.push_back(Json{{"name", c.name}, {"phone", c.phone}, {"role", c.role}});
  return Json{{"id", p.id}, {"title", p.title}, {"category", p.category}, {"contacts", contacts}};
}

PlanInfo PlanFromJson(const Json& j) {
  PlanInfo p;
  p.id = Str(j, "id");
  p.site = Str(j, "site");
  p.category = Str(j, "category");
  p.title = Str(j, "title");
  p.summary = Str(j, "summary");
  if (auto it = j.find("contacts"); it != j.end() && it->is_array())
    for (const auto& c : *it)
      if (c.is_object()) p.contacts.push_back({Str(c, "name"), Str(c, "phone"), Str(c, "role")});
  return p;
}

PlanInfo ToPlanInfo(const RecordView& v) {
  PlanInfo p = PlanFromJson(v.fields);
  p.id = v.key.id;
  return p;
}

}  // namespace internal

// ---------------------------------------------------------------------------
// Folds

namespace {

class ProfileFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kProfile; }
  void Apply(RecordState& r, const Event& e) const override {
    Json& f = r.fields;
    const Json& p = e.payload;
    if (e.kind == kind::kPinSet && Str(p, "base") != Str(f, "pin_event"))
      r.AddConflict({"concurrent_pin_change",
                     {e.id, Str(f, "pin_event")},
                     {"the PIN of " + r.id + " was set on two devices at once; the later one counts",
                      r.id + " 的PIN在两台设备上同时设置; 以后设置的为准"}});
    if (!ProfileWorkflow().Advance(r, e)) return;
    if (e.kind == kind::kPinSet) {
      for (const char* key : {"salt", "hash", "kdf"}) f[key] = Str(p, key);
      for (const char* key : {"n", "r", "p"}) f[key] = Int(p, key);
      f["set_at"] = Str(p, "at");
    } else {
      for (const char* key : {"salt", "hash", "kdf", "n", "r", "p"}) f.erase(key);
      f["reset_by"] = e.author.user;
    }
    f["pin_event"] = e.id;
  }
};

class ShiftFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kShift; }

  void Apply(RecordState& r, const Event& e) const override {
    const Json& p = e.payload;
    Json& f = r.fields;
    const bool log_event = IsChainedKind(e.kind);
    const bool sealed = f.contains("handover");
    if (log_event && sealed && e.kind != kind::kNoteAppended) return Late(r, e);
    if (log_event && !sealed) {
      Json& log = f["log"];
      if (!log.is_array()) log = Json::array();
      log.push_back(Json{{"e", e.id}, {"entry", Str(p, "entry")}, {"by", e.author.user}});
    }
    if (!ShiftWorkflow().Advance(r, e)) return;

    if (e.kind == kind::kRostered) {
      for (const char* key : {"site", "room", "date", "start", "end", "leader"}) f[key] = Str(p, key);
      f["officers"] = Strings(p, "officers");
      f["roster_event"] = e.id;
    } else if (e.kind == kind::kRosterChanged) {
      bool window_or_people = false;
      for (const char* key : {"room", "date", "start", "end", "leader"})
        if (p.contains(key)) {
          f[key] = Str(p, key);
          window_or_people = window_or_people || std::string_view(key) == "start" || std::string_view(key) == "end";
        }
      if (p.contains("officers")) {
        f["officers"] = Strings(p, "officers");
        window_or_people = true;
      }
      if (window_or_people) f["roster_event"] = e.id;
    } else if (e.kind == kind::kShiftCancelled) {
      f["cancel_reason"] = Str(p, "reason");
    } else if (e.kind == kind::kCheckedIn) {
      Json& checkins = f["checkins"];
      if (!checkins.is_object()) checkins = Json::object();
      if (!checkins.contains(e.author.user)) {
        checkins[e.author.user] = Str(p, "at");
        if (Bool(p, "late")) {
          auto late = Strings(f, "late_checkins");
          late.push_back(e.author.user);
          f["late_checkins"] = late;
        }
      }
    } else if (e.kind == kind::kEntryLogged) {
      Json& entries = f["entries"];
      if (!entries.is_object()) entries = Json::object();
      const std::string entry = Str(p, "entry");
      if (entries.contains(entry)) {
        r.AddConflict({"duplicate_entry",
                       {e.id, Str(entries[entry], "v")},
                       {"two log entries carry the id " + entry + "; both kept", "两条值班记录使用了同一编号 " +
                                                                                    entry + "; 均已保留"}});
        return;
      }
      entries[entry] = Json{{"v", e.id}, {"by", e.author.user}, {"urgent", Bool(p, "urgent")}};
    } else if (e.kind == kind::kEntryEdited) {
      Json& entries = f["entries"];
      const std::string entry = Str(p, "entry");
      if (!entries.is_object() || !entries.contains(entry)) {
        r.AddConflict({"unknown_entry",
                       {e.id},
                       {"an edit names the entry " + entry + ", which this shift does not hold; kept, not applied",
                        "修改的值班记录 " + entry + " 不存在; 已保留, 未生效"}});
        return;
      }
      Json& current = entries[entry];
      const std::string base = Str(p, "base"), version = Str(current, "v");
      const std::string previous_author = current.contains("editor") ? Str(current, "editor") : Str(current, "by");
      if (base != version)
        r.AddConflict({"concurrent_edit",
                       {version, e.id},
                       {"the entry " + entry + " was edited on two devices at once (" + previous_author +
                            ", " + e.author.user + "); the later edit is shown, both are kept",
                        "值班记录 " + entry + " 被同时修改(" + previous_author + "、" + e.author.user +
                            "); 显示后一次修改, 两次修改均已保留"}});
      current["v"] = e.id;
      current["editor"] = e.author.user;
    } else if (e.kind == kind::kNoteAppended) {
      f["notes"] = Int(f, "notes") + 1;
    } else if (e.kind == kind::kHandedOver) {
      Seal(r, e);
    }
  }

 private:
  // Closes the log: everything it does not cover is late.
  static void Seal(RecordState& r, const Event& e) {
    Json& f = r.fields;
    const Json& p = e.payload;
    std::set<std::string> covered;
    std::size_t links = 0;
    if (auto chain = p.find("chain"); chain != p.end() && chain->is_object())
      if (auto it = chain->find("links"); it != chain->end() && it->is_array())
        for (const auto& link : *it)
          if (link.is_array() && !link.empty() && link[0].is_string()) {
            covered.insert(link[0].get<std::string>());
            ++links;
          }
    std::vector<std::string> late;
    std::size_t present = 0;
    if (auto log = f.find("log"); log != f.end() && log->is_array())
      for (const auto& item : *log) {
        const std::string id = Str(item, "e");
        if (covered.count(id) != 0) {
          ++present;
          continue;
        }
        late.push_back(id);
        r.AddConflict(LateConflict(id, Str(item, "entry"), Str(item, "by"), e.id, Str(p, "at")));
      }
    f.erase("log");
    if (!late.empty()) f["late"] = late;
    Json checklist_failed = Json::array();
    if (auto it = p.find("checklist"); it != p.end() && it->is_object())
      for (const auto& [item, ok] : it->items())
        if (ok.is_boolean() && !ok.get<bool>()) checklist_failed.push_back(item);
    f["handover"] = Json{{"event", e.id},
                         {"at", Str(p, "at")},
                         {"outgoing", Str(p, "outgoing")},
                         {"incoming", Str(p, "incoming")},
                         {"incoming_shift", Str(p, "incoming_shift")},
                         {"head", Str(p.value("chain", Json::object()), "head")},
                         {"links", links},
                         {"checklist_failed", checklist_failed}};
    // Covered events this replica has not received yet: the re-fold on their arrival clears it.
    if (present < links) f["handover"]["missing"] = links - present;
  }

  static void Late(RecordState& r, const Event& e) {
    Json& f = r.fields;
    auto late = Strings(f, "late");
    late.push_back(e.id);
    f["late"] = late;
    const std::string entry = Str(e.payload, "entry");
    if (e.kind == kind::kEntryLogged) {
      Json& entries = f["entries"];
      if (!entries.is_object()) entries = Json::object();
      if (!entries.contains(entry))
        entries[entry] = Json{{"v", e.id}, {"by", e.author.user}, {"urgent", Bool(e.payload, "urgent")}, {"late", true}};
    }
    const Json& handover = f["handover"];
    r.AddConflict(LateConflict(e.id, entry, e.author.user, Str(handover, "event"), Str(handover, "at")));
  }

  static Conflict LateConflict(const std::string& event_id, const std::string& entry, const std::string& by,
                               const std::string& handover_event, const std::string& at) {
    return {"late_entry",
            {event_id, handover_event},
            {"the log entry " + entry + " by " + by + " reached this device after the handover (" + at +
                 "): kept, shown after the handover, not covered by its signatures",
             "值班记录 " + entry + "(" + by + ")在交接班(" + at + ")之后才同步到本机: 已保留, 显示在交接班之后, "
             "不在交接签字范围内"}};
  }
};

class SpotCheckFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kSpotCheck; }
  void Apply(RecordState& r, const Event& e) const override {
    if (!SpotCheckWorkflow().Advance(r, e)) return;
    Json& f = r.fields;
    const Json& p = e.payload;
    if (e.kind == kind::kSpotChecked) {
      for (const char* key : {"shift", "officer", "note", "at"}) f[key] = Str(p, key);
      f["present"] = Bool(p, "present");
      f["regular"] = Bool(p, "regular");
      f["checker"] = e.author.user;
      f["fine_fen"] = Int(p, "fine_fen");
      f["fined"] = Strings(p, "fined");
    } else {
      f["void_reason"] = Str(p, "reason");
      f["voided_by"] = e.author.user;
    }
  }
};

class EscalationFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kEscalation; }
  void Apply(RecordState& r, const Event& e) const override {
    Json& f = r.fields;
    const Json& p = e.payload;
    if (e.kind == kind::kEscalationAcknowledged && Str(f, "status") == "acknowledged") {
      auto also = Strings(f, "also_acknowledged_by");
      if (e.author.user != Str(f, "acknowledged_by") && !Contains(also, e.author.user)) {
        also.push_back(e.author.user);
        f["also_acknowledged_by"] = also;
      }
      return;
    }
    if (!EscalationWorkflow().Advance(r, e)) return;
    if (e.kind == kind::kEscalationRaised) {
      for (const char* key : {"shift", "entry", "leader", "category", "summary", "at"}) f[key] = Str(p, key);
      f["raised_by"] = e.author.user;
      f["plans"] = p.contains("plans") && p["plans"].is_array() ? p["plans"] : Json::array();
    } else {
      f["acknowledged_by"] = e.author.user;
      f["acknowledged_at"] = Str(p, "at");
      f["note"] = Str(p, "note");
    }
  }
};

class PatrolFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kPatrol; }
  void Apply(RecordState& r, const Event& e) const override {
    Json& f = r.fields;
    const Json& p = e.payload;
    if (e.kind == kind::kCheckpointScanned || e.kind == kind::kCheckpointSkipped) {
      const auto route = Strings(f, "checkpoints");
      const std::size_t next = static_cast<std::size_t>(Int(f, "next"));
      const std::string cp = Str(p, "checkpoint");
      if (Str(f, "status") == "in_progress" && (next >= route.size() || route[next] != cp)) {
        r.AddConflict({"out_of_order",
                       {e.id},
                       {"checkpoint " + cp + " was scanned out of the route's order; kept, not applied",
                        "巡查点 " + cp + " 未按路线顺序打卡; 已保留, 未生效"}});
        return;
      }
    }
    if (!PatrolWorkflow().Advance(r, e)) return;
    if (e.kind == kind::kPatrolStarted) {
      for (const char* key : {"route", "shift", "site", "at"}) f[key] = Str(p, key);
      f["checkpoints"] = Strings(p, "checkpoints");
      f["patroller"] = e.author.user;
      f["next"] = 0;
      f["scans"] = Json::array();
      f["findings"] = Json::array();
    } else if (e.kind == kind::kCheckpointScanned || e.kind == kind::kCheckpointSkipped) {
      Json scan{{"checkpoint", Str(p, "checkpoint")}, {"at", Str(p, "at")}};
      if (e.kind == kind::kCheckpointSkipped) {
        scan["skipped"] = true;
        scan["reason"] = Str(p, "reason");
      }
      f["scans"].push_back(std::move(scan));
      f["next"] = Int(f, "next") + 1;
    } else if (e.kind == kind::kFindingRecorded) {
      f["findings"].push_back(Json{{"id", Str(p, "finding")},
                                   {"checkpoint", Str(p, "checkpoint")},
                                   {"category", Str(p, "category")},
                                   {"description", Str(p, "description")},
                                   {"repair_request", Str(p, "repair_request")},
                                   {"at", Str(p, "at")},
                                   {"by", e.author.user}});
    } else if (e.kind == kind::kFindingLinked) {
      for (auto& finding : f["findings"])
        if (Str(finding, "id") == Str(p, "finding")) finding["repair_request"] = Str(p, "repair_request");
    } else if (e.kind == kind::kPatrolFinished) {
      f["finished_at"] = Str(p, "at");
      const auto route = Strings(f, "checkpoints");
      const auto next = static_cast<std::size_t>(Int(f, "next"));
      f["missed"] = next < route.size() ? std::vector<std::string>(route.begin() + static_cast<long>(next), route.end())
                                        : std::vector<std::string>{};
    }
  }
};

// ---------------------------------------------------------------------------
// Constraints

// Two live shifts of one officer whose windows overlap.
class RosterConstraint final : public Constraint {
 public:
  std::string_view name() const override { return kRosterConstraint; }

  std::vector<std::string> Groups(const RecordState& r) const override {
    std::vector<std::string> out;
    if (r.type != entity::kShift || !ShiftIsLive(Str(r.fields, "status"))) return out;
    auto start = Time(r.fields, "start"), end = Time(r.fields, "end");
    if (!start || !end) return out;
    const auto days = DaysOf(*start, *end);
    for (const auto& officer : Strings(r.fields, "officers"))
      for (const Date& d : days) out.push_back(officer + "@" + d.ToString());
    return out;
  }

  void Evaluate(const std::string& group, const std::vector<const RecordState*>& members,
                std::vector<GroupConflict>& out) const override {
    const auto at = group.rfind('@');
    if (at == std::string::npos) return;
    const std::string officer = group.substr(0, at), day = group.substr(at + 1);
    for (std::size_t a = 0; a < members.size(); ++a) {
      for (std::size_t b = a + 1; b < members.size(); ++b) {
        const RecordState& x = *members[a];
        const RecordState& y = *members[b];
        auto xs = Time(x.fields, "start"), xe = Time(x.fields, "end");
        auto ys = Time(y.fields, "start"), ye = Time(y.fields, "end");
        if (!xs || !xe || !ys || !ye || !(*xs < *ye && *ys < *xe)) continue;
        // The overlap's first day is its one home group.
        if (std::max(*xs, *ys).date.ToString() != day) continue;
        Conflict c{"double_rostered",
                   {Str(x.fields, "roster_event"), Str(y.fields, "roster_event")},
                   {"officer " + officer + " is rostered on overlapping shifts " + x.id + " and " + y.id,
                    "值班人员 " + officer + " 被排在时间重叠的两个班次 " + x.id + " 和 " + y.id}};
        out.push_back({a, c});
        out.push_back({b, std::move(c)});
      }
    }
  }
};

// A shift with its spot checks, escalations and patrols.
class ShiftRecordsConstraint final : public Constraint {
 public:
  std::string_view name() const override { return kShiftRecords; }

  std::vector<std::string> Groups(const RecordState& r) const override {
    if (r.type == entity::kShift) return {r.id};
    if (r.type == entity::kSpotCheck || r.type == entity::kEscalation || r.type == entity::kPatrol) {
      const std::string shift = Str(r.fields, "shift");
      if (!shift.empty()) return {shift};
    }
    return {};
  }

  void Evaluate(const std::string& group, const std::vector<const RecordState*>& members,
                std::vector<GroupConflict>& out) const override {
    std::optional<std::size_t> shift;
    for (std::size_t i = 0; i < members.size(); ++i)
      if (members[i]->type == entity::kShift && members[i]->id == group) shift = i;
    if (!shift) return;
    const Json& sf = members[*shift]->fields;
    for (std::size_t i = 0; i < members.size(); ++i) {
      const RecordState& m = *members[i];
      if (m.type != entity::kSpotCheck || Str(m.fields, "status") != "recorded") continue;
      const std::string officer = Str(m.fields, "officer");
      if (Contains(Strings(sf, "officers"), officer)) continue;
      Conflict c{"spot_check_off_roster",
                 {Str(m.fields, "status_event"), Str(sf, "roster_event")},
                 {"spot check " + m.id + " names " + officer + ", who is no longer on the roster of shift " + group,
                  "抽查记录 " + m.id + " 所记的 " + officer + " 已不在班次 " + group + " 的排班中"}};
      out.push_back({i, c});
      out.push_back({*shift, std::move(c)});
    }
  }
};

class MonthIndex final : public Constraint {
 public:
  std::string_view name() const override { return kMonthIndex; }
  bool IndexOnly() const override { return true; }
  std::vector<std::string> Groups(const RecordState& r) const override {
    if (r.type != entity::kShift) return {};
    auto date = Date::Parse(Str(r.fields, "date"));
    const std::string site = Str(r.fields, "site");
    if (!date || site.empty()) return {};
    return {site + "@" + date->Month()};
  }
  void Evaluate(const std::string&, const std::vector<const RecordState*>&, std::vector<GroupConflict>&) const override {}
};

class InboxIndex final : public Constraint {
 public:
  std::string_view name() const override { return kInboxIndex; }
  bool IndexOnly() const override { return true; }
  std::vector<std::string> Groups(const RecordState& r) const override {
    if (r.type != entity::kEscalation || Str(r.fields, "status") != "open") return {};
    const std::string leader = Str(r.fields, "leader");
    if (leader.empty()) return {};
    return {leader};
  }
  void Evaluate(const std::string&, const std::vector<const RecordState*>&, std::vector<GroupConflict>&) const override {}
};

}  // namespace

bool IsChainedKind(std::string_view k) {
  return k == kind::kEntryLogged || k == kind::kEntryEdited || k == kind::kNoteAppended;
}

void Register(Domain& domain) {
  domain.Add(std::make_unique<FieldsFold>(std::string(entity::kCheckpoint)));
  domain.Add(std::make_unique<FieldsFold>(std::string(entity::kRoute)));
  domain.Add(std::make_unique<FieldsFold>(std::string(entity::kPlan)));
  domain.Add(std::make_unique<ProfileFold>());
  domain.Add(std::make_unique<ShiftFold>());
  domain.Add(std::make_unique<SpotCheckFold>());
  domain.Add(std::make_unique<EscalationFold>());
  domain.Add(std::make_unique<PatrolFold>());
  domain.Add(std::make_unique<RosterConstraint>());
  domain.Add(std::make_unique<ShiftRecordsConstraint>());
  domain.Add(std::make_unique<MonthIndex>());
  domain.Add(std::make_unique<InboxIndex>());
}

}  // namespace houqin::duty
