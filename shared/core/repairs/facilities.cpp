// Contractors, rectifications, quarterly summaries, preventive maintenance, major repairs and
// inspections: workflow tables, folds, commands and reports.
//
// Merge rules (every replica folds the same bytes):
//  rectification/<id>   workflow steps by RectificationWorkflow(); "returned" sends it back to
//                       notified and counts the returns.
//  maintenance_job/<schedule>@<period>
//                       workflow steps by MaintenanceJobWorkflow(). The id is a function of the
//                       schedule and the period, so two devices generating offline write two
//                       maintenance_job.generated events on ONE record: the first in event order
//                       creates it, any later one is absorbed silently (no conflict: both meant
//                       the same job). Two completion records (two technicians offline) are a
//                       workflow conflict; the first stands.
//  major_repair/<id>    workflow steps by MajorRepairWorkflow(). An approval or rejection names the
//                       estimate event its author saw; one that arrives after a newer estimate
//                       (revised offline meanwhile) is kept, not applied, and marks
//                       "stale_approval"; one by the person who estimated marks "self_approval".
//  inspection/<id>      workflow steps by InspectionWorkflow(); findings are appended (a finding
//                       id seen before is ignored); a finding arriving after the inspection was
//                       closed is a workflow conflict (kept, shown).
//  contractor, contractor_evaluation, maintenance_schedule: registers (FieldsFold).
#include "repairs/facilities.h"

#include <algorithm>
#include <cstdio>

#include "directory/directory.h"
#include "repairs/internal.h"

namespace houqin::repairs {

using namespace detail;

namespace {

std::string S(std::string_view v) { return std::string(v); }

namespace ev {
constexpr std::string_view kNotified = "rectification.notified";
constexpr std::string_view kRectified = "rectification.rectified";
constexpr std::string_view kVerified = "rectification.verified";
constexpr std::string_view kReturned = "rectification.returned";

constexpr std::string_view kGenerated = "maintenance_job.generated";
constexpr std::string_view kMaintained = "maintenance_job.completed";
constexpr std::string_view kSkipped = "maintenance_job.skipped";

constexpr std::string_view kEstimated = "major_repair.estimated";
constexpr std::string_view kRevised = "major_repair.revised";
constexpr std::string_view kMajorApproved = "major_repair.approved";
constexpr std::string_view kMajorRejected = "major_repair.rejected";
constexpr std::string_view kTendered = "major_repair.tendered";
constexpr std::string_view kMajorStarted = "major_repair.started";
constexpr std::string_view kMajorCompleted = "major_repair.completed";
constexpr std::string_view kMajorCancelled = "major_repair.cancelled";

constexpr std::string_view kInspectionStarted = "inspection.started";
constexpr std::string_view kFinding = "inspection.finding_recorded";
constexpr std::string_view kInspectionClosed = "inspection.closed";
}  // namespace ev

constexpr std::int64_t kMaxFen = 10'000'000'000;

const std::vector<std::string_view> kInspectors{role::kRepairCoordinator, role::kTechnician,      role::kGuard,
                                                role::kDutyOfficer,       role::kDirector,        role::kOfficeDirector,
                                                role::kAdmin};

}  // namespace

// ---------------------------------------------------------------------------
// Workflow tables

const Workflow& RectificationWorkflow() {
  static const Workflow wf(
      entity::kRectification,
      {
          {"notified", {"notified", "已通报"}},
          {"rectified", {"rectified", "已整改"}},
          {"verified", {"verified", "已验收"}},
      },
      {
          {ev::kNotified, {"notify the contractor", "通报整改"}, {""}, "notified", {role::kRepairCoordinator}},
          {ev::kRectified, {"report rectified", "报告整改完成"}, {"notified"}, "rectified",
           {role::kTechnician, role::kRepairCoordinator}},
          {ev::kVerified, {"verify", "验收"}, {"rectified"}, "verified", {role::kRepairCoordinator}},
          {ev::kReturned, {"return as not rectified", "验收不合格退回"}, {"rectified"}, "notified",
           {role::kRepairCoordinator}},
      });
  return wf;
}

const Workflow& MaintenanceJobWorkflow() {
  static const Workflow wf(
      entity::kMaintenanceJob,
      {
          {"scheduled", {"scheduled", "待保养"}},
          {"completed", {"completed", "已完成"}},
          {"skipped", {"skipped", "已跳过"}},
      },
      {
          {ev::kGenerated, {"generate", "生成保养任务"}, {""}, "scheduled",
           {role::kRepairCoordinator, role::kTechnician, role::kAdmin}},
          {ev::kMaintained, {"record the completion", "登记保养完成"}, {"scheduled"}, "completed",
           {role::kTechnician, role::kRepairCoordinator}},
          {ev::kSkipped, {"skip", "跳过本期"}, {"scheduled"}, "skipped", {role::kRepairCoordinator}},
      });
  return wf;
}

const Workflow& MajorRepairWorkflow() {
  static const Workflow wf(
      entity::kMajorRepair,
      {
          {"estimated", {"estimated", "已测算"}},
          {"approved", {"approved by the principal leader", "主要领导已同意"}},
          {"rejected", {"rejected", "未同意"}},
          {"tendered", {"tendered", "已招标"}},
          {"in_progress", {"in progress", "施工中"}},
          {"completed", {"completed", "已完工"}},
          {"cancelled", {"cancelled", "已取消"}},
      },
      {
          {ev::kEstimated, {"estimate", "测算方案"}, {""}, "estimated", {role::kRepairCoordinator}},
          {ev::kRevised, {"revise the estimate", "修改测算方案"}, {"estimated", "rejected"}, "estimated",
           {role::kRepairCoordinator}},
          {ev::kMajorApproved, {"approve", "同意"}, {"estimated"}, "approved", {role::kDirector}},
          {ev::kMajorRejected, {"reject", "不同意"}, {"estimated"}, "rejected", {role::kDirector}},
          {ev::kTendered, {"record the tender", "登记招标结果"}, {"approved"}, "tendered", {role::kRepairCoordinator}},
          {ev::kMajorStarted, {"start the work", "开工"}, {"tendered"}, "in_progress", {role::kRepairCoordinator}},
          {ev::kMajorCompleted, {"complete", "完工"}, {"in_progress"}, "completed", {role::kRepairCoordinator}},
          {ev::kMajorCancelled, {"cancel", "取消"}, {"estimated", "approved", "tendered", "rejected"}, "cancelled",
           {role::kRepairCoordinator, role::kDirector}},
      });
  return wf;
}

const Workflow& InspectionWorkflow() {
  static const Workflow wf(entity::kInspection,
                           {
                               {"open", {"in progress", "检查中"}},
                               {"closed", {"closed", "已完成"}},
                           },
                           {
                               {ev::kInspectionStarted, {"start an inspection", "开始检查"}, {""}, "open", kInspectors},
                               {ev::kFinding, {"record a finding", "登记检查发现"}, {"open"}, "", kInspectors},
                               {ev::kInspectionClosed, {"close the inspection", "完成检查"}, {"open"}, "closed",
                                kInspectors},
                           });
  return wf;
}

// ---------------------------------------------------------------------------
// Folds

namespace {

class RectificationFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kRectification; }
  void Apply(RecordState& r, const Event& e) const override {
    const Json& p = e.payload;
    Json& f = r.fields;
    if (!RectificationWorkflow().Advance(r, e)) return;
    if (e.kind == ev::kNotified) {
      for (const char* key : {"contractor", "problem", "repair", "inspection", "deadline"}) f[key] = Str(p, key);
      f["notified_at"] = Str(p, "at");
    } else if (e.kind == ev::kRectified) {
      f["rectified_at"] = Str(p, "at");
      f["rectified_by"] = e.author.user;
      f["rectified_note"] = Str(p, "note");
    } else if (e.kind == ev::kVerified) {
      f["verified_at"] = Str(p, "at");
      f["verify_note"] = Str(p, "note");
    } else if (e.kind == ev::kReturned) {
      f["returned"] = Int(f, "returned") + 1;
      f["verify_note"] = Str(p, "note");
      f.erase("rectified_at");
    }
  }
};

class MaintenanceJobFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kMaintenanceJob; }
  void Apply(RecordState& r, const Event& e) const override {
    const Json& p = e.payload;
    Json& f = r.fields;
    if (e.kind == ev::kGenerated && !Str(f, "status").empty()) return;  // the same job, generated elsewhere
    if (!MaintenanceJobWorkflow().Advance(r, e)) return;
    if (e.kind == ev::kGenerated) {
      for (const char* key : {"schedule", "period", "first", "due", "name", "target", "asset", "technician", "contractor"})
        f[key] = Str(p, key);
      f["location"] = LocationJson(LocationOf(Obj(p, "location")));
    } else if (e.kind == ev::kMaintained) {
      f["completed_at"] = Str(p, "at");
      f["completed_by"] = e.author.user;
      f["result"] = Str(p, "result");
      f["notes"] = Str(p, "notes");
    } else if (e.kind == ev::kSkipped) {
      f["skip_reason"] = Str(p, "reason");
    }
  }
};

class MajorRepairFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kMajorRepair; }
  void Apply(RecordState& r, const Event& e) const override {
    const Json& p = e.payload;
    Json& f = r.fields;
    const bool decision = e.kind == ev::kMajorApproved || e.kind == ev::kMajorRejected;
    if (decision && e.author.user == Str(f, "estimated_by")) {
      r.AddConflict({"self_approval",
                     {e.id},
                     {e.author.user + " decided on a major repair they estimated; kept, not applied",
                      e.author.user + " 审批了自己测算的修缮项目; 已保留, 未生效"}});
      return;
    }
    if (decision && Str(f, "status") == "estimated" && Str(p, "estimate_event") != Str(f, "estimate_event")) {
      r.AddConflict({"stale_approval",
                     {e.id, Str(f, "estimate_event")},
                     {e.author.user + " decided on an earlier estimate; the estimate was revised meanwhile (now " +
                          Fen(Int(f, "estimate_fen")) + " CNY): decide again",
                      e.author.user + " 审批的是修改前的测算方案; 方案已修改(现为 " + Fen(Int(f, "estimate_fen")) +
                          " 元), 请重新审批"}});
      return;
    }
    if (!MajorRepairWorkflow().Advance(r, e)) return;
    if (e.kind == ev::kEstimated) {
      for (const char* key : {"title", "asset", "repair", "plan"}) f[key] = Str(p, key);
      f["location"] = LocationJson(LocationOf(Obj(p, "location")));
      f["estimate_fen"] = Int(p, "estimate_fen");
      f["estimated_by"] = e.author.user;
      f["estimate_event"] = e.id;
    } else if (e.kind == ev::kRevised) {
      f["estimate_fen"] = Int(p, "estimate_fen");
      f["plan"] = Str(p, "plan");
      f["estimate_event"] = e.id;
    } else if (decision) {
      f[e.kind == ev::kMajorApproved ? "approved_by" : "rejected_by"] = e.author.user;
      f["decision_note"] = Str(p, "note");
    } else if (e.kind == ev::kTendered) {
      f["tender_reference"] = Str(p, "reference");
      f["tender_method"] = Str(p, "method");
      f["winner"] = Str(p, "winner");
      f["tender_fen"] = Int(p, "amount_fen");
      f["tender_date"] = Str(p, "date");
    } else if (e.kind == ev::kMajorStarted) {
      f["started_at"] = Str(p, "at");
    } else if (e.kind == ev::kMajorCompleted) {
      f["completed_at"] = Str(p, "at");
      f["final_cost_fen"] = Int(p, "final_cost_fen");
      f["completion_note"] = Str(p, "note");
    } else if (e.kind == ev::kMajorCancelled) {
      f["cancel_reason"] = Str(p, "reason");
    }
  }
};

class InspectionFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kInspection; }
  void Apply(RecordState& r, const Event& e) const override {
    const Json& p = e.payload;
    Json& f = r.fields;
    if (!InspectionWorkflow().Advance(r, e)) return;
    if (e.kind == ev::kInspectionStarted) {
      for (const char* key : {"kind", "type", "area", "building", "fire_safety_person"}) f[key] = Str(p, key);
      f["inspector"] = e.author.user;
      f["started_at"] = Str(p, "at");
      f["findings"] = Json::array();
    } else if (e.kind == ev::kFinding) {
      Json findings = Arr(f, "findings");
      const std::string id = Str(p, "id");
      const bool seen = std::any_of(findings.begin(), findings.end(), [&](const Json& x) { return Str(x, "id") == id; });
      if (!seen)
        findings.push_back(Json{{"id", id},
                                {"text", Str(p, "text")},
                                {"hazard", Bool(p, "hazard")},
                                {"fixed_on_spot", Bool(p, "fixed_on_spot")},
                                {"repair", Str(p, "repair")},
                                {"by", e.author.user},
                                {"at", Str(p, "at")}});
      f["findings"] = findings;
    } else if (e.kind == ev::kInspectionClosed) {
      f["closed_at"] = Str(p, "at");
      f["summary"] = Str(p, "summary");
    }
  }
};

}  // namespace

void RegisterFacilities(Domain& domain) {
  domain.Add(std::make_unique<FieldsFold>(S(entity::kContractor)));
  domain.Add(std::make_unique<FieldsFold>(S(entity::kContractorEvaluation)));
  domain.Add(std::make_unique<FieldsFold>(S(entity::kMaintenanceSchedule)));
  domain.Add(std::make_unique<RectificationFold>());
  domain.Add(std::make_unique<MaintenanceJobFold>());
  domain.Add(std::make_unique<MajorRepairFold>());
  domain.Add(std::make_unique<InspectionFold>());
}

