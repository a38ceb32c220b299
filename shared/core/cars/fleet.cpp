// The fleet: car and driver folds, their workflow tables, the register
// constraint, 尾号限行, eligibility, reminders, acquisition rules and commands.
//
// Fold notes (the merge rules of car/<id> and driver/<id>):
//  - Every lifecycle step goes through its Workflow table in the fold; a step
//    that no longer fits (an edit arriving after the car was disposed on
//    another device) is kept in the history, changes nothing, and marks a
//    "workflow" conflict naming it and the step that set the status.
//  - Field edits copy only the keys their kind may set, with the expected JSON
//    type (a wrong type is ignored, never thrown); later events win per field.
//    An empty string erases the field, so clearing is last-writer-wins too.
//  - The standard flags (over-standard car) are recomputed from the folded
//    fields after every step, against the class cap the register stored with
//    the car: the fold never reads Rules, so every replica flags alike.
//  - car.odometer_recorded is outside the table (trips may end after a car was
//    sealed offline, and their readings stay true): the latest reading in fold
//    order becomes the car's reading; one below the reading it follows is kept
//    and marks "odometer_decreased" naming both events.
//  - Constraint "car_register": live cars (in use or sealed) sharing a plate mark
//    "duplicate_plate", sharing a fuel card "fuel_card_shared" (一车一卡); the
//    groups are one plate or one card, so they stay tiny. Only car records join:
//    another entity with a "plate" or "fuel_card" field is not a registered car.
#include "cars/fleet.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <memory>
#include <set>
#include <span>

#include "directory/directory.h"
#include "engine/payload.h"
#include "validation/validate.h"

namespace houqin::cars {

namespace {

constexpr std::string_view kRegisterConstraint = "car_register";

using payload::Bool;
using payload::Has;
using payload::Int;
using payload::Str;

enum class FieldType { kString, kInt, kBool };
struct FieldSpec {
  std::string_view key;
  FieldType type;
};

// The car file's editable fields (car.registered and car.updated).
constexpr std::array kCarFileFields = {
    FieldSpec{"plate", FieldType::kString},          FieldSpec{"car_class", FieldType::kString},
    FieldSpec{"model", FieldType::kString},          FieldSpec{"seats", FieldType::kInt},
    FieldSpec{"displacement_ml", FieldType::kInt},   FieldSpec{"price_fen", FieldType::kInt},
    FieldSpec{"new_energy", FieldType::kBool},       FieldSpec{"clean_energy", FieldType::kBool},
    FieldSpec{"domestic", FieldType::kBool},         FieldSpec{"off_road", FieldType::kBool},
    FieldSpec{"acquisition", FieldType::kString},    FieldSpec{"special_need", FieldType::kString},
    FieldSpec{"terrain_need", FieldType::kString},   FieldSpec{"acquired_on", FieldType::kString},
    FieldSpec{"registered_on", FieldType::kString},  FieldSpec{"fuel_norm_ml_per_100km", FieldType::kInt},
    FieldSpec{"fuel_card", FieldType::kString},      FieldSpec{"cap_displacement_ml", FieldType::kInt},
    FieldSpec{"cap_price_fen", FieldType::kInt},
};
constexpr std::array kDueFields = {
    FieldSpec{"inspection_due", FieldType::kString},
    FieldSpec{"licence_due", FieldType::kString},
    FieldSpec{"insurance_due", FieldType::kString},
};
constexpr std::array kCustodianFields = {FieldSpec{"custodian_driver", FieldType::kString}};
constexpr std::array kDisposalFields = {FieldSpec{"disposed_on", FieldType::kString},
                                        FieldSpec{"disposal_manner", FieldType::kString}};
constexpr std::array kDriverFields = {
    FieldSpec{"name", FieldType::kString},           FieldSpec{"user_id", FieldType::kString},
    FieldSpec{"licence_number", FieldType::kString}, FieldSpec{"licence_class", FieldType::kString},
    FieldSpec{"licence_due", FieldType::kString},    FieldSpec{"phone", FieldType::kString},
};

void CopyFields(Json& fields, const Json& payload, std::span<const FieldSpec> specs) {
  for (const auto& spec : specs) {
    auto it = payload.find(spec.key);
    if (it == payload.end()) continue;
    const std::string key(spec.key);
    switch (spec.type) {
      case FieldType::kString:
        if (!it->is_string()) break;
        if (it->get<std::string>().empty())
          fields.erase(key);
        else
          fields[key] = *it;
        break;
      case FieldType::kInt:
        if (it->is_number_integer()) fields[key] = *it;
        break;
      case FieldType::kBool:
        if (it->is_boolean()) fields[key] = *it;
        break;
    }
  }
}

std::string Fen(std::int64_t fen) {
  const std::int64_t cents = fen % 100;
  return std::to_string(fen / 100) + "." + (cents < 10 ? "0" : "") + std::to_string(cents);
}

// ---------- the car's standard (配备) ----------

std::vector<std::string> StandardFlags(const Json& f) {
  std::vector<std::string> flags;
  const std::int64_t cap_ml = Int(f, "cap_displacement_ml");
  const std::int64_t cap_fen = Int(f, "cap_price_fen");
  if (cap_ml > 0 && Int(f, "displacement_ml") > cap_ml) flags.emplace_back("over_displacement");
  if (cap_fen > 0 && Int(f, "price_fen") > cap_fen) flags.emplace_back("over_price");
  // The energy and off-road rules govern new purchases; transfers and old cars are judged by the caps alone.
  if (Str(f, "acquisition") == acquisition::kPurchase) {
    const bool need_recorded = !Str(f, "special_need").empty();
    if (!Bool(f, "new_energy", false) && !Bool(f, "clean_energy", false) && !need_recorded)
      flags.emplace_back("not_new_energy");
    if (!Bool(f, "domestic", true) && !need_recorded) flags.emplace_back("not_domestic");
    if (Bool(f, "off_road", false) && Str(f, "terrain_need").empty()) flags.emplace_back("off_road");
  }
  return flags;
}

void RefreshStandardFlags(Json& f) {
  auto flags = StandardFlags(f);
  if (flags.empty())
    f.erase("standard_flags");
  else
    f["standard_flags"] = std::move(flags);
}

Text FlagText(std::string_view flag, const Json& f) {
  const std::string cls = Str(f, "car_class");
  const Text cls_text = CarClassText(cls);
  if (flag == "over_displacement") {
    const std::string have = std::to_string(Int(f, "displacement_ml"));
    const std::string cap = std::to_string(Int(f, "cap_displacement_ml"));
    return {"displacement " + have + " mL is above the " + cls_text.en + " cap of " + cap + " mL",
            "排气量" + have + "毫升超过" + cls_text.zh + "标准" + cap + "毫升"};
  }
  if (flag == "over_price") {
    const std::string have = Fen(Int(f, "price_fen"));
    const std::string cap = Fen(Int(f, "cap_price_fen"));
    return {"price " + have + " CNY is above the " + cls_text.en + " cap of " + cap + " CNY",
            "价格" + have + "元超过" + cls_text.zh + "标准" + cap + "元"};
  }
  if (flag == "not_new_energy")
    return {"a new purchase should be a domestic new-energy or clean-energy car unless a special need is recorded",
            "新购公务用车除特殊工作要求外，一律配备国产新能源和清洁能源汽车，未记录特殊需要"};
  if (flag == "not_domestic")
    return {"a new purchase should be a domestic car unless a special need is recorded",
            "新购公务用车应为国产汽车，未记录特殊需要"};
  if (flag == "off_road")
    return {"off-road cars are not bought unless a special terrain or work need is recorded",
            "除特殊地形或工作需要外不得配备越野车，未记录特殊需要"};
  return {std::string(flag), std::string(flag)};
}

ClassCap CapFor(const Rules& rules, std::string_view cls) {
  if (cls == car_class::kGeneral) return rules.general_cap;
  if (cls == car_class::kConfidential) return rules.confidential_cap;
  return {0, 0};
}

// ---------- folds ----------

class CarFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kCar; }

