// Repair jobs and loss reports: workflow tables, folds, the cross-record constraint, commands
// and reports.
//
// Merge rules (every replica folds the same bytes):
//  repair/<id>
//   - workflow steps by RepairWorkflow(); a step that no longer fits is kept, changes nothing and
//     marks a "workflow" conflict naming it and the event that set the current status.
//   - repair.triaged on a job already triaged with the same size is absorbed silently (two
//     coordinators agreeing offline); with another size it is a workflow conflict.
//   - size / due: the due time is computed by the command from the calendar and carried in the
//     event (triaged, reclassified, rejected), so the fold never reads a calendar or a clock.
//     Overdue is computed when reading, against the reader's `now`.
//   - assignment: last writer by event order. Each repair.assigned names the assignment its author
//     saw ("previous"); one that did not see the current assignment and names another assignee
//     marks "double_assignment" naming both assignment events (two coordinators offline). The
//     later one by order is shown.
//   - "work wins over cancel": a repair.cancelled arriving while the job is in progress or done is
//     kept, not applied, and marks "cancelled_while_worked"; a repair.started arriving on a
//     cancelled job applies (the technician did go) and marks the same conflict. Either order of
//     arrival ends in the same state: the work is shown, the cancellation is a conflict to settle.
//   - costs are summed per type; verdicts (confirmations with their rating, rejections) are kept as
//     a short list for the satisfaction figures; a rejection reopens the job, clears the done time
//     and carries the new due time.
//   - cause: last writer by event order; loss reports filed with a "wear" cause are listed.
//  loss_report/<id>
//   - workflow steps by LossReportWorkflow(); a review or approval whose author filed the report
//     marks "self_approval" and changes nothing.
//  area/<id>, contractor/<id>, maintenance_schedule/<id>, contractor_evaluation/<id>: registers,
//     each payload key last-writer-wins by event order (FieldsFold).
//  Constraint loss_report_cause (group = repair id): a loss report that is filed, reviewed or
//     written off while its job's cause is no longer "wear" marks "cause_mismatch" on both,
//     naming the cause event and the filing event.
#include "repairs/repairs.h"

#include <algorithm>
#include <map>

#include "directory/directory.h"
#include "repairs/facilities.h"
#include "repairs/internal.h"