// ---------------------------------------------------------------------------
// Contractors

Result<Command> UpsertContractor(Store& store, const Author& actor, const Contractor& c, LocalTime now) {
  (void)store;
  if (actor.role != role::kAdmin && actor.role != role::kRepairCoordinator)
    return No("role", "only the admin or the coordinator keeps the register of contractors",
              "只有管理员或后勤管理科可以维护外包单位");
  if (Trim(c.id).empty()) return Missing("id", "a contractor id", "外包单位编号");
  const std::string name = Trim(c.name);
  if (name.empty()) return Missing("name", "the contractor's name", "外包单位名称");
  if (c.kind != contractor_kind::kProperty && c.kind != contractor_kind::kOther)
    return Bad("kind", "unknown contractor kind " + c.kind + " (property, other)",
               "未知的外包单位类型 " + c.kind + "(物业公司、其他)");
  Command cmd;
  cmd.drafts.push_back({S(entity::kContractor), c.id, "contractor.upserted",
                        Json{{"name", name},
                             {"kind", c.kind},
                             {"contact", Trim(c.contact)},
                             {"active", c.active},
                             {"at", now.ToString()}}});
  return cmd;
}

std::optional<Contractor> FindContractor(Store& store, const std::string& id) {
  auto r = Load(store, entity::kContractor, id);
  if (!r) return std::nullopt;
  const Json& f = r->fields;
  return Contractor{id, Str(f, "name"), Str(f, "kind"), Str(f, "contact"), !f.contains("active") || Bool(f, "active")};
}

// ---------------------------------------------------------------------------
// Rectifications

namespace {
Result<RecordView> LoadRectification(Store& store, const std::string& id) {
  auto r = Load(store, entity::kRectification, id);
  if (!r) return Status::NotFound("rectification", {"no rectification notice " + id, "没有整改通知 " + id});
  return std::move(*r);
}

Status CheckContractorStaff(Store& store, const std::string& contractor, const Author& actor) {
  if (actor.role != role::kTechnician) return Status::Ok();
  auto user = directory::FindUser(store, actor.user);
  if (user && user->department == contractor) return Status::Ok();
  return No("technician", "only the contractor's own staff or the coordinator may do this",
            "只有该外包单位的人员或后勤管理科可以操作");
}
}  // namespace

Result<Command> NotifyRectification(Store& store, const Author& actor, const RectificationInput& in, LocalTime now) {
  if (Status s = RectificationWorkflow().Check("", ev::kNotified, actor.role); !s.ok()) return s;
  if (Trim(in.id).empty()) return Missing("id", "a notice id", "整改通知编号");
  if (Load(store, entity::kRectification, in.id))
    return No("id", "rectification notice " + in.id + " exists already", "整改通知 " + in.id + " 已存在");
  if (!FindContractor(store, in.contractor))
    return No("contractor", "no contractor " + in.contractor, "没有外包单位 " + in.contractor);
  const std::string problem = Trim(in.problem);
  if (problem.empty()) return Missing("problem", "the problem to rectify", "需整改的问题");
  if (!in.repair.empty() && !Load(store, entity::kRepair, in.repair))
    return No("repair", "no repair job " + in.repair, "没有维修单 " + in.repair);
  if (!in.inspection.empty() && !Load(store, entity::kInspection, in.inspection))
    return No("inspection", "no inspection " + in.inspection, "没有检查记录 " + in.inspection);
  if (!in.deadline) return Missing("deadline", "the deadline", "整改期限");
  if (*in.deadline < now.date)
    return Bad("deadline", "the deadline " + in.deadline->ToString() + " has passed", "整改期限 " + in.deadline->ToString() + " 已过");
  Command cmd;
  cmd.drafts.push_back({S(entity::kRectification), in.id, S(ev::kNotified),
                        Json{{"contractor", in.contractor},
                             {"problem", problem},
                             {"repair", in.repair},
                             {"inspection", in.inspection},
                             {"deadline", in.deadline->ToString()},
                             {"at", now.ToString()}}});
  return cmd;
}

Result<Command> ReportRectified(Store& store, const Author& actor, const std::string& id, const std::string& note,
                                LocalTime now) {
  auto r = LoadRectification(store, id);
  if (!r.ok()) return r.status();
  if (Status s = RectificationWorkflow().Check(Str(r->fields, "status"), ev::kRectified, actor.role); !s.ok()) return s;
  if (Status s = CheckContractorStaff(store, Str(r->fields, "contractor"), actor); !s.ok()) return s;
  const std::string text = Trim(note);
  if (text.empty()) return Missing("note", "what was done", "整改情况");
  Command cmd;
  cmd.drafts.push_back({S(entity::kRectification), id, S(ev::kRectified), Json{{"note", text}, {"at", now.ToString()}}});
  if (auto deadline = DateOf(r->fields, "deadline"); deadline && now.date > *deadline)
    cmd.warnings.push_back({"late", {"rectified after the deadline " + deadline->ToString(),
                                     "超过整改期限 " + deadline->ToString()}});
  return cmd;
}

Result<Command> VerifyRectification(Store& store, const Author& actor, const std::string& id, bool accepted,
                                    const std::string& note, LocalTime now) {
  auto r = LoadRectification(store, id);
  if (!r.ok()) return r.status();
  const std::string_view kind = accepted ? ev::kVerified : ev::kReturned;
  if (Status s = RectificationWorkflow().Check(Str(r->fields, "status"), kind, actor.role); !s.ok()) return s;
  const std::string text = Trim(note);
  if (!accepted && text.empty()) return Missing("note", "what is still wrong", "仍存在的问题");
  Command cmd;
  cmd.drafts.push_back({S(entity::kRectification), id, S(kind), Json{{"note", text}, {"at", now.ToString()}}});
  return cmd;
}

namespace {
RectificationSummary ToRectification(const RecordView& v, LocalTime now) {
  const Json& f = v.fields;
  RectificationSummary s;
  s.id = v.key.id;
  s.contractor = Str(f, "contractor");
  s.problem = Str(f, "problem");
  s.repair = Str(f, "repair");
  s.inspection = Str(f, "inspection");
  s.status = Str(f, "status");
  s.notified_at = Time(f, "notified_at").value_or(LocalTime{});
  s.deadline = DateOf(f, "deadline").value_or(Date{});
  s.rectified_at = Time(f, "rectified_at");
  s.verified_at = Time(f, "verified_at");
  s.returned = static_cast<int>(Int(f, "returned"));
  s.overdue = s.status == "notified" && now.date > s.deadline;
  return s;
}
}  // namespace