  void Apply(RecordState& r, const Event& e) const override {
    if (e.kind == car_event::kOdometerRecorded) {
      ApplyOdometer(r, e, Int(e.payload, "km", -1));
      return;
    }
    if (!CarWorkflow().Advance(r, e)) return;
    Json& f = r.fields;
    const Json& p = e.payload;
    if (e.kind == car_event::kRegistered || e.kind == car_event::kUpdated) {
      const std::string plate_before = Str(f, "plate");
      const std::string card_before = Str(f, "fuel_card");
      CopyFields(f, p, kCarFileFields);
      if (Has(p, "plate") && Str(f, "plate") != plate_before) f["plate_event"] = e.id;
      if (Has(p, "fuel_card") && Str(f, "fuel_card") != card_before) {
        if (Has(f, "fuel_card"))
          f["fuel_card_event"] = e.id;
        else
          f.erase("fuel_card_event");
      }
      if (e.kind == car_event::kRegistered) {
        CopyFields(f, p, kDueFields);
        CopyFields(f, p, kCustodianFields);
        if (Has(p, "odometer_km")) ApplyOdometer(r, e, Int(p, "odometer_km", -1));
      }
    } else if (e.kind == car_event::kCustodianAssigned) {
      CopyFields(f, p, kCustodianFields);
    } else if (e.kind == car_event::kDueDatesSet) {
      CopyFields(f, p, kDueFields);
    } else if (e.kind == car_event::kDisposed) {
      CopyFields(f, p, kDisposalFields);
    } else if (e.kind == car_event::kOutOfService) {
      f["out_of_service"] = true;
      const std::string reason = Str(p, "reason");
      if (reason.empty())
        f.erase("out_of_service_reason");
      else
        f["out_of_service_reason"] = reason;
    } else if (e.kind == car_event::kBackInService) {
      f.erase("out_of_service");
      f.erase("out_of_service_reason");
    }
    RefreshStandardFlags(f);
  }

 private:
  static void ApplyOdometer(RecordState& r, const Event& e, std::int64_t km) {
    if (km < 0) return;  // malformed; the event stays in the history
    Json& f = r.fields;
    if (Has(f, "odometer_km")) {
      const std::int64_t current = Int(f, "odometer_km");
      if (km < current) {
        const std::string a = std::to_string(current), b = std::to_string(km);
        r.AddConflict({"odometer_decreased",
                       {Str(f, "odometer_event"), e.id},
                       {"odometer reading " + b + " km by " + e.author.user + " is below the earlier reading " + a +
                            " km; kept, please check both entries",
                        e.author.user + " 录入的里程" + b + "公里低于此前读数" + a + "公里; 已保留, 请核对两条记录"}});
      }
    }
    f["odometer_km"] = km;
    f["odometer_event"] = e.id;
  }
};

class DriverFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kDriver; }

  void Apply(RecordState& r, const Event& e) const override {
    if (!DriverWorkflow().Advance(r, e)) return;
    Json& f = r.fields;
    if (e.kind == driver_event::kRegistered || e.kind == driver_event::kUpdated ||
        e.kind == driver_event::kLicenceRenewed) {
      CopyFields(f, e.payload, kDriverFields);
    } else if (e.kind == driver_event::kLeft) {
      const std::string on = Str(e.payload, "left_on");
      if (!on.empty()) f["left_on"] = on;
    } else if (e.kind == driver_event::kRejoined) {
      f.erase("left_on");
    }
  }
};

class CarRegisterConstraint final : public Constraint {
 public:
  std::string_view name() const override { return kRegisterConstraint; }

  std::vector<std::string> Groups(const RecordState& r) const override {
    if (r.type != entity::kCar) return {};
    const std::string status = Str(r.fields, "status");
    if (status != car_status::kInUse && status != car_status::kSealed) return {};
    std::vector<std::string> groups;
    if (auto plate = Str(r.fields, "plate"); !plate.empty()) groups.push_back("plate:" + plate);
    if (auto card = Str(r.fields, "fuel_card"); !card.empty()) groups.push_back("card:" + card);
    return groups;
  }

  void Evaluate(const std::string& group, const std::vector<const RecordState*>& members,
                std::vector<GroupConflict>& out) const override {
    if (members.size() < 2) return;
    const bool plate = group.rfind("plate:", 0) == 0;
    const std::string value = group.substr(group.find(':') + 1);
    std::vector<std::string> events;
    std::string cars;
    for (const auto* m : members) {
      events.push_back(Str(m->fields, plate ? "plate_event" : "fuel_card_event"));
      cars += (cars.empty() ? "" : ", ") + m->id;
    }
    const Text reason =
        plate ? Text{"plate " + value + " is registered on several cars: " + cars,
                     "车牌" + value + "登记在多辆车上: " + cars}
              : Text{"fuel card " + value + " is on several cars (one card per car): " + cars,
                     "油卡" + value + "登记在多辆车上(一车一卡): " + cars};
    for (std::size_t i = 0; i < members.size(); ++i)
      out.push_back({i, {plate ? "duplicate_plate" : "fuel_card_shared", events, reason, std::string(name())}});
  }
};

// ---------- reading records ----------

CarFile CarFromView(const RecordView& v) {
  const Json& f = v.fields;
  CarFile c;
  c.id = v.key.id;
  c.plate = Str(f, "plate");
  c.car_class = Str(f, "car_class");
  c.model = Str(f, "model");
  c.seats = static_cast<int>(Int(f, "seats"));
  c.displacement_ml = Int(f, "displacement_ml");
  c.price_fen = Int(f, "price_fen");
  c.new_energy = Bool(f, "new_energy", false);
  c.clean_energy = Bool(f, "clean_energy", false);
  c.domestic = Bool(f, "domestic", true);
  c.off_road = Bool(f, "off_road", false);
  c.custodian_driver = Str(f, "custodian_driver");
  c.status = Str(f, "status");
  c.out_of_service = Bool(f, "out_of_service", false);
  c.out_of_service_reason = Str(f, "out_of_service_reason");
  c.acquired_on = Str(f, "acquired_on");
  c.registered_on = Str(f, "registered_on");
  c.disposed_on = Str(f, "disposed_on");
  c.inspection_due = Str(f, "inspection_due");
  c.licence_due = Str(f, "licence_due");
  c.insurance_due = Str(f, "insurance_due");
  c.fuel_norm_ml_per_100km = Int(f, "fuel_norm_ml_per_100km");
  c.has_odometer = Has(f, "odometer_km");
  c.odometer_km = Int(f, "odometer_km");
  c.fuel_card = Str(f, "fuel_card");
  c.acquisition = Str(f, "acquisition");
  c.special_need = Str(f, "special_need");
  c.terrain_need = Str(f, "terrain_need");
  c.cap_displacement_ml = Int(f, "cap_displacement_ml");
  c.cap_price_fen = Int(f, "cap_price_fen");
  if (auto it = f.find("standard_flags"); it != f.end() && it->is_array())
    for (const auto& x : *it)
      if (x.is_string()) c.standard_flags.push_back(x.get<std::string>());
  c.conflicts = v.conflicts;
  return c;
}