namespace houqin::repairs {

using namespace detail;

namespace {

constexpr std::string_view kLossReportCause = "loss_report_cause";
constexpr std::size_t kMaxDescriptionBytes = 2000;
constexpr std::int64_t kMaxQuantity = 100000;
constexpr std::int64_t kMaxFen = 10'000'000'000;  // 100 million CNY: anything above is a typing error

namespace ev {
constexpr std::string_view kReported = "repair.reported";
constexpr std::string_view kTriaged = "repair.triaged";
constexpr std::string_view kReclassified = "repair.reclassified";
constexpr std::string_view kAssigned = "repair.assigned";
constexpr std::string_view kStarted = "repair.started";
constexpr std::string_view kCost = "repair.cost_recorded";
constexpr std::string_view kDone = "repair.done";
constexpr std::string_view kConfirmed = "repair.confirmed";
constexpr std::string_view kRejected = "repair.rejected";
constexpr std::string_view kCancelled = "repair.cancelled";
constexpr std::string_view kCause = "repair.cause_recorded";
constexpr std::string_view kCompensation = "repair.compensation_paid";

constexpr std::string_view kFiled = "loss_report.filed";
constexpr std::string_view kReviewed = "loss_report.reviewed";
constexpr std::string_view kApproved = "loss_report.approved";
constexpr std::string_view kLossRejected = "loss_report.rejected";
}  // namespace ev

std::string S(std::string_view v) { return std::string(v); }

bool IsOpen(std::string_view status) {
  return status == "triaged" || status == "assigned" || status == "in_progress" || status == "reopened";
}

bool LossReportLive(std::string_view status) {
  return status == "filed" || status == "reviewed" || status == "written_off";
}

}  // namespace

// ---------------------------------------------------------------------------
// Workflow tables

const Workflow& RepairWorkflow() {
  static const Workflow wf(
      entity::kRepair,
      {
          {"reported", {"reported", "已报修"}},
          {"triaged", {"triaged", "已分类"}},
          {"assigned", {"assigned", "已派工"}},
          {"in_progress", {"in progress", "维修中"}},
          {"done", {"done", "已完工"}},
          {"confirmed", {"confirmed", "已确认"}},
          {"reopened", {"reopened", "已返修"}},
          {"cancelled", {"cancelled", "已取消"}},
      },
      {
          {ev::kReported, {"report a repair", "报修"}, {""}, "reported", {}},
          {ev::kTriaged, {"triage", "分类定级"}, {"reported"}, "triaged", {role::kRepairCoordinator}},
          {ev::kReclassified, {"reclassify", "重新定级"}, {"triaged", "assigned", "in_progress", "reopened"}, "",
           {role::kRepairCoordinator}},
          {ev::kAssigned, {"assign", "派工"}, {"triaged", "assigned", "reopened"}, "assigned",
           {role::kRepairCoordinator}},
          {ev::kStarted, {"start the work", "开始维修"}, {"assigned", "reopened"}, "in_progress",
           {role::kTechnician, role::kRepairCoordinator}},
          {ev::kCost, {"record parts and cost", "登记材料和费用"}, {"in_progress", "done", "reopened", "confirmed"}, "",
           {role::kTechnician, role::kRepairCoordinator}},
          {ev::kDone, {"mark done", "完工"}, {"in_progress"}, "done", {role::kTechnician, role::kRepairCoordinator}},
          // The requester's verdicts; the command checks the user (or the coordinator on their behalf).
          {ev::kConfirmed, {"confirm and rate", "确认并评价"}, {"done"}, "confirmed", {}},
          {ev::kRejected, {"reject the fix", "不满意返修"}, {"done"}, "reopened", {}},
          {ev::kCancelled, {"cancel", "取消报修"}, {"reported", "triaged", "assigned", "reopened"}, "cancelled", {}},
          {ev::kCause, {"record the cause of damage", "登记损坏原因"}, {"in_progress", "done", "reopened", "confirmed"},
           "", {role::kTechnician, role::kRepairCoordinator}},
          {ev::kCompensation, {"record compensation received", "登记赔偿款"},
           {"in_progress", "done", "reopened", "confirmed"}, "", {role::kFinance}},
      });
  return wf;
}

const Workflow& LossReportWorkflow() {
  static const Workflow wf(entity::kLossReport,
                           {
                               {"filed", {"filed", "已填报"}},
                               {"reviewed", {"reviewed by finance", "财务已审核"}},
                               {"written_off", {"written off", "已核销"}},
                               {"rejected", {"rejected", "已退回"}},
                           },
                           {
                               {ev::kFiled, {"file a loss report", "填报报损单"}, {""}, "filed",
                                {role::kTechnician, role::kRepairCoordinator}},
                               {ev::kReviewed, {"review", "财务审核"}, {"filed"}, "reviewed", {role::kFinance}},
                               {ev::kApproved, {"approve the write-off", "批准核销"}, {"reviewed"}, "written_off",
                                {role::kDirector, role::kOfficeDirector}},
                               {ev::kLossRejected, {"reject", "退回"}, {"filed", "reviewed"}, "rejected",
                                {role::kFinance, role::kDirector, role::kOfficeDirector}},
                           });
  return wf;
}

// ---------------------------------------------------------------------------
// Shared pieces

namespace detail {

Json LocationJson(const Location& l) {
  return Json{{"area", l.area}, {"building", l.building}, {"floor", l.floor}, {"room", l.room}};
}

Location LocationOf(const Json& j) { return {Str(j, "area"), Str(j, "building"), Str(j, "floor"), Str(j, "room")}; }

Json PhotosJson(const std::vector<Photo>& photos) {
  Json out = Json::array();
  for (const auto& p : photos) out.push_back(Json{{"sha256", p.sha256}, {"mime", p.mime}, {"bytes", p.bytes}});
  return out;
}

std::vector<Photo> PhotosOf(const Json& j) {
  std::vector<Photo> out;
  if (!j.is_array()) return out;
  for (const auto& p : j)
    if (p.is_object()) out.push_back({Str(p, "sha256"), Str(p, "mime"), Int(p, "bytes")});
  return out;
}

}  // namespace detail

namespace {

Status CheckPhotos(const std::vector<Photo>& photos, const Rules& rules) {
  if (static_cast<int>(photos.size()) > rules.max_photos)
    return Bad("photos", "at most " + std::to_string(rules.max_photos) + " photos",
               "最多上传 " + std::to_string(rules.max_photos) + " 张照片");
  for (const auto& p : photos) {
    const bool hex = p.sha256.size() == 64 && std::all_of(p.sha256.begin(), p.sha256.end(), [](char c) {
                       return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                     });
    if (!hex)
      return Bad("photos", "a photo is referenced by the SHA-256 of its bytes (64 lowercase hex digits)",
                 "照片应以其内容的 SHA-256(64 位小写十六进制)引用");
    if (p.mime.rfind("image/", 0) != 0 || p.bytes < 0)
      return Bad("photos", "a photo must be an image (image/...)", "照片必须是图片格式(image/...)");
  }
  return Status::Ok();
}

Result<RecordView> LoadRepair(Store& store, const std::string& id) {
  auto r = Load(store, entity::kRepair, id);
  if (!r) return Status::NotFound("repair", {"no repair job " + id, "没有维修单 " + id});
  return std::move(*r);
}

Result<RecordView> LoadLossReport(Store& store, const std::string& id) {
  auto r = Load(store, entity::kLossReport, id);
  if (!r) return Status::NotFound("loss_report", {"no loss report " + id, "没有报损单 " + id});
  return std::move(*r);
}

}  // namespace

// A technician acts only on jobs given to them (or to their company); the coordinator on any.
Status CheckAssignedTechnician(Store& store, const RecordView& job, const Author& actor) {
  if (actor.role != role::kTechnician) return Status::Ok();
  const Json& f = job.fields;
  if (!Str(f, "technician").empty() && Str(f, "technician") == actor.user) return Status::Ok();
  if (const std::string contractor = Str(f, "contractor"); !contractor.empty()) {
    auto user = directory::FindUser(store, actor.user);
    if (user && user->department == contractor) return Status::Ok();
  }
  return No("technician", "only the technician assigned to this job, or the coordinator, may do this",
            "只有被派工的维修人员或后勤管理科可以操作");
}

// The requester, or the coordinator recording a caller's verdict.
Status CheckRequester(const RecordView& job, const Author& actor) {
  if (actor.user == Str(job.fields, "requester") || actor.role == role::kRepairCoordinator) return Status::Ok();
  return No("requester", "only the person who reported it (or the coordinator on their behalf) may do this",
            "只有报修人(或后勤管理科代为)可以操作");
}

namespace {

int DaysFor(const Rules& rules, std::string_view sz) {
  return sz == size::kLarge ? rules.large_working_days : rules.small_working_days;
}

Json DeadlineJson(const calendar::Deadline& d) {
  return Json{{"due", d.due.ToString()},
              {"counted_from", d.counted_from.ToString()},
              {"working_days", d.working_days},
              {"assumed", d.assumed()}};
}

void AddDeadlineWarnings(Command& cmd, const calendar::Deadline& d, LocalTime now) {
  if (d.assumed()) cmd.warnings.push_back({"calendar_assumed", d.Warning()});
  if (d.due < now)
    cmd.warnings.push_back({"already_overdue",
                            {"the job was due at " + d.due.ToString() + " and is already overdue",
                             "该维修单应于 " + d.due.ToString() + " 前完成, 已超时"}});
}

Json Verdicts(const Json& f) { return Arr(f, "verdicts"); }

}  // namespace

// ---------------------------------------------------------------------------
// Folds

namespace {

class RepairFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kRepair; }

