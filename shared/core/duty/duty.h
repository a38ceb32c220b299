// Night duty (值班): roster, check-in at the duty room, spot checks with the
// absence fine recorded against the whole shift, the duty log with urgent
// escalations to the duty leader (带班领导) linked to the emergency plans (预案),
// the handover signed with two PINs that seals the log under a hash chain, and
// patrols of the compound's checkpoints.
//
// Entities (merge rules at the top of duty.cpp, and in MERGE-RULES.md):
//   duty_checkpoint/<id>  a code the admin registers: a duty room or a patrol point (register)
//   duty_route/<id>       an ordered list of patrol checkpoints (register)
//   duty_plan/<id>        an emergency plan: category, title, contacts (register)
//   duty_profile/<user>   the officer's PIN as salt + scrypt hash, never the PIN (ProfileWorkflow)
//   duty_shift/<id>       roster, check-ins, the log (entries, edits, notes) and the handover (ShiftWorkflow)
//   duty_spot_check/<id>  one spot check: present or absent, the fine per officer (SpotCheckWorkflow)
//   duty_escalation/<id>  an urgent entry sent to the leader, open until acknowledged (EscalationWorkflow)
//   duty_patrol/<id>      checkpoints scanned in order, findings (PatrolWorkflow)
// Constraints: "duty_roster" (an officer on two overlapping shifts), "duty_shift_records" (spot
// checks, escalations and patrols of one shift; marks a spot check of an officer no longer on
// the roster), and two indexes: "duty_month" (shifts by site and month) and "duty_inbox" (open
// escalations by leader).
//
// Commands are free functions that read the store, check every rule (role held in the
// directory, workflow table, business rule) and return drafts plus soft warnings, or a Status
// naming the field with the reason in English and Chinese. They never append: callers run
// Execute(store, actor, command). Every number a site may change is in duty::Rules.
//
// Thread safety: free functions; the Store is single-threaded. The PIN hash is slow on
// purpose (tens of milliseconds): keep it off the UI thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command.h"
#include "engine/store.h"
#include "engine/workflow.h"
#include "repairs/repairs.h"
#include "util/civil_time.h"
#include "util/hash.h"
#include "util/status.h"

