// The fleet of the official-cars area (公务用车): the car register and car
// file (车辆档案), the driver file (驾驶员档案), plate-number rotation
// (尾号限行), dispatch eligibility, due-date reminders, the acquisition rules
// (配备) with their report, and the odometer kept on the car.
//
// Records:
//   car/<id>     folded by CarFold; status in_use ⇄ sealed, in_use|sealed → disposed (terminal)
//   driver/<id>  folded by DriverFold; status active ⇄ left
// Field edits are last-writer-wins per field in event order; a step the
// workflow table no longer allows is kept and marks a "workflow" conflict.
// A lower odometer reading than the car's current one marks
// "odometer_decreased"; two live cars with one plate or one fuel card mark
// "duplicate_plate" / "fuel_card_shared" (constraint "car_register").
// The full merge rules are written down in fleet.cpp's fold notes.
//
// Commands read the store, check role, workflow and business rules, and return
// drafts plus soft warnings (never append; callers run Execute).
//
// Thread safety: free functions; the Store they read is single-threaded.
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
#include "util/status.h"

namespace houqin::cars {

// Car classes (fields["car_class"]). Only general and confidential have
// purchase caps in the documents (Rules.general_cap, Rules.confidential_cap).
namespace car_class {
inline constexpr std::string_view kGeneral = "general";            // 一般公务车
inline constexpr std::string_view kConfidential = "confidential";  // 机要通信用车
inline constexpr std::string_view kLeader = "leader";              // 领导用车 (保障用车)
inline constexpr std::string_view kMinibus = "minibus";            // 中型客车
inline constexpr std::string_view kCoach = "coach";                // 大型客车
inline constexpr std::string_view kSpecial = "special";            // 执法执勤 / 特种专业技术用车
}  // namespace car_class
bool IsKnownCarClass(std::string_view name);
Text CarClassText(std::string_view name);

namespace car_status {
inline constexpr std::string_view kInUse = "in_use";
inline constexpr std::string_view kSealed = "sealed";      // 封存
inline constexpr std::string_view kDisposed = "disposed";  // 处置, terminal
}  // namespace car_status

namespace driver_status {
inline constexpr std::string_view kActive = "active";
inline constexpr std::string_view kLeft = "left";
}  // namespace driver_status

// How a car came to the unit (fields["acquisition"]). "borrowed", "occupied"
// and "donated" are refused (不得借用、占用…不得接受企业捐赠的车辆).
namespace acquisition {
inline constexpr std::string_view kPurchase = "purchase";  // 新购: the acquisition rules apply
inline constexpr std::string_view kTransfer = "transfer";  // 调剂 / 划拨 from another unit
inline constexpr std::string_view kExisting = "existing";  // on the books before Houqin
}  // namespace acquisition

// Car event kinds.
namespace car_event {
inline constexpr std::string_view kRegistered = "car.registered";
inline constexpr std::string_view kUpdated = "car.updated";
inline constexpr std::string_view kCustodianAssigned = "car.custodian_assigned";
inline constexpr std::string_view kDueDatesSet = "car.due_dates_set";
inline constexpr std::string_view kSealed = "car.sealed";
inline constexpr std::string_view kUnsealed = "car.unsealed";
inline constexpr std::string_view kDisposed = "car.disposed";
inline constexpr std::string_view kOutOfService = "car.out_of_service";
inline constexpr std::string_view kBackInService = "car.back_in_service";
inline constexpr std::string_view kOdometerRecorded = "car.odometer_recorded";  // {km, trip}
}  // namespace car_event

namespace driver_event {
inline constexpr std::string_view kRegistered = "driver.registered";
inline constexpr std::string_view kUpdated = "driver.updated";
inline constexpr std::string_view kLicenceRenewed = "driver.licence_renewed";
inline constexpr std::string_view kLeft = "driver.left";
inline constexpr std::string_view kRejoined = "driver.rejoined";
}  // namespace driver_event

// The lifecycle tables (statuses, steps, roles); see fleet.cpp for the reasons.
const Workflow& CarWorkflow();
const Workflow& DriverWorkflow();

struct CarFile {
  std::string id, plate;                 // plate normalized (validation::NormalizePlate)
  std::string car_class;                 // one of car_class::*
  std::string model;
  int seats = 0;
  std::int64_t displacement_ml = 0;
  std::int64_t price_fen = 0;
  bool new_energy = false;
  bool domestic = true;
  bool off_road = false;
  std::string custodian_driver;          // driver id (机动车辆由驾驶员负责保管)
  std::string status;                    // "in_use", "sealed" 封存, "disposed" 处置
  bool out_of_service = false;           // e.g. in repair
  std::string acquired_on, registered_on, disposed_on;          // "YYYY-MM-DD"
  std::string inspection_due, licence_due, insurance_due;       // "YYYY-MM-DD"
  std::int64_t fuel_norm_ml_per_100km = 0;   // consumption norm for reconciliation
  std::int64_t odometer_km = 0;              // latest reading in event order
  std::string fuel_card;                     // 一车一卡 card number
  // Acquisition (配备) and the car's standard.
  bool clean_energy = false;                 // 清洁能源 (e.g. hybrid, natural gas): meets the purchase rule
  std::string acquisition;                   // acquisition::*
  std::string special_need;                  // recorded need for a purchase that is not domestic new/clean energy
  std::string terrain_need;                  // recorded special terrain or work need for an off-road purchase
  std::int64_t cap_displacement_ml = 0;      // the class cap when acquired (0 = none)
  std::int64_t cap_price_fen = 0;
  // Why the car breaks its class's rules: "over_displacement", "over_price",
  // "not_new_energy", "not_domestic", "off_road". Kept by the fold, shown on reports.
  std::vector<std::string> standard_flags;
  std::string out_of_service_reason;
  std::vector<Conflict> conflicts;           // fold and constraint marks