std::optional<RectificationSummary> FindRectification(Store& store, const std::string& id, LocalTime now) {
  auto r = Load(store, entity::kRectification, id);
  if (!r) return std::nullopt;
  return ToRectification(*r, now);
}

// ---------------------------------------------------------------------------
// Quarterly summary and evaluation

namespace {
bool QuarterValid(int year, int quarter) { return quarter >= 1 && quarter <= 4 && Date::Valid(year, 1, 1); }
Date QuarterFirst(int year, int quarter) { return Date{year, 3 * (quarter - 1) + 1, 1}; }
Date QuarterLast(int year, int quarter) {
  const Date next = quarter == 4 ? Date{year + 1, 1, 1} : Date{year, 3 * quarter + 1, 1};
  return next.AddDays(-1);
}
bool Within(Date d, Date first, Date last) { return !(d < first) && !(last < d); }
}  // namespace

ContractorQuarter QuarterlySummary(Store& store, const std::string& contractor, int year, int quarter, LocalTime now) {
  ContractorQuarter q;
  q.contractor = contractor;
  q.year = year;
  q.quarter = quarter;
  if (!QuarterValid(year, quarter)) return q;
  const Date first = QuarterFirst(year, quarter), last = QuarterLast(year, quarter);
  RepairFilter filter;
  filter.contractor = contractor;
  for (const auto& job : ListRepairs(store, filter, now)) {
    if (!Within(job.reported_at.date, first, last)) continue;
    ++q.jobs;
    if (job.done_at) {
      ++q.done;
      if (job.late) ++q.done_late;
      else ++q.done_on_time;
    }
    if (job.overdue) ++q.open_overdue;
  }
  q.on_time_percent = Ratio(q.done_on_time, q.done, 100);
  q.satisfaction = Satisfaction(store, first, last, contractor);
  for (const auto& job : MaintenanceJobs(store, now, false))
    if (job.contractor == contractor && job.completed_at && Within(job.completed_at->date, first, last))
      ++q.maintenance_done;
  (void)store.ForEachRecord(S(entity::kRectification), [&](const RecordView& v) {
    const RectificationSummary r = ToRectification(v, now);
    if (r.contractor != contractor || !Within(r.notified_at.date, first, last)) return;
    ++q.rectifications;
    if (r.rectified_at && !(r.deadline < r.rectified_at->date)) ++q.rectified_in_time;
    if (r.status != "verified") ++q.rectifications_open;
  });
  if (auto evaluation = Load(store, entity::kContractorEvaluation, EvaluationId(contractor, year, quarter)))
    q.grade = Str(evaluation->fields, "grade");
  return q;
}

std::string EvaluationId(const std::string& contractor, int year, int quarter) {
  return contractor + "@" + std::to_string(year) + "-Q" + std::to_string(quarter);
}

Result<Command> EvaluateContractor(Store& store, const Author& actor, const std::string& contractor, int year,
                                   int quarter, const std::string& grade_name, const std::string& note, LocalTime now) {
  if (actor.role != role::kRepairCoordinator)
    return No("role", "only the coordinator evaluates contractors", "只有后勤管理科可以考核外包单位");
  if (!FindContractor(store, contractor)) return No("contractor", "no contractor " + contractor, "没有外包单位 " + contractor);
  if (!QuarterValid(year, quarter)) return Bad("quarter", "a quarter is 1 to 4", "季度应为 1 至 4");
  if (now.date < QuarterFirst(year, quarter))
    return Bad("quarter", "the quarter has not begun", "该季度尚未开始");
  if (grade_name != grade::kExcellent && grade_name != grade::kGood && grade_name != grade::kQualified &&
      grade_name != grade::kUnqualified)
    return Bad("grade", "unknown grade " + grade_name + " (excellent, good, qualified, unqualified)",
               "未知的考核等次 " + grade_name + "(优秀、良好、合格、不合格)");
  const ContractorQuarter q = QuarterlySummary(store, contractor, year, quarter, now);
  Command cmd;
  cmd.drafts.push_back({S(entity::kContractorEvaluation), EvaluationId(contractor, year, quarter),
                        "contractor_evaluation.recorded",
                        Json{{"contractor", contractor},
                             {"year", year},
                             {"quarter", quarter},
                             {"grade", grade_name},
                             {"note", Trim(note)},
                             {"jobs", q.jobs},
                             {"done_on_time", q.done_on_time},
                             {"done_late", q.done_late},
                             {"satisfaction_percent", q.satisfaction.rate_percent},
                             {"rectifications", q.rectifications},
                             {"at", now.ToString()}}});
  return cmd;
}

// ---------------------------------------------------------------------------
// Preventive maintenance

std::optional<Period> PeriodOf(std::string_view freq, Date d) {
  char buf[32];
  auto month_last = [](int y, int m) { return (m == 12 ? Date{y + 1, 1, 1} : Date{y, m + 1, 1}).AddDays(-1); };
  if (freq == frequency::kSemiMonthly) {
    const bool first_half = d.day <= 15;
    std::snprintf(buf, sizeof buf, "%04d-%02d-%d", d.year, d.month, first_half ? 1 : 2);
    return Period{buf, first_half ? Date{d.year, d.month, 1} : Date{d.year, d.month, 16},
                  first_half ? Date{d.year, d.month, 15} : month_last(d.year, d.month)};
  }
  if (freq == frequency::kMonthly) {
    std::snprintf(buf, sizeof buf, "%04d-%02d", d.year, d.month);
    return Period{buf, Date{d.year, d.month, 1}, month_last(d.year, d.month)};
  }
  if (freq == frequency::kQuarterly) {
    const int q = (d.month - 1) / 3 + 1;
    std::snprintf(buf, sizeof buf, "%04d-Q%d", d.year, q);
    return Period{buf, QuarterFirst(d.year, q), QuarterLast(d.year, q)};
  }
  if (freq == frequency::kHalfYearly) {
    const bool h1 = d.month <= 6;
    std::snprintf(buf, sizeof buf, "%04d-H%d", d.year, h1 ? 1 : 2);
    return Period{buf, Date{d.year, h1 ? 1 : 7, 1}, Date{d.year, h1 ? 6 : 12, h1 ? 30 : 31}};
  }
  if (freq == frequency::kYearly) {
    std::snprintf(buf, sizeof buf, "%04d", d.year);
    return Period{buf, Date{d.year, 1, 1}, Date{d.year, 12, 31}};
  }
  return std::nullopt;
}

std::string MaintenanceJobId(const std::string& schedule_id, const std::string& period_key) {
  return schedule_id + "@" + period_key;
}