DriverFile DriverFromView(const RecordView& v) {
  const Json& f = v.fields;
  DriverFile d;
  d.id = v.key.id;
  d.name = Str(f, "name");
  d.user_id = Str(f, "user_id");
  d.licence_number = Str(f, "licence_number");
  d.licence_class = Str(f, "licence_class");
  d.licence_due = Str(f, "licence_due");
  d.phone = Str(f, "phone");
  d.status = Str(f, "status");
  d.left_on = Str(f, "left_on");
  d.conflicts = v.conflicts;
  return d;
}

// The car file as the command sees it, or why there is none.
Result<RecordView> LoadRecord(Store& store, std::string_view type, const std::string& id, const char* field,
                              const Text& what) {
  auto r = store.Get(std::string(type), id);
  if (!r.ok()) return r.status();
  if (!r->has_value() || Str((*r)->fields, "status").empty())
    return Status::NotFound(field, {"no " + what.en + " " + id, "没有" + what.zh + " " + id});
  return std::move(**r);
}
Result<RecordView> LoadCar(Store& store, const std::string& id) {
  return LoadRecord(store, entity::kCar, id, "car", {"car", "车辆"});
}
Result<RecordView> LoadDriver(Store& store, const std::string& id) {
  return LoadRecord(store, entity::kDriver, id, "driver", {"driver", "驾驶员"});
}

// ---------- command helpers ----------

Status CheckDate(const std::string& value, const char* field, bool required) {
  if (value.empty() && !required) return Status::Ok();
  if (Date::Parse(value)) return Status::Ok();
  return Status::Invalid(field, {std::string(field) + " must be a date YYYY-MM-DD, not '" + value + "'",
                                 std::string(field) + " 应为日期 YYYY-MM-DD, 而不是“" + value + "”"});
}

Status CheckNonNegative(std::int64_t value, const char* field) {
  if (value >= 0) return Status::Ok();
  return Status::Invalid(field, {std::string(field) + " cannot be negative", std::string(field) + " 不能为负数"});
}

Status CheckSeats(int seats) {
  if (seats > 0) return Status::Ok();
  return Status::Invalid("seats", {"a car has at least one seat", "座位数须大于0"});
}

Status CheckClass(const std::string& cls) {
  if (IsKnownCarClass(cls)) return Status::Ok();
  return Status::Invalid("car_class",
                         {"unknown car class '" + cls + "': general, confidential, leader, minibus, coach or special",
                          "未知车辆类别“" + cls + "”: 应为一般公务车、机要通信用车、领导用车、中型客车、大型客车或特种专业技术用车"});
}

Status CheckAcquisition(const std::string& kind) {
  if (kind == "borrowed" || kind == "occupied" || kind == "donated")
    return Status::Refused("acquisition",
                           {"borrowed, occupied or donated cars are not kept (" + kind + ")",
                            "不得借用、占用下属单位和其他单位的车辆，不得接受企业捐赠的车辆"});
  if (kind == acquisition::kPurchase || kind == acquisition::kTransfer || kind == acquisition::kExisting)
    return Status::Ok();
  return Status::Invalid("acquisition", {"unknown acquisition '" + kind + "': purchase, transfer or existing",
                                         "未知配备方式“" + kind + "”: 应为新购、调剂或原有"});
}

// The live car other than `except` that holds this plate or card, via the register constraint's groups.
Result<std::string> HolderOf(Store& store, const std::string& group, const std::string& except) {
  auto members = store.GroupMembers(kRegisterConstraint, group);
  if (!members.ok()) return members.status();
  for (const auto& m : *members)
    if (m.key.type == entity::kCar && m.key.id != except) return m.key.id;
  return std::string();
}

Status CheckPlateFree(Store& store, const std::string& plate, const std::string& except) {
  auto holder = HolderOf(store, "plate:" + plate, except);
  if (!holder.ok()) return holder.status();
  if (holder->empty()) return Status::Ok();
  return Status::Refused("plate", {"plate " + plate + " is already registered on car " + *holder,
                                   "车牌" + plate + "已登记在车辆 " + *holder + " 上"});
}

Status CheckFuelCardFree(Store& store, const std::string& card, const std::string& except) {
  if (card.empty()) return Status::Ok();
  auto holder = HolderOf(store, "card:" + card, except);
  if (!holder.ok()) return holder.status();
  if (holder->empty()) return Status::Ok();
  return Status::Refused("fuel_card", {"fuel card " + card + " is already on car " + *holder + " (one card per car)",
                                       "油卡" + card + "已登记在车辆 " + *holder + " 上(一车一卡)"});
}

Status CheckActiveDriver(Store& store, const std::string& driver_id, const char* field) {
  auto d = LoadDriver(store, driver_id);
  if (!d.ok()) {
    Status s = d.status();
    return s.IsNotFound() ? Status::NotFound(field, s.message()) : s;
  }
  if (Str(d->fields, "status") != driver_status::kActive)
    return Status::Refused(field, {"driver " + driver_id + " has left", "驾驶员 " + driver_id + " 已离职"});
  return Status::Ok();
}

void AddFlagWarnings(const Json& merged, std::vector<Warning>& out) {
  for (const auto& flag : StandardFlags(merged)) out.push_back({flag, FlagText(flag, merged)});
}

// The file as it would read after `payload` lands (LWW overlay), for warnings.
Json Overlay(Json fields, const Json& payload) {
  CopyFields(fields, payload, kCarFileFields);
  CopyFields(fields, payload, kDueFields);
  return fields;
}

std::string Plural(std::int64_t n, const std::string& one) { return std::to_string(n) + " " + one + (n == 1 ? "" : "s"); }

void AddDue(std::vector<Warning>& out, const std::string& due_text, std::string_view what, const Text& label, Date today,
            const Rules& rules, const Text& who) {
  if (due_text.empty()) return;
  auto due = Date::Parse(due_text);
  if (!due) return;
  const std::int64_t days = due->DaysSinceEpoch() - today.DaysSinceEpoch();
  if (days < 0) {
    out.push_back({std::string(what) + "_lapsed", {label.en + " of " + who.en + " lapsed on " + due_text,
                                                   who.zh + "的" + label.zh + "已于" + due_text + "到期"}});
  } else if (days <= rules.due_reminder_days) {
    out.push_back({std::string(what) + "_due_soon",
                   {label.en + " of " + who.en + " is due on " + due_text + ", in " + Plural(days, "day"),
                    who.zh + "的" + label.zh + "将于" + due_text + "到期, 还有" + std::to_string(days) + "天"}});
  }
}

constexpr std::array<std::string_view, 7> kWeekdayEn = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                                        "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 7> kWeekdayZh = {"周一", "周二", "周三", "周四", "周五", "周六", "周日"};

Text JoinDigits(const std::vector<int>& digits) {
  Text t;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    const std::string d = std::to_string(digits[i]);
    if (i > 0) {
      const bool last = i + 1 == digits.size();
      t.en += last ? " and " : ", ";
      t.zh += last ? "和" : "、";
    }
    t.en += d;
    t.zh += d;
  }
  return t;
}

Status CheckRole(const Author& actor, std::initializer_list<std::string_view> roles, const Text& action) {
  for (auto r : roles)
    if (actor.role == r) return Status::Ok();
  return Status::Refused("role", {"the role " + actor.role + " may not " + action.en,
                                  "角色 " + actor.role + " 无权" + action.zh});
}

Draft CarDraft(const std::string& car_id, std::string_view kind, Json payload) {
  return Draft{std::string(entity::kCar), car_id, std::string(kind), std::move(payload)};
}
Draft DriverDraft(const std::string& driver_id, std::string_view kind, Json payload) {
  return Draft{std::string(entity::kDriver), driver_id, std::string(kind), std::move(payload)};
}

const std::set<std::string, std::less<>> kLicenceClasses = {"A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4",
                                                            "C5", "C6", "D",  "E",  "F",  "M",  "N",  "P"};

std::string UpperAscii(std::string s) {
  for (auto& ch : s)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  return s;
}

