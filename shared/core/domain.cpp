#include "domain.h"

#include "cars/cars.h"
#include "cars/fleet.h"
#include "cars/trips.h"
#include "cars/upkeep.h"
#include "repairs/facilities.h"
#include "visitors/entities.h"
#include "visitors/invites.h"
#include "directory/directory.h"
#include "duty/duty.h"
#include "repairs/repairs.h"
#include "visitors/visitors.h"

namespace houqin {

std::unique_ptr<Domain> MakeDomain() {
  auto d = std::make_unique<Domain>();
  directory::Register(*d);
  cars::Register(*d);
  duty::Register(*d);
  repairs::Register(*d);
  visitors::Register(*d);
  return d;
}

const std::vector<std::pair<std::string_view, const Workflow*>>& AllWorkflows() {
  static const std::vector<std::pair<std::string_view, const Workflow*>> tables = {
      {cars::entity::kCar, &cars::CarWorkflow()},
      {cars::entity::kDriver, &cars::DriverWorkflow()},
      {cars::entity::kRequest, &cars::RequestWorkflow()},
      {cars::entity::kTrip, &cars::TripWorkflow()},
      {cars::entity::kProvider, &cars::ProviderWorkflow()},
      {cars::entity::kFuelCard, &cars::FuelCardWorkflow()},
      {cars::entity::kFillUp, &cars::FillUpWorkflow()},
      {cars::entity::kReconciliation, &cars::ReconciliationWorkflow()},
      {cars::entity::kRepairPlan, &cars::RepairWorkflow()},
      {duty::entity::kShift, &duty::ShiftWorkflow()},
      {duty::entity::kSpotCheck, &duty::SpotCheckWorkflow()},
      {duty::entity::kEscalation, &duty::EscalationWorkflow()},
      {duty::entity::kPatrol, &duty::PatrolWorkflow()},
      {duty::entity::kProfile, &duty::ProfileWorkflow()},
      {repairs::entity::kRepair, &repairs::RepairWorkflow()},
      {repairs::entity::kLossReport, &repairs::LossReportWorkflow()},
      {repairs::entity::kRectification, &repairs::RectificationWorkflow()},
      {repairs::entity::kMaintenanceJob, &repairs::MaintenanceJobWorkflow()},
      {repairs::entity::kMajorRepair, &repairs::MajorRepairWorkflow()},
      {repairs::entity::kInspection, &repairs::InspectionWorkflow()},
      {visitors::entity::kDeviceKey, &visitors::DeviceKeyWorkflow()},
      {visitors::entity::kInvite, &visitors::InviteWorkflow()},
      {visitors::entity::kVisit, &visitors::VisitWorkflow()},
      {visitors::entity::kGroup, &visitors::GroupWorkflow()},
      {visitors::entity::kBlock, &visitors::BlockWorkflow()},
  };
  return tables;
}

}  // namespace houqin