Result<Command> DefineMaintenanceSchedule(Store& store, const Author& actor, const MaintenanceSchedule& s,
                                          LocalTime now) {
  if (actor.role != role::kRepairCoordinator && actor.role != role::kAdmin)
    return No("role", "only the coordinator or the admin defines maintenance schedules",
              "只有后勤管理科或管理员可以制定保养计划");
  if (Trim(s.id).empty()) return Missing("id", "a schedule id", "保养计划编号");
  if (s.id.find('@') != std::string::npos)
    return Bad("id", "a schedule id cannot contain '@' (it separates the period in job ids)", "保养计划编号不能包含“@”");
  const std::string name = Trim(s.name);
  if (name.empty()) return Missing("name", "the schedule's name", "保养计划名称");
  if (s.target != maintenance_target::kLift && s.target != maintenance_target::kSoundSystem &&
      s.target != maintenance_target::kAirConditioner && s.target != maintenance_target::kOther)
    return Bad("target", "unknown target " + s.target + " (lift, sound_system, air_conditioner, other)",
               "未知的保养对象 " + s.target + "(电梯、会议室音响、空调、其他)");
  if (!PeriodOf(s.frequency, now.date))
    return Bad("frequency", "unknown frequency " + s.frequency + " (semimonthly, monthly, quarterly, half_yearly, yearly)",
               "未知的保养周期 " + s.frequency + "(半月、每月、每季度、每半年、每年)");
  if (!s.start) return Missing("start", "the first date", "开始日期");
  auto area = FindArea(store, s.location.area);
  if (!area) return Bad("area", "no area " + s.location.area, "没有区域 " + s.location.area);
  if (!s.technician.empty() && !s.contractor.empty())
    return Bad("assignee", "give a technician or a contractor, not both", "维修人员和外包单位只能指定其一");
  if (!s.technician.empty()) {
    auto user = directory::FindUser(store, s.technician);
    if (!user || !user->HasRole(role::kTechnician))
      return No("technician", s.technician + " is not a technician", s.technician + " 不是维修人员");
  }
  if (!s.contractor.empty() && !FindContractor(store, s.contractor))
    return No("contractor", "no contractor " + s.contractor, "没有外包单位 " + s.contractor);
  Command cmd;
  cmd.drafts.push_back({S(entity::kMaintenanceSchedule), s.id, "maintenance_schedule.defined",
                        Json{{"name", name},
                             {"target", s.target},
                             {"frequency", s.frequency},
                             {"location", LocationJson({s.location.area, Trim(s.location.building),
                                                        Trim(s.location.floor), Trim(s.location.room)})},
                             {"asset", Trim(s.asset)},
                             {"technician", s.technician},
                             {"contractor", s.contractor},
                             {"start", s.start->ToString()},
                             {"active", s.active},
                             {"at", now.ToString()}}});
  return cmd;
}

namespace {
MaintenanceSchedule ToSchedule(const std::string& id, const Json& f) {
  MaintenanceSchedule s;
  s.id = id;
  s.name = Str(f, "name");
  s.target = Str(f, "target");
  s.frequency = Str(f, "frequency");
  s.location = LocationOf(Obj(f, "location"));
  s.asset = Str(f, "asset");
  s.technician = Str(f, "technician");
  s.contractor = Str(f, "contractor");
  s.start = DateOf(f, "start");
  s.active = !f.contains("active") || Bool(f, "active");
  return s;
}
}  // namespace

std::optional<MaintenanceSchedule> FindMaintenanceSchedule(Store& store, const std::string& id) {
  auto r = Load(store, entity::kMaintenanceSchedule, id);
  if (!r) return std::nullopt;
  return ToSchedule(id, r->fields);
}

Result<Command> GenerateMaintenanceJobs(Store& store, const Author& actor, LocalTime now) {
  if (Status s = MaintenanceJobWorkflow().Check("", ev::kGenerated, actor.role); !s.ok()) return s;
  std::vector<MaintenanceSchedule> schedules;
  (void)store.ForEachRecord(S(entity::kMaintenanceSchedule),
                            [&](const RecordView& v) { schedules.push_back(ToSchedule(v.key.id, v.fields)); });
  Command cmd;
  for (const auto& s : schedules) {
    if (!s.active || !s.start || now.date < *s.start) continue;
    auto period = PeriodOf(s.frequency, *s.start);
    if (!period) continue;
    std::vector<Period> due;
    while (!(now.date < period->first)) {
      due.push_back(*period);
      if (due.size() > static_cast<std::size_t>(kMaxGeneratedPeriods)) due.erase(due.begin());
      period = PeriodOf(s.frequency, period->last.AddDays(1));
    }
    for (const auto& p : due) {
      const std::string id = MaintenanceJobId(s.id, p.key);
      if (Load(store, entity::kMaintenanceJob, id)) continue;
      cmd.drafts.push_back({S(entity::kMaintenanceJob), id, S(ev::kGenerated),
                            Json{{"schedule", s.id},
                                 {"period", p.key},
                                 {"first", p.first.ToString()},
                                 {"due", p.last.ToString()},
                                 {"name", s.name},
                                 {"target", s.target},
                                 {"location", LocationJson(s.location)},
                                 {"asset", s.asset},
                                 {"technician", s.technician},
                                 {"contractor", s.contractor}}});
    }
  }
  return cmd;
}

namespace {
Result<RecordView> LoadMaintenanceJob(Store& store, const std::string& id) {
  auto r = Load(store, entity::kMaintenanceJob, id);
  if (!r) return Status::NotFound("job", {"no maintenance job " + id, "没有保养任务 " + id});
  return std::move(*r);
}
}  // namespace

Result<Command> CompleteMaintenance(Store& store, const Author& actor, const std::string& job_id,
                                    const std::string& result, const std::string& notes, LocalTime now) {
  auto job = LoadMaintenanceJob(store, job_id);
  if (!job.ok()) return job.status();
  const Json& f = job->fields;
  if (Status s = MaintenanceJobWorkflow().Check(Str(f, "status"), ev::kMaintained, actor.role); !s.ok()) return s;
  if (actor.role == role::kTechnician) {
    const std::string technician = Str(f, "technician"), contractor = Str(f, "contractor");
    if (!technician.empty() && technician != actor.user)
      return No("technician", "this job is given to " + technician, "该保养任务已指派给 " + technician);
    if (!contractor.empty())
      if (Status s = CheckContractorStaff(store, contractor, actor); !s.ok()) return s;
  }
  if (result != maintenance_result::kOk && result != maintenance_result::kIssues)
    return Bad("result", "the result is ok or issues", "保养结果应为“正常”或“有问题”");
  const std::string text = Trim(notes);
  if (result == maintenance_result::kIssues && text.empty())
    return Missing("notes", "what is wrong", "发现的问题");
  Command cmd;
  cmd.drafts.push_back({S(entity::kMaintenanceJob), job_id, S(ev::kMaintained),
                        Json{{"result", result}, {"notes", text}, {"at", now.ToString()}}});
  if (auto due = DateOf(f, "due"); due && now.date > *due)
    cmd.warnings.push_back({"late", {"completed after the period ended on " + due->ToString(),
                                     "超过保养周期(截至 " + due->ToString() + ")"}});
  return cmd;
}