Status CheckLicenceClass(const std::string& cls) {
  if (cls.empty() || kLicenceClasses.count(cls)) return Status::Ok();
  return Status::Invalid("licence_class", {"unknown licence class '" + cls + "' (A1, A2, A3, B1, B2, C1, C2 ...)",
                                           "未知准驾车型“" + cls + "”(A1、A2、A3、B1、B2、C1、C2…)"});
}

Status CheckUser(Store& store, const std::string& user_id) {
  if (user_id.empty() || directory::FindUser(store, user_id)) return Status::Ok();
  return Status::NotFound("user_id", {"no user " + user_id, "没有用户 " + user_id});
}

// Acquisition-year purchases and live cars, for the quota warnings.
void AddQuotaWarnings(Store& store, const Rules& rules, const std::string& acquired_on, bool purchase,
                      std::vector<Warning>& out) {
  if (rules.car_quota <= 0) return;
  const std::string year = acquired_on.substr(0, 4);
  std::int64_t purchases = purchase ? 1 : 0, live = 1;
  for (const auto& c : ListCars(store)) {
    if (c.status != car_status::kDisposed) ++live;
    if (c.acquisition == acquisition::kPurchase && c.acquired_on.substr(0, 4) == year) ++purchases;
  }
  const std::int64_t limit = rules.car_quota * rules.quota_purchase_percent / 100;
  if (purchase && purchases > limit)
    out.push_back({"purchase_quota_exceeded",
                   {Plural(purchases, "purchase") + " in " + year + " exceed " +
                        std::to_string(rules.quota_purchase_percent) + "% of the car quota " +
                        std::to_string(rules.car_quota) + " (" + std::to_string(limit) + ")",
                    year + "年购置" + std::to_string(purchases) + "辆, 超过车辆编制" + std::to_string(rules.car_quota) +
                        "辆的" + std::to_string(rules.quota_purchase_percent) + "%(" + std::to_string(limit) + "辆)"}});
  if (live > rules.car_quota)
    out.push_back({"over_quota",
                   {std::to_string(live) + " cars would be held against a quota of " + std::to_string(rules.car_quota),
                    "在用车辆将达" + std::to_string(live) + "辆, 超过编制" + std::to_string(rules.car_quota) + "辆"}});
}

}  // namespace

// ---------- classes and workflows ----------

bool IsKnownCarClass(std::string_view name) {
  return name == car_class::kGeneral || name == car_class::kConfidential || name == car_class::kLeader ||
         name == car_class::kMinibus || name == car_class::kCoach || name == car_class::kSpecial;
}

Text CarClassText(std::string_view name) {
  if (name == car_class::kGeneral) return {"general official car", "一般公务车"};
  if (name == car_class::kConfidential) return {"confidential-communications car", "机要通信用车"};
  if (name == car_class::kLeader) return {"leader's car", "领导用车"};
  if (name == car_class::kMinibus) return {"minibus", "中型客车"};
  if (name == car_class::kCoach) return {"coach", "大型客车"};
  if (name == car_class::kSpecial) return {"special-purpose car", "特种专业技术用车"};
  return {std::string(name), std::string(name)};
}

// The register is kept by the admin and the fleet captain (dispatcher); disposal
// ends a state asset's life, so only the admin takes it. The clerk keeps the
// 审验办照 dates; drivers, as custodians, report their car out of and back in service
// (the table admits the driver role; SetOutOfService admits only the car's custodian).
const Workflow& CarWorkflow() {
  static const Workflow workflow(
      entity::kCar,
      {{car_status::kInUse, {"in use", "在用"}},
       {car_status::kSealed, {"sealed", "封存"}},
       {car_status::kDisposed, {"disposed of", "已处置"}}},
      {
          {car_event::kRegistered, {"register the car", "登记车辆"}, {""}, car_status::kInUse,
           {role::kAdmin, role::kDispatcher}},
          {car_event::kUpdated, {"edit the car file", "修改车辆档案"}, {car_status::kInUse, car_status::kSealed}, "",
           {role::kAdmin, role::kDispatcher}},
          {car_event::kCustodianAssigned, {"assign the custodian driver", "指定保管驾驶员"},
           {car_status::kInUse, car_status::kSealed}, "", {role::kAdmin, role::kDispatcher}},
          {car_event::kDueDatesSet, {"set the due dates", "设置审验办照日期"}, {car_status::kInUse, car_status::kSealed},
           "", {role::kAdmin, role::kDispatcher, role::kFleetClerk}},
          {car_event::kSealed, {"seal the car", "封存车辆"}, {car_status::kInUse}, car_status::kSealed,
           {role::kAdmin, role::kDispatcher}},
          {car_event::kUnsealed, {"unseal the car", "启封车辆"}, {car_status::kSealed}, car_status::kInUse,
           {role::kAdmin, role::kDispatcher}},
          {car_event::kDisposed, {"dispose of the car", "处置车辆"}, {car_status::kInUse, car_status::kSealed},
           car_status::kDisposed, {role::kAdmin}},
          {car_event::kOutOfService, {"take the car out of service", "停用车辆"},
           {car_status::kInUse, car_status::kSealed}, "", {role::kAdmin, role::kDispatcher, role::kDriver}},
          {car_event::kBackInService, {"return the car to service", "恢复车辆使用"},
           {car_status::kInUse, car_status::kSealed}, "", {role::kAdmin, role::kDispatcher, role::kDriver}},
      });
  return workflow;
}

const Workflow& DriverWorkflow() {
  static const Workflow workflow(
      entity::kDriver,
      {{driver_status::kActive, {"active", "在岗"}}, {driver_status::kLeft, {"left", "已离职"}}},
      {
          {driver_event::kRegistered, {"register the driver", "登记驾驶员"}, {""}, driver_status::kActive,
           {role::kAdmin, role::kDispatcher}},
          {driver_event::kUpdated, {"edit the driver file", "修改驾驶员档案"}, {driver_status::kActive}, "",
           {role::kAdmin, role::kDispatcher}},
          {driver_event::kLicenceRenewed, {"renew the licence", "更新驾驶证有效期"}, {driver_status::kActive}, "",
           {role::kAdmin, role::kDispatcher}},
          {driver_event::kLeft, {"record the driver's leaving", "登记驾驶员离职"}, {driver_status::kActive},
           driver_status::kLeft, {role::kAdmin, role::kDispatcher}},
          {driver_event::kRejoined, {"take the driver back", "驾驶员重新上岗"}, {driver_status::kLeft},
           driver_status::kActive, {role::kAdmin, role::kDispatcher}},
      });
  return workflow;
}

void RegisterFleet(Domain& domain) {
  domain.Add(std::make_unique<CarFold>());
  domain.Add(std::make_unique<DriverFold>());
  domain.Add(std::make_unique<CarRegisterConstraint>());
}

// ---------- reading ----------

std::optional<CarFile> FindCar(Store& store, const std::string& car_id) {
  auto r = store.Get(std::string(entity::kCar), car_id);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return CarFromView(**r);
}

std::vector<CarFile> ListCars(Store& store) {
  std::vector<CarFile> cars;
  (void)store.ForEachRecord(std::string(entity::kCar), [&](const RecordView& v) { cars.push_back(CarFromView(v)); });
  return cars;
}

std::optional<DriverFile> FindDriver(Store& store, const std::string& driver_id) {
  auto r = store.Get(std::string(entity::kDriver), driver_id);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return DriverFromView(**r);
}

std::vector<DriverFile> ListDrivers(Store& store) {
  std::vector<DriverFile> drivers;
  (void)store.ForEachRecord(std::string(entity::kDriver),
                            [&](const RecordView& v) { drivers.push_back(DriverFromView(v)); });
  return drivers;
}

