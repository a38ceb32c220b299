#include "cars/rules.h"

#include "directory/directory.h"
#include "engine/payload.h"

namespace houqin::cars {

using payload::Take;

void ApplyOverrides(Rules& r, const Json& f) {
  Take(f, "rotation_enabled", r.rotation.enabled);
  Take(f, "rotation_weekend_parked", r.rotation.weekend_parked);
  Take(f, "rotation_new_energy_exempt", r.rotation.new_energy_exempt);
  if (auto it = f.find("rotation_weekday_digits"); it != f.end() && it->is_array() && it->size() == 5) {
    try {
      for (std::size_t i = 0; i < 5; ++i) r.rotation.weekday_digits[i] = (*it)[i].get<std::vector<int>>();
    } catch (const Json::exception&) {
    }
  }
  Take(f, "short_trip_km", r.short_trip_km);
  Take(f, "short_trip_warning", r.short_trip_warning);
  Take(f, "merge_window_minutes", r.merge_window_minutes);
  Take(f, "due_reminder_days", r.due_reminder_days);
  Take(f, "expense_settle_days", r.expense_settle_days);
  Take(f, "home_locality", r.home_locality);
  Take(f, "general_max_displacement_ml", r.general_cap.max_displacement_ml);
  Take(f, "general_max_price_fen", r.general_cap.max_price_fen);
  Take(f, "confidential_max_displacement_ml", r.confidential_cap.max_displacement_ml);
  Take(f, "confidential_max_price_fen", r.confidential_cap.max_price_fen);
  Take(f, "new_energy_share_target_percent", r.new_energy_share_target_percent);
  Take(f, "quota_purchase_percent", r.quota_purchase_percent);
  Take(f, "car_quota", r.car_quota);
  Take(f, "social_avg_fuel_fen_per_km", r.social_avg_fuel_fen_per_km);
  Take(f, "social_avg_repair_fen_per_km", r.social_avg_repair_fen_per_km);
  Take(f, "fuel_tolerance_percent", r.fuel_tolerance_percent);
}

Rules LoadRules(Store& store) {
  Rules r;
  auto rec = store.Get(std::string(entity::kSiteConfig), "cars");
  if (rec.ok() && rec->has_value()) ApplyOverrides(r, (*rec)->fields);
  return r;
}

Draft SetRules(const Json& overrides) {
  return {std::string(entity::kSiteConfig), "cars", "site_config.updated", overrides};
}

}  // namespace houqin::cars