Result<Command> SkipMaintenance(Store& store, const Author& actor, const std::string& job_id, const std::string& reason,
                                LocalTime now) {
  auto job = LoadMaintenanceJob(store, job_id);
  if (!job.ok()) return job.status();
  if (Status s = MaintenanceJobWorkflow().Check(Str(job->fields, "status"), ev::kSkipped, actor.role); !s.ok()) return s;
  if (Trim(reason).empty()) return Missing("reason", "the reason for skipping", "跳过原因");
  Command cmd;
  cmd.drafts.push_back({S(entity::kMaintenanceJob), job_id, S(ev::kSkipped),
                        Json{{"reason", Trim(reason)}, {"at", now.ToString()}}});
  return cmd;
}

namespace {
MaintenanceJobSummary ToMaintenanceJob(const RecordView& v, LocalTime now) {
  const Json& f = v.fields;
  MaintenanceJobSummary s;
  s.id = v.key.id;
  s.schedule = Str(f, "schedule");
  s.period = Str(f, "period");
  s.name = Str(f, "name");
  s.target = Str(f, "target");
  s.status = Str(f, "status");
  s.location = LocationOf(Obj(f, "location"));
  s.asset = Str(f, "asset");
  s.technician = Str(f, "technician");
  s.contractor = Str(f, "contractor");
  s.first = DateOf(f, "first").value_or(Date{});
  s.due = DateOf(f, "due").value_or(Date{});
  s.completed_at = Time(f, "completed_at");
  s.completed_by = Str(f, "completed_by");
  s.result = Str(f, "result");
  s.notes = Str(f, "notes");
  for (const auto& c : v.conflicts) s.conflicts.push_back(c.kind);
  s.overdue = s.status == "scheduled" && now.date > s.due;
  return s;
}
}  // namespace

std::optional<MaintenanceJobSummary> FindMaintenanceJob(Store& store, const std::string& id, LocalTime now) {
  auto r = Load(store, entity::kMaintenanceJob, id);
  if (!r) return std::nullopt;
  return ToMaintenanceJob(*r, now);
}

std::vector<MaintenanceJobSummary> MaintenanceJobs(Store& store, LocalTime now, bool open_only) {
  std::vector<MaintenanceJobSummary> out;
  (void)store.ForEachRecord(S(entity::kMaintenanceJob), [&](const RecordView& v) {
    auto s = ToMaintenanceJob(v, now);
    if (!open_only || s.status == "scheduled") out.push_back(std::move(s));
  });
  std::sort(out.begin(), out.end(), [](const MaintenanceJobSummary& a, const MaintenanceJobSummary& b) {
    return std::tie(a.due, a.id) < std::tie(b.due, b.id);
  });
  return out;
}

// ---------------------------------------------------------------------------
// Major repairs

namespace {
Result<RecordView> LoadMajor(Store& store, const std::string& id) {
  auto r = Load(store, entity::kMajorRepair, id);
  if (!r) return Status::NotFound("major_repair", {"no major repair " + id, "没有修缮项目 " + id});
  return std::move(*r);
}

Status CheckEstimate(std::int64_t estimate_fen, const std::string& plan) {
  if (estimate_fen <= 0 || estimate_fen > kMaxFen)
    return Bad("estimate_fen", "the cost estimate must be positive", "测算金额必须大于 0");
  if (Trim(plan).empty()) return Missing("plan", "the repair plan (测算方案)", "测算方案");
  return Status::Ok();
}

Result<Command> MajorStep(Store& store, const Author& actor, const std::string& id, std::string_view kind,
                          Json payload) {
  auto m = LoadMajor(store, id);
  if (!m.ok()) return m.status();
  if (Status s = MajorRepairWorkflow().Check(Str(m->fields, "status"), kind, actor.role); !s.ok()) return s;
  Command cmd;
  cmd.drafts.push_back({S(entity::kMajorRepair), id, S(kind), std::move(payload)});
  return cmd;
}
}  // namespace

Result<Command> EstimateMajorRepair(Store& store, const Author& actor, const MajorRepairInput& in, LocalTime now) {
  if (Status s = MajorRepairWorkflow().Check("", ev::kEstimated, actor.role); !s.ok()) return s;
  if (Trim(in.id).empty()) return Missing("id", "a project id", "修缮项目编号");
  if (Load(store, entity::kMajorRepair, in.id))
    return No("id", "major repair " + in.id + " exists already", "修缮项目 " + in.id + " 已存在");
  const std::string title = Trim(in.title), asset = Trim(in.asset);
  if (title.empty()) return Missing("title", "the project's title", "项目名称");
  if (asset.empty()) return Missing("asset", "the fixed asset's number", "固定资产编号");
  if (!FindArea(store, in.location.area)) return Bad("area", "no area " + in.location.area, "没有区域 " + in.location.area);
  if (!in.repair.empty() && !Load(store, entity::kRepair, in.repair))
    return No("repair", "no repair job " + in.repair, "没有维修单 " + in.repair);
  if (Status s = CheckEstimate(in.estimate_fen, in.plan); !s.ok()) return s;
  Command cmd;
  cmd.drafts.push_back({S(entity::kMajorRepair), in.id, S(ev::kEstimated),
                        Json{{"title", title},
                             {"asset", asset},
                             {"location", LocationJson({in.location.area, Trim(in.location.building),
                                                        Trim(in.location.floor), Trim(in.location.room)})},
                             {"repair", in.repair},
                             {"estimate_fen", in.estimate_fen},
                             {"plan", Trim(in.plan)},
                             {"at", now.ToString()}}});
  return cmd;
}

Result<Command> ReviseMajorRepair(Store& store, const Author& actor, const std::string& id, std::int64_t estimate_fen,
                                  const std::string& plan, LocalTime now) {
  auto m = LoadMajor(store, id);
  if (!m.ok()) return m.status();
  if (Status s = MajorRepairWorkflow().Check(Str(m->fields, "status"), ev::kRevised, actor.role); !s.ok()) return s;
  if (Status s = CheckEstimate(estimate_fen, plan); !s.ok()) return s;
  return MajorStep(store, actor, id, ev::kRevised,
                   Json{{"estimate_fen", estimate_fen}, {"plan", Trim(plan)}, {"at", now.ToString()}});
}