// ---------- 尾号限行 ----------

RotationVerdict CheckRotation(const PlateRotation& rotation, std::string_view plate, Date day, bool work_required) {
  const int wd = day.Weekday();
  const std::string en_day(kWeekdayEn[wd - 1]), zh_day(kWeekdayZh[wd - 1]);
  if (day.IsWeekend()) {
    if (!rotation.weekend_parked)
      return {false, {en_day + ": weekend parking is switched off", zh_day + ": 周末停驶已关闭"}};
    if (work_required)
      return {false, {"no restriction on " + en_day + " for work-required trips", zh_day + "因工作需要出车, 不受周末停驶限制"}};
    return {true, {en_day + ": official cars stay parked at weekends unless work requires",
                   zh_day + ": 周末休息日公务车除工作需要外全部停驶"}};
  }
  if (!rotation.enabled) return {false, {"plate rotation is switched off", "尾号限行已关闭"}};
  const std::string normalized = validation::NormalizePlate(plate);
  if (rotation.new_energy_exempt && validation::IsNewEnergyPlate(normalized))
    return {false, {"new-energy plates are exempt from plate rotation", "新能源车牌不受尾号限行"}};
  const std::vector<int>& digits = rotation.weekday_digits[static_cast<std::size_t>(wd - 1)];
  if (digits.empty()) return {false, {en_day + ": no last digits restricted", zh_day + "不限行"}};
  const Text list = JoinDigits(digits);
  const Text table{en_day + ": last digits " + list.en, zh_day + "限行尾号" + list.zh};
  const auto last = validation::PlateLastDigit(normalized);
  if (!last) return {false, {table.en + "; the plate has no digit", table.zh + ", 车牌无数字, 不限行"}};
  if (std::find(digits.begin(), digits.end(), *last) != digits.end()) return {true, table};
  const std::string d = std::to_string(*last);
  return {false, {table.en + "; this plate ends in " + d, table.zh + ", 本车尾号" + d + "不限行"}};
}

// ---------- eligibility ----------

Status DispatchEligibility(Store& store, const Rules& rules, const std::string& car_id, LocalTime start, LocalTime end,
                           bool work_required) {
  auto view = LoadCar(store, car_id);
  if (!view.ok()) return view.status();
  const CarFile car = CarFromView(*view);
  if (end < start)
    return Status::Invalid("end", {"the end " + end.ToString() + " is before the start " + start.ToString(),
                                   "结束时间" + end.ToString() + "早于开始时间" + start.ToString()});
  const std::string who = car.plate.empty() ? car.id : car.plate;
  if (car.status == car_status::kSealed)
    return Status::Refused("car", {"car " + who + " is sealed and is never dispatched", "车辆" + who + "已封存, 不得派车"});
  if (car.status == car_status::kDisposed)
    return Status::Refused("car", {"car " + who + " has been disposed of", "车辆" + who + "已处置"});
  if (car.out_of_service) {
    const std::string why = car.out_of_service_reason.empty() ? "" : " (" + car.out_of_service_reason + ")";
    return Status::Refused("car", {"car " + who + " is out of service" + why, "车辆" + who + "已停用" + why});
  }
  struct Due {
    const std::string* date;
    Text label;
  };
  const std::array dues = {Due{&car.inspection_due, {"inspection", "年检"}},
                           Due{&car.licence_due, {"licence", "行驶证"}},
                           Due{&car.insurance_due, {"insurance", "保险"}}};
  for (const auto& due : dues) {
    if (due.date->empty()) continue;
    auto d = Date::Parse(*due.date);
    if (d && end.date > *d)
      return Status::Refused("car", {"the " + due.label.en + " of car " + who + " lapses on " + *due.date +
                                         ", before the trip ends on " + end.date.ToString(),
                                     "车辆" + who + "的" + due.label.zh + "于" + *due.date + "到期, 早于出车结束日" +
                                         end.date.ToString()});
  }
  // A window longer than a year is checked for its first year: every weekday pattern has shown by then.
  const std::int64_t days = std::min<std::int64_t>(end.date.DaysSinceEpoch() - start.date.DaysSinceEpoch(), 366);
  for (std::int64_t i = 0; i <= days; ++i) {
    const Date day = start.date.AddDays(i);
    const RotationVerdict v = CheckRotation(rules.rotation, car.plate, day, work_required);
    if (v.restricted)
      return Status::Refused("car", {"car " + who + " may not be used on " + day.ToString() + " (" + v.rule.en + ")",
                                     "车辆" + who + "于" + day.ToString() + "不得出车(" + v.rule.zh + ")"});
  }
  return Status::Ok();
}

Status DriverEligibility(Store& store, const std::string& driver_id, Date day) {
  auto view = LoadDriver(store, driver_id);
  if (!view.ok()) return view.status();
  const DriverFile d = DriverFromView(*view);
  const std::string who = d.name.empty() ? d.id : d.name;
  if (d.status == driver_status::kLeft)
    return Status::Refused("driver", {"driver " + who + " has left", "驾驶员" + who + "已离职"});
  if (auto due = Date::Parse(d.licence_due); due && day > *due)
    return Status::Refused("driver", {"the driving licence of " + who + " lapsed on " + d.licence_due,
                                      "驾驶员" + who + "的驾驶证已于" + d.licence_due + "到期"});
  return Status::Ok();
}

Status DriverLicenceFits(const DriverFile& driver, const CarFile& car) {
  if (driver.licence_class.empty()) return Status::Ok();
  std::vector<std::string_view> accepted;
  Text need;
  if (car.seats >= 20) {
    accepted = {"A1"};
    need = {"A1 (coach, 20 seats or more)", "A1(大型客车, 20座及以上)"};
  } else if (car.seats >= 10) {
    accepted = {"A1", "B1"};
    need = {"A1 or B1 (10 to 19 seats)", "A1或B1(10至19座)"};
  } else {
    accepted = {"A1", "A2", "A3", "B1", "B2", "C1", "C2"};
    need = {"A1, A2, A3, B1, B2, C1 or C2", "A1、A2、A3、B1、B2、C1或C2"};
  }
  if (std::find(accepted.begin(), accepted.end(), driver.licence_class) != accepted.end()) return Status::Ok();
  return Status::Refused("driver", {"licence class " + driver.licence_class + " does not cover a " +
                                        std::to_string(car.seats) + "-seat car; it needs " + need.en,
                                    "准驾车型" + driver.licence_class + "不能驾驶" + std::to_string(car.seats) +
                                        "座车辆, 需要" + need.zh});
}

// ---------- odometer ----------

Draft OdometerDraft(const std::string& car_id, std::int64_t km, const std::string& trip_id) {
  Json payload{{"km", km}};
  if (!trip_id.empty()) payload["trip"] = trip_id;
  return CarDraft(car_id, car_event::kOdometerRecorded, std::move(payload));
}

std::optional<std::int64_t> LastOdometer(Store& store, const std::string& car_id) {
  auto car = FindCar(store, car_id);
  if (!car || !car->has_odometer) return std::nullopt;
  return car->odometer_km;
}

// ---------- reminders ----------

std::vector<Warning> DueReminders(const CarFile& car, Date today, const Rules& rules) {
  std::vector<Warning> out;
  const std::string name = car.plate.empty() ? car.id : car.plate;
  const Text who{"car " + name, "车辆" + name};
  AddDue(out, car.inspection_due, "inspection", {"the inspection", "年检"}, today, rules, who);
  AddDue(out, car.licence_due, "licence", {"the vehicle licence", "行驶证"}, today, rules, who);
  AddDue(out, car.insurance_due, "insurance", {"the insurance", "保险"}, today, rules, who);
  return out;
}

