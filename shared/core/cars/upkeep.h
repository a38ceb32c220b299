// Upkeep of the official cars: designated providers (定点, 四定点), the fuel
// card (一车一卡) and the fuel book with its fill-ups (一个油本), the monthly
// reconciliations of fuel and tolls (一月一结), the car-repair plan chain
// (修车计划和预算) with routine maintenance (保养), and per-vehicle cost
// accounting (单车核算).
//
// Entities (cars/cars.h): provider, fuel_card, fill_up, reconciliation,
// car_repair. Each lifecycle is a Workflow table (FillUpWorkflow() and the
// others below); the folds and their conflict marks are described in
// upkeep.cpp. Constraints: "fuel_card_clash" (two live cards on one car, or
// one card number live on two records) and "upkeep_by_car_month" (an index of
// fill-ups and repairs per car and month; it marks nothing).
//
// Commands read the store and return drafts plus warnings, or a Status naming
// the field with a reason in English and Chinese; they never append (callers
// run Execute). Every command checks that the acting user holds the role the
// Author names in the directory.
//
// Thread safety: free functions; the Store is single-threaded.
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

// ---------------------------------------------------------------------------
// Designated providers (定点保险、维修、加油).

namespace provider_kind {
inline constexpr std::string_view kRepair = "repair";
inline constexpr std::string_view kFuel = "fuel";
inline constexpr std::string_view kInsurance = "insurance";
}  // namespace provider_kind

struct Provider {
  std::string id;
  std::string name;
  std::string kind;      // provider_kind::*
  std::string locality;  // compared with Rules.home_locality for fuel stations
  bool designated = false;
  std::string tender_ref;  // the tender that made it designated; required when designated
};

// Admin only. Register creates the record; Update replaces its fields.
Result<Command> RegisterProvider(Store& store, const Author& actor, const Provider& provider, LocalTime now);
Result<Command> UpdateProvider(Store& store, const Author& actor, const Provider& provider, LocalTime now);
std::optional<Provider> FindProvider(Store& store, const std::string& provider_id);
// Every provider, or those of one kind, ordered by id.
std::vector<Provider> ListProviders(Store& store, std::string_view kind = {});
// Ok when `provider_id` is a designated provider of `kind`; otherwise Refused naming `field`.
Status RequireDesignated(Store& store, const std::string& provider_id, std::string_view kind, std::string_view field);

// ---------------------------------------------------------------------------
// Fuel cards (一车一卡).

struct FuelCard {
  std::string id;      // record id; empty when the number comes from the car file only
  std::string number;  // the card number printed on the card
  std::string car;
  std::string status;  // "active" / "withdrawn"
};

// Admin or fleet captain. Refused when the car already has a live card (field "car") or the number is live on another
// record (field "number").
Result<Command> IssueFuelCard(Store& store, const Author& actor, const std::string& card_id, const std::string& number,
                              const std::string& car_id, LocalTime now);
Result<Command> WithdrawFuelCard(Store& store, const Author& actor, const std::string& card_id, const std::string& reason,
                                 LocalTime now);
std::optional<FuelCard> FindFuelCard(Store& store, const std::string& card_id);
// The car's live card; falls back to CarFile.fuel_card when no card record was ever issued for the car.
std::optional<FuelCard> FuelCardOfCar(Store& store, const std::string& car_id);

// ---------------------------------------------------------------------------
// Fill-ups: the entries of the fuel book (一个油本).

struct SlipSignature {
  std::string user, name, date;  // date "YYYY-MM-DD"
};