  void Apply(RecordState& r, const Event& e) const override {
    const Json& p = e.payload;
    Json& f = r.fields;
    const std::string status = Str(f, "status");

    if (e.kind == ev::kTriaged && !status.empty() && status != "reported" && Str(p, "size") == Str(f, "size"))
      return;  // the same triage twice: nothing to settle
    if (e.kind == ev::kCancelled && (status == "in_progress" || status == "done")) {
      r.AddConflict(CancelledWhileWorked(e, Str(f, "status_event"), e.author.user, Str(f, "technician")));
      return;
    }
    if (e.kind == ev::kStarted && status == "cancelled") {
      r.AddConflict(CancelledWhileWorked(e, Str(f, "status_event"), Str(f, "cancelled_by"), e.author.user));
      f["status"] = "in_progress";
      f["status_event"] = e.id;
      ApplyStart(f, e);
      return;
    }
    if (!RepairWorkflow().Advance(r, e)) return;

    if (e.kind == ev::kReported) {
      std::string requester = Str(p, "requester");
      if (requester.empty()) requester = e.author.user;
      f["requester"] = requester;
      if (requester != e.author.user) f["reported_by"] = e.author.user;
      f["category"] = Str(p, "category");
      f["location"] = LocationJson(LocationOf(Obj(p, "location")));
      f["description"] = Str(p, "description");
      f["urgency"] = Str(p, "urgency");
      f["photos"] = PhotosJson(PhotosOf(Arr(p, "photos")));
      f["reported_at"] = Str(p, "at");
      f["clock_from"] = Str(p, "at");
      if (const std::string inspection = Str(p, "inspection"); !inspection.empty()) {
        f["inspection"] = inspection;
        f["finding"] = Str(p, "finding");
      }
    } else if (e.kind == ev::kTriaged || e.kind == ev::kReclassified) {
      f["size"] = Str(p, "size");
      SetDue(f, p);
    } else if (e.kind == ev::kAssigned) {
      const std::string current = Str(f, "assignment_event");
      const std::string technician = Str(p, "technician"), contractor = Str(p, "contractor");
      if (!current.empty() && Str(p, "previous") != current &&
          (technician != Str(f, "technician") || contractor != Str(f, "contractor")))
        r.AddConflict({"double_assignment",
                       {current, e.id},
                       {"job " + r.id + " was assigned to " + Who(Str(f, "technician"), Str(f, "contractor")) +
                            " and, without seeing it, by " + e.author.user + " to " + Who(technician, contractor) +
                            "; the later one is shown",
                        "维修单 " + r.id + " 已派给 " + Who(Str(f, "technician"), Str(f, "contractor")) + ", " +
                            e.author.user + " 在不知情时又派给 " + Who(technician, contractor) + "; 显示后者"}});
      f["technician"] = technician;
      f["contractor"] = contractor;
      f["assignment_event"] = e.id;
    } else if (e.kind == ev::kStarted) {
      ApplyStart(f, e);
    } else if (e.kind == ev::kCost) {
      const std::string type = Str(p, "type");
      const char* key = type == cost_type::kLabour ? "labour_fen" : type == cost_type::kService ? "service_fen" : "parts_fen";
      f[key] = Int(f, key) + Int(p, "amount_fen");
      f["cost_entries"] = Int(f, "cost_entries") + 1;
    } else if (e.kind == ev::kDone) {
      f["done_at"] = Str(p, "at");
      f["done_by"] = e.author.user;
      f["done_note"] = Str(p, "note");
      f["done_photos"] = PhotosJson(PhotosOf(Arr(p, "photos")));
    } else if (e.kind == ev::kConfirmed) {
      const std::int64_t rating = std::clamp<std::int64_t>(Int(p, "rating"), 1, 5);
      Json verdicts = Verdicts(f);
      verdicts.push_back(Json{{"at", Str(p, "at")}, {"rating", rating}});
      f["verdicts"] = verdicts;
      f["rating"] = rating;
      f["confirmed_at"] = Str(p, "at");
      f["comment"] = Str(p, "comment");
    } else if (e.kind == ev::kRejected) {
      Json verdicts = Verdicts(f);
      verdicts.push_back(Json{{"at", Str(p, "at")}, {"rating", 0}});
      f["verdicts"] = verdicts;
      f["reopened"] = Int(f, "reopened") + 1;
      f["reject_reason"] = Str(p, "reason");
      f["clock_from"] = Str(p, "at");
      f.erase("done_at");
      SetDue(f, p);
    } else if (e.kind == ev::kCancelled) {
      f["cancel_reason"] = Str(p, "reason");
      f["cancelled_by"] = e.author.user;
    } else if (e.kind == ev::kCause) {
      f["cause"] = Str(p, "cause");
      f["cause_note"] = Str(p, "note");
      f["cause_event"] = e.id;
      f["liable"] = Str(p, "liable");
      f["compensation_fen"] = Int(p, "compensation_fen");
      if (const std::string loss = Str(p, "loss_report"); !loss.empty()) {
        auto reports = Strings(f, "loss_reports");
        if (!Contains(reports, loss)) reports.push_back(loss);
        f["loss_reports"] = reports;
      }
    } else if (e.kind == ev::kCompensation) {
      f["compensation_paid_fen"] = Int(f, "compensation_paid_fen") + Int(p, "amount_fen");
      f["compensation_receipt"] = Str(p, "receipt");
    }
  }

 private:
  static std::string Who(const std::string& technician, const std::string& contractor) {
    return technician.empty() ? contractor : technician;
  }
  static Conflict CancelledWhileWorked(const Event& e, const std::string& other, const std::string& canceller,
                                       const std::string& worker) {
    return {"cancelled_while_worked",
            {e.id, other},
            {"the job was cancelled by " + canceller + " while " + worker +
                 " worked on it; the work is kept — confirm it or close the job",
             "报修已被 " + canceller + " 取消, 但 " + worker + " 同时进行了维修; 维修记录已保留, 请确认或关闭"}};
  }
  static void SetDue(Json& f, const Json& p) {
    if (const std::string due = Str(p, "due"); !due.empty()) {
      f["due"] = due;
      f["due_assumed"] = Bool(p, "assumed");
    }
  }
  static void ApplyStart(Json& f, const Event& e) {
    f["started_at"] = Str(e.payload, "at");
    // A start that revived a job cancelled before its assignment arrived still names who went.
    if (Str(f, "technician").empty() && Str(f, "contractor").empty())
      f["technician"] = Str(e.payload, "technician");
  }
};

class LossReportFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kLossReport; }

  void Apply(RecordState& r, const Event& e) const override {
    const Json& p = e.payload;
    Json& f = r.fields;
    if ((e.kind == ev::kReviewed || e.kind == ev::kApproved) && e.author.user == Str(f, "filed_by")) {
      r.AddConflict({"self_approval",
                     {e.id},
                     {e.author.user + " decided on a loss report they filed; kept, not applied",
                      e.author.user + " 审批了自己填报的报损单; 已保留, 未生效"}});
      return;
    }
    if (!LossReportWorkflow().Advance(r, e)) return;
    if (e.kind == ev::kFiled) {
      f["repair"] = Str(p, "repair");
      f["item"] = Str(p, "item");
      f["asset"] = Str(p, "asset");
      f["quantity"] = Int(p, "quantity");
      f["value_fen"] = Int(p, "value_fen");
      f["reason"] = Str(p, "reason");
      f["filed_by"] = e.author.user;
      f["filed_event"] = e.id;
    } else if (e.kind == ev::kReviewed) {
      f["reviewed_by"] = e.author.user;
      f["review_note"] = Str(p, "note");
    } else if (e.kind == ev::kApproved) {
      f["approved_by"] = e.author.user;
      f["approval_note"] = Str(p, "note");
    } else if (e.kind == ev::kLossRejected) {
      f["rejected_by"] = e.author.user;
      f["reject_reason"] = Str(p, "reason");
    }
  }
};