std::vector<CarReminder> FleetReminders(Store& store, Date today, const Rules& rules) {
  std::vector<CarReminder> out;
  for (const auto& car : ListCars(store)) {
    if (car.status == car_status::kDisposed || car.status.empty()) continue;
    for (auto& w : DueReminders(car, today, rules)) out.push_back({car.id, car.plate, std::move(w)});
  }
  return out;
}

std::vector<Warning> DriverReminders(const DriverFile& driver, Date today, const Rules& rules) {
  std::vector<Warning> out;
  if (driver.status == driver_status::kLeft) return out;
  const std::string name = driver.name.empty() ? driver.id : driver.name;
  AddDue(out, driver.licence_due, "licence", {"the driving licence", "驾驶证"}, today, rules,
         {"driver " + name, "驾驶员" + name});
  return out;
}

// ---------- car commands ----------

Result<Command> RegisterCar(Store& store, const Author& actor, const NewCar& in, LocalTime now) {
  if (Status s = CarWorkflow().Check("", car_event::kRegistered, actor.role); !s.ok()) return s;
  if (in.id.empty()) return Status::Invalid("id", {"the car needs an id", "车辆编号不能为空"});
  {
    auto existing = store.Get(std::string(entity::kCar), in.id);
    if (!existing.ok()) return existing.status();
    if (existing->has_value())
      return Status::Refused("id", {"car " + in.id + " is already registered", "车辆 " + in.id + " 已登记"});
  }
  if (Status s = validation::Plate(in.plate, "plate"); !s.ok()) return s;
  const std::string plate = validation::NormalizePlate(in.plate);
  if (Status s = CheckPlateFree(store, plate, in.id); !s.ok()) return s;
  if (Status s = CheckClass(in.car_class); !s.ok()) return s;
  if (Status s = CheckSeats(in.seats); !s.ok()) return s;
  for (auto [value, field] : {std::pair{in.displacement_ml, "displacement_ml"}, std::pair{in.price_fen, "price_fen"},
                              std::pair{in.fuel_norm_ml_per_100km, "fuel_norm_ml_per_100km"},
                              std::pair{in.odometer_km, "odometer_km"}})
    if (Status s = CheckNonNegative(value, field); !s.ok()) return s;
  if (Status s = CheckAcquisition(in.acquisition); !s.ok()) return s;
  for (auto [value, field] : {std::pair{&in.acquired_on, "acquired_on"}, std::pair{&in.registered_on, "registered_on"},
                              std::pair{&in.inspection_due, "inspection_due"},
                              std::pair{&in.licence_due, "licence_due"}, std::pair{&in.insurance_due, "insurance_due"}})
    if (Status s = CheckDate(*value, field, false); !s.ok()) return s;
  if (Status s = CheckFuelCardFree(store, in.fuel_card, in.id); !s.ok()) return s;
  if (!in.custodian_driver.empty())
    if (Status s = CheckActiveDriver(store, in.custodian_driver, "custodian_driver"); !s.ok()) return s;

  const Rules rules = LoadRules(store);
  const ClassCap cap = CapFor(rules, in.car_class);
  const std::string today = now.date.ToString();
  Json p{{"plate", plate},
         {"car_class", in.car_class},
         {"seats", in.seats},
         {"displacement_ml", in.displacement_ml},
         {"price_fen", in.price_fen},
         {"new_energy", in.new_energy || validation::IsNewEnergyPlate(plate)},
         {"clean_energy", in.clean_energy},
         {"domestic", in.domestic},
         {"off_road", in.off_road},
         {"acquisition", in.acquisition},
         {"acquired_on", in.acquired_on.empty() ? today : in.acquired_on},
         {"registered_on", in.registered_on.empty() ? today : in.registered_on}};
  auto put = [&p](const char* key, const std::string& v) {
    if (!v.empty()) p[key] = v;
  };
  put("model", in.model);
  put("special_need", in.special_need);
  put("terrain_need", in.terrain_need);
  put("inspection_due", in.inspection_due);
  put("licence_due", in.licence_due);
  put("insurance_due", in.insurance_due);
  put("fuel_card", in.fuel_card);
  put("custodian_driver", in.custodian_driver);
  if (in.fuel_norm_ml_per_100km > 0) p["fuel_norm_ml_per_100km"] = in.fuel_norm_ml_per_100km;
  if (in.odometer_km > 0) p["odometer_km"] = in.odometer_km;
  if (cap.max_displacement_ml > 0) p["cap_displacement_ml"] = cap.max_displacement_ml;
  if (cap.max_price_fen > 0) p["cap_price_fen"] = cap.max_price_fen;

  Command cmd;
  AddFlagWarnings(p, cmd.warnings);
  AddQuotaWarnings(store, rules, p["acquired_on"].get<std::string>(), in.acquisition == acquisition::kPurchase,
                   cmd.warnings);
  CarFile would;
  would.id = in.id;
  would.plate = plate;
  would.inspection_due = in.inspection_due;
  would.licence_due = in.licence_due;
  would.insurance_due = in.insurance_due;
  for (auto& w : DueReminders(would, now.date, rules)) cmd.warnings.push_back(std::move(w));
  cmd.drafts.push_back(CarDraft(in.id, car_event::kRegistered, std::move(p)));
  return cmd;
}

Result<Command> UpdateCar(Store& store, const Author& actor, const std::string& car_id, const CarChanges& ch,
                          LocalTime now) {
  (void)now;
  auto view = LoadCar(store, car_id);
  if (!view.ok()) return view.status();
  if (Status s = CarWorkflow().Check(Str(view->fields, "status"), car_event::kUpdated, actor.role); !s.ok()) return s;
  Json p = Json::object();
  if (ch.plate) {
    if (Status s = validation::Plate(*ch.plate, "plate"); !s.ok()) return s;
    const std::string plate = validation::NormalizePlate(*ch.plate);
    if (Status s = CheckPlateFree(store, plate, car_id); !s.ok()) return s;
    p["plate"] = plate;
  }
  if (ch.car_class) {
    if (Status s = CheckClass(*ch.car_class); !s.ok()) return s;
    p["car_class"] = *ch.car_class;
    // A class change carries the new class's cap; otherwise the cap stays the one of the acquisition.
    const ClassCap cap = CapFor(LoadRules(store), *ch.car_class);
    p["cap_displacement_ml"] = cap.max_displacement_ml;
    p["cap_price_fen"] = cap.max_price_fen;
  }
  if (ch.model) p["model"] = *ch.model;
  if (ch.seats) {
    if (Status s = CheckSeats(*ch.seats); !s.ok()) return s;
    p["seats"] = *ch.seats;
  }
  for (auto [value, field] : {std::pair{&ch.displacement_ml, "displacement_ml"}, std::pair{&ch.price_fen, "price_fen"},
                              std::pair{&ch.fuel_norm_ml_per_100km, "fuel_norm_ml_per_100km"}}) {
    if (!*value) continue;
    if (Status s = CheckNonNegative(**value, field); !s.ok()) return s;
    p[field] = **value;
  }
  for (auto [value, field] : {std::pair{&ch.new_energy, "new_energy"}, std::pair{&ch.clean_energy, "clean_energy"},
                              std::pair{&ch.domestic, "domestic"}, std::pair{&ch.off_road, "off_road"}})
    if (*value) p[field] = **value;
  for (auto [value, field] : {std::pair{&ch.acquired_on, "acquired_on"}, std::pair{&ch.registered_on, "registered_on"}}) {
    if (!*value) continue;
    if (Status s = CheckDate(**value, field, true); !s.ok()) return s;
    p[field] = **value;
  }
  if (ch.special_need) p["special_need"] = *ch.special_need;
  if (ch.terrain_need) p["terrain_need"] = *ch.terrain_need;
  if (ch.fuel_card) {
    if (Status s = CheckFuelCardFree(store, *ch.fuel_card, car_id); !s.ok()) return s;
    p["fuel_card"] = *ch.fuel_card;
  }
  if (p.empty()) return Status::Invalid("changes", {"nothing to change", "没有要修改的内容"});
  Command cmd;
  AddFlagWarnings(Overlay(view->fields, p), cmd.warnings);
  cmd.drafts.push_back(CarDraft(car_id, car_event::kUpdated, std::move(p)));
  return cmd;
}

