// The repairs area beyond single jobs: the outsourced property company (notices to rectify, the
// quarterly quality summary), recurring preventive maintenance, major repairs of fixed assets
// (固定资产修缮项目), and patrols and safety inspections whose findings become repair requests.
//
// Entities (merge rules in facilities.cpp and MERGE-RULES.md):
//   contractor/<id>                      the property company and other contractors; a register
//   contractor_evaluation/<c>@<YYYY>-Q<n> the coordinator's quarterly grade with the figures it was
//                                        given on; a register, last writer wins
//   rectification/<id>                   整改通知: notified → rectified → verified (or returned)
//   maintenance_schedule/<id>            a recurring job's schedule; a register
//   maintenance_job/<schedule>@<period>  one period's job: scheduled → completed (or skipped); the
//                                        id is deterministic, so devices generating offline make
//                                        the same record, not two
//   major_repair/<id>                    estimated → approved → tendered → in_progress → completed
//   inspection/<id>                      patrol or safety inspection: open → closed, with findings
//
// Roles: the principal leader (主要领导) who approves a major repair is role director (主管主任) —
// the directory has no separate principal-leader role. Inspections and patrols may be carried
// out by the coordinator, technicians, guards, duty officers, leaders and the admin.
// Thread safety: free functions; the Store is single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "repairs/repairs.h"