struct FillUp {
  std::string id, status, car, driver /* user id */, card;
  std::string purpose;
  bool approved = false;              // approved by the fleet captain before filling
  bool other_locality_consent = false;  // the captain's consent to 异地加油, given with the approval
  std::int64_t litres_ml = 0, amount_fen = 0;
  std::string station, locality;
  bool other_locality = false;        // station locality != Rules.home_locality when filled
  std::string filled_at;              // "YYYY-MM-DDTHH:MM"
  std::optional<SlipSignature> driver_signature, clerk_signature, leader_signature;
  bool complete = false;              // approved, both signatures, and when other_locality also the captain's
                                      // other_locality_consent and the leader's signature
  std::string reconciliation;         // the settled reconciliation that includes it
  std::string month() const { return filled_at.size() >= 7 ? filled_at.substr(0, 7) : std::string(); }
};

struct FillDetails {
  std::int64_t litres_ml = 0;
  std::int64_t amount_fen = 0;
  std::string station;  // provider id of a designated fuel station
};

enum class SlipSigner { kDriver, kClerk, kLeader };

// The driver asks the fleet captain (加油需先报请车队队长). Refused without a fuel card on the car (field "fuel_card").
Result<Command> RequestFillUp(Store& store, const Author& driver, const std::string& fill_up_id, const std::string& car_id,
                              const std::string& purpose, LocalTime now);
// The fleet captain; `other_locality_consent` allows fuelling in another locality (still needs the leader's signature).
Result<Command> ApproveFillUp(Store& store, const Author& captain, const std::string& fill_up_id,
                              bool other_locality_consent, LocalTime now);
Result<Command> RejectFillUp(Store& store, const Author& captain, const std::string& fill_up_id,
                             const std::string& reason, LocalTime now);
Result<Command> CancelFillUp(Store& store, const Author& actor, const std::string& fill_up_id, const std::string& reason,
                             LocalTime now);
// The filling itself, by the driver or the supervising clerk, at a designated station. Refused at another locality
// without the captain's consent (field "locality").
Result<Command> RecordFill(Store& store, const Author& actor, const std::string& fill_up_id, const FillDetails& fill,
                           LocalTime now);
// A use of the card found with no approved request (e.g. on the station's statement): entered into the book by the
// clerk or the captain so the book matches the card, and listed as an exception by the reconciliation.
Result<Command> EnterUnrequestedFill(Store& store, const Author& actor, const std::string& fill_up_id,
                                     const std::string& car_id, const std::string& driver_user, const FillDetails& fill,
                                     LocalTime filled_at, LocalTime now);
// The clerk corrects a filled entry; the signatures are cleared and must be given again. Refused once settled.
Result<Command> CorrectFill(Store& store, const Author& clerk, const std::string& fill_up_id, const FillDetails& fill,
                            const std::string& reason, LocalTime now);
// Signs the slip with name and date: the driver of the fill-up, a fleet clerk, or (another locality) a leader.
Result<Command> SignSlip(Store& store, const Author& signer, const std::string& fill_up_id, SlipSigner as,
                         LocalTime now);

std::optional<FillUp> FindFillUp(Store& store, const std::string& fill_up_id);
// Every filled entry of the month ("YYYY-MM") for every car, ordered by car then filled_at.
std::vector<FillUp> FuelBook(Store& store, const std::string& month);
// Why an entry does not count yet: "not_approved", "no_consent", "driver_unsigned", "clerk_unsigned",
// "leader_unsigned", "conflict" (an unresolved conflict on the record). Empty for a clean entry.
std::vector<std::string> SlipProblems(const FillUp& fill_up, bool has_conflict);
Text ProblemText(std::string_view code);

// ---------------------------------------------------------------------------
// Monthly reconciliations (一月一结): id "<kind>-<YYYY-MM>", one per kind and month.

namespace reconciliation_kind {
inline constexpr std::string_view kFuel = "fuel";
inline constexpr std::string_view kTolls = "tolls";
}  // namespace reconciliation_kind

std::string ReconciliationId(std::string_view kind, std::string_view month);