// A loss report kept alive for a job whose cause is no longer normal wear (changed offline, or
// written off before the cause was corrected).
class LossReportCauseConstraint final : public Constraint {
 public:
  std::string_view name() const override { return kLossReportCause; }

  std::vector<std::string> Groups(const RecordState& r) const override {
    if (r.type == entity::kRepair && !Strings(r.fields, "loss_reports").empty()) return {r.id};
    if (r.type == entity::kLossReport && LossReportLive(Str(r.fields, "status"))) {
      const std::string repair = Str(r.fields, "repair");
      if (!repair.empty()) return {repair};
    }
    return {};
  }

  void Evaluate(const std::string& group, const std::vector<const RecordState*>& members,
                std::vector<GroupConflict>& out) const override {
    std::optional<std::size_t> job;
    for (std::size_t i = 0; i < members.size(); ++i)
      if (members[i]->type == entity::kRepair) job = i;
    if (!job) return;
    const Json& jf = members[*job]->fields;
    const std::string cause = Str(jf, "cause");
    if (cause == cause::kWear) return;
    for (std::size_t i = 0; i < members.size(); ++i) {
      const RecordState& report = *members[i];
      if (report.type != entity::kLossReport) continue;
      Conflict c{"cause_mismatch",
                 {Str(jf, "cause_event"), Str(report.fields, "filed_event")},
                 {"loss report " + report.id + " writes off wear on job " + group + ", whose cause is now " +
                      (cause.empty() ? std::string("unknown") : cause),
                  "报损单 " + report.id + " 按正常损耗核销, 但维修单 " + group + " 的损坏原因现为 " +
                      (cause == cause::kHuman ? std::string("人为损坏") : cause.empty() ? std::string("未知") : cause)}};
      out.push_back({i, c});
      out.push_back({*job, std::move(c)});
    }
  }
};

}  // namespace

// ---------------------------------------------------------------------------
// Rules

namespace {
void TakeInt(const Json& f, const char* key, int& out) {
  if (auto it = f.find(key); it != f.end() && it->is_number_integer()) {
    const auto v = it->get<std::int64_t>();
    if (v >= 0 && v <= 1000) out = static_cast<int>(v);  // a wild value keeps the default
  }
}
}  // namespace

Rules LoadRules(Store& store) {
  Rules r;
  auto rec = Load(store, houqin::entity::kSiteConfig, "repairs");
  if (!rec) return r;
  TakeInt(rec->fields, "small_working_days", r.small_working_days);
  TakeInt(rec->fields, "large_working_days", r.large_working_days);
  TakeInt(rec->fields, "satisfied_min_rating", r.satisfied_min_rating);
  TakeInt(rec->fields, "max_photos", r.max_photos);
  return r;
}

Draft SetRules(const Json& overrides) {
  return {S(houqin::entity::kSiteConfig), "repairs", "site_config.updated", overrides};
}

// ---------------------------------------------------------------------------
// Places

Result<Command> UpsertArea(Store& store, const Author& actor, const Area& area, LocalTime now) {
  if (actor.role != role::kAdmin)
    return No("role", "only the admin keeps the register of areas", "只有管理员可以维护区域");
  if (Trim(area.id).empty()) return Missing("id", "an area id", "区域编号");
  const std::string name = Trim(area.name);
  if (name.empty()) return Missing("name", "the area's name", "区域名称");
  if (area.kind != area_kind::kOffice && area.kind != area_kind::kResidential)
    return Bad("kind", "unknown area kind " + area.kind + " (office, residential)",
               "未知的区域类型 " + area.kind + "(办公区、家属区)");
  std::vector<std::string> buildings;
  for (const auto& b : area.buildings) {
    const std::string t = Trim(b);
    if (t.empty()) return Bad("buildings", "a building needs a name", "楼栋名称不能为空");
    if (!Contains(buildings, t)) buildings.push_back(t);
  }
  Command cmd;
  if (area.fire_safety_person.empty())
    cmd.warnings.push_back({"no_fire_safety_person",
                            {"area " + name + " has no fire-safety responsible person (消防安全责任人)",
                             "区域 " + name + " 尚未指定消防安全责任人"}});
  else if (!directory::FindUser(store, area.fire_safety_person))
    return No("fire_safety_person", "no user " + area.fire_safety_person, "没有用户 " + area.fire_safety_person);
  cmd.drafts.push_back({S(entity::kArea), area.id, "area.upserted",
                        Json{{"name", name},
                             {"kind", area.kind},
                             {"buildings", buildings},
                             {"fire_safety_person", area.fire_safety_person},
                             {"at", now.ToString()}}});
  return cmd;
}

std::optional<Area> FindArea(Store& store, const std::string& id) {
  auto r = Load(store, entity::kArea, id);
  if (!r) return std::nullopt;
  return Area{id, Str(r->fields, "name"), Str(r->fields, "kind"), Strings(r->fields, "buildings"),
              Str(r->fields, "fire_safety_person")};
}

// ---------------------------------------------------------------------------
// Categories and photos

const std::vector<std::string_view>& Categories() {
  static const std::vector<std::string_view> kAll{
      category::kWater,  category::kElectricity,    category::kHeating,   category::kGas,
      category::kAirConditioning, category::kLift,  category::kMeetingAudio, category::kOfficeMachines,
      category::kFurniture, category::kDoorsLocks,  category::kOther};
  return kAll;
}

Text CategoryLabel(std::string_view c) {
  static const std::map<std::string_view, Text> kLabels{
      {category::kWater, {"water", "给排水"}},
      {category::kElectricity, {"electricity", "电"}},
      {category::kHeating, {"heating", "暖气"}},
      {category::kGas, {"gas", "燃气"}},
      {category::kAirConditioning, {"air conditioning", "空调"}},
      {category::kLift, {"lift", "电梯"}},
      {category::kMeetingAudio, {"meeting-room audio", "会议室音响"}},
      {category::kOfficeMachines, {"office machines", "办公设备"}},
      {category::kFurniture, {"furniture", "家具"}},
      {category::kDoorsLocks, {"doors and locks", "门窗门锁"}},
      {category::kOther, {"other", "其他"}},
  };
  auto it = kLabels.find(c);
  return it == kLabels.end() ? Text{std::string(c), std::string(c)} : it->second;
}

Photo PhotoOf(std::string_view bytes, std::string mime) {
  return {ToHex(Sha256(bytes)), std::move(mime), static_cast<std::int64_t>(bytes.size())};
}

// ---------------------------------------------------------------------------
// Commands: the job