namespace houqin::repairs {

const Workflow& RectificationWorkflow();
const Workflow& MaintenanceJobWorkflow();
const Workflow& MajorRepairWorkflow();
const Workflow& InspectionWorkflow();

// Registers the folds of this header (called by repairs::Register).
void RegisterFacilities(Domain& domain);

// ---------------------------------------------------------------------------
// Contractors and the property company

namespace contractor_kind {
inline constexpr std::string_view kProperty = "property";  // 外包物业公司
inline constexpr std::string_view kOther = "other";        // a specialist firm (lifts, air conditioning)
}  // namespace contractor_kind

struct Contractor {
  std::string id, name;
  std::string kind = std::string(contractor_kind::kProperty);
  std::string contact;
  bool active = true;
};
// By the admin or the coordinator.
Result<Command> UpsertContractor(Store& store, const Author& actor, const Contractor& contractor, LocalTime now);
std::optional<Contractor> FindContractor(Store& store, const std::string& id);

struct RectificationInput {
  std::string id;          // new record id
  std::string contractor;  // required
  std::string problem;     // required
  std::string repair;      // the job it concerns, optional
  std::string inspection;  // the inspection that found it, optional
  std::optional<Date> deadline;  // required, not before today
};
// 通报外包物业公司督促其立即整改: by the coordinator.
Result<Command> NotifyRectification(Store& store, const Author& actor, const RectificationInput& input, LocalTime now);
// The contractor's staff (technician whose department is the contractor) or the coordinator.
Result<Command> ReportRectified(Store& store, const Author& actor, const std::string& id, const std::string& note,
                                LocalTime now);
// The coordinator checks: accepted → verified; not accepted → back to notified (note required).
Result<Command> VerifyRectification(Store& store, const Author& actor, const std::string& id, bool accepted,
                                    const std::string& note, LocalTime now);

struct RectificationSummary {
  std::string id, contractor, problem, repair, inspection, status;
  LocalTime notified_at;
  Date deadline;
  std::optional<LocalTime> rectified_at, verified_at;
  int returned = 0;
  bool overdue = false;  // not rectified (or returned) and today is past the deadline
};
std::optional<RectificationSummary> FindRectification(Store& store, const std::string& id, LocalTime now);

// 按季度考核评价: the figures of one contractor's quarter.
struct ContractorQuarter {
  std::string contractor;
  int year = 0, quarter = 0;
  int jobs = 0;            // jobs assigned to it, reported in the quarter
  int done = 0;            // of those, done or confirmed
  int done_on_time = 0;
  int done_late = 0;
  int open_overdue = 0;    // still open and past due at `now`
  int on_time_percent = 0;  // done_on_time / done
  SatisfactionReport satisfaction;  // verdicts given in the quarter on its jobs
  int maintenance_done = 0;         // its preventive-maintenance jobs completed in the quarter
  int rectifications = 0;           // notices received in the quarter
  int rectified_in_time = 0;        // of those, rectified by the deadline
  int rectifications_open = 0;      // of those, not yet verified
  std::string grade;                // from the evaluation record, when one is made
};
ContractorQuarter QuarterlySummary(Store& store, const std::string& contractor, int year, int quarter, LocalTime now);

namespace grade {
inline constexpr std::string_view kExcellent = "excellent";      // 优秀
inline constexpr std::string_view kGood = "good";                // 良好
inline constexpr std::string_view kQualified = "qualified";      // 合格
inline constexpr std::string_view kUnqualified = "unqualified";  // 不合格
}  // namespace grade
std::string EvaluationId(const std::string& contractor, int year, int quarter);
// By the coordinator after the quarter has begun: records the grade with the summary's figures.
Result<Command> EvaluateContractor(Store& store, const Author& actor, const std::string& contractor, int year,
                                   int quarter, const std::string& grade, const std::string& note, LocalTime now);

// ---------------------------------------------------------------------------
// Preventive maintenance (定期检测维护保养, 按规定时间清洗)

namespace maintenance_target {
inline constexpr std::string_view kLift = "lift";
inline constexpr std::string_view kSoundSystem = "sound_system";          // meeting-room sound systems
inline constexpr std::string_view kAirConditioner = "air_conditioner";    // cleaning
inline constexpr std::string_view kOther = "other";
}  // namespace maintenance_target

namespace frequency {
inline constexpr std::string_view kSemiMonthly = "semimonthly";  // 1st–15th, 16th–end (lifts: every 15 days)
inline constexpr std::string_view kMonthly = "monthly";
inline constexpr std::string_view kQuarterly = "quarterly";
inline constexpr std::string_view kHalfYearly = "half_yearly";
inline constexpr std::string_view kYearly = "yearly";
}  // namespace frequency

// A period of a schedule, aligned to the calendar: "2026-03-1" / "2026-03-2" (halves of a month),
// "2026-03", "2026-Q1", "2026-H1", "2026".
struct Period {
  std::string key;
  Date first, last;
};
// The period of `frequency` containing `d`; nullopt for an unknown frequency.
std::optional<Period> PeriodOf(std::string_view frequency, Date d);
std::string MaintenanceJobId(const std::string& schedule_id, const std::string& period_key);

struct MaintenanceSchedule {
  std::string id, name, target, frequency;
  Location location;
  std::string asset;       // equipment number, optional
  std::string technician;  // default assignee, optional
  std::string contractor;  // or a contractor, optional
  std::optional<Date> start;  // the first period is the one containing it; required
  bool active = true;
};
// By the coordinator or the admin; the same id again updates the schedule.
Result<Command> DefineMaintenanceSchedule(Store& store, const Author& actor, const MaintenanceSchedule& schedule,
                                          LocalTime now);
std::optional<MaintenanceSchedule> FindMaintenanceSchedule(Store& store, const std::string& id);

// At most this many past periods of one schedule are generated at once (a schedule that started
// long ago does not flood the list with history nobody will work).
inline constexpr int kMaxGeneratedPeriods = 12;
// The jobs due by `now` that this replica does not hold yet: for each active schedule, the periods
// from its start to the one containing today (the latest kMaxGeneratedPeriods). Idempotent and
// deterministic: ids are MaintenanceJobId(schedule, period). An empty command when nothing is due.
// By the coordinator, a technician or the admin.
Result<Command> GenerateMaintenanceJobs(Store& store, const Author& actor, LocalTime now);

namespace maintenance_result {
inline constexpr std::string_view kOk = "ok";          // 正常
inline constexpr std::string_view kIssues = "issues";  // 有问题 (report a repair for each)
}  // namespace maintenance_result
// The completion record, by a technician (the assignee, or any when none is set; a contractor's
// staff for a contractor's job) or the coordinator. Notes required when the result is "issues".
Result<Command> CompleteMaintenance(Store& store, const Author& actor, const std::string& job_id,
                                    const std::string& result, const std::string& notes, LocalTime now);
// By the coordinator; reason required.
Result<Command> SkipMaintenance(Store& store, const Author& actor, const std::string& job_id, const std::string& reason,
                                LocalTime now);

struct MaintenanceJobSummary {
  std::string id, schedule, period, name, target, status;
  Location location;
  std::string asset, technician, contractor;
  Date first, due;  // the period's first and last day
  std::optional<LocalTime> completed_at;
  std::string completed_by, result, notes;
  std::vector<std::string> conflicts;
  bool overdue = false;  // scheduled and today is past the period
};
std::optional<MaintenanceJobSummary> FindMaintenanceJob(Store& store, const std::string& id, LocalTime now);
// Every job, by due date then id; `open_only` keeps the scheduled ones.
std::vector<MaintenanceJobSummary> MaintenanceJobs(Store& store, LocalTime now, bool open_only);

// ---------------------------------------------------------------------------
// Major repairs of fixed assets (测算方案, 经主要领导同意, 经招标程序后实施)

struct MajorRepairInput {
  std::string id;
  std::string title;    // required
  std::string asset;    // fixed-asset number, required
  Location location;    // area required
  std::string repair;   // the job that revealed it, optional
  std::int64_t estimate_fen = 0;  // > 0
  std::string plan;     // the 测算方案, required
};
// By the coordinator.
Result<Command> EstimateMajorRepair(Store& store, const Author& actor, const MajorRepairInput& input, LocalTime now);
// A new estimate on an estimated or rejected project (back to estimated).
Result<Command> ReviseMajorRepair(Store& store, const Author& actor, const std::string& id, std::int64_t estimate_fen,
                                  const std::string& plan, LocalTime now);
// By the principal leader (role director), never the one who estimated.
Result<Command> ApproveMajorRepair(Store& store, const Author& actor, const std::string& id, const std::string& note,
                                   LocalTime now);
Result<Command> RejectMajorRepair(Store& store, const Author& actor, const std::string& id, const std::string& reason,
                                  LocalTime now);

namespace tender_method {  // 政府采购法 procurement methods
inline constexpr std::string_view kPublic = "public";                // 公开招标
inline constexpr std::string_view kInvited = "invited";              // 邀请招标
inline constexpr std::string_view kNegotiation = "negotiation";      // 竞争性谈判
inline constexpr std::string_view kInquiry = "inquiry";              // 询价
inline constexpr std::string_view kSingleSource = "single_source";  // 单一来源
}  // namespace tender_method

struct TenderInput {
  std::string reference;  // 招标编号, required
  std::string method = std::string(tender_method::kPublic);
  std::string winner;     // the winning bidder (a contractor id or a name), required
  std::int64_t amount_fen = 0;  // the winning bid, > 0
  std::optional<Date> date;     // required, not after today
};
// By the coordinator on an approved project. Warning "over_estimate" when the bid exceeds the estimate.
Result<Command> RecordTender(Store& store, const Author& actor, const std::string& id, const TenderInput& tender,
                             LocalTime now);
Result<Command> StartMajorRepair(Store& store, const Author& actor, const std::string& id, LocalTime now);
// Warning "over_tender" when the final cost exceeds the winning bid.
Result<Command> CompleteMajorRepair(Store& store, const Author& actor, const std::string& id,
                                    std::int64_t final_cost_fen, const std::string& note, LocalTime now);
// By the coordinator or the director, before work starts; reason required.
Result<Command> CancelMajorRepair(Store& store, const Author& actor, const std::string& id, const std::string& reason,
                                  LocalTime now);

struct MajorRepairSummary {
  std::string id, title, asset, repair, plan, status, estimated_by, approved_by;
  Location location;
  std::int64_t estimate_fen = 0, tender_fen = 0, final_cost_fen = 0;
  std::string tender_reference, tender_method, winner;
  std::vector<std::string> conflicts;
};
std::optional<MajorRepairSummary> FindMajorRepair(Store& store, const std::string& id);

// ---------------------------------------------------------------------------
// Patrols and safety inspections (巡查, 安全大检查)

namespace inspection_kind {
inline constexpr std::string_view kPatrol = "patrol";          // 巡查
inline constexpr std::string_view kInspection = "inspection";  // 安全检查
}  // namespace inspection_kind

namespace inspection_type {
inline constexpr std::string_view kEquipment = "equipment";  // 设施设备安全
inline constexpr std::string_view kFire = "fire";            // 消防安全
inline constexpr std::string_view kDormitory = "dormitory";  // 宿舍安全
inline constexpr std::string_view kVehicle = "vehicle";      // 车辆安全
inline constexpr std::string_view kOffice = "office";        // 办公室安全
}  // namespace inspection_type

struct InspectionInput {
  std::string id;
  std::string kind = std::string(inspection_kind::kInspection);
  std::string type;      // required
  std::string area;      // required; its fire-safety responsible person is recorded with it
  std::string building;  // optional
};
// Warning "no_fire_safety_person" when the area names none.
Result<Command> StartInspection(Store& store, const Author& actor, const InspectionInput& input, LocalTime now);

struct FindingInput {
  std::string id;    // new finding id, unique within the inspection
  std::string text;  // required
  bool hazard = false;          // a safety hazard (隐患)
  bool fixed_on_spot = false;
  // When set, the finding becomes a repair request in the same batch (requester = the inspector);
  // an empty location area or building is taken from the inspection.
  std::optional<RepairInput> repair;
};
// By the inspector or the coordinator, while the inspection is open.
Result<Command> RecordFinding(Store& store, const Author& actor, const std::string& inspection_id,
                              const FindingInput& finding, LocalTime now);
Result<Command> CloseInspection(Store& store, const Author& actor, const std::string& inspection_id,
                                const std::string& summary, LocalTime now);

struct Finding {
  std::string id, text, repair, by;
  bool hazard = false, fixed_on_spot = false;
  LocalTime at;
};
struct InspectionSummary {
  std::string id, kind, type, area, building, inspector, fire_safety_person, status, summary;
  LocalTime started_at;
  std::optional<LocalTime> closed_at;
  std::vector<Finding> findings;
  std::vector<std::string> conflicts;
};
std::optional<InspectionSummary> FindInspection(Store& store, const std::string& id);

}  // namespace houqin::repairs