namespace houqin::duty {

namespace entity {
inline constexpr std::string_view kCheckpoint = "duty_checkpoint";
inline constexpr std::string_view kRoute = "duty_route";
inline constexpr std::string_view kPlan = "duty_plan";
inline constexpr std::string_view kProfile = "duty_profile";
inline constexpr std::string_view kShift = "duty_shift";
inline constexpr std::string_view kSpotCheck = "duty_spot_check";
inline constexpr std::string_view kEscalation = "duty_escalation";
inline constexpr std::string_view kPatrol = "duty_patrol";
}  // namespace entity

// Event kinds, "<entity>.<verb>".
namespace kind {
inline constexpr std::string_view kCheckpointSaved = "duty_checkpoint.saved";
inline constexpr std::string_view kRouteSaved = "duty_route.saved";
inline constexpr std::string_view kPlanSaved = "duty_plan.saved";
inline constexpr std::string_view kPinSet = "duty_profile.pin_set";
inline constexpr std::string_view kPinReset = "duty_profile.pin_reset";
inline constexpr std::string_view kRostered = "duty_shift.rostered";
inline constexpr std::string_view kRosterChanged = "duty_shift.roster_changed";
inline constexpr std::string_view kShiftCancelled = "duty_shift.cancelled";
inline constexpr std::string_view kCheckedIn = "duty_shift.checked_in";
inline constexpr std::string_view kEntryLogged = "duty_shift.entry_logged";
inline constexpr std::string_view kEntryEdited = "duty_shift.entry_edited";
inline constexpr std::string_view kNoteAppended = "duty_shift.note_appended";
inline constexpr std::string_view kHandedOver = "duty_shift.handed_over";
inline constexpr std::string_view kSpotChecked = "duty_spot_check.recorded";
inline constexpr std::string_view kSpotCheckVoided = "duty_spot_check.voided";
inline constexpr std::string_view kEscalationRaised = "duty_escalation.raised";
inline constexpr std::string_view kEscalationAcknowledged = "duty_escalation.acknowledged";
inline constexpr std::string_view kPatrolStarted = "duty_patrol.started";
inline constexpr std::string_view kCheckpointScanned = "duty_patrol.checkpoint_scanned";
inline constexpr std::string_view kCheckpointSkipped = "duty_patrol.checkpoint_skipped";
inline constexpr std::string_view kFindingRecorded = "duty_patrol.finding_recorded";
inline constexpr std::string_view kFindingLinked = "duty_patrol.finding_linked";
inline constexpr std::string_view kPatrolFinished = "duty_patrol.finished";
}  // namespace kind

// The lifecycle tables (statuses, steps, roles); duty.cpp explains each step.
const Workflow& ShiftWorkflow();
const Workflow& SpotCheckWorkflow();
const Workflow& EscalationWorkflow();
const Workflow& PatrolWorkflow();
const Workflow& ProfileWorkflow();

// ---------------------------------------------------------------------------
// Rules: every number a site configures, with the document's value as default.
// The admin overrides them in site_config/duty (a register); LoadRules lays the
// overrides over the defaults.

namespace checklist_item {
inline constexpr std::string_view kLogComplete = "log_complete";        // 值班记录填写完整
inline constexpr std::string_view kRoomClean = "room_clean";            // 值班室卫生整洁 (清扫办公室和值班室卫生)
inline constexpr std::string_view kEquipmentOk = "equipment_ok";        // 通讯设备完好
inline constexpr std::string_view kKeysHanded = "keys_handed";          // 钥匙、物品交接
inline constexpr std::string_view kMattersBriefed = "matters_briefed";  // 未尽事项已交代
}  // namespace checklist_item

struct Rules {
  // 凡抽查不在岗,按无故不值班处理; 发现一次,当天所有值班人员每人罚款50元. Recorded, never collected.
  bool absence_fine_enabled = true;
  std::int64_t absence_fine_fen = 5000;
  // The fine names the shift's duty officers (值班人员); the leader only if the site says so (our decision).
  bool fine_includes_leader = false;
  // Check-in opens this long before the shift starts; later than start + grace counts as late (our decision).
  std::int64_t checkin_early_minutes = 60;
  std::int64_t checkin_grace_minutes = 15;
  // 值班记录要按时交接: a handover later than the shift's end + grace counts as late (our decision).
  std::int64_t handover_grace_minutes = 30;
  // The handover checklist; room_clean comes from 值班期间…自觉清扫办公室和值班室卫生.
  std::vector<std::string> checklist = {std::string(checklist_item::kLogComplete),
                                        std::string(checklist_item::kRoomClean),
                                        std::string(checklist_item::kEquipmentOk),
                                        std::string(checklist_item::kKeysHanded),
                                        std::string(checklist_item::kMattersBriefed)};
};

Rules LoadRules(Store& store);
void ApplyOverrides(Rules& rules, const Json& fields);
// The admin's draft for site_config/duty (only the keys given change).
Draft SetRules(const Json& overrides);
// The label people read for a checklist item (the key itself for a site's own item).
Text ChecklistLabel(std::string_view item);

// Categories of log entries, emergency plans and patrol findings.
namespace category {
inline constexpr std::string_view kRoutine = "routine";              // 日常
inline constexpr std::string_view kCall = "call";                    // 来电
inline constexpr std::string_view kVisit = "visit";                  // 来访
inline constexpr std::string_view kFire = "fire";                    // 火灾
inline constexpr std::string_view kFlood = "flood";                  // 防汛
inline constexpr std::string_view kUtility = "utility";              // 停水停电
inline constexpr std::string_view kSecurity = "security";            // 治安
inline constexpr std::string_view kMedical = "medical";              // 医疗急救
inline constexpr std::string_view kPetition = "petition";            // 信访
inline constexpr std::string_view kPublicHealth = "public_health";   // 公共卫生
inline constexpr std::string_view kWeather = "weather";              // 气象灾害
inline constexpr std::string_view kFacility = "facility";            // 设施损坏
inline constexpr std::string_view kOther = "other";                  // 其他
}  // namespace category
bool KnownCategory(std::string_view category);
Text CategoryLabel(std::string_view category);

// ---------------------------------------------------------------------------
// Registers the admin keeps: checkpoints (duty rooms and patrol points), routes, plans.

namespace checkpoint_kind {
inline constexpr std::string_view kDutyRoom = "duty_room";
inline constexpr std::string_view kPatrol = "patrol";
}  // namespace checkpoint_kind

struct CheckpointInput {
  std::string id;
  std::string site;
  std::string name;
  std::string kind = std::string(checkpoint_kind::kPatrol);
  std::string location;
  // The value printed in the QR code or NFC tag. Required when creating; empty keeps the old one.
  // Stored only as a keyed hash, so that a synced database does not reveal the codes to scan.
  std::string code;
};
// Admin only. Creates or updates (last writer wins per field).
Result<Command> SaveCheckpoint(Store& store, const Author& actor, const CheckpointInput& input, LocalTime now);

struct CheckpointInfo {
  std::string id, site, name, kind, location;
};
std::optional<CheckpointInfo> FindCheckpoint(Store& store, const std::string& checkpoint_id);
// Does `code` open checkpoint `checkpoint_id`?
bool CodeMatches(Store& store, const std::string& checkpoint_id, const std::string& code);

struct RouteInput {
  std::string id;
  std::string site;
  std::string name;
  std::vector<std::string> checkpoints;  // patrol checkpoints of the site, in walking order
};
Result<Command> SaveRoute(Store& store, const Author& actor, const RouteInput& input, LocalTime now);

struct Contact {
  std::string name;
  std::string phone;
  std::string role;  // 职务 or duty in the plan, free text
  bool operator==(const Contact&) const = default;
};

struct PlanInput {
  std::string id;
  std::string site;  // empty: every site
  std::string category;
  std::string title;
  std::string summary;
  std::vector<Contact> contacts;  // at least one; mobile numbers are validated
};
Result<Command> SavePlan(Store& store, const Author& actor, const PlanInput& input, LocalTime now);

struct PlanInfo {
  std::string id, site, category, title, summary;
  std::vector<Contact> contacts;
};
// The plans of this category for this site (site plans and plans for every site), by id.
std::vector<PlanInfo> MatchingPlans(Store& store, const std::string& site, const std::string& category);

// ---------------------------------------------------------------------------
// The officer's PIN (值班人员签字 on the device).

// The officer (role duty_officer or duty_leader) sets their own PIN: 4 to 12 digits, not one
// digit repeated, not a plain run like 123456. When a PIN exists, `current_pin` must match it.
// Only a random salt and the scrypt hash are written.
Result<Command> SetPin(Store& store, const Author& actor, const std::string& pin, const std::string& current_pin,
                       LocalTime now);
// Admin only: clears a forgotten PIN; the officer sets a new one.
Result<Command> ResetPin(Store& store, const Author& actor, const std::string& user, LocalTime now);
// Ok when `pin` is the user's PIN; NotFound("pin") when none is set, Refused("pin") when wrong.
Status VerifyPin(Store& store, const std::string& user, const std::string& pin);

// ---------------------------------------------------------------------------
// Roster (admin writes rosters)

struct ShiftInput {
  std::string id;
  std::string site;
  std::string room;  // a duty_room checkpoint of the site
  std::optional<Date> date;
  std::optional<LocalTime> start, end;  // start on `date`; a night shift ends the next morning
  std::vector<std::string> officers;    // users holding duty_officer
  std::string leader;                   // 带班领导: a user holding duty_leader
};
Result<Command> RosterShift(Store& store, const Author& actor, const ShiftInput& input, LocalTime now);

// Only the parts given change. Refused once the shift has been handed over.
struct RosterChange {
  std::optional<std::vector<std::string>> officers;
  std::optional<std::string> leader;
  std::optional<LocalTime> start, end;
  std::string reason;  // required
};
Result<Command> ChangeRoster(Store& store, const Author& actor, const std::string& shift_id,
                             const RosterChange& change, LocalTime now);
// A shift nobody has checked in to yet.
Result<Command> CancelShift(Store& store, const Author& actor, const std::string& shift_id,
                            const std::string& reason, LocalTime now);

// An officer (or the leader) of the shift scans the duty room's code. Opens Rules.checkin_early_minutes
// before the start, closes at the end; warning "late_checkin" after start + grace.
Result<Command> CheckIn(Store& store, const Author& actor, const std::string& shift_id,
                        const std::string& scanned_code, LocalTime now);

struct ShiftInfo {
  std::string id, site, room, status, leader;
  Date date;
  LocalTime start, end;
  std::vector<std::string> officers;
  std::map<std::string, std::string> checkins;  // user -> "YYYY-MM-DDTHH:MM" of the first check-in
  int entries = 0;
  std::vector<std::string> late_events;  // log events the handover did not cover
  std::string handover_event;
  std::optional<LocalTime> handed_over_at;
  std::size_t conflicts = 0;
};
std::optional<ShiftInfo> FindShift(Store& store, const std::string& shift_id);
// Live and cancelled shifts of a site starting on `date`, by start then id.
std::vector<ShiftInfo> ShiftsOn(Store& store, const std::string& site, Date date);

// ---------------------------------------------------------------------------
// The duty log (值班记录)

struct EntryInput {
  std::string shift;
  std::string entry_id;  // unique within the shift; the apps use a UUIDv7
  std::string category = std::string(category::kRoutine);
  std::string text;
  // 遇有紧急重要事项和突发事件,立即上报: an urgent entry raises an escalation to the shift's leader.
  bool urgent = false;
  std::string escalation_id;  // the new escalation record's id; required when urgent
};
// By an officer or the leader of a shift on duty. Warning "no_plan" when an urgent entry's
// category has no emergency plan for the site.
Result<Command> LogEntry(Store& store, const Author& actor, const EntryInput& input, LocalTime now);
// Replaces an entry's text while the log is open; refused after the handover (append a note).
Result<Command> EditEntry(Store& store, const Author& actor, const std::string& shift_id,
                          const std::string& entry_id, const std::string& text, LocalTime now);
// A note appended to the log, open or sealed; `entry_id` (optional) names the entry it is about.
Result<Command> AppendNote(Store& store, const Author& actor, const std::string& shift_id,
                           const std::string& entry_id, const std::string& text, LocalTime now);

struct LogLine {
  std::string event;  // the event id
  std::string kind;   // "entry", "edit" or "note"
  std::string entry;  // the entry it writes or is about (empty for a free note)
  std::string category, text, author, at;
  bool urgent = false;
  bool late = false;  // not covered by the handover: it reached this replica after the handover
};
struct HandoverView {
  std::string event, outgoing, incoming, incoming_shift, at, head, remarks;
  std::size_t links = 0;
  std::vector<std::string> checklist_failed;
};
struct ShiftLog {
  std::string shift, status;
  std::vector<LogLine> log;                 // the sealed log (everything while the log is open)
  std::optional<HandoverView> handover;
  std::vector<LogLine> after_handover;      // notes, and late entries flagged late, in event order
};
// The log as people read it, from the shift's events: a late entry is shown after the
// handover and flagged, never moved before it.
Result<ShiftLog> ReadShiftLog(Store& store, const std::string& shift_id);

// ---------------------------------------------------------------------------
// Escalations

struct EscalationInfo {
  std::string id, shift, entry, leader, category, summary, status;
  std::string raised_by, raised_at, acknowledged_by, acknowledged_at, note;
  std::vector<std::string> also_acknowledged_by;  // later acknowledgements made offline
  std::vector<PlanInfo> plans;                    // as matched when the entry was written
};
// By the escalation's leader, or the shift's leader now, holding duty_leader.
Result<Command> AcknowledgeEscalation(Store& store, const Author& actor, const std::string& escalation_id,
                                      const std::string& note, LocalTime now);
std::optional<EscalationInfo> FindEscalation(Store& store, const std::string& escalation_id);
// Open escalations addressed to `leader`, by id.
std::vector<EscalationInfo> OpenEscalations(Store& store, const std::string& leader);

// ---------------------------------------------------------------------------
// Handover (交接班): signed by the outgoing and the incoming officer, each with their PIN.

struct HandoverInput {
  std::string shift;
  std::string outgoing;  // an officer of this shift
  std::string outgoing_pin;
  std::string incoming;  // an officer (or the leader) of `incoming_shift`, or any duty officer when none is given
  std::string incoming_pin;
  std::string incoming_shift;
  std::map<std::string, bool> checklist;              // every item of Rules.checklist answered
  std::map<std::string, std::string> checklist_notes; // required for every item answered false
  std::string remarks;
};
// Seals the log: the event carries the hash chain over every log event folded so far.
// Warnings: "open_escalations", "checklist_failed", "early_handover".
Result<Command> HandOver(Store& store, const Author& actor, const HandoverInput& input, LocalTime now);

// The tamper-evident chain. link_0 = SHA-256("houqin.duty.chain.v1\n" || shift id), then for each
// log event in fold order link_i = SHA-256(link_{i-1} || CanonicalBytes(event)) (raw 32 bytes, then
// the canonical bytes). The handover event stores [event id, link hex] for every link and the head.
// The log takes at most kMaxLogEvents entries, edits and notes before the handover (commands
// refuse more); devices merging offline may exceed it, up to kMaxChainLinks, which keeps the
// handover event (~110 bytes a link) under the 64 KiB payload bound.
inline constexpr std::size_t kMaxLogEvents = 300;
inline constexpr std::size_t kMaxChainLinks = 500;
bool IsChainedKind(std::string_view event_kind);
Digest ChainGenesis(const std::string& shift_id);
Digest ChainLink(const Digest& previous, const Event& log_event);

struct ChainProblem {
  enum class Kind { kChanged, kRemoved, kAdded };
  Kind kind = Kind::kChanged;
  std::size_t position = 0;  // 1-based place in the chain; 0 when not in the chain (added, late, head)
  std::string event;         // the event id
  std::string entry;         // the log entry it writes, as stored now (from the folded state when removed)
  Text text;
};
struct ChainReport {
  std::string shift, handover_event, head;
  std::size_t links = 0;
  std::vector<ChainProblem> problems;     // empty: every sealed event is as it was signed
  std::vector<std::string> late_events;   // arrived after the handover through sync; shown flagged
  bool ok() const { return problems.empty(); }
};
// Recomputes the chain from the stored events. NotFound("shift") for an unknown shift,
// Refused("shift") when it has not been handed over.
Result<ChainReport> VerifyDutyChain(Store& store, const std::string& shift_id);

// ---------------------------------------------------------------------------
// Spot checks (抽查) and compliance

struct SpotCheckInput {
  std::string id;
  std::string shift;
  std::string officer;   // the officer checked
  bool present = true;
  bool regular = false;  // 定期 (true) or 不定期 (false)
  std::string note;
};
// By a named checker (duty_leader, office_director, director or admin), never on themselves,
// during the shift. An absence records 无故不值班 against the officer and Rules.absence_fine_fen
// against every officer of the shift (the fine is recorded, not collected).
Result<Command> RecordSpotCheck(Store& store, const Author& actor, const SpotCheckInput& input, LocalTime now);
// A spot check recorded in error, with a reason (admin or office_director).
Result<Command> VoidSpotCheck(Store& store, const Author& actor, const std::string& spot_check_id,
                              const std::string& reason, LocalTime now);

struct Absence {
  std::string spot_check, officer, checker, at;
};
struct ShiftCompliance {
  std::string shift, site, status, leader;
  Date date;
  std::vector<std::string> officers;
  std::vector<std::string> checked_in, not_checked_in, late_checkins;
  int spot_checks = 0;                       // not voided
  std::vector<Absence> absences;             // 无故不值班
  std::map<std::string, std::int64_t> fines_fen;  // per person, from every absence found on this shift
  std::int64_t total_fine_fen = 0;
  bool handed_over = false;
  bool handover_late = false;
  std::vector<std::string> checklist_failed;  // items answered false at the handover (room_clean, ...)
  int late_entries = 0;
  int open_escalations = 0;
  std::size_t conflicts = 0;  // on the shift and its spot checks
};
std::optional<ShiftCompliance> ShiftComplianceOf(Store& store, const std::string& shift_id);

struct OfficerMonth {
  std::string officer;
  int shifts = 0, absences = 0, missed_checkins = 0, late_checkins = 0;
  std::int64_t fine_fen = 0;
};
struct MonthCompliance {
  std::string site, month;  // "YYYY-MM"
  std::vector<ShiftCompliance> shifts;  // cancelled shifts left out, by date then id
  std::vector<OfficerMonth> officers;   // by officer id
  int spot_checks = 0, absences = 0, late_handovers = 0, rooms_not_clean = 0, not_handed_over = 0;
  std::int64_t total_fine_fen = 0;
};
// Shifts whose date lies in the month. A missed check-in and a missing handover count once the
// shift has ended by `now` (a shift still ahead is not yet missed).
MonthCompliance MonthComplianceOf(Store& store, const std::string& site, int year, int month, LocalTime now);

// ---------------------------------------------------------------------------
// Patrols (巡查): checkpoints scanned in order, findings

struct PatrolInput {
  std::string id;
  std::string route;
  std::string shift;  // optional: the shift the patrol belongs to
};
// By a duty officer, the duty leader or a guard.
Result<Command> StartPatrol(Store& store, const Author& actor, const PatrolInput& input, LocalTime now);
// The code must open the next checkpoint of the route: a later one is refused ("code": scan in
// order, or skip with a reason), an unknown code too.
Result<Command> ScanCheckpoint(Store& store, const Author& actor, const std::string& patrol_id,
                               const std::string& scanned_code, LocalTime now);
// The next checkpoint could not be reached; reason required.
Result<Command> SkipCheckpoint(Store& store, const Author& actor, const std::string& patrol_id,
                               const std::string& reason, LocalTime now);

struct FindingInput {
  std::string patrol;
  std::string finding_id;  // unique within the patrol
  std::string category;    // a duty category (fire, facility, security, ...)
  std::string description;
  std::string checkpoint;  // empty: the last checkpoint scanned
  // A finding becomes a repair request in one step: when set, the repairs area's ReportRepair
  // runs in the same batch (an empty description is the finding's) and the finding names it.
  std::optional<repairs::RepairInput> repair;
};
// While the patrol is under way, by its patroller. The repairs area's refusals and warnings
// pass through unchanged.
Result<Command> RecordFinding(Store& store, const Author& actor, const FindingInput& input, LocalTime now);
// Links a finding to a repair request made apart from it (the repairs area's record id).
Result<Command> LinkFindingRepair(Store& store, const Author& actor, const std::string& patrol_id,
                                  const std::string& finding_id, const std::string& repair_request, LocalTime now);
// Warning "skipped_checkpoints" when checkpoints were neither scanned nor skipped.
Result<Command> FinishPatrol(Store& store, const Author& actor, const std::string& patrol_id, LocalTime now);

struct PatrolScan {
  std::string checkpoint, at, reason;  // reason: set for a skipped checkpoint
  bool skipped = false;
};
struct PatrolFinding {
  std::string id, checkpoint, category, description, repair_request, at, by;
};
struct PatrolInfo {
  std::string id, route, shift, site, status, patroller, started_at, finished_at;
  std::vector<std::string> checkpoints;  // the route as it was when the patrol started
  std::vector<PatrolScan> scans;         // in order
  std::vector<std::string> missed;       // neither scanned nor skipped when finished
  std::vector<PatrolFinding> findings;
};
std::optional<PatrolInfo> FindPatrol(Store& store, const std::string& patrol_id);

// Registers every fold and constraint of the duty area.
void Register(Domain& domain);

}  // namespace houqin::duty