Result<Draft> detail::ReportDraft(Store& store, const Author& actor, const RepairInput& in, const Json& source,
                                  LocalTime now) {
  if (Status s = RepairWorkflow().Check("", ev::kReported, actor.role); !s.ok()) return s;
  if (Trim(in.id).empty()) return Missing("id", "a repair id", "维修单编号");
  if (Load(store, entity::kRepair, in.id))
    return No("id", "repair job " + in.id + " exists already", "维修单 " + in.id + " 已存在");
  std::string requester = Trim(in.requester);
  if (requester.empty()) requester = actor.user;
  if (requester != actor.user && actor.role != role::kRepairCoordinator)
    return No("requester", "only the coordinator may report a repair on someone else's behalf",
              "只有后勤管理科可以代他人报修");
  if (!OneOf(Categories(), in.category))
    return Bad("category", "unknown category " + in.category + " (water, electricity, heating, gas, ...)",
               "未知的报修类别 " + in.category + "(水、电、暖、气……)");
  if (in.location.area.empty()) return Missing("area", "the area", "报修区域");
  auto area = FindArea(store, in.location.area);
  if (!area) return Bad("area", "no area " + in.location.area, "没有区域 " + in.location.area);
  const std::string building = Trim(in.location.building);
  if (building.empty()) return Missing("building", "the building", "楼栋");
  if (!area->buildings.empty() && !Contains(area->buildings, building))
    return Bad("building", "building " + building + " is not in area " + area->name,
               "楼栋 " + building + " 不在区域 " + area->name + " 内");
  const std::string description = Trim(in.description);
  if (description.empty()) return Missing("description", "a description of the fault", "故障描述");
  if (description.size() > kMaxDescriptionBytes)
    return Bad("description", "the description is too long (at most 2000 bytes)", "故障描述过长(最多 2000 字节)");
  if (in.urgency != urgency::kNormal && in.urgency != urgency::kUrgent && in.urgency != urgency::kEmergency)
    return Bad("urgency", "unknown urgency " + in.urgency + " (normal, urgent, emergency)",
               "未知的紧急程度 " + in.urgency + "(一般、紧急、特急)");
  if (Status s = CheckPhotos(in.photos, LoadRules(store)); !s.ok()) return s;
  Location location{in.location.area, building, Trim(in.location.floor), Trim(in.location.room)};
  Json payload{{"requester", requester},
               {"category", in.category},
               {"location", LocationJson(location)},
               {"description", description},
               {"urgency", in.urgency},
               {"photos", PhotosJson(in.photos)},
               {"at", now.ToString()}};
  for (const auto& [k, v] : source.items()) payload[k] = v;
  return Draft{S(entity::kRepair), in.id, S(ev::kReported), std::move(payload)};
}

Result<Command> ReportRepair(Store& store, const Author& actor, const RepairInput& input, LocalTime now) {
  auto draft = ReportDraft(store, actor, input, Json::object(), now);
  if (!draft.ok()) return draft.status();
  Command cmd;
  cmd.drafts.push_back(std::move(*draft));
  if (input.urgency == urgency::kEmergency)
    cmd.warnings.push_back({"emergency",
                            {"an emergency: also phone the 24-hour repair hotline", "特急报修: 请同时拨打 24 小时维修热线"}});
  return cmd;
}

Result<Command> TriageRepair(Store& store, const Author& actor, const std::string& repair_id, std::string_view sz,
                             const calendar::Calendar& calendar, LocalTime now) {
  auto job = LoadRepair(store, repair_id);
  if (!job.ok()) return job.status();
  const Json& f = job->fields;
  const std::string status = Str(f, "status");
  const std::string_view kind = status == "reported" ? ev::kTriaged : ev::kReclassified;
  if (Status s = RepairWorkflow().Check(status, kind, actor.role); !s.ok()) return s;
  if (sz != size::kSmall && sz != size::kLarge)
    return Bad("size", "a job is small (1 working day) or large (3 working days), not " + std::string(sz),
               "维修项目分为小修(1 个工作日)和大修(3 个工作日), 不能为 " + std::string(sz));
  if (kind == ev::kReclassified && Str(f, "size") == sz)
    return No("size", "the job is already " + std::string(sz), "该维修单已是" + std::string(sz == size::kSmall ? "小修" : "大修"));
  auto from = Time(f, "clock_from");
  if (!from) from = Time(f, "reported_at");
  if (!from) return Bad("reported_at", "the job has no report time", "维修单缺少报修时间");
  const calendar::Deadline d = calendar.AddWorkingDays(*from, DaysFor(LoadRules(store), sz));
  Command cmd;
  Json payload = DeadlineJson(d);
  payload["size"] = std::string(sz);
  payload["at"] = now.ToString();
  cmd.drafts.push_back({S(entity::kRepair), repair_id, S(kind), std::move(payload)});
  AddDeadlineWarnings(cmd, d, now);
  return cmd;
}

Result<Command> AssignRepair(Store& store, const Author& actor, const std::string& repair_id, const Assignee& who,
                             const std::string& note, LocalTime now) {
  auto job = LoadRepair(store, repair_id);
  if (!job.ok()) return job.status();
  const Json& f = job->fields;
  if (Status s = RepairWorkflow().Check(Str(f, "status"), ev::kAssigned, actor.role); !s.ok()) return s;
  if (who.technician.empty() == who.contractor.empty())
    return Bad("assignee", "give either a technician or a contractor", "请指定维修人员或外包单位(二选一)");
  if (!who.technician.empty()) {
    auto user = directory::FindUser(store, who.technician);
    if (!user || !user->HasRole(role::kTechnician))
      return No("technician", who.technician + " is not a technician", who.technician + " 不是维修人员");
    if (who.technician == Str(f, "technician"))
      return No("technician", "the job is already assigned to " + who.technician, "该维修单已派给 " + who.technician);
  } else {
    auto contractor = FindContractor(store, who.contractor);
    if (!contractor) return No("contractor", "no contractor " + who.contractor, "没有外包单位 " + who.contractor);
    if (!contractor->active)
      return No("contractor", "contractor " + who.contractor + " is no longer engaged", "外包单位 " + who.contractor + " 已停用");
    if (who.contractor == Str(f, "contractor"))
      return No("contractor", "the job is already assigned to " + who.contractor, "该维修单已派给 " + who.contractor);
  }
  Command cmd;
  cmd.drafts.push_back({S(entity::kRepair), repair_id, S(ev::kAssigned),
                        Json{{"technician", who.technician},
                             {"contractor", who.contractor},
                             {"previous", Str(f, "assignment_event")},
                             {"note", Trim(note)},
                             {"at", now.ToString()}}});
  // Assigning with both earlier assignments in view settles their clash.
  for (const auto& c : job->conflicts)
    if (c.kind == "double_assignment")
      cmd.drafts.push_back({S(entity::kRepair), repair_id, std::string(kConflictResolvedKind),
                            Json{{"conflict", c.Id()}, {"note", "settled by a new assignment"}}});
  return cmd;
}

