// Official cars (公务用车): the entities, their folds and constraints, and the
// commands people take. One header per part:
//   cars/fleet.h     car register, car file, driver file, 尾号限行, dispatch eligibility, acquisition rules
//   cars/trips.h     car requests, approval, dispatch, merging, trips, odometer, expenses, use statistics
//   cars/upkeep.h    fuel card and fuel book, monthly reconciliations, car-repair plans, 单车核算
// Rules (numbers a site configures) are in cars/rules.h.
#pragma once

#include <string_view>

#include "engine/fold.h"

namespace houqin::cars {

namespace entity {
inline constexpr std::string_view kCar = "car";
inline constexpr std::string_view kDriver = "driver";
inline constexpr std::string_view kRequest = "car_request";
inline constexpr std::string_view kTrip = "trip";
inline constexpr std::string_view kFuelCard = "fuel_card";
inline constexpr std::string_view kFillUp = "fill_up";
inline constexpr std::string_view kReconciliation = "reconciliation";
inline constexpr std::string_view kRepairPlan = "car_repair";
inline constexpr std::string_view kProvider = "provider";  // designated shops, stations, insurers (定点)
}  // namespace entity

// Registers every fold and constraint of the cars area.
void Register(Domain& domain);

// Defined by each part; Register calls them all.
void RegisterFleet(Domain& domain);
void RegisterTrips(Domain& domain);
void RegisterUpkeep(Domain& domain);

}  // namespace houqin::cars
