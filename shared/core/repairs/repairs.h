// Building repairs (维修): requests made at any hour, offline; triage into small (1 working day)
// or large (3 working days) on the working-day calendar; assignment to a technician or the
// outsourced property company; start, parts and cost, done; the requester confirms and rates
// 1–5, or rejects and the job reopens; the cause of damage (human damage → compensation at price,
// normal wear → a loss report 报损单 that finance reviews and a leader approves for write-off);
// satisfaction over a period. Preventive maintenance, major repairs of fixed assets, the property
// company's rectifications and quarterly summary, and patrols / safety inspections are in
// repairs/facilities.h.
//
// Entities (merge rules at the top of repairs.cpp and in MERGE-RULES.md):
//   repair/<id>        a repair job; workflow RepairWorkflow()
//   loss_report/<id>   报损单; workflow LossReportWorkflow()
//   area/<id>          a place (office buildings or the staff residential area) with its buildings and
//                      the fire-safety responsible person (消防安全责任人); a register, last writer wins
//   site_config/repairs  the configurable numbers (Rules)
// Constraint "loss_report_cause" (group = repair id): a live loss report whose job's cause is no
// longer normal wear marks both records "cause_mismatch".
//
// Roles (directory/directory.h): staff report, confirm and rate; repair_coordinator triages,
// assigns, cancels and runs the programmes; technician works jobs; finance reviews loss reports
// and records compensation paid; director or office_director (the leaders) approve write-offs.
// Staff of the property company are users with the technician role whose department is the
// contractor's id.
//
// Commands are free functions that read the store, check every rule and return drafts plus soft
// warnings, or a Status naming the field, in English and Chinese. They never append: run
// Execute(store, actor, cmd). Thread safety: free functions; the Store is single-threaded.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/calendar.h"
#include "engine/command.h"
#include "engine/store.h"
#include "engine/workflow.h"
#include "util/civil_time.h"