Result<Command> StartRepair(Store& store, const Author& actor, const std::string& repair_id, LocalTime now) {
  auto job = LoadRepair(store, repair_id);
  if (!job.ok()) return job.status();
  if (Status s = RepairWorkflow().Check(Str(job->fields, "status"), ev::kStarted, actor.role); !s.ok()) return s;
  if (Status s = CheckAssignedTechnician(store, *job, actor); !s.ok()) return s;
  const std::string technician = actor.role == role::kTechnician ? actor.user : Str(job->fields, "technician");
  Command cmd;
  cmd.drafts.push_back(
      {S(entity::kRepair), repair_id, S(ev::kStarted), Json{{"technician", technician}, {"at", now.ToString()}}});
  return cmd;
}

Result<Command> RecordRepairCost(Store& store, const Author& actor, const std::string& repair_id, const CostInput& c,
                                 LocalTime now) {
  auto job = LoadRepair(store, repair_id);
  if (!job.ok()) return job.status();
  if (Status s = RepairWorkflow().Check(Str(job->fields, "status"), ev::kCost, actor.role); !s.ok()) return s;
  if (Status s = CheckAssignedTechnician(store, *job, actor); !s.ok()) return s;
  if (c.type != cost_type::kPart && c.type != cost_type::kLabour && c.type != cost_type::kService)
    return Bad("type", "unknown cost type " + c.type + " (part, labour, service)",
               "未知的费用类型 " + c.type + "(材料、人工、外包服务)");
  const std::string item = Trim(c.item);
  if (item.empty()) return Missing("item", "the part or service", "材料或服务名称");
  if (c.quantity <= 0 || c.quantity > kMaxQuantity)
    return Bad("quantity", "the quantity must be between 1 and " + std::to_string(kMaxQuantity),
               "数量应在 1 到 " + std::to_string(kMaxQuantity) + " 之间");
  if (c.unit_price_fen < 0 || c.unit_price_fen > kMaxFen)
    return Bad("unit_price_fen", "the unit price must be between 0 and 100,000,000 CNY", "单价应在 0 到 1 亿元之间");
  Command cmd;
  cmd.drafts.push_back({S(entity::kRepair), repair_id, S(ev::kCost),
                        Json{{"type", c.type},
                             {"item", item},
                             {"quantity", c.quantity},
                             {"unit_price_fen", c.unit_price_fen},
                             {"amount_fen", c.quantity * c.unit_price_fen},
                             {"receipt", Trim(c.receipt)},
                             {"at", now.ToString()}}});
  return cmd;
}

Result<Command> CompleteRepair(Store& store, const Author& actor, const std::string& repair_id, const std::string& note,
                               const std::vector<Photo>& photos, LocalTime now) {
  auto job = LoadRepair(store, repair_id);
  if (!job.ok()) return job.status();
  const Json& f = job->fields;
  if (Status s = RepairWorkflow().Check(Str(f, "status"), ev::kDone, actor.role); !s.ok()) return s;
  if (Status s = CheckAssignedTechnician(store, *job, actor); !s.ok()) return s;
  if (Status s = CheckPhotos(photos, LoadRules(store)); !s.ok()) return s;
  Command cmd;
  if (auto due = Time(f, "due"); due && now > *due)
    cmd.warnings.push_back({"late",
                            {"done after the due time " + due->ToString(), "超过完成时限 " + due->ToString()}});
  if (Str(f, "cause").empty())
    cmd.warnings.push_back({"no_cause",
                            {"record the cause of damage (human damage or normal wear)", "请登记损坏原因(人为损坏或正常损耗)"}});
  cmd.drafts.push_back({S(entity::kRepair), repair_id, S(ev::kDone),
                        Json{{"note", Trim(note)}, {"photos", PhotosJson(photos)}, {"at", now.ToString()}}});
  return cmd;
}

Result<Command> ConfirmRepair(Store& store, const Author& actor, const std::string& repair_id, int rating,
                              const std::string& comment, LocalTime now) {
  auto job = LoadRepair(store, repair_id);
  if (!job.ok()) return job.status();
  if (Status s = RepairWorkflow().Check(Str(job->fields, "status"), ev::kConfirmed, actor.role); !s.ok()) return s;
  if (Status s = CheckRequester(*job, actor); !s.ok()) return s;
  if (rating < 1 || rating > 5) return Bad("rating", "rate the repair from 1 to 5", "请按 1 至 5 分评价");
  Command cmd;
  cmd.drafts.push_back({S(entity::kRepair), repair_id, S(ev::kConfirmed),
                        Json{{"rating", rating},
                             {"comment", Trim(comment)},
                             {"on_behalf", actor.user != Str(job->fields, "requester")},
                             {"at", now.ToString()}}});
  return cmd;
}

Result<Command> RejectRepair(Store& store, const Author& actor, const std::string& repair_id, const std::string& reason,
                             const calendar::Calendar& calendar, LocalTime now) {
  auto job = LoadRepair(store, repair_id);
  if (!job.ok()) return job.status();
  const Json& f = job->fields;
  if (Status s = RepairWorkflow().Check(Str(f, "status"), ev::kRejected, actor.role); !s.ok()) return s;
  if (Status s = CheckRequester(*job, actor); !s.ok()) return s;
  const std::string why = Trim(reason);
  if (why.empty()) return Missing("reason", "what is still wrong", "仍存在的问题");
  const calendar::Deadline d = calendar.AddWorkingDays(now, DaysFor(LoadRules(store), Str(f, "size")));
  Json payload = DeadlineJson(d);
  payload["reason"] = why;
  payload["at"] = now.ToString();
  Command cmd;
  cmd.drafts.push_back({S(entity::kRepair), repair_id, S(ev::kRejected), std::move(payload)});
  AddDeadlineWarnings(cmd, d, now);
  return cmd;
}

Result<Command> CancelRepair(Store& store, const Author& actor, const std::string& repair_id, const std::string& reason,
                             LocalTime now) {
  auto job = LoadRepair(store, repair_id);
  if (!job.ok()) return job.status();
  if (Status s = RepairWorkflow().Check(Str(job->fields, "status"), ev::kCancelled, actor.role); !s.ok()) return s;
  const std::string why = Trim(reason);
  if (actor.user != Str(job->fields, "requester")) {
    if (actor.role != role::kRepairCoordinator)
      return No("requester", "only the person who reported it or the coordinator may cancel",
                "只有报修人或后勤管理科可以取消报修");
    if (why.empty()) return Missing("reason", "the reason for cancelling someone else's request", "取消原因");
  }
  Command cmd;
  cmd.drafts.push_back(
      {S(entity::kRepair), repair_id, S(ev::kCancelled), Json{{"reason", why}, {"at", now.ToString()}}});
  return cmd;
}