namespace {
Result<Command> DecideMajor(Store& store, const Author& actor, const std::string& id, std::string_view kind,
                            const std::string& note, LocalTime now) {
  auto m = LoadMajor(store, id);
  if (!m.ok()) return m.status();
  if (Status s = MajorRepairWorkflow().Check(Str(m->fields, "status"), kind, actor.role); !s.ok()) return s;
  if (actor.user == Str(m->fields, "estimated_by"))
    return No("approver", "you cannot decide on a project you estimated", "不能审批自己测算的修缮项目");
  return MajorStep(store, actor, id, kind,
                   Json{{"note", note}, {"estimate_event", Str(m->fields, "estimate_event")}, {"at", now.ToString()}});
}
}  // namespace

Result<Command> ApproveMajorRepair(Store& store, const Author& actor, const std::string& id, const std::string& note,
                                   LocalTime now) {
  return DecideMajor(store, actor, id, ev::kMajorApproved, Trim(note), now);
}

Result<Command> RejectMajorRepair(Store& store, const Author& actor, const std::string& id, const std::string& reason,
                                  LocalTime now) {
  auto check = DecideMajor(store, actor, id, ev::kMajorRejected, Trim(reason), now);
  if (check.ok() && Trim(reason).empty()) return Missing("reason", "the reason", "不同意的理由");
  return check;
}

Result<Command> RecordTender(Store& store, const Author& actor, const std::string& id, const TenderInput& t,
                             LocalTime now) {
  auto m = LoadMajor(store, id);
  if (!m.ok()) return m.status();
  if (Status s = MajorRepairWorkflow().Check(Str(m->fields, "status"), ev::kTendered, actor.role); !s.ok()) return s;
  if (Trim(t.reference).empty()) return Missing("reference", "the tender's reference number", "招标编号");
  static const std::string_view kMethods[] = {tender_method::kPublic, tender_method::kInvited,
                                              tender_method::kNegotiation, tender_method::kInquiry,
                                              tender_method::kSingleSource};
  if (!OneOf(kMethods, t.method))
    return Bad("method", "unknown procurement method " + t.method, "未知的采购方式 " + t.method);
  if (Trim(t.winner).empty()) return Missing("winner", "the winning bidder", "中标单位");
  if (t.amount_fen <= 0 || t.amount_fen > kMaxFen) return Bad("amount_fen", "the winning bid must be positive", "中标金额必须大于 0");
  if (!t.date) return Missing("date", "the tender's date", "招标日期");
  if (now.date < *t.date) return Bad("date", "the tender date is in the future", "招标日期不能晚于今天");
  Command cmd;
  const std::int64_t estimate = Int(m->fields, "estimate_fen");
  if (t.amount_fen > estimate)
    cmd.warnings.push_back({"over_estimate",
                            {"the winning bid " + Fen(t.amount_fen) + " CNY exceeds the approved estimate " +
                                 Fen(estimate) + " CNY",
                             "中标金额 " + Fen(t.amount_fen) + " 元超过经批准的测算金额 " + Fen(estimate) + " 元"}});
  cmd.drafts.push_back({S(entity::kMajorRepair), id, S(ev::kTendered),
                        Json{{"reference", Trim(t.reference)},
                             {"method", t.method},
                             {"winner", Trim(t.winner)},
                             {"amount_fen", t.amount_fen},
                             {"date", t.date->ToString()},
                             {"at", now.ToString()}}});
  return cmd;
}

Result<Command> StartMajorRepair(Store& store, const Author& actor, const std::string& id, LocalTime now) {
  return MajorStep(store, actor, id, ev::kMajorStarted, Json{{"at", now.ToString()}});
}

Result<Command> CompleteMajorRepair(Store& store, const Author& actor, const std::string& id,
                                    std::int64_t final_cost_fen, const std::string& note, LocalTime now) {
  auto cmd = MajorStep(store, actor, id, ev::kMajorCompleted,
                       Json{{"final_cost_fen", final_cost_fen}, {"note", Trim(note)}, {"at", now.ToString()}});
  if (!cmd.ok()) return cmd;
  if (final_cost_fen <= 0 || final_cost_fen > kMaxFen)
    return Bad("final_cost_fen", "the final cost must be positive", "决算金额必须大于 0");
  auto m = LoadMajor(store, id);
  const std::int64_t tender = Int(m->fields, "tender_fen");
  if (final_cost_fen > tender)
    cmd->warnings.push_back({"over_tender",
                             {"the final cost " + Fen(final_cost_fen) + " CNY exceeds the winning bid " + Fen(tender) +
                                  " CNY",
                              "决算金额 " + Fen(final_cost_fen) + " 元超过中标金额 " + Fen(tender) + " 元"}});
  return cmd;
}

Result<Command> CancelMajorRepair(Store& store, const Author& actor, const std::string& id, const std::string& reason,
                                  LocalTime now) {
  auto cmd = MajorStep(store, actor, id, ev::kMajorCancelled, Json{{"reason", Trim(reason)}, {"at", now.ToString()}});
  if (cmd.ok() && Trim(reason).empty()) return Missing("reason", "the reason", "取消原因");
  return cmd;
}

std::optional<MajorRepairSummary> FindMajorRepair(Store& store, const std::string& id) {
  auto r = Load(store, entity::kMajorRepair, id);
  if (!r) return std::nullopt;
  const Json& f = r->fields;
  MajorRepairSummary s;
  s.id = id;
  s.title = Str(f, "title");
  s.asset = Str(f, "asset");
  s.repair = Str(f, "repair");
  s.plan = Str(f, "plan");
  s.status = Str(f, "status");
  s.estimated_by = Str(f, "estimated_by");
  s.approved_by = Str(f, "approved_by");
  s.location = LocationOf(Obj(f, "location"));
  s.estimate_fen = Int(f, "estimate_fen");
  s.tender_fen = Int(f, "tender_fen");
  s.final_cost_fen = Int(f, "final_cost_fen");
  s.tender_reference = Str(f, "tender_reference");
  s.tender_method = Str(f, "tender_method");
  s.winner = Str(f, "winner");
  for (const auto& c : r->conflicts) s.conflicts.push_back(c.kind);
  return s;
}

// ---------------------------------------------------------------------------
// Inspections

namespace {
Result<RecordView> LoadInspection(Store& store, const std::string& id) {
  auto r = Load(store, entity::kInspection, id);
  if (!r) return Status::NotFound("inspection", {"no inspection " + id, "没有检查记录 " + id});
  return std::move(*r);
}

Status CheckInspector(const RecordView& inspection, const Author& actor) {
  if (actor.user == Str(inspection.fields, "inspector") || actor.role == role::kRepairCoordinator) return Status::Ok();
  return No("inspector", "only the inspector or the coordinator may do this", "只有检查人或后勤管理科可以操作");
}
}  // namespace