Result<Command> AssignCustodian(Store& store, const Author& actor, const std::string& car_id, const std::string& driver_id,
                                LocalTime now) {
  (void)now;
  auto view = LoadCar(store, car_id);
  if (!view.ok()) return view.status();
  if (Status s = CarWorkflow().Check(Str(view->fields, "status"), car_event::kCustodianAssigned, actor.role); !s.ok())
    return s;
  Command cmd;
  if (!driver_id.empty()) {
    if (Status s = CheckActiveDriver(store, driver_id, "driver"); !s.ok()) return s;
    if (auto d = FindDriver(store, driver_id))
      if (Status fit = DriverLicenceFits(*d, CarFromView(*view)); !fit.ok())
        cmd.warnings.push_back({"licence_class", fit.message()});
  }
  cmd.drafts.push_back(CarDraft(car_id, car_event::kCustodianAssigned, Json{{"custodian_driver", driver_id}}));
  return cmd;
}

Result<Command> SetCarDueDates(Store& store, const Author& actor, const std::string& car_id,
                               std::optional<std::string> inspection_due, std::optional<std::string> licence_due,
                               std::optional<std::string> insurance_due, LocalTime now) {
  auto view = LoadCar(store, car_id);
  if (!view.ok()) return view.status();
  if (Status s = CarWorkflow().Check(Str(view->fields, "status"), car_event::kDueDatesSet, actor.role); !s.ok())
    return s;
  Json p = Json::object();
  for (auto [value, field] : {std::pair{&inspection_due, "inspection_due"}, std::pair{&licence_due, "licence_due"},
                              std::pair{&insurance_due, "insurance_due"}}) {
    if (!*value) continue;
    if (Status s = CheckDate(**value, field, false); !s.ok()) return s;
    p[field] = **value;
  }
  if (p.empty()) return Status::Invalid("due_dates", {"no due date given", "未填写任何到期日期"});
  Command cmd;
  RecordView after = *view;
  after.fields = Overlay(view->fields, p);
  cmd.warnings = DueReminders(CarFromView(after), now.date, LoadRules(store));
  cmd.drafts.push_back(CarDraft(car_id, car_event::kDueDatesSet, std::move(p)));
  return cmd;
}

namespace {
Result<Command> SimpleCarStep(Store& store, const Author& actor, const std::string& car_id, std::string_view kind,
                              Json payload) {
  auto view = LoadCar(store, car_id);
  if (!view.ok()) return view.status();
  if (Status s = CarWorkflow().Check(Str(view->fields, "status"), kind, actor.role); !s.ok()) return s;
  Command cmd;
  cmd.drafts.push_back(CarDraft(car_id, kind, std::move(payload)));
  return cmd;
}
}  // namespace

Result<Command> SealCar(Store& store, const Author& actor, const std::string& car_id, const std::string& reason,
                        LocalTime now) {
  Json p{{"sealed_on", now.date.ToString()}};
  if (!reason.empty()) p["reason"] = reason;
  return SimpleCarStep(store, actor, car_id, car_event::kSealed, std::move(p));
}

Result<Command> UnsealCar(Store& store, const Author& actor, const std::string& car_id, LocalTime now) {
  return SimpleCarStep(store, actor, car_id, car_event::kUnsealed, Json{{"unsealed_on", now.date.ToString()}});
}

Result<Command> DisposeCar(Store& store, const Author& actor, const std::string& car_id, const std::string& manner,
                           const std::string& reason, LocalTime now) {
  auto cmd = SimpleCarStep(store, actor, car_id, car_event::kDisposed, Json::object());
  if (!cmd.ok()) return cmd;
  if (manner.empty())
    return Status::Invalid("manner", {"say how the car is disposed of (auction, scrap, transfer ...)",
                                      "请填写处置方式(拍卖、报废、调剂等)"});
  Json& p = cmd->drafts.front().payload;
  p["disposed_on"] = now.date.ToString();
  p["disposal_manner"] = manner;
  if (!reason.empty()) p["reason"] = reason;
  return cmd;
}

Status CheckCustodian(Store& store, const RecordView& car, const Author& actor) {
  if (actor.role != role::kDriver) return Status::Ok();
  // A driver speaks for the car they keep (机动车辆由驾驶员负责保管), not for any car of the fleet.
  const std::string custodian = Str(car.fields, "custodian_driver");
  const auto kept_by = custodian.empty() ? std::nullopt : FindDriver(store, custodian);
  if (!kept_by || kept_by->user_id != actor.user)
    return Status::Refused("car", {"only the car's custodian driver (or the fleet captain or admin) may report car " +
                                       car.key.id + " out of or back in service",
                                   "只有该车的保管驾驶员(或车队队长、管理员)可以报停或恢复车辆 " + car.key.id});
  return Status::Ok();
}

Result<Command> SetOutOfService(Store& store, const Author& actor, const std::string& car_id, bool out_of_service,
                                const std::string& reason, LocalTime now) {
  (void)now;
  auto view = LoadCar(store, car_id);
  if (!view.ok()) return view.status();
  const std::string_view kind = out_of_service ? car_event::kOutOfService : car_event::kBackInService;
  if (Status s = CarWorkflow().Check(Str(view->fields, "status"), kind, actor.role); !s.ok()) return s;
  if (Status s = CheckCustodian(store, *view, actor); !s.ok()) return s;
  if (Bool(view->fields, "out_of_service", false) == out_of_service)
    return Status::Refused("out_of_service", out_of_service
                                                 ? Text{"the car is already out of service", "车辆已处于停用状态"}
                                                 : Text{"the car is already in service", "车辆已在使用中"});
  Json p = Json::object();
  if (!reason.empty()) p["reason"] = reason;
  Command cmd;
  cmd.drafts.push_back(CarDraft(car_id, kind, std::move(p)));
  return cmd;
}

Result<Command> RecordOdometer(Store& store, const Author& actor, const std::string& car_id, std::int64_t km,
                               const std::string& trip_id, LocalTime now) {
  (void)now;
  if (Status s = CheckRole(actor, {role::kDriver, role::kDispatcher, role::kAdmin},
                           {"record the odometer", "录入里程表读数"});
      !s.ok())
    return s;
  auto view = LoadCar(store, car_id);
  if (!view.ok()) return view.status();
  if (Str(view->fields, "status") == car_status::kDisposed)
    return Status::Refused("car", {"car " + car_id + " has been disposed of", "车辆 " + car_id + " 已处置"});
  if (km < 0) return Status::Invalid("odometer_km", {"an odometer reading cannot be negative", "里程表读数不能为负数"});
  if (Has(view->fields, "odometer_km")) {
    const std::int64_t last = Int(view->fields, "odometer_km");
    if (km < last)
      return Status::Refused("odometer_km",
                             {"reading " + std::to_string(km) + " km is below the car's last reading " +
                                  std::to_string(last) + " km",
                              "读数" + std::to_string(km) + "公里低于该车上次读数" + std::to_string(last) + "公里"});
  }
  Command cmd;
  cmd.drafts.push_back(OdometerDraft(car_id, km, trip_id));
  return cmd;
}

// ---------- driver commands ----------