Result<Command> RecordCause(Store& store, const Author& actor, const std::string& repair_id, const CauseInput& in,
                            LocalTime now) {
  auto job = LoadRepair(store, repair_id);
  if (!job.ok()) return job.status();
  const Json& f = job->fields;
  if (Status s = RepairWorkflow().Check(Str(f, "status"), ev::kCause, actor.role); !s.ok()) return s;
  if (Status s = CheckAssignedTechnician(store, *job, actor); !s.ok()) return s;
  const std::string note = Trim(in.note);
  Json payload{{"cause", in.cause}, {"note", note}, {"at", now.ToString()}};
  Command cmd;
  if (in.cause == cause::kHuman) {
    const std::string liable = Trim(in.liable);
    if (liable.empty()) return Missing("liable", "who caused the damage", "损坏责任人");
    if (in.compensation_fen < 0 || in.compensation_fen > kMaxFen)
      return Bad("compensation_fen", "the compensation cannot be negative", "赔偿金额不能为负数");
    std::int64_t amount = in.compensation_fen;
    if (amount == 0) amount = Int(f, "parts_fen") + Int(f, "labour_fen") + Int(f, "service_fen");
    if (amount == 0)
      return Bad("compensation_fen", "no cost is recorded yet: give the compensation amount (按价赔偿)",
                 "尚未登记维修费用, 请填写赔偿金额(按价赔偿)");
    payload["liable"] = liable;
    payload["compensation_fen"] = amount;
  } else if (in.cause == cause::kWear) {
    if (Trim(in.loss_report_id).empty()) return Missing("loss_report_id", "the loss report's id", "报损单编号");
    if (Load(store, entity::kLossReport, in.loss_report_id))
      return No("loss_report_id", "loss report " + in.loss_report_id + " exists already",
                "报损单 " + in.loss_report_id + " 已存在");
    for (const auto& id : Strings(f, "loss_reports"))
      if (auto lr = Load(store, entity::kLossReport, id); lr && LossReportLive(Str(lr->fields, "status")))
        return No("loss_report_id", "the job already has loss report " + id, "该维修单已有报损单 " + id);
    const std::string item = Trim(in.item);
    if (item.empty()) return Missing("item", "the worn-out item", "报损物品");
    if (in.quantity <= 0 || in.quantity > kMaxQuantity)
      return Bad("quantity", "the quantity must be between 1 and " + std::to_string(kMaxQuantity),
                 "数量应在 1 到 " + std::to_string(kMaxQuantity) + " 之间");
    if (in.value_fen < 0 || in.value_fen > kMaxFen)
      return Bad("value_fen", "the value cannot be negative", "报损金额不能为负数");
    if (Status s = LossReportWorkflow().Check("", ev::kFiled, actor.role); !s.ok()) return s;
    payload["loss_report"] = in.loss_report_id;
    cmd.drafts.push_back({S(entity::kLossReport), in.loss_report_id, S(ev::kFiled),
                          Json{{"repair", repair_id},
                               {"item", item},
                               {"asset", Trim(in.asset)},
                               {"quantity", in.quantity},
                               {"value_fen", in.value_fen},
                               {"reason", note},
                               {"at", now.ToString()}}});
  } else if (in.cause == cause::kOther) {
    if (note.empty()) return Missing("note", "what caused the damage", "损坏原因说明");
  } else {
    return Bad("cause", "unknown cause " + in.cause + " (human, wear, other)",
               "未知的损坏原因 " + in.cause + "(人为损坏、正常损耗、其他)");
  }
  if (Int(f, "compensation_paid_fen") > 0 && in.cause != cause::kHuman)
    cmd.warnings.push_back({"compensation_paid",
                            {"compensation for human damage was already received for this job",
                             "该维修单已收到人为损坏赔偿款"}});
  cmd.drafts.insert(cmd.drafts.begin(), Draft{S(entity::kRepair), repair_id, S(ev::kCause), std::move(payload)});
  return cmd;
}

Result<Command> RecordCompensationPaid(Store& store, const Author& actor, const std::string& repair_id,
                                       std::int64_t amount_fen, const std::string& receipt, LocalTime now) {
  auto job = LoadRepair(store, repair_id);
  if (!job.ok()) return job.status();
  const Json& f = job->fields;
  if (Status s = RepairWorkflow().Check(Str(f, "status"), ev::kCompensation, actor.role); !s.ok()) return s;
  if (Str(f, "cause") != cause::kHuman)
    return No("cause", "compensation is due only for human damage", "只有人为损坏需要赔偿");
  if (amount_fen <= 0 || amount_fen > kMaxFen) return Bad("amount_fen", "the amount must be positive", "金额必须大于 0");
  if (Trim(receipt).empty()) return Missing("receipt", "the receipt number", "收据编号");
  Command cmd;
  const std::int64_t due = Int(f, "compensation_fen"), paid = Int(f, "compensation_paid_fen") + amount_fen;
  if (paid > due)
    cmd.warnings.push_back({"more_than_due",
                            {"received " + Fen(paid) + " CNY in all, more than the " + Fen(due) + " CNY due",
                             "累计收到 " + Fen(paid) + " 元, 超过应赔 " + Fen(due) + " 元"}});
  cmd.drafts.push_back({S(entity::kRepair), repair_id, S(ev::kCompensation),
                        Json{{"amount_fen", amount_fen}, {"receipt", Trim(receipt)}, {"at", now.ToString()}}});
  return cmd;
}

// ---------------------------------------------------------------------------
// Commands: loss reports

namespace {
Result<Command> DecideLossReport(Store& store, const Author& actor, const std::string& id, std::string_view kind,
                                 const Json& payload) {
  auto lr = LoadLossReport(store, id);
  if (!lr.ok()) return lr.status();
  if (Status s = LossReportWorkflow().Check(Str(lr->fields, "status"), kind, actor.role); !s.ok()) return s;
  if (actor.user == Str(lr->fields, "filed_by"))
    return No(kind == ev::kReviewed ? "reviewer" : "approver", "you cannot decide on a loss report you filed",
              "不能审批自己填报的报损单");
  Command cmd;
  cmd.drafts.push_back({S(entity::kLossReport), id, S(kind), payload});
  return cmd;
}
}  // namespace

Result<Command> ReviewLossReport(Store& store, const Author& actor, const std::string& id, const std::string& note,
                                 LocalTime now) {
  return DecideLossReport(store, actor, id, ev::kReviewed, Json{{"note", Trim(note)}, {"at", now.ToString()}});
}