namespace houqin::repairs {

namespace entity {
inline constexpr std::string_view kRepair = "repair";
inline constexpr std::string_view kLossReport = "loss_report";
inline constexpr std::string_view kArea = "area";
inline constexpr std::string_view kContractor = "contractor";
inline constexpr std::string_view kContractorEvaluation = "contractor_evaluation";
inline constexpr std::string_view kRectification = "rectification";
inline constexpr std::string_view kMaintenanceSchedule = "maintenance_schedule";
inline constexpr std::string_view kMaintenanceJob = "maintenance_job";
inline constexpr std::string_view kMajorRepair = "major_repair";
inline constexpr std::string_view kInspection = "inspection";
}  // namespace entity

// Registers every fold and constraint of the repairs area.
void Register(Domain& domain);

// The lifecycle tables; repairs.cpp explains each step.
const Workflow& RepairWorkflow();
const Workflow& LossReportWorkflow();

// The relations behind the table's roles, shared by the commands and the server's verdicts
// (sync/access.h). A technician acts only on a job given to them or to their company (refused,
// field "technician"); other roles pass.
Status CheckAssignedTechnician(Store& store, const RecordView& job, const Author& actor);
// The requester, or the coordinator recording a caller's verdict (refused, field "requester").
Status CheckRequester(const RecordView& job, const Author& actor);

// ---------------------------------------------------------------------------
// Rules: every number a site may change, with the document's value as default.

struct Rules {
  int small_working_days = 1;    // 小的维修项目1个工作日完成
  int large_working_days = 3;    // 大的维修项目3个工作日完成
  int satisfied_min_rating = 4;  // a rating at or above this counts as satisfied (our decision)
  int max_photos = 9;            // photos per request (our decision)
};
// The defaults overlaid with the site_config/repairs record, if any.
Rules LoadRules(Store& store);
// The admin's draft setting overrides (only the keys given change).
Draft SetRules(const Json& overrides);

// ---------------------------------------------------------------------------
// Places

namespace area_kind {
inline constexpr std::string_view kOffice = "office";            // 办公楼
inline constexpr std::string_view kResidential = "residential";  // 家属区 / 生活区
}  // namespace area_kind

struct Area {
  std::string id;
  std::string name;
  std::string kind = std::string(area_kind::kOffice);
  std::vector<std::string> buildings;  // empty: any building name is accepted
  std::string fire_safety_person;      // user id of the 消防安全责任人
};
// By the admin. Warning "no_fire_safety_person" when none is named.
Result<Command> UpsertArea(Store& store, const Author& actor, const Area& area, LocalTime now);
std::optional<Area> FindArea(Store& store, const std::string& id);

struct Location {
  std::string area;      // an Area id, required
  std::string building;  // required
  std::string floor;     // "B1", "3", optional
  std::string room;      // optional
  bool operator==(const Location&) const = default;
};

// ---------------------------------------------------------------------------
// Repair requests and jobs

namespace category {
inline constexpr std::string_view kWater = "water";
inline constexpr std::string_view kElectricity = "electricity";
inline constexpr std::string_view kHeating = "heating";
inline constexpr std::string_view kGas = "gas";
inline constexpr std::string_view kAirConditioning = "air_conditioning";
inline constexpr std::string_view kLift = "lift";
inline constexpr std::string_view kMeetingAudio = "meeting_audio";
inline constexpr std::string_view kOfficeMachines = "office_machines";
inline constexpr std::string_view kFurniture = "furniture";
inline constexpr std::string_view kDoorsLocks = "doors_locks";
inline constexpr std::string_view kOther = "other";
}  // namespace category
const std::vector<std::string_view>& Categories();
Text CategoryLabel(std::string_view category);

namespace urgency {
inline constexpr std::string_view kNormal = "normal";
inline constexpr std::string_view kUrgent = "urgent";
inline constexpr std::string_view kEmergency = "emergency";  // gas smell, burst pipe, people stuck in a lift
}  // namespace urgency

namespace size {
inline constexpr std::string_view kSmall = "small";
inline constexpr std::string_view kLarge = "large";
}  // namespace size

// A photo is an attachment: its bytes travel and are stored apart from the events, which carry
// only this reference (the SHA-256 of the bytes, lowercase hex).
struct Photo {
  std::string sha256;
  std::string mime = "image/jpeg";
  std::int64_t bytes = 0;
  bool operator==(const Photo&) const = default;
};
Photo PhotoOf(std::string_view bytes, std::string mime = "image/jpeg");

struct RepairInput {
  std::string id;          // new record id (UUIDv7 in the apps)
  std::string requester;   // empty: the actor; the coordinator may enter a hotline call for a caller
  std::string category;
  Location location;
  std::string description;
  std::string urgency = std::string(urgency::kNormal);
  std::vector<Photo> photos;
};

// At any hour, by anyone signed in. Warning "emergency" reminds to phone the hotline as well.
Result<Command> ReportRepair(Store& store, const Author& actor, const RepairInput& input, LocalTime now);

// By the coordinator: sets the size and the due time from the calendar (stored in the event, so
// the fold stays pure). On a job already triaged it reclassifies (the due time is recomputed from
// the moment the clock started). Warnings: "calendar_assumed" (a year without calendar data),
// "already_overdue".
Result<Command> TriageRepair(Store& store, const Author& actor, const std::string& repair_id, std::string_view size,
                             const calendar::Calendar& calendar, LocalTime now);

// Exactly one of the two: a user with the technician role, or a registered contractor.
struct Assignee {
  std::string technician;
  std::string contractor;
};
// By the coordinator, on a triaged, assigned or reopened job. A fresh assignment also settles an
// open "double_assignment" conflict of the job (a conflict.resolved draft in the same batch).
Result<Command> AssignRepair(Store& store, const Author& actor, const std::string& repair_id, const Assignee& assignee,
                             const std::string& note, LocalTime now);

// By the assigned technician (or one of the contractor's staff), or the coordinator.
Result<Command> StartRepair(Store& store, const Author& actor, const std::string& repair_id, LocalTime now);

namespace cost_type {
inline constexpr std::string_view kPart = "part";        // 材料 / 配件
inline constexpr std::string_view kLabour = "labour";    // 人工
inline constexpr std::string_view kService = "service";  // an outside service's invoice
}  // namespace cost_type

struct CostInput {
  std::string type = std::string(cost_type::kPart);
  std::string item;              // what was used or paid for, required
  std::int64_t quantity = 1;     // > 0
  std::int64_t unit_price_fen = 0;  // >= 0
  std::string receipt;           // optional
};
// Parts and costs, while the job is in progress, done, reopened or confirmed (invoices come late).
Result<Command> RecordRepairCost(Store& store, const Author& actor, const std::string& repair_id, const CostInput& cost,
                                 LocalTime now);

// The technician marks the job done. Warnings: "late" (after the due time), "no_cause" (the cause
// of damage is not yet recorded).
Result<Command> CompleteRepair(Store& store, const Author& actor, const std::string& repair_id, const std::string& note,
                               const std::vector<Photo>& photos, LocalTime now);

// The requester (or the coordinator, for a caller without the app) closes a done job.
Result<Command> ConfirmRepair(Store& store, const Author& actor, const std::string& repair_id, int rating,
                              const std::string& comment, LocalTime now);
// The requester rejects the fix: the job reopens with a fresh due time for its size, counted from now.
Result<Command> RejectRepair(Store& store, const Author& actor, const std::string& repair_id, const std::string& reason,
                             const calendar::Calendar& calendar, LocalTime now);
// The requester (reason optional) or the coordinator (reason required), before work starts or on a
// reopened job.
Result<Command> CancelRepair(Store& store, const Author& actor, const std::string& repair_id, const std::string& reason,
                             LocalTime now);

namespace cause {
inline constexpr std::string_view kHuman = "human";  // 人为损坏: paid for at price
inline constexpr std::string_view kWear = "wear";    // 正常损耗: a loss report for write-off
inline constexpr std::string_view kOther = "other";  // anything else (weather, defect under warranty); note required
}  // namespace cause

struct CauseInput {
  std::string cause;
  std::string note;
  // Human damage: who is liable, and the amount; 0 = the job's recorded cost so far (按价赔偿).
  std::string liable;
  std::int64_t compensation_fen = 0;
  // Normal wear: the loss report filed in the same batch.
  std::string loss_report_id;
  std::string item;           // the item written off, required
  std::string asset;          // fixed-asset number, optional
  std::int64_t quantity = 1;
  std::int64_t value_fen = 0;  // book value written off, >= 0
};
// By the technician or the coordinator, once work has started.
Result<Command> RecordCause(Store& store, const Author& actor, const std::string& repair_id, const CauseInput& input,
                            LocalTime now);
// By finance: compensation for human damage received.
Result<Command> RecordCompensationPaid(Store& store, const Author& actor, const std::string& repair_id,
                                       std::int64_t amount_fen, const std::string& receipt, LocalTime now);

struct Verdict {
  LocalTime at;
  int rating = 0;  // 1..5; 0 = the fix was rejected
};

struct RepairSummary {
  std::string id, requester, category, urgency, description, status, size;
  Location location;
  std::vector<Photo> photos;
  LocalTime reported_at;
  std::optional<LocalTime> due;
  bool due_assumed = false;  // the calendar had no data for a year the count crossed
  std::string technician, contractor;
  std::optional<LocalTime> started_at, done_at, confirmed_at;
  int rating = 0;
  int reopened = 0;
  std::vector<Verdict> verdicts;
  std::int64_t parts_fen = 0, labour_fen = 0, service_fen = 0;
  std::string cause, liable;
  std::int64_t compensation_fen = 0, compensation_paid_fen = 0;
  std::vector<std::string> loss_reports;
  std::string inspection;  // the inspection whose finding raised it, if any
  std::vector<std::string> conflicts;  // kinds of the conflict marks it carries
  // Computed against the `now` given to the reader:
  bool overdue = false;  // still open and past its due time
  bool late = false;     // done after its due time
  std::int64_t total_fen() const { return parts_fen + labour_fen + service_fen; }
};
std::optional<RepairSummary> FindRepair(Store& store, const std::string& repair_id, LocalTime now);

struct RepairFilter {
  std::string status;      // empty: any
  std::string technician;  // empty: any
  std::string contractor;  // empty: any
  bool overdue_only = false;
};
// Ordered by reported time, then id.
std::vector<RepairSummary> ListRepairs(Store& store, const RepairFilter& filter, LocalTime now);
// Open jobs past their due time (the coordinator's watch list).
std::vector<RepairSummary> OverdueRepairs(Store& store, LocalTime now);

// 满意率: every verdict given in [from, to] counts once: a confirmation rated at or above
// Rules.satisfied_min_rating is satisfied; a lower rating or a rejection is not. `assignee`
// (a technician or contractor id) narrows it to that assignee's jobs.
struct SatisfactionReport {
  int verdicts = 0;
  int confirmed = 0;
  int rejected = 0;
  int satisfied = 0;
  std::array<int, 5> ratings{};  // counts of ratings 1..5
  int average_rating_x100 = 0;   // over confirmations; 0 when none
  int rate_percent = 0;          // satisfied / verdicts, rounded half up
  int rate_permille = 0;
};
SatisfactionReport Satisfaction(Store& store, Date from, Date to, const std::string& assignee = "");

// ---------------------------------------------------------------------------
// Loss reports (报损单)

// By finance: checked and passed on to a leader.
Result<Command> ReviewLossReport(Store& store, const Author& actor, const std::string& id, const std::string& note,
                                 LocalTime now);
// By a leader (director or office_director), never the one who filed it: written off.
Result<Command> ApproveLossReport(Store& store, const Author& actor, const std::string& id, const std::string& note,
                                  LocalTime now);
// By finance (before review) or a leader; reason required.
Result<Command> RejectLossReport(Store& store, const Author& actor, const std::string& id, const std::string& reason,
                                 LocalTime now);

struct LossReportSummary {
  std::string id, repair, item, asset, status, filed_by, reviewed_by, approved_by, note;
  std::int64_t quantity = 0, value_fen = 0;
  std::vector<std::string> conflicts;
};
std::optional<LossReportSummary> FindLossReport(Store& store, const std::string& id);

}  // namespace houqin::repairs
