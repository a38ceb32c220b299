// The configurable numbers of the official-cars rules (see ../shared/brief/domain.md).
// Defaults of two origins, each marked beside it:
//  - a source document's value: the rotation table and weekend parking (2008 notice), the
//    3-day expense settlement, the class caps, the 30% new-energy target (004), the 70%
//    purchase share (001);
//  - "(our decision)": the documents state the rule but give no number, so the value is ours —
//    rotation_new_energy_exempt, short_trip_km, merge_window_minutes, due_reminder_days,
//    home_locality, the social average costs, fuel_tolerance_percent; car_quota is unset (0)
//    because the quota (编制) is the unit's own.
// A site overrides any of them, or switches a rule off, through the site_config/cars record
// (a FieldsFold register the admin writes), and LoadRules() lays those overrides over the defaults.
//
// Units: money in fen (1 CNY = 100 fen), distances in km, engine displacement
// in millilitres (cc), fuel in millilitres.
// Thread safety: values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/store.h"

namespace houqin::cars {

struct PlateRotation {
  bool enabled = true;  // 尾号限行, 2008 notice for central organs
  // Last digits restricted on Monday..Friday (index 0 = Monday).
  std::array<std::vector<int>, 5> weekday_digits = {{{1, 6}, {2, 7}, {3, 8}, {4, 9}, {5, 0}}};
  // 周末休息日公务车除工作需要外全部停驶.
  bool weekend_parked = true;
  // New-energy plates are exempt in most cities that rotate (our decision, configurable).
  bool new_energy_exempt = false;
};

struct ClassCap {
  std::int64_t max_displacement_ml;
  std::int64_t max_price_fen;
};

struct Rules {
  PlateRotation rotation;
  // 短距离出行一般乘用公共交通工具: soft warning at or below this estimate. The document gives no
  // distance: 5 km is our decision.
  std::int64_t short_trip_km = 5;
  bool short_trip_warning = true;
  // Requests within this many minutes of each other, to the same destination, are merge candidates
  // (合理调配,减少单独或重复派车 gives no window: 60 minutes is our decision).
  std::int64_t merge_window_minutes = 60;
  // Register reminders: days before an inspection, licence or insurance due date (our decision).
  std::int64_t due_reminder_days = 30;
  // 公出结束后3日内结清费用.
  std::int64_t expense_settle_days = 3;
  // 原则上不许异地加油: the locality of the designated stations. "本地" is our placeholder
  // (our decision); a site sets its own locality name.
  std::string home_locality = "本地";
  // Acquisition (配备): caps by class, inclusive (含), 2008 values.
  ClassCap general_cap{1800, 16'000'000};               // 一般公务车 ≤ 1.8 L, ≤ 160,000 CNY
  ClassCap confidential_cap{1600, 12'000'000};          // 机要通信用车 ≤ 1.6 L, ≤ 120,000 CNY
  std::int64_t new_energy_share_target_percent = 30;    // 004: new-energy ≥ 30% of acquisitions
  std::int64_t quota_purchase_percent = 70;             // 001: purchases within 70% of the quota
  std::int64_t car_quota = 0;                           // 编制 of the unit; 0 = not set (the unit's own)
  // 单车核算: social average costs per km, fen (fuel; repair and maintenance). 不得高于社会平均水平
  // names no figure: 80 and 40 fen per km are our decision, for the site to replace with local data.
  std::int64_t social_avg_fuel_fen_per_km = 80;
  std::int64_t social_avg_repair_fen_per_km = 40;
  // Fuel against mileage: tolerance above the car's norm before a period is flagged (our decision;
  // 用油量超出的部分不予核销 gives no tolerance).
  std::int64_t fuel_tolerance_percent = 10;
};

// The defaults overlaid with the site_config/cars record, if any.
Rules LoadRules(Store& store);
// Overlays the fields of a site_config/cars payload on `rules`.
void ApplyOverrides(Rules& rules, const Json& fields);
// The admin's draft that sets overrides (only the keys given change).
Draft SetRules(const Json& overrides);

}  // namespace houqin::cars