namespace {
Status CheckPhone(const std::string& phone, std::string& normalized) {
  normalized.clear();
  if (phone.empty()) return Status::Ok();
  if (Status s = validation::MobilePhone(phone, "phone"); !s.ok()) return s;
  normalized = validation::NormalizeMobilePhone(phone);
  return Status::Ok();
}
}  // namespace

Result<Command> RegisterDriver(Store& store, const Author& actor, const NewDriver& in, LocalTime now) {
  if (Status s = DriverWorkflow().Check("", driver_event::kRegistered, actor.role); !s.ok()) return s;
  if (in.id.empty()) return Status::Invalid("id", {"the driver needs an id", "驾驶员编号不能为空"});
  {
    auto existing = store.Get(std::string(entity::kDriver), in.id);
    if (!existing.ok()) return existing.status();
    if (existing->has_value())
      return Status::Refused("id", {"driver " + in.id + " is already registered", "驾驶员 " + in.id + " 已登记"});
  }
  if (in.name.empty()) return Status::Invalid("name", {"the driver's name is missing", "驾驶员姓名不能为空"});
  const std::string cls = UpperAscii(in.licence_class);
  if (Status s = CheckLicenceClass(cls); !s.ok()) return s;
  if (Status s = CheckDate(in.licence_due, "licence_due", false); !s.ok()) return s;
  std::string phone;
  if (Status s = CheckPhone(in.phone, phone); !s.ok()) return s;
  if (Status s = CheckUser(store, in.user_id); !s.ok()) return s;
  Json p{{"name", in.name}};
  for (auto [key, value] : {std::pair{"user_id", &in.user_id}, std::pair{"licence_number", &in.licence_number},
                            std::pair{"licence_class", &cls}, std::pair{"licence_due", &in.licence_due},
                            std::pair{"phone", static_cast<const std::string*>(&phone)}})
    if (!value->empty()) p[key] = *value;
  Command cmd;
  DriverFile would;
  would.id = in.id;
  would.name = in.name;
  would.licence_due = in.licence_due;
  would.status = std::string(driver_status::kActive);
  cmd.warnings = DriverReminders(would, now.date, LoadRules(store));
  cmd.drafts.push_back(DriverDraft(in.id, driver_event::kRegistered, std::move(p)));
  return cmd;
}

Result<Command> UpdateDriver(Store& store, const Author& actor, const std::string& driver_id,
                             const DriverChanges& ch, LocalTime now) {
  (void)now;
  auto view = LoadDriver(store, driver_id);
  if (!view.ok()) return view.status();
  if (Status s = DriverWorkflow().Check(Str(view->fields, "status"), driver_event::kUpdated, actor.role); !s.ok())
    return s;
  Json p = Json::object();
  if (ch.name) {
    if (ch.name->empty()) return Status::Invalid("name", {"the driver's name is missing", "驾驶员姓名不能为空"});
    p["name"] = *ch.name;
  }
  if (ch.user_id) {
    if (Status s = CheckUser(store, *ch.user_id); !s.ok()) return s;
    p["user_id"] = *ch.user_id;
  }
  if (ch.licence_number) p["licence_number"] = *ch.licence_number;
  if (ch.licence_class) {
    const std::string cls = UpperAscii(*ch.licence_class);
    if (Status s = CheckLicenceClass(cls); !s.ok()) return s;
    p["licence_class"] = cls;
  }
  if (ch.phone) {
    std::string phone;
    if (Status s = CheckPhone(*ch.phone, phone); !s.ok()) return s;
    p["phone"] = phone;
  }
  if (p.empty()) return Status::Invalid("changes", {"nothing to change", "没有要修改的内容"});
  Command cmd;
  cmd.drafts.push_back(DriverDraft(driver_id, driver_event::kUpdated, std::move(p)));
  return cmd;
}

Result<Command> RenewDriverLicence(Store& store, const Author& actor, const std::string& driver_id,
                                   const std::string& licence_due, LocalTime now) {
  auto view = LoadDriver(store, driver_id);
  if (!view.ok()) return view.status();
  if (Status s = DriverWorkflow().Check(Str(view->fields, "status"), driver_event::kLicenceRenewed, actor.role);
      !s.ok())
    return s;
  if (Status s = CheckDate(licence_due, "licence_due", true); !s.ok()) return s;
  Command cmd;
  DriverFile would = DriverFromView(*view);
  would.licence_due = licence_due;
  cmd.warnings = DriverReminders(would, now.date, LoadRules(store));
  cmd.drafts.push_back(DriverDraft(driver_id, driver_event::kLicenceRenewed, Json{{"licence_due", licence_due}}));
  return cmd;
}

Result<Command> DriverLeaves(Store& store, const Author& actor, const std::string& driver_id, LocalTime now) {
  auto view = LoadDriver(store, driver_id);
  if (!view.ok()) return view.status();
  if (Status s = DriverWorkflow().Check(Str(view->fields, "status"), driver_event::kLeft, actor.role); !s.ok())
    return s;
  Command cmd;
  for (const auto& car : ListCars(store)) {
    if (car.custodian_driver != driver_id || car.status == car_status::kDisposed) continue;
    cmd.warnings.push_back({"custodian_left",
                            {"car " + car.plate + " is kept by this driver; assign a new custodian",
                             "车辆" + car.plate + "由该驾驶员保管, 请指定新的保管人"}});
  }
  cmd.drafts.push_back(DriverDraft(driver_id, driver_event::kLeft, Json{{"left_on", now.date.ToString()}}));
  return cmd;
}

Result<Command> DriverRejoins(Store& store, const Author& actor, const std::string& driver_id, LocalTime now) {
  auto view = LoadDriver(store, driver_id);
  if (!view.ok()) return view.status();
  if (Status s = DriverWorkflow().Check(Str(view->fields, "status"), driver_event::kRejoined, actor.role); !s.ok())
    return s;
  Command cmd;
  cmd.warnings = DriverReminders(DriverFromView(*view), now.date, LoadRules(store));
  cmd.drafts.push_back(DriverDraft(driver_id, driver_event::kRejoined, Json{{"rejoined_on", now.date.ToString()}}));
  return cmd;
}

// ---------- acquisition report ----------

AcquisitionReport BuildAcquisitionReport(Store& store, const Rules& rules, Date from, Date to) {
  AcquisitionReport r;
  r.from = from;
  r.to = to;
  r.new_energy_target_percent = rules.new_energy_share_target_percent;
  r.car_quota = rules.car_quota;
  r.purchase_limit = rules.car_quota * rules.quota_purchase_percent / 100;
  for (const auto& car : ListCars(store)) {
    if (car.status.empty()) continue;
    const auto acquired = Date::Parse(car.acquired_on);
    const auto disposed = Date::Parse(car.disposed_on);
    if (acquired && *acquired <= to && !(disposed && *disposed <= to)) ++r.cars_held;
    if (car.status != car_status::kDisposed && car.over_standard()) r.over_standard.push_back(car.id);
    if (car.acquisition != acquisition::kPurchase || !acquired || *acquired < from || *acquired > to) continue;
    ++r.purchases;
    if (car.new_energy) ++r.new_energy_purchases;
    r.purchased.push_back(car.id);
  }
  if (r.purchases > 0) r.new_energy_share_percent = r.new_energy_purchases * 100 / r.purchases;
  r.new_energy_target_met =
      r.purchases == 0 || std::int64_t{r.new_energy_purchases} * 100 >= r.new_energy_target_percent * r.purchases;
  r.within_purchase_limit = r.car_quota <= 0 || r.purchases <= r.purchase_limit;
  r.over_quota = r.car_quota > 0 && r.cars_held > r.car_quota;
  return r;
}

}  // namespace houqin::cars