Result<Command> StartInspection(Store& store, const Author& actor, const InspectionInput& in, LocalTime now) {
  if (Status s = InspectionWorkflow().Check("", ev::kInspectionStarted, actor.role); !s.ok()) return s;
  if (Trim(in.id).empty()) return Missing("id", "an inspection id", "检查记录编号");
  if (Load(store, entity::kInspection, in.id))
    return No("id", "inspection " + in.id + " exists already", "检查记录 " + in.id + " 已存在");
  if (in.kind != inspection_kind::kPatrol && in.kind != inspection_kind::kInspection)
    return Bad("kind", "a patrol or an inspection, not " + in.kind, "应为巡查或安全检查, 而不是 " + in.kind);
  static const std::string_view kTypes[] = {inspection_type::kEquipment, inspection_type::kFire,
                                            inspection_type::kDormitory, inspection_type::kVehicle,
                                            inspection_type::kOffice};
  if (!OneOf(kTypes, in.type))
    return Bad("type", "unknown inspection type " + in.type + " (equipment, fire, dormitory, vehicle, office)",
               "未知的检查类型 " + in.type + "(设施设备、消防、宿舍、车辆、办公室)");
  if (in.area.empty()) return Missing("area", "the area", "检查区域");
  auto area = FindArea(store, in.area);
  if (!area) return Bad("area", "no area " + in.area, "没有区域 " + in.area);
  const std::string building = Trim(in.building);
  if (!building.empty() && !area->buildings.empty() && !Contains(area->buildings, building))
    return Bad("building", "building " + building + " is not in area " + area->name,
               "楼栋 " + building + " 不在区域 " + area->name + " 内");
  Command cmd;
  if (area->fire_safety_person.empty())
    cmd.warnings.push_back({"no_fire_safety_person",
                            {"area " + area->name + " has no fire-safety responsible person (消防安全责任人)",
                             "区域 " + area->name + " 尚未指定消防安全责任人"}});
  cmd.drafts.push_back({S(entity::kInspection), in.id, S(ev::kInspectionStarted),
                        Json{{"kind", in.kind},
                             {"type", in.type},
                             {"area", in.area},
                             {"building", building},
                             {"fire_safety_person", area->fire_safety_person},
                             {"at", now.ToString()}}});
  return cmd;
}

Result<Command> RecordFinding(Store& store, const Author& actor, const std::string& inspection_id,
                              const FindingInput& in, LocalTime now) {
  auto insp = LoadInspection(store, inspection_id);
  if (!insp.ok()) return insp.status();
  const Json& f = insp->fields;
  if (Status s = InspectionWorkflow().Check(Str(f, "status"), ev::kFinding, actor.role); !s.ok()) return s;
  if (Status s = CheckInspector(*insp, actor); !s.ok()) return s;
  if (Trim(in.id).empty()) return Missing("finding", "a finding id", "问题编号");
  for (const auto& x : Arr(f, "findings"))
    if (Str(x, "id") == in.id) return No("finding", "finding " + in.id + " is recorded already", "问题 " + in.id + " 已登记");
  const std::string text = Trim(in.text);
  if (text.empty()) return Missing("text", "what was found", "发现的问题");
  if (in.fixed_on_spot && in.repair)
    return Bad("repair", "a finding fixed on the spot needs no repair request", "已当场整改的问题无需报修");
  Command cmd;
  std::string repair_id;
  if (in.repair) {
    RepairInput r = *in.repair;
    if (r.location.area.empty()) {
      r.location.area = Str(f, "area");
      if (r.location.building.empty()) r.location.building = Str(f, "building");
    }
    if (Trim(r.description).empty()) r.description = text;
    auto draft = ReportDraft(store, actor, r, Json{{"inspection", inspection_id}, {"finding", in.id}}, now);
    if (!draft.ok()) return draft.status();
    repair_id = r.id;
    cmd.drafts.push_back(std::move(*draft));
  } else if (in.hazard && !in.fixed_on_spot) {
    cmd.warnings.push_back({"hazard_without_repair",
                            {"a hazard neither fixed on the spot nor reported for repair",
                             "隐患既未当场整改, 也未报修"}});
  }
  cmd.drafts.insert(cmd.drafts.begin(), Draft{S(entity::kInspection), inspection_id, S(ev::kFinding),
                                              Json{{"id", in.id},
                                                   {"text", text},
                                                   {"hazard", in.hazard},
                                                   {"fixed_on_spot", in.fixed_on_spot},
                                                   {"repair", repair_id},
                                                   {"at", now.ToString()}}});
  return cmd;
}

Result<Command> CloseInspection(Store& store, const Author& actor, const std::string& inspection_id,
                                const std::string& summary, LocalTime now) {
  auto insp = LoadInspection(store, inspection_id);
  if (!insp.ok()) return insp.status();
  const Json& f = insp->fields;
  if (Status s = InspectionWorkflow().Check(Str(f, "status"), ev::kInspectionClosed, actor.role); !s.ok()) return s;
  if (Status s = CheckInspector(*insp, actor); !s.ok()) return s;
  Command cmd;
  int open_hazards = 0;
  for (const auto& x : Arr(f, "findings"))
    if (Bool(x, "hazard") && !Bool(x, "fixed_on_spot") && Str(x, "repair").empty()) ++open_hazards;
  if (open_hazards > 0)
    cmd.warnings.push_back({"hazard_without_repair",
                            {std::to_string(open_hazards) + " hazard(s) neither fixed on the spot nor reported for repair",
                             std::to_string(open_hazards) + " 项隐患既未当场整改, 也未报修"}});
  cmd.drafts.push_back({S(entity::kInspection), inspection_id, S(ev::kInspectionClosed),
                        Json{{"summary", Trim(summary)}, {"at", now.ToString()}}});
  return cmd;
}

std::optional<InspectionSummary> FindInspection(Store& store, const std::string& id) {
  auto r = Load(store, entity::kInspection, id);
  if (!r) return std::nullopt;
  const Json& f = r->fields;
  InspectionSummary s;
  s.id = id;
  s.kind = Str(f, "kind");
  s.type = Str(f, "type");
  s.area = Str(f, "area");
  s.building = Str(f, "building");
  s.inspector = Str(f, "inspector");
  s.fire_safety_person = Str(f, "fire_safety_person");
  s.status = Str(f, "status");
  s.summary = Str(f, "summary");
  s.started_at = Time(f, "started_at").value_or(LocalTime{});
  s.closed_at = Time(f, "closed_at");
  for (const auto& x : Arr(f, "findings"))
    s.findings.push_back({Str(x, "id"), Str(x, "text"), Str(x, "repair"), Str(x, "by"), Bool(x, "hazard"),
                          Bool(x, "fixed_on_spot"), Time(x, "at").value_or(LocalTime{})});
  for (const auto& c : r->conflicts) s.conflicts.push_back(c.kind);
  return s;
}

}  // namespace houqin::repairs