  bool has_odometer = false;                 // a reading has been recorded (odometer_km is meaningful)

  bool over_standard() const { return !standard_flags.empty(); }
};

std::optional<CarFile> FindCar(Store& store, const std::string& car_id);
std::vector<CarFile> ListCars(Store& store);

struct RotationVerdict {
  bool restricted = false;
  Text rule;  // which rule decided, e.g. "Monday: last digits 1 and 6" / "周一限行尾号1和6"
};
// The weekday table applies when rotation.enabled; weekend parking applies
// when rotation.weekend_parked, independently of the table (our decision: a
// site may drop the rotation and keep the weekend rule). work_required lifts
// weekend parking only, never the weekday table. Weekends are Saturday and
// Sunday by the calendar (holiday swaps are not considered here).
RotationVerdict CheckRotation(const PlateRotation& rotation, std::string_view plate, Date day, bool work_required);

// Ok when the car may be dispatched for [start, end]; otherwise Refused naming field "car" with the reason: sealed, disposed,
// out of service, inspection/licence/insurance lapsed on a day of the window, plate restricted (尾号限行) or weekend parking on a
// day of the window unless work_required. NotFound "car" for an unknown car; Invalid "end" when end < start.
Status DispatchEligibility(Store& store, const Rules& rules, const std::string& car_id, LocalTime start, LocalTime end,
                           bool work_required);

// The odometer lives on the car; trips append this draft with their start and end.
Draft OdometerDraft(const std::string& car_id, std::int64_t km, const std::string& trip_id);
// The car's latest reading in event order; nullopt for an unknown car or one without a reading.
std::optional<std::int64_t> LastOdometer(Store& store, const std::string& car_id);

// Warnings for inspection, licence and insurance: "<what>_lapsed" when the due
// date is before today, "<what>_due_soon" within Rules.due_reminder_days
// (what = inspection | licence | insurance). A due date is valid through its day.
std::vector<Warning> DueReminders(const CarFile& car, Date today, const Rules& rules);
struct CarReminder {
  std::string car_id, plate;
  Warning warning;
};
// Every live (not disposed) car's reminders, by car id.
std::vector<CarReminder> FleetReminders(Store& store, Date today, const Rules& rules);

struct DriverFile {
  std::string id, name, user_id, licence_number, licence_class, licence_due, phone, status; /* "active"/"left" */
  std::string left_on;
  std::vector<Conflict> conflicts;
};
std::optional<DriverFile> FindDriver(Store& store, const std::string& driver_id);
std::vector<DriverFile> ListDrivers(Store& store);
Status DriverEligibility(Store& store, const std::string& driver_id, Date day);   // Refused field "driver" when left or licence lapsed
// "licence_lapsed" / "licence_due_soon" for a driver, as DueReminders.
std::vector<Warning> DriverReminders(const DriverFile& driver, Date today, const Rules& rules);
// Ok when the driver's licence class (准驾车型) covers the car: 20 seats or
// more need A1; 10–19 seats need A1 or B1; smaller cars any of A1 A2 A3 B1 B2
// C1 C2. An empty licence class is not judged. Refused field "driver".
Status DriverLicenceFits(const DriverFile& driver, const CarFile& car);

// ---- Car commands (roles: see CarWorkflow) ----

struct NewCar {
  std::string id;
  std::string plate;
  std::string car_class = std::string(car_class::kGeneral);
  std::string model;
  int seats = 5;
  std::int64_t displacement_ml = 0;
  std::int64_t price_fen = 0;
  bool new_energy = false;  // also set when the plate is a new-energy plate
  bool clean_energy = false;
  bool domestic = true;
  bool off_road = false;
  std::string acquisition = std::string(acquisition::kPurchase);  // or "borrowed"/"occupied"/"donated": refused
  std::string special_need, terrain_need;
  std::string acquired_on, registered_on;  // default: today
  std::string inspection_due, licence_due, insurance_due;
  std::int64_t fuel_norm_ml_per_100km = 0;
  std::int64_t odometer_km = 0;  // reading at registration; recorded when > 0
  std::string fuel_card;
  std::string custodian_driver;
};
// Warnings: each standard flag (over_displacement, over_price, not_new_energy, not_domestic, off_road),
// "purchase_quota_exceeded" (purchases of the acquisition year above quota_purchase_percent of car_quota),
// "over_quota" (more live cars than car_quota), and the due-date reminders.
Result<Command> RegisterCar(Store& store, const Author& actor, const NewCar& car, LocalTime now);

// Edits of the car file; only the fields given change (LWW per field).
struct CarChanges {
  // Default initializers let callers write designated initializers ({.model = "..."}) warning-free.
  std::optional<std::string> plate{}, car_class{}, model{};
  std::optional<int> seats{};
  std::optional<std::int64_t> displacement_ml{}, price_fen{}, fuel_norm_ml_per_100km{};
  std::optional<bool> new_energy{}, clean_energy{}, domestic{}, off_road{};
  std::optional<std::string> special_need{}, terrain_need{}, acquired_on{}, registered_on{}, fuel_card{};
};
Result<Command> UpdateCar(Store& store, const Author& actor, const std::string& car_id, const CarChanges& changes,
                          LocalTime now);
// An empty driver_id clears the custodian.
Result<Command> AssignCustodian(Store& store, const Author& actor, const std::string& car_id, const std::string& driver_id,
                                LocalTime now);
// Sets the due dates given (审验办照); warns on those due soon or lapsed.
Result<Command> SetCarDueDates(Store& store, const Author& actor, const std::string& car_id,
                               std::optional<std::string> inspection_due, std::optional<std::string> licence_due,
                               std::optional<std::string> insurance_due, LocalTime now);
Result<Command> SealCar(Store& store, const Author& actor, const std::string& car_id, const std::string& reason,
                        LocalTime now);
Result<Command> UnsealCar(Store& store, const Author& actor, const std::string& car_id, LocalTime now);
// manner: e.g. "auction" 拍卖, "scrap" 报废, "transfer" 调剂; required. Terminal.
Result<Command> DisposeCar(Store& store, const Author& actor, const std::string& car_id, const std::string& manner,
                           const std::string& reason, LocalTime now);
// Admin or dispatcher for any car; a driver only for the car they keep as its custodian (refused, field "car").
Result<Command> SetOutOfService(Store& store, const Author& actor, const std::string& car_id, bool out_of_service,
                                const std::string& reason, LocalTime now);
// A driver reports only on the car they keep as its custodian (refused, field "car"); other roles pass.
// Shared by SetOutOfService and the server's verdicts (sync/access.h).
Status CheckCustodian(Store& store, const RecordView& car, const Author& actor);
// A reading below the car's last is refused (field "odometer_km"); roles driver, dispatcher, admin.
Result<Command> RecordOdometer(Store& store, const Author& actor, const std::string& car_id, std::int64_t km,
                               const std::string& trip_id, LocalTime now);

// ---- Driver commands (roles: see DriverWorkflow) ----

struct NewDriver {
  std::string id, name, user_id, licence_number, licence_class, licence_due, phone;
};
Result<Command> RegisterDriver(Store& store, const Author& actor, const NewDriver& driver, LocalTime now);
struct DriverChanges {
  std::optional<std::string> name{}, user_id{}, licence_number{}, licence_class{}, phone{};
};
Result<Command> UpdateDriver(Store& store, const Author& actor, const std::string& driver_id,
                             const DriverChanges& changes, LocalTime now);
Result<Command> RenewDriverLicence(Store& store, const Author& actor, const std::string& driver_id,
                                   const std::string& licence_due, LocalTime now);
// Warns "custodian_left" for each live car the driver keeps.
Result<Command> DriverLeaves(Store& store, const Author& actor, const std::string& driver_id, LocalTime now);
Result<Command> DriverRejoins(Store& store, const Author& actor, const std::string& driver_id, LocalTime now);

// ---- Acquisition report (配备) over [from, to] by acquired_on ----

struct AcquisitionReport {
  Date from, to;
  int purchases = 0;                      // acquisition "purchase" in the period
  int new_energy_purchases = 0;
  int new_energy_share_percent = 0;       // floor(100 * new energy / purchases); 0 when none
  std::int64_t new_energy_target_percent = 0;
  bool new_energy_target_met = true;      // share ≥ target, or no purchases
  std::int64_t car_quota = 0;             // 编制; 0 = not set
  std::int64_t purchase_limit = 0;        // floor(quota × quota_purchase_percent / 100)
  bool within_purchase_limit = true;      // purchases ≤ limit, or no quota set
  int cars_held = 0;                      // acquired by `to` and not disposed by `to`
  bool over_quota = false;                // cars_held > quota (quota set)
  std::vector<std::string> purchased;     // car ids, sorted
  std::vector<std::string> over_standard; // live cars carrying standard flags, sorted
};
AcquisitionReport BuildAcquisitionReport(Store& store, const Rules& rules, Date from, Date to);

}  // namespace houqin::cars