Result<Command> ApproveLossReport(Store& store, const Author& actor, const std::string& id, const std::string& note,
                                  LocalTime now) {
  return DecideLossReport(store, actor, id, ev::kApproved, Json{{"note", Trim(note)}, {"at", now.ToString()}});
}

Result<Command> RejectLossReport(Store& store, const Author& actor, const std::string& id, const std::string& reason,
                                 LocalTime now) {
  if (Trim(reason).empty()) {
    auto lr = LoadLossReport(store, id);
    if (!lr.ok()) return lr.status();
    if (Status s = LossReportWorkflow().Check(Str(lr->fields, "status"), ev::kLossRejected, actor.role); !s.ok())
      return s;
    return Missing("reason", "the reason for rejecting", "退回原因");
  }
  return DecideLossReport(store, actor, id, ev::kLossRejected, Json{{"reason", Trim(reason)}, {"at", now.ToString()}});
}

std::optional<LossReportSummary> FindLossReport(Store& store, const std::string& id) {
  auto r = Load(store, entity::kLossReport, id);
  if (!r) return std::nullopt;
  const Json& f = r->fields;
  LossReportSummary s;
  s.id = id;
  s.repair = Str(f, "repair");
  s.item = Str(f, "item");
  s.asset = Str(f, "asset");
  s.status = Str(f, "status");
  s.filed_by = Str(f, "filed_by");
  s.reviewed_by = Str(f, "reviewed_by");
  s.approved_by = Str(f, "approved_by");
  s.note = Str(f, "reason");
  s.quantity = Int(f, "quantity");
  s.value_fen = Int(f, "value_fen");
  for (const auto& c : r->conflicts) s.conflicts.push_back(c.kind);
  return s;
}

// ---------------------------------------------------------------------------
// Reading jobs

namespace {

RepairSummary ToSummary(const RecordView& v, LocalTime now) {
  const Json& f = v.fields;
  RepairSummary s;
  s.id = v.key.id;
  s.requester = Str(f, "requester");
  s.category = Str(f, "category");
  s.urgency = Str(f, "urgency");
  s.description = Str(f, "description");
  s.status = Str(f, "status");
  s.size = Str(f, "size");
  s.location = LocationOf(Obj(f, "location"));
  s.photos = PhotosOf(Arr(f, "photos"));
  s.reported_at = Time(f, "reported_at").value_or(LocalTime{});
  s.due = Time(f, "due");
  s.due_assumed = Bool(f, "due_assumed");
  s.technician = Str(f, "technician");
  s.contractor = Str(f, "contractor");
  s.started_at = Time(f, "started_at");
  s.done_at = Time(f, "done_at");
  s.confirmed_at = Time(f, "confirmed_at");
  s.rating = static_cast<int>(Int(f, "rating"));
  s.reopened = static_cast<int>(Int(f, "reopened"));
  for (const auto& v2 : Verdicts(f))
    if (auto at = Time(v2, "at")) s.verdicts.push_back({*at, static_cast<int>(Int(v2, "rating"))});
  s.parts_fen = Int(f, "parts_fen");
  s.labour_fen = Int(f, "labour_fen");
  s.service_fen = Int(f, "service_fen");
  s.cause = Str(f, "cause");
  s.liable = Str(f, "liable");
  s.compensation_fen = Int(f, "compensation_fen");
  s.compensation_paid_fen = Int(f, "compensation_paid_fen");
  s.loss_reports = Strings(f, "loss_reports");
  s.inspection = Str(f, "inspection");
  for (const auto& c : v.conflicts) s.conflicts.push_back(c.kind);
  s.overdue = s.due && IsOpen(s.status) && now > *s.due;
  s.late = s.due && s.done_at && *s.done_at > *s.due;
  return s;
}

}  // namespace

std::optional<RepairSummary> FindRepair(Store& store, const std::string& repair_id, LocalTime now) {
  auto r = Load(store, entity::kRepair, repair_id);
  if (!r) return std::nullopt;
  return ToSummary(*r, now);
}

std::vector<RepairSummary> ListRepairs(Store& store, const RepairFilter& filter, LocalTime now) {
  std::vector<RepairSummary> out;
  (void)store.ForEachRecord(S(entity::kRepair), [&](const RecordView& v) {
    RepairSummary s = ToSummary(v, now);
    if (!filter.status.empty() && s.status != filter.status) return;
    if (!filter.technician.empty() && s.technician != filter.technician) return;
    if (!filter.contractor.empty() && s.contractor != filter.contractor) return;
    if (filter.overdue_only && !s.overdue) return;
    out.push_back(std::move(s));
  });
  std::sort(out.begin(), out.end(), [](const RepairSummary& a, const RepairSummary& b) {
    return std::tie(a.reported_at, a.id) < std::tie(b.reported_at, b.id);
  });
  return out;
}

std::vector<RepairSummary> OverdueRepairs(Store& store, LocalTime now) {
  RepairFilter filter;
  filter.overdue_only = true;
  return ListRepairs(store, filter, now);
}

SatisfactionReport Satisfaction(Store& store, Date from, Date to, const std::string& assignee) {
  SatisfactionReport out;
  const Rules rules = LoadRules(store);
  std::int64_t rating_sum = 0;
  (void)store.ForEachRecord(S(entity::kRepair), [&](const RecordView& v) {
    const Json& f = v.fields;
    if (!assignee.empty() && Str(f, "technician") != assignee && Str(f, "contractor") != assignee) return;
    for (const auto& verdict : Verdicts(f)) {
      auto at = Time(verdict, "at");
      if (!at || at->date < from || to < at->date) continue;
      const int rating = static_cast<int>(Int(verdict, "rating"));
      ++out.verdicts;
      if (rating == 0) {
        ++out.rejected;
        continue;
      }
      ++out.confirmed;
      rating_sum += rating;
      if (rating >= 1 && rating <= 5) ++out.ratings[static_cast<std::size_t>(rating - 1)];
      if (rating >= rules.satisfied_min_rating) ++out.satisfied;
    }
  });
  out.average_rating_x100 = Ratio(rating_sum, out.confirmed, 100);
  out.rate_percent = Ratio(out.satisfied, out.verdicts, 100);
  out.rate_permille = Ratio(out.satisfied, out.verdicts, 1000);
  return out;
}

// ---------------------------------------------------------------------------

void Register(Domain& domain) {
  domain.Add(std::make_unique<RepairFold>());
  domain.Add(std::make_unique<LossReportFold>());
  domain.Add(std::make_unique<FieldsFold>(S(entity::kArea)));
  domain.Add(std::make_unique<LossReportCauseConstraint>());
  RegisterFacilities(domain);
}

}  // namespace houqin::repairs