struct BookEntry {  // a clean entry, settled when the reconciliation is
  std::string fill_up;
  std::int64_t litres_ml = 0, amount_fen = 0;
};
struct SlipException {
  std::string fill_up, car, driver;
  std::int64_t litres_ml = 0, amount_fen = 0;
  std::vector<std::string> problems;  // SlipProblems codes
};
// Fuel against mileage for one car over the month (our decision: per period, not per fill-up).
struct CarFuelCheck {
  std::string car, plate;
  std::int64_t used_ml = 0, amount_fen = 0;  // every book entry of the month
  std::int64_t distance_km = 0;              // the car's trips in the month
  std::int64_t norm_ml_per_100km = 0;
  std::int64_t allowed_ml = 0;  // distance × norm
  std::int64_t limit_ml = 0;    // allowed × (100 + Rules.fuel_tolerance_percent) / 100
  std::int64_t excess_ml = 0;   // used − limit when above, else 0: not reimbursed (不予核销)
  std::int64_t excess_fen = 0;  // excess at the month's average price of the car's fuel
  bool flagged = false;
  bool norm_missing = false;    // no norm in the car file: not checked
};
struct FuelFigures {
  std::int64_t entries = 0, litres_ml = 0, amount_fen = 0;
  std::int64_t not_reimbursable_fen = 0;  // sum of excess_fen
  std::vector<BookEntry> clean;
  std::vector<SlipException> exceptions;
  std::vector<CarFuelCheck> cars;
};

// A toll receipt or ETC statement line claimed for the month.
struct TollLine {
  std::string ref;  // receipt or statement reference
  std::string car;
  Date date;
  std::int64_t amount_fen = 0;
};
struct TollException {
  std::string code;  // "no_trip", "amount_mismatch", "no_receipt"
  std::string car, trip, ref, date;
  std::int64_t claimed_fen = 0;   // receipts matched (or the line's amount for no_trip)
  std::int64_t recorded_fen = 0;  // tolls on the trip record
};
struct TollFigures {
  std::int64_t lines = 0, claimed_fen = 0, recorded_fen = 0, matched_fen = 0;
  std::vector<TollLine> claims;
  std::vector<TollException> exceptions;
};

struct Reconciliation {
  std::string id, kind, month, status;
  std::string prepared_by, checked_by, signed_by, settled_by;
  std::string note;  // the last return's reason
  std::optional<FuelFigures> fuel;
  std::optional<TollFigures> tolls;
};

// Figures as the captain's command computes them (also for previews).
FuelFigures ComputeFuelFigures(Store& store, const std::string& month, const Rules& rules);
TollFigures ComputeTollFigures(Store& store, const std::string& month, const std::vector<TollLine>& claims);

// The fleet captain prepares; preparing again (fresh figures) is allowed while the record is still prepared
// (not yet checked) or after it was returned; once checked or signed it must be returned first.
Result<Command> PrepareFuelReconciliation(Store& store, const Author& captain, const std::string& month, LocalTime now);
Result<Command> PrepareTollReconciliation(Store& store, const Author& captain, const std::string& month,
                                          const std::vector<TollLine>& claims, LocalTime now);
// The fleet clerk checks; the director (主管主任) signs; finance settles at month end. Return sends it back to the
// captain from prepared, checked or signed (the clerk, the director or finance; not once settled).
Result<Command> CheckReconciliation(Store& store, const Author& clerk, const std::string& id, LocalTime now);
Result<Command> SignReconciliation(Store& store, const Author& director, const std::string& id, LocalTime now);
Result<Command> ReturnReconciliation(Store& store, const Author& actor, const std::string& id,
                                     const std::string& reason, LocalTime now);
// Settling a fuel reconciliation also settles each clean entry; refused when one changed since preparation.
Result<Command> SettleReconciliation(Store& store, const Author& finance, const std::string& id, LocalTime now);
std::optional<Reconciliation> FindReconciliation(Store& store, const std::string& id);

// ---------------------------------------------------------------------------
// Car repairs (修车计划和预算) and routine maintenance (保养): entity car_repair, fields["kind"] "repair" or
// "maintenance".

struct RepairItem {
  std::string name;
  std::int64_t quantity = 1;
  std::int64_t unit_price_fen = 0;
};

struct CarRepair {
  std::string id, kind, status, car, description;
  std::string planned_by, priced_by, approved_by, agreed_by;
  std::vector<RepairItem> planned_items, priced_items, final_items;
  std::int64_t estimate_fen = 0, budget_fen = 0, final_cost_fen = 0;
  std::string inspection_note, shop, started_at, completed_at, reason;
};

std::int64_t ItemsTotal(const std::vector<RepairItem>& items);

// The driver submits the detailed plan. No shop is chosen here: StartRepair names the designated repair shop
// once the plan is agreed.
Result<Command> SubmitRepairPlan(Store& store, const Author& driver, const std::string& repair_id,
                                 const std::string& car_id, const std::string& description,
                                 const std::vector<RepairItem>& items, LocalTime now);
// The captain inspects the car and sets fair market prices for the parts: the budget.
Result<Command> PriceRepairPlan(Store& store, const Author& captain, const std::string& repair_id,
                                const std::string& inspection_note, const std::vector<RepairItem>& priced_items,
                                LocalTime now);
Result<Command> ApproveRepairPlan(Store& store, const Author& director, const std::string& repair_id, LocalTime now);
Result<Command> AgreeRepairPlan(Store& store, const Author& office_director, const std::string& repair_id,
                                LocalTime now);
// Whoever's step is due rejects: the captain a plan, the director a priced plan, the office director an approved one.
Result<Command> RejectRepairPlan(Store& store, const Author& actor, const std::string& repair_id,
                                 const std::string& reason, LocalTime now);
Result<Command> CancelRepairPlan(Store& store, const Author& actor, const std::string& repair_id,
                                 const std::string& reason, LocalTime now);
Result<Command> StartRepair(Store& store, const Author& actor, const std::string& repair_id, const std::string& shop,
                            LocalTime now);
Result<Command> CompleteRepair(Store& store, const Author& actor, const std::string& repair_id,
                               std::int64_t final_cost_fen, const std::vector<RepairItem>& items, LocalTime now);
// Routine maintenance done at a designated repair shop, recorded by the captain with its cost.
Result<Command> RecordMaintenance(Store& store, const Author& captain, const std::string& repair_id,
                                  const std::string& car_id, const std::string& shop, const std::string& description,
                                  std::int64_t cost_fen, const std::vector<RepairItem>& items, LocalTime now);
std::optional<CarRepair> FindRepair(Store& store, const std::string& repair_id);

// ---------------------------------------------------------------------------
// 单车核算: per-vehicle costs over [from, to] (dates inclusive).

struct CarCost {
  std::string car, plate;
  std::int64_t distance_km = 0, fuel_ml = 0, fuel_fen = 0, repair_fen = 0, tolls_fen = 0;
  // Per km, rounded to the fen; nullopt when the car did not move.
  std::optional<std::int64_t> fuel_fen_per_km, repair_fen_per_km, cost_fen_per_km;
  // Above the social averages (不得高于社会平均水平); any cost with no distance counts as above.
  bool fuel_above_average = false, repair_above_average = false;
  std::int64_t total_fen() const { return fuel_fen + repair_fen + tolls_fen; }
};

// `car_id` empty: every car of the register. NotFound (field "car") for an unknown car; Invalid (field "to") when
// to < from.
Result<std::vector<CarCost>> CarCosts(Store& store, const std::string& car_id, Date from, Date to, const Rules& rules);

// ---------------------------------------------------------------------------
// The workflow tables, for the apps (labels, which buttons to show) and the docs.
const Workflow& ProviderWorkflow();
const Workflow& FuelCardWorkflow();
const Workflow& FillUpWorkflow();
const Workflow& ReconciliationWorkflow();
const Workflow& RepairWorkflow();

void RegisterUpkeep(Domain& domain);

}  // namespace houqin::cars
