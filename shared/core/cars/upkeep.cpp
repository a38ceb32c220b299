// Upkeep of the official cars. The folds, in short (MERGE-RULES.md has the
// general rules; these are the upkeep ones):
//
// provider/<id>      registered once, then updated last-writer-wins by event order.
// fuel_card/<id>     issued → active → withdrawn (→ issued again). A second issue of a live card is a workflow
//                    conflict (one card on two cars); two live cards on one car, or one number live on two
//                    records, are marked by the "fuel_card_clash" constraint.
// fill_up/<id>       requested → approved → filled → settled (or rejected / cancelled); an unrequested use of the
//                    card enters the book directly as filled with approved = false. Signatures, corrections and the
//                    settlement are workflow steps; a correction clears the signatures. A settlement whose entry no
//                    longer matches what was settled (changed or unsigned offline meanwhile) is kept, changes
//                    nothing and marks a workflow conflict, like any step that no longer fits.
// reconciliation/<kind>-<YYYY-MM>  prepared (again while prepared, or after a return) → checked → signed →
//                    settled; returned back to the captain from prepared, checked or signed. The figures are stored as the captain computed
//                    them: the record is the document the director signed.
// car_repair/<id>    planned → priced → approved → agreed → in_repair → completed (or rejected / cancelled);
//                    maintenance enters as completed.
#include "cars/upkeep.h"

#include <algorithm>
#include <map>
#include <set>

#include "cars/fleet.h"
#include "cars/trips.h"
#include "directory/directory.h"
#include "engine/payload.h"

namespace houqin::cars {

namespace {

constexpr std::string_view kActive = "active";
constexpr std::string_view kWithdrawn = "withdrawn";
constexpr std::string_view kCardClash = "fuel_card_clash";
constexpr std::string_view kByCarMonth = "upkeep_by_car_month";

using payload::Arr;
using payload::Bad;
using payload::Bool;
using payload::Int;
using payload::No;
using payload::Obj;
using payload::Str;

std::int64_t DivRound(std::int64_t num, std::int64_t den) { return den == 0 ? 0 : (num + den / 2) / den; }

std::string Type(std::string_view t) { return std::string(t); }

Status Missing(std::string field, const std::string& what_en, const std::string& what_zh, const std::string& id) {
  return Status::NotFound(std::move(field), {what_en + " " + id + " not found", "未找到" + what_zh + " " + id});
}

using directory::ActorHolds;
using directory::CheckStep;

std::string UserName(Store& store, const std::string& user_id) {
  auto u = directory::FindUser(store, user_id);
  return u && !u->name.empty() ? u->name : user_id;
}

Result<RecordView> Existing(Store& store, std::string_view type, const std::string& id, std::string field,
                            const std::string& what_en, const std::string& what_zh) {
  if (id.empty()) return Bad(std::move(field), what_en + " id is empty", what_zh + "编号为空");
  auto r = store.Get(Type(type), id);
  if (!r.ok()) return r.status();
  if (!r->has_value()) return Missing(std::move(field), what_en, what_zh, id);
  return std::move(**r);
}

Status CheckNewId(const std::string& id, std::string field) {
  if (id.empty()) return Bad(std::move(field), "the id is empty", "编号为空");
  if (id.size() > kMaxNameBytes) return Bad(std::move(field), "the id is longer than 128 bytes", "编号超过128字节");
  return Status::Ok();
}

Status RequireText(const std::string& value, std::string field, const std::string& en, const std::string& zh) {
  if (value.find_first_not_of(" \t\r\n") == std::string::npos) return Bad(std::move(field), en, zh);
  return Status::Ok();
}

Result<CarFile> UsableCar(Store& store, const std::string& car_id) {
  if (car_id.empty()) return Bad("car", "no car given", "未指定车辆");
  auto car = FindCar(store, car_id);
  if (!car) return Missing("car", "car", "车辆", car_id);
  if (car->status == car_status::kDisposed)
    return No("car", "car " + car->plate + " has been disposed of", "车辆 " + car->plate + " 已处置");
  return *car;
}

std::string StatusOf(const RecordView& v) { return Str(v.fields, "status"); }

Draft MakeDraft(std::string_view type, const std::string& id, std::string_view kind, Json payload) {
  return Draft{Type(type), id, std::string(kind), std::move(payload)};
}

// --- Workflow tables.

const Workflow& ProviderTable() {
  static const Workflow wf(
      "provider", {{"active", {"registered", "已登记"}}},
      {{"provider.registered", {"register the provider", "登记定点单位"}, {""}, "active", {"admin"}},
       {"provider.updated", {"update the provider", "修改定点单位"}, {"active"}, "", {"admin"}}});
  return wf;
}

const Workflow& FuelCardTable() {
  static const Workflow wf(
      "fuel card", {{kActive, {"in use", "在用"}}, {kWithdrawn, {"withdrawn", "已停用"}}},
      {{"fuel_card.issued", {"issue the card", "发放油卡"}, {"", kWithdrawn}, kActive, {"admin", "dispatcher"}},
       {"fuel_card.withdrawn", {"withdraw the card", "停用油卡"}, {kActive}, kWithdrawn, {"admin", "dispatcher"}}});
  return wf;
}

const Workflow& FillUpTable() {
  static const Workflow wf(
      "fill-up",
      {{"requested", {"awaiting the captain", "待车队队长批准"}},
       {"approved", {"approved", "已批准"}},
       {"rejected", {"rejected", "已驳回"}},
       {"cancelled", {"cancelled", "已取消"}},
       {"filled", {"filled", "已加油"}},
       {"settled", {"settled", "已结算"}}},
      {{"fill_up.requested", {"request a fill-up", "申请加油"}, {""}, "requested", {"driver"}},
       {"fill_up.approved", {"approve the fill-up", "批准加油"}, {"requested"}, "approved", {"dispatcher"}},
       {"fill_up.rejected", {"reject the fill-up", "驳回加油"}, {"requested"}, "rejected", {"dispatcher"}},
       {"fill_up.cancelled", {"cancel the fill-up", "取消加油"}, {"requested", "approved"}, "cancelled",
        {"driver", "dispatcher"}},
       {"fill_up.filled", {"record the filling", "登记加油"}, {"approved"}, "filled", {"driver", "fleet_clerk"}},
       {"fill_up.entered", {"enter an unrequested fill-up", "补登未申请的加油"}, {""}, "filled",
        {"fleet_clerk", "dispatcher"}},
       {"fill_up.corrected", {"correct the entry", "更正油本记录"}, {"filled"}, "", {"fleet_clerk"}},
       {"fill_up.driver_signed", {"sign the slip as driver", "驾驶员签字"}, {"filled"}, "", {"driver"}},
       {"fill_up.clerk_signed", {"sign the slip as clerk", "内勤签字"}, {"filled"}, "", {"fleet_clerk"}},
       {"fill_up.leader_signed", {"sign the receipt as the leader using the car", "用车领导签字"}, {"filled"}, "",
        {"approver", "director", "office_director"}},
       {"fill_up.settled", {"settle the entry", "结算油本记录"}, {"filled"}, "settled", {"finance"}}});
  return wf;
}

const Workflow& ReconciliationTable() {
  static const Workflow wf(
      "reconciliation",
      {{"prepared", {"prepared by the captain", "车队队长已编制"}},
       {"checked", {"checked by the clerk", "内勤已核对"}},
       {"signed", {"signed by the director", "主管主任已签字"}},
       {"returned", {"returned to the captain", "已退回车队队长"}},
       {"settled", {"settled by finance", "财务已结算"}}},
      {{"reconciliation.prepared", {"prepare the reconciliation", "编制月结"}, {"", "prepared", "returned"},
        "prepared", {"dispatcher"}},
       {"reconciliation.checked", {"check the reconciliation", "核对月结"}, {"prepared"}, "checked",
        {"fleet_clerk"}},
       {"reconciliation.signed", {"sign the reconciliation", "签字确认月结"}, {"checked"}, "signed", {"director"}},
       {"reconciliation.returned", {"return the reconciliation", "退回月结"}, {"prepared", "checked", "signed"},
        "returned", {"fleet_clerk", "director", "finance"}},
       {"reconciliation.settled", {"settle the month", "月末结算"}, {"signed"}, "settled", {"finance"}}});
  return wf;
}

const Workflow& RepairTable() {
  static const Workflow wf(
      "car repair",
      {{"planned", {"awaiting the captain's inspection", "待车队队长查验核价"}},
       {"priced", {"awaiting the supervising director", "待主管主任审批"}},
       {"approved", {"awaiting the office director", "待办公室主任同意"}},
       {"agreed", {"agreed, may go to the shop", "已同意,可送修"}},
       {"in_repair", {"in repair", "维修中"}},
       {"completed", {"completed", "已完成"}},
       {"rejected", {"rejected", "已驳回"}},
       {"cancelled", {"cancelled", "已取消"}}},
      {{"car_repair.planned", {"submit a repair plan", "提交修车计划"}, {""}, "planned", {"driver"}},
       {"car_repair.priced", {"inspect and price the plan", "查验车辆并核定价格"}, {"planned"}, "priced",
        {"dispatcher"}},
       {"car_repair.approved", {"approve the plan", "审批修车计划"}, {"priced"}, "approved", {"director"}},
       {"car_repair.agreed", {"agree to the repair", "同意修车"}, {"approved"}, "agreed", {"office_director"}},
       {"car_repair.rejected", {"reject the plan", "驳回修车计划"}, {"planned", "priced", "approved"}, "rejected",
        {"dispatcher", "director", "office_director"}},
       {"car_repair.cancelled", {"cancel the plan", "撤销修车计划"}, {"planned", "priced", "approved", "agreed"},
        "cancelled", {"driver", "dispatcher"}},
       {"car_repair.started", {"start the repair", "送修"}, {"agreed"}, "in_repair", {"driver", "dispatcher"}},
       {"car_repair.completed", {"complete the repair", "完成维修"}, {"in_repair"}, "completed",
        {"driver", "dispatcher"}},
       {"car_repair.maintained", {"record maintenance", "登记保养"}, {""}, "completed", {"dispatcher"}}});
  return wf;
}

// --- Folds.

void CopyKeys(Json& fields, const Json& payload, std::initializer_list<std::string_view> keys) {
  if (!payload.is_object()) return;
  for (auto k : keys)
    if (auto it = payload.find(k); it != payload.end()) fields[std::string(k)] = *it;
}

class ProviderFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kProvider; }
  void Apply(RecordState& r, const Event& e) const override {
    if (!ProviderTable().Advance(r, e)) return;
    CopyKeys(r.fields, e.payload, {"name", "kind", "locality", "designated", "tender_ref"});
  }
};

class FuelCardFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kFuelCard; }
  void Apply(RecordState& r, const Event& e) const override {
    if (!FuelCardTable().Advance(r, e)) return;
    if (e.kind == "fuel_card.issued") {
      CopyKeys(r.fields, e.payload, {"number", "car"});
      r.fields["issued_event"] = e.id;
      r.fields.erase("reason");
    } else if (e.kind == "fuel_card.withdrawn") {
      CopyKeys(r.fields, e.payload, {"reason"});
    }
  }
};

bool SlipComplete(const Json& f) {
  const Json& sig = Obj(f, "signatures");
  const bool other = Bool(f, "other_locality");
  return Bool(f, "approved") && sig.contains("driver") && sig.contains("clerk") &&
         (!other || (Bool(f, "other_locality_consent") && sig.contains("leader")));
}

class FillUpFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kFillUp; }
  void Apply(RecordState& r, const Event& e) const override {
    Json& f = r.fields;
    const Json& p = e.payload;
    if (e.kind == "fill_up.settled" && Str(f, "status") == "filled" &&
        (!Bool(f, "complete") || Int(f, "litres_ml") != Int(p, "litres_ml") ||
         Int(f, "amount_fen") != Int(p, "amount_fen"))) {
      std::vector<std::string> ids{e.id};
      if (auto last = Str(f, "entry_event"); !last.empty()) ids.push_back(last);
      r.AddConflict({"workflow", std::move(ids),
                     {"the settlement by " + e.author.user +
                          " no longer matches the entry (changed or unsigned meanwhile); kept, not applied",
                      e.author.user + " 的结算与油本记录已不一致(期间被更正或未签字); 已保留, 未生效"}});
      return;
    }
    if (!FillUpTable().Advance(r, e)) return;
    const std::string& k = e.kind;
    if (k == "fill_up.requested") {
      CopyKeys(f, p, {"car", "driver", "card", "purpose", "requested_at"});
    } else if (k == "fill_up.approved") {
      f["approved"] = true;
      f["approved_by"] = e.author.user;
      f["other_locality_consent"] = Bool(p, "other_locality_consent");
    } else if (k == "fill_up.rejected" || k == "fill_up.cancelled") {
      CopyKeys(f, p, {"reason"});
    } else if (k == "fill_up.filled" || k == "fill_up.entered" || k == "fill_up.corrected") {
      if (k == "fill_up.entered") {
        CopyKeys(f, p, {"car", "driver", "card"});
        f["approved"] = false;
      }
      CopyKeys(f, p, {"litres_ml", "amount_fen", "station", "locality", "other_locality", "filled_at"});
      if (k == "fill_up.corrected") {
        f.erase("signatures");
        CopyKeys(f, p, {"reason"});
      }
      f["entry_event"] = e.id;
    } else if (k == "fill_up.driver_signed" || k == "fill_up.clerk_signed" || k == "fill_up.leader_signed") {
      const std::string who = k == "fill_up.driver_signed" ? "driver" : k == "fill_up.clerk_signed" ? "clerk" : "leader";
      f["signatures"][who] = Json{{"user", e.author.user}, {"name", Str(p, "name")}, {"date", Str(p, "date")}};
    } else if (k == "fill_up.settled") {
      CopyKeys(f, p, {"reconciliation"});
    }
    f["complete"] = SlipComplete(f);
  }
};

class ReconciliationFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kReconciliation; }
  void Apply(RecordState& r, const Event& e) const override {
    if (!ReconciliationTable().Advance(r, e)) return;
    Json& f = r.fields;
    const std::string& k = e.kind;
    if (k == "reconciliation.prepared") {
      CopyKeys(f, e.payload, {"kind", "month", "figures"});
      f["prepared_by"] = e.author.user;
      f.erase("checked_by");
      f.erase("signed_by");
    } else if (k == "reconciliation.checked") {
      f["checked_by"] = e.author.user;
    } else if (k == "reconciliation.signed") {
      f["signed_by"] = e.author.user;
    } else if (k == "reconciliation.returned") {
      CopyKeys(f, e.payload, {"reason"});
      f.erase("checked_by");
      f.erase("signed_by");
    } else if (k == "reconciliation.settled") {
      f["settled_by"] = e.author.user;
    }
  }
};

class RepairFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kRepairPlan; }
  void Apply(RecordState& r, const Event& e) const override {
    if (!RepairTable().Advance(r, e)) return;
    Json& f = r.fields;
    const Json& p = e.payload;
    const std::string& k = e.kind;
    if (k == "car_repair.planned") {
      f["kind"] = "repair";
      CopyKeys(f, p, {"car", "description", "planned_items", "estimate_fen", "shop"});
      f["planned_by"] = e.author.user;
    } else if (k == "car_repair.priced") {
      CopyKeys(f, p, {"priced_items", "budget_fen", "inspection_note"});
      f["priced_by"] = e.author.user;
    } else if (k == "car_repair.approved") {
      f["approved_by"] = e.author.user;
    } else if (k == "car_repair.agreed") {
      f["agreed_by"] = e.author.user;
    } else if (k == "car_repair.rejected" || k == "car_repair.cancelled") {
      CopyKeys(f, p, {"reason"});
    } else if (k == "car_repair.started") {
      CopyKeys(f, p, {"shop", "started_at"});
    } else if (k == "car_repair.completed") {
      CopyKeys(f, p, {"final_items", "final_cost_fen", "completed_at"});
    } else if (k == "car_repair.maintained") {
      f["kind"] = "maintenance";
      CopyKeys(f, p, {"car", "description", "shop", "final_items", "final_cost_fen", "completed_at"});
      f["planned_by"] = e.author.user;
    }
  }
};

// --- Constraints.

// 一车一卡: at most one live card per car, and a card number live on one record only.
class FuelCardClash final : public Constraint {
 public:
  std::string_view name() const override { return kCardClash; }
  std::vector<std::string> Groups(const RecordState& r) const override {
    if (r.type != entity::kFuelCard) return {};
    std::vector<std::string> g;
    if (auto car = Str(r.fields, "car"); !car.empty()) g.push_back("car/" + car);
    if (auto number = Str(r.fields, "number"); !number.empty()) g.push_back("number/" + number);
    return g;
  }
  void Evaluate(const std::string& group, const std::vector<const RecordState*>& members,
                std::vector<GroupConflict>& out) const override {
    std::vector<std::size_t> live;
    for (std::size_t i = 0; i < members.size(); ++i)
      if (Str(members[i]->fields, "status") == kActive) live.push_back(i);
    if (live.size() < 2) return;
    std::vector<std::string> events;
    for (auto i : live) events.push_back(Str(members[i]->fields, "issued_event"));
    const bool by_car = group.rfind("car/", 0) == 0;
    const std::string subject = group.substr(group.find('/') + 1);
    const std::string n = std::to_string(live.size());
    Conflict c = by_car ? Conflict{"fuel_card_clash", events,
                                   {"car " + subject + " has " + n + " live fuel cards; one card per car",
                                    "车辆 " + subject + " 有 " + n + " 张在用油卡, 违反一车一卡"}}
                        : Conflict{"fuel_card_number_clash", events,
                                   {"card number " + subject + " is live on " + n + " records",
                                    "油卡号 " + subject + " 同时在 " + n + " 条记录上使用"}};
    for (auto i : live) out.push_back({i, c});
  }
};

// An index, not a rule: fill-ups and repairs of one car in one month, so that a month's book and a car's costs are
// read without scanning every record. Marks nothing.
class UpkeepByCarMonth final : public Constraint {
 public:
  std::string_view name() const override { return kByCarMonth; }
  bool IndexOnly() const override { return true; }
  std::vector<std::string> Groups(const RecordState& r) const override {
    std::string at;
    if (r.type == entity::kFillUp) at = Str(r.fields, "filled_at");
    else if (r.type == entity::kRepairPlan) at = Str(r.fields, "completed_at");
    else return {};
    const std::string car = Str(r.fields, "car");
    if (car.empty() || at.size() < 7) return {};
    return {car + "/" + at.substr(0, 7)};
  }
  void Evaluate(const std::string&, const std::vector<const RecordState*>&,
                std::vector<GroupConflict>&) const override {}
};

std::vector<RecordView> MembersOf(Store& store, std::string_view constraint, const std::string& group,
                                  std::string_view type) {
  std::vector<RecordView> out;
  auto members = store.GroupMembers(constraint, group);
  if (!members.ok()) return out;
  for (auto& m : *members)
    if (m.key.type == type) out.push_back(std::move(m));
  return out;
}

// --- Views.

Provider ProviderFrom(const RecordView& v) {
  const Json& f = v.fields;
  return {v.key.id, Str(f, "name"), Str(f, "kind"), Str(f, "locality"), Bool(f, "designated"), Str(f, "tender_ref")};
}

FuelCard CardFrom(const RecordView& v) {
  return {v.key.id, Str(v.fields, "number"), Str(v.fields, "car"), Str(v.fields, "status")};
}

std::optional<SlipSignature> SignatureFrom(const Json& sig, std::string_view who) {
  const Json& s = Obj(sig, who);
  if (s.empty()) return std::nullopt;
  return SlipSignature{Str(s, "user"), Str(s, "name"), Str(s, "date")};
}

FillUp FillUpFrom(const RecordView& v) {
  const Json& f = v.fields;
  FillUp u;
  u.id = v.key.id;
  u.status = Str(f, "status");
  u.car = Str(f, "car");
  u.driver = Str(f, "driver");
  u.card = Str(f, "card");
  u.purpose = Str(f, "purpose");
  u.approved = Bool(f, "approved");
  u.other_locality_consent = Bool(f, "other_locality_consent");
  u.litres_ml = Int(f, "litres_ml");
  u.amount_fen = Int(f, "amount_fen");
  u.station = Str(f, "station");
  u.locality = Str(f, "locality");
  u.other_locality = Bool(f, "other_locality");
  u.filled_at = Str(f, "filled_at");
  const Json& sig = Obj(f, "signatures");
  u.driver_signature = SignatureFrom(sig, "driver");
  u.clerk_signature = SignatureFrom(sig, "clerk");
  u.leader_signature = SignatureFrom(sig, "leader");
  u.complete = Bool(f, "complete");
  u.reconciliation = Str(f, "reconciliation");
  return u;
}

Json ItemsJson(const std::vector<RepairItem>& items) {
  Json a = Json::array();
  for (const auto& i : items) a.push_back(Json{{"name", i.name}, {"quantity", i.quantity}, {"unit_price_fen", i.unit_price_fen}});
  return a;
}

std::vector<RepairItem> ItemsFrom(const Json& a) {
  std::vector<RepairItem> out;
  if (!a.is_array()) return out;
  for (const auto& i : a) out.push_back({Str(i, "name"), Int(i, "quantity"), Int(i, "unit_price_fen")});
  return out;
}

CarRepair RepairFrom(const RecordView& v) {
  const Json& f = v.fields;
  CarRepair r;
  r.id = v.key.id;
  r.kind = Str(f, "kind");
  r.status = Str(f, "status");
  r.car = Str(f, "car");
  r.description = Str(f, "description");
  r.planned_by = Str(f, "planned_by");
  r.priced_by = Str(f, "priced_by");
  r.approved_by = Str(f, "approved_by");
  r.agreed_by = Str(f, "agreed_by");
  r.planned_items = ItemsFrom(Arr(f, "planned_items"));
  r.priced_items = ItemsFrom(Arr(f, "priced_items"));
  r.final_items = ItemsFrom(Arr(f, "final_items"));
  r.estimate_fen = Int(f, "estimate_fen");
  r.budget_fen = Int(f, "budget_fen");
  r.final_cost_fen = Int(f, "final_cost_fen");
  r.inspection_note = Str(f, "inspection_note");
  r.shop = Str(f, "shop");
  r.started_at = Str(f, "started_at");
  r.completed_at = Str(f, "completed_at");
  r.reason = Str(f, "reason");
  return r;
}

Status CheckItems(const std::vector<RepairItem>& items, std::string field, bool need_prices) {
  if (items.empty()) return Bad(field, "list at least one item", "至少列出一项");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    if (items[i].name.find_first_not_of(' ') == std::string::npos)
      return Bad(field, "item " + n + " has no name", "第 " + n + " 项没有名称");
    if (items[i].quantity <= 0)
      return Bad(field, "item " + n + " needs a quantity above zero", "第 " + n + " 项数量必须大于零");
    if (items[i].unit_price_fen < 0 || (need_prices && items[i].unit_price_fen == 0))
      return Bad(field, "item " + n + " needs a price above zero", "第 " + n + " 项须填写大于零的价格");
  }
  return Status::Ok();
}

}  // namespace

const Workflow& ProviderWorkflow() { return ProviderTable(); }
const Workflow& FuelCardWorkflow() { return FuelCardTable(); }
const Workflow& FillUpWorkflow() { return FillUpTable(); }
const Workflow& ReconciliationWorkflow() { return ReconciliationTable(); }
const Workflow& RepairWorkflow() { return RepairTable(); }

void RegisterUpkeep(Domain& domain) {
  domain.Add(std::make_unique<ProviderFold>());
  domain.Add(std::make_unique<FuelCardFold>());
  domain.Add(std::make_unique<FillUpFold>());
  domain.Add(std::make_unique<ReconciliationFold>());
  domain.Add(std::make_unique<RepairFold>());
  domain.Add(std::make_unique<FuelCardClash>());
  domain.Add(std::make_unique<UpkeepByCarMonth>());
}

// ---------------------------------------------------------------------------
// Providers.

namespace {
Status CheckProvider(const Provider& p) {
  if (Status s = RequireText(p.name, "name", "the provider needs a name", "定点单位名称不能为空"); !s.ok()) return s;
  if (p.kind != provider_kind::kRepair && p.kind != provider_kind::kFuel && p.kind != provider_kind::kInsurance)
    return Bad("kind", "kind must be repair, fuel or insurance", "类型必须是维修、加油或保险");
  if (Status s = RequireText(p.locality, "locality", "the provider needs a locality", "定点单位所在地不能为空");
      !s.ok())
    return s;
  if (p.designated && p.tender_ref.find_first_not_of(' ') == std::string::npos)
    return Bad("tender_ref", "a designated provider needs the reference of its tender",
               "定点单位须填写招标文号(定点须经招标)");
  return Status::Ok();
}

Json ProviderJson(const Provider& p) {
  return Json{{"name", p.name}, {"kind", p.kind}, {"locality", p.locality}, {"designated", p.designated},
              {"tender_ref", p.tender_ref}};
}
}  // namespace

Result<Command> RegisterProvider(Store& store, const Author& actor, const Provider& provider, LocalTime) {
  if (Status s = CheckNewId(provider.id, "id"); !s.ok()) return s;
  auto existing = store.Get(Type(entity::kProvider), provider.id);
  if (!existing.ok()) return existing.status();
  const std::string status = existing->has_value() ? StatusOf(**existing) : "";
  if (Status s = CheckStep(store, ProviderTable(), status, "provider.registered", actor); !s.ok()) return s;
  if (Status s = CheckProvider(provider); !s.ok()) return s;
  return Command{{MakeDraft(entity::kProvider, provider.id, "provider.registered", ProviderJson(provider))}, {}};
}

Result<Command> UpdateProvider(Store& store, const Author& actor, const Provider& provider, LocalTime) {
  auto v = Existing(store, entity::kProvider, provider.id, "id", "provider", "定点单位");
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, ProviderTable(), StatusOf(*v), "provider.updated", actor); !s.ok()) return s;
  if (Status s = CheckProvider(provider); !s.ok()) return s;
  return Command{{MakeDraft(entity::kProvider, provider.id, "provider.updated", ProviderJson(provider))}, {}};
}

std::optional<Provider> FindProvider(Store& store, const std::string& provider_id) {
  if (provider_id.empty()) return std::nullopt;
  auto r = store.Get(Type(entity::kProvider), provider_id);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return ProviderFrom(**r);
}

std::vector<Provider> ListProviders(Store& store, std::string_view kind) {
  std::vector<Provider> out;
  (void)store.ForEachRecord(Type(entity::kProvider), [&](const RecordView& v) {
    Provider p = ProviderFrom(v);
    if (kind.empty() || p.kind == kind) out.push_back(std::move(p));
  });
  return out;
}

Status RequireDesignated(Store& store, const std::string& provider_id, std::string_view kind, std::string_view field) {
  const std::string f(field);
  const bool fuel = kind == provider_kind::kFuel;
  const std::string what_en = fuel ? "fuel station" : kind == provider_kind::kRepair ? "repair shop" : "insurer";
  const std::string what_zh = fuel ? "加油站" : kind == provider_kind::kRepair ? "维修厂" : "保险公司";
  if (provider_id.empty()) return Bad(f, "no " + what_en + " given", "未指定" + what_zh);
  auto p = FindProvider(store, provider_id);
  if (!p) return Missing(f, what_en, what_zh, provider_id);
  if (p->kind != kind)
    return No(f, p->name + " is not a " + what_en, p->name + " 不是" + what_zh);
  if (!p->designated)
    return No(f, p->name + " is not a designated " + what_en + " (定点)",
              p->name + " 不是定点" + what_zh + ", 只能在定点单位" + (fuel ? "加油" : "维修"));
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Fuel cards.

Result<Command> IssueFuelCard(Store& store, const Author& actor, const std::string& card_id, const std::string& number,
                              const std::string& car_id, LocalTime) {
  if (Status s = CheckNewId(card_id, "id"); !s.ok()) return s;
  auto existing = store.Get(Type(entity::kFuelCard), card_id);
  if (!existing.ok()) return existing.status();
  const std::string status = existing->has_value() ? StatusOf(**existing) : "";
  if (Status s = CheckStep(store, FuelCardTable(), status, "fuel_card.issued", actor); !s.ok()) return s;
  if (Status s = RequireText(number, "number", "the card number is empty", "油卡卡号不能为空"); !s.ok()) return s;
  auto car = UsableCar(store, car_id);
  if (!car.ok()) return car.status();
  for (const auto& other_car : ListCars(store))
    if (other_car.id != car_id && other_car.fuel_card == number && other_car.status != car_status::kDisposed)
      return No("number", "card number " + number + " is on the file of car " + other_car.plate,
                "油卡号 " + number + " 已登记在车辆 " + other_car.plate + " 的档案上");
  for (const auto& other : MembersOf(store, kCardClash, "number/" + number, entity::kFuelCard))
    if (other.key.id != card_id && StatusOf(other) == kActive)
      return No("number", "card number " + number + " is already in use on car " + Str(other.fields, "car"),
                "油卡号 " + number + " 已用于车辆 " + Str(other.fields, "car"));
  if (auto held = FuelCardOfCar(store, car_id); held && held->id != card_id && held->number != number)
    return No("car", "car " + car->plate + " already has the fuel card " + held->number + " (一车一卡)",
              "车辆 " + car->plate + " 已有油卡 " + held->number + ", 一车一卡");
  return Command{{MakeDraft(entity::kFuelCard, card_id, "fuel_card.issued", Json{{"number", number}, {"car", car_id}})},
                 {}};
}

Result<Command> WithdrawFuelCard(Store& store, const Author& actor, const std::string& card_id,
                                 const std::string& reason, LocalTime) {
  auto v = Existing(store, entity::kFuelCard, card_id, "id", "fuel card", "油卡");
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, FuelCardTable(), StatusOf(*v), "fuel_card.withdrawn", actor); !s.ok()) return s;
  if (Status s = RequireText(reason, "reason", "give the reason", "请填写停用原因"); !s.ok()) return s;
  return Command{{MakeDraft(entity::kFuelCard, card_id, "fuel_card.withdrawn", Json{{"reason", reason}})}, {}};
}

std::optional<FuelCard> FindFuelCard(Store& store, const std::string& card_id) {
  if (card_id.empty()) return std::nullopt;
  auto r = store.Get(Type(entity::kFuelCard), card_id);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return CardFrom(**r);
}

std::optional<FuelCard> FuelCardOfCar(Store& store, const std::string& car_id) {
  auto cards = MembersOf(store, kCardClash, "car/" + car_id, entity::kFuelCard);
  if (cards.empty()) {
    auto car = FindCar(store, car_id);
    if (car && !car->fuel_card.empty()) return FuelCard{"", car->fuel_card, car_id, std::string(kActive)};
    return std::nullopt;
  }
  for (const auto& c : cards)
    if (StatusOf(c) == kActive && Str(c.fields, "car") == car_id) return CardFrom(c);
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Fill-ups.

namespace {

Result<RecordView> FillUpRecord(Store& store, const std::string& id) {
  return Existing(store, entity::kFillUp, id, "id", "fill-up", "加油记录");
}

// Checks the filling against the station and the locality rule; returns the payload of the fill.
Result<Json> FillPayload(Store& store, const FillDetails& fill, bool consent, LocalTime filled_at,
                         std::vector<Warning>& warnings, bool refuse_other_locality) {
  if (fill.litres_ml <= 0) return Bad("litres_ml", "the litres filled must be above zero", "加油量必须大于零");
  if (fill.amount_fen <= 0) return Bad("amount_fen", "the amount paid must be above zero", "加油金额必须大于零");
  if (Status s = RequireDesignated(store, fill.station, provider_kind::kFuel, "station"); !s.ok()) return s;
  const Provider station = *FindProvider(store, fill.station);
  const Rules rules = LoadRules(store);
  const bool other = station.locality != rules.home_locality;
  if (other && !consent && refuse_other_locality)
    return No("locality",
              "fuelling in another locality (" + station.locality +
                  ") is not allowed without the fleet captain's consent given with the approval",
              "原则上不许异地加油(" + station.locality + "), 须车队队长在批准时同意");
  if (other)
    warnings.push_back({"leader_signature_needed",
                        {"fuelling in another locality: the leader using the car must sign the receipt",
                         "异地加油: 须由用车领导在收据上签字"}});
  return Json{{"litres_ml", fill.litres_ml}, {"amount_fen", fill.amount_fen},   {"station", fill.station},
              {"locality", station.locality}, {"other_locality", other},        {"filled_at", filled_at.ToString()}};
}

}  // namespace

Result<Command> RequestFillUp(Store& store, const Author& driver, const std::string& fill_up_id,
                              const std::string& car_id, const std::string& purpose, LocalTime now) {
  if (Status s = CheckNewId(fill_up_id, "id"); !s.ok()) return s;
  auto existing = store.Get(Type(entity::kFillUp), fill_up_id);
  if (!existing.ok()) return existing.status();
  const std::string status = existing->has_value() ? StatusOf(**existing) : "";
  if (Status s = CheckStep(store, FillUpTable(), status, "fill_up.requested", driver); !s.ok()) return s;
  auto car = UsableCar(store, car_id);
  if (!car.ok()) return car.status();
  auto card = FuelCardOfCar(store, car_id);
  if (!card)
    return No("fuel_card", "car " + car->plate + " has no fuel card; fill-ups go on the car's own card (一车一卡)",
              "车辆 " + car->plate + " 没有油卡, 加油须使用本车油卡(一车一卡)");
  return Command{{MakeDraft(entity::kFillUp, fill_up_id, "fill_up.requested",
                            Json{{"car", car_id},
                                 {"driver", driver.user},
                                 {"card", card->number},
                                 {"purpose", purpose},
                                 {"requested_at", now.ToString()}})},
                 {}};
}

Result<Command> ApproveFillUp(Store& store, const Author& captain, const std::string& fill_up_id,
                              bool other_locality_consent, LocalTime) {
  auto v = FillUpRecord(store, fill_up_id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, FillUpTable(), StatusOf(*v), "fill_up.approved", captain); !s.ok()) return s;
  if (Str(v->fields, "driver") == captain.user)
    return No("actor", "you cannot approve your own fill-up", "不能批准自己的加油申请");
  return Command{{MakeDraft(entity::kFillUp, fill_up_id, "fill_up.approved",
                            Json{{"other_locality_consent", other_locality_consent}})},
                 {}};
}

Result<Command> RejectFillUp(Store& store, const Author& captain, const std::string& fill_up_id,
                             const std::string& reason, LocalTime) {
  auto v = FillUpRecord(store, fill_up_id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, FillUpTable(), StatusOf(*v), "fill_up.rejected", captain); !s.ok()) return s;
  if (Status s = RequireText(reason, "reason", "give the reason", "请填写驳回原因"); !s.ok()) return s;
  return Command{{MakeDraft(entity::kFillUp, fill_up_id, "fill_up.rejected", Json{{"reason", reason}})}, {}};
}

Result<Command> CancelFillUp(Store& store, const Author& actor, const std::string& fill_up_id,
                             const std::string& reason, LocalTime) {
  auto v = FillUpRecord(store, fill_up_id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, FillUpTable(), StatusOf(*v), "fill_up.cancelled", actor); !s.ok()) return s;
  if (actor.role == "driver" && Str(v->fields, "driver") != actor.user)
    return No("actor", "only the driver who asked may cancel", "只有申请的驾驶员可以取消");
  if (Status s = RequireText(reason, "reason", "give the reason", "请填写取消原因"); !s.ok()) return s;
  return Command{{MakeDraft(entity::kFillUp, fill_up_id, "fill_up.cancelled", Json{{"reason", reason}})}, {}};
}

Result<Command> RecordFill(Store& store, const Author& actor, const std::string& fill_up_id, const FillDetails& fill,
                           LocalTime now) {
  auto v = FillUpRecord(store, fill_up_id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, FillUpTable(), StatusOf(*v), "fill_up.filled", actor); !s.ok()) return s;
  if (actor.role == "driver" && Str(v->fields, "driver") != actor.user)
    return No("actor", "only the driver who asked, or the clerk, may record the filling",
              "只有申请的驾驶员或车队内勤可以登记加油");
  const std::string car = Str(v->fields, "car");
  auto card = FuelCardOfCar(store, car);
  if (!card || card->number != Str(v->fields, "card"))
    return No("fuel_card", "the card " + Str(v->fields, "card") + " is no longer the car's card",
              "油卡 " + Str(v->fields, "card") + " 已不是本车油卡");
  std::vector<Warning> warnings;
  auto payload = FillPayload(store, fill, Bool(v->fields, "other_locality_consent"), now, warnings, true);
  if (!payload.ok()) return payload.status();
  return Command{{MakeDraft(entity::kFillUp, fill_up_id, "fill_up.filled", std::move(*payload))}, std::move(warnings)};
}

Result<Command> EnterUnrequestedFill(Store& store, const Author& actor, const std::string& fill_up_id,
                                     const std::string& car_id, const std::string& driver_user, const FillDetails& fill,
                                     LocalTime filled_at, LocalTime now) {
  if (Status s = CheckNewId(fill_up_id, "id"); !s.ok()) return s;
  auto existing = store.Get(Type(entity::kFillUp), fill_up_id);
  if (!existing.ok()) return existing.status();
  const std::string status = existing->has_value() ? StatusOf(**existing) : "";
  if (Status s = CheckStep(store, FillUpTable(), status, "fill_up.entered", actor); !s.ok()) return s;
  auto car = UsableCar(store, car_id);
  if (!car.ok()) return car.status();
  auto driver = directory::FindUser(store, driver_user);
  if (!driver || !driver->HasRole("driver"))
    return Bad("driver", "user " + driver_user + " is not a driver", "用户 " + driver_user + " 不是驾驶员");
  if (filled_at > now) return Bad("filled_at", "the filling cannot be in the future", "加油时间不能晚于现在");
  auto card = FuelCardOfCar(store, car_id);
  std::vector<Warning> warnings;
  auto payload = FillPayload(store, fill, false, filled_at, warnings, false);
  if (!payload.ok()) return payload.status();
  (*payload)["car"] = car_id;
  (*payload)["driver"] = driver_user;
  (*payload)["card"] = card ? card->number : "";
  warnings.push_back({"not_approved",
                      {"entered without an approved request: the reconciliation lists it as an exception",
                       "未经批准的加油: 月结时列为异常"}});
  return Command{{MakeDraft(entity::kFillUp, fill_up_id, "fill_up.entered", std::move(*payload))},
                 std::move(warnings)};
}

Result<Command> CorrectFill(Store& store, const Author& clerk, const std::string& fill_up_id, const FillDetails& fill,
                            const std::string& reason, LocalTime now) {
  auto v = FillUpRecord(store, fill_up_id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, FillUpTable(), StatusOf(*v), "fill_up.corrected", clerk); !s.ok()) return s;
  if (Status s = RequireText(reason, "reason", "give the reason for the correction", "请填写更正原因"); !s.ok())
    return s;
  auto when = LocalTime::Parse(Str(v->fields, "filled_at"));
  std::vector<Warning> warnings;
  auto payload = FillPayload(store, fill, Bool(v->fields, "other_locality_consent"), when.value_or(now), warnings,
                             Bool(v->fields, "approved"));
  if (!payload.ok()) return payload.status();
  (*payload)["reason"] = reason;
  warnings.push_back({"signatures_cleared",
                      {"the slip must be signed again by the driver and the clerk", "更正后须由驾驶员和内勤重新签字"}});
  return Command{{MakeDraft(entity::kFillUp, fill_up_id, "fill_up.corrected", std::move(*payload))},
                 std::move(warnings)};
}

Result<Command> SignSlip(Store& store, const Author& signer, const std::string& fill_up_id, SlipSigner as,
                         LocalTime now) {
  auto v = FillUpRecord(store, fill_up_id);
  if (!v.ok()) return v.status();
  const char* kind = as == SlipSigner::kDriver  ? "fill_up.driver_signed"
                     : as == SlipSigner::kClerk ? "fill_up.clerk_signed"
                                                : "fill_up.leader_signed";
  const char* who = as == SlipSigner::kDriver ? "driver" : as == SlipSigner::kClerk ? "clerk" : "leader";
  if (Status s = CheckStep(store, FillUpTable(), StatusOf(*v), kind, signer); !s.ok()) return s;
  const Json& f = v->fields;
  if (Obj(f, "signatures").contains(who))
    return No("signature", "the slip already carries this signature", "该签字已存在");
  if (as == SlipSigner::kDriver && Str(f, "driver") != signer.user)
    return No("actor", "only the driver who filled may sign as driver", "只有加油的驾驶员本人可以签字");
  if (as != SlipSigner::kDriver && Str(f, "driver") == signer.user)
    return No("actor", "the driver cannot also sign for the clerk or the leader", "驾驶员不能代替内勤或领导签字");
  if (as == SlipSigner::kLeader && !Bool(f, "other_locality"))
    return No("signature", "a leader signs only a fill-up in another locality", "只有异地加油需要用车领导签字");
  return Command{{MakeDraft(entity::kFillUp, fill_up_id, kind,
                            Json{{"name", UserName(store, signer.user)}, {"date", now.date.ToString()}})},
                 {}};
}

std::optional<FillUp> FindFillUp(Store& store, const std::string& fill_up_id) {
  if (fill_up_id.empty()) return std::nullopt;
  auto r = store.Get(Type(entity::kFillUp), fill_up_id);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return FillUpFrom(**r);
}

namespace {
// The filled entries of one car and month, with whether each carries a conflict.
std::vector<std::pair<FillUp, bool>> BookOfCar(Store& store, const std::string& car, const std::string& month) {
  std::vector<std::pair<FillUp, bool>> out;
  for (const auto& v : MembersOf(store, kByCarMonth, car + "/" + month, entity::kFillUp)) {
    FillUp u = FillUpFrom(v);
    if (u.car != car || u.month() != month) continue;
    out.emplace_back(std::move(u), v.conflicted());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.filled_at, a.first.id) < std::tie(b.first.filled_at, b.first.id);
  });
  return out;
}
}  // namespace

std::vector<FillUp> FuelBook(Store& store, const std::string& month) {
  std::vector<FillUp> out;
  for (const auto& car : ListCars(store))
    for (auto& [u, conflicted] : BookOfCar(store, car.id, month)) out.push_back(std::move(u));
  return out;
}

std::vector<std::string> SlipProblems(const FillUp& u, bool has_conflict) {
  std::vector<std::string> p;
  if (!u.approved) p.push_back("not_approved");
  if (u.other_locality && !u.other_locality_consent) p.push_back("no_consent");
  if (!u.driver_signature) p.push_back("driver_unsigned");
  if (!u.clerk_signature) p.push_back("clerk_unsigned");
  if (u.other_locality && !u.leader_signature) p.push_back("leader_unsigned");
  if (has_conflict) p.push_back("conflict");
  return p;
}

Text ProblemText(std::string_view code) {
  if (code == "not_approved") return {"not approved by the fleet captain first", "未经车队队长事先批准"};
  if (code == "no_consent") return {"another locality without the captain's consent", "异地加油未经车队队长同意"};
  if (code == "driver_unsigned") return {"the driver has not signed the slip", "驾驶员未在小票上签字"};
  if (code == "clerk_unsigned") return {"the fleet clerk has not signed the slip", "车队内勤未在小票上签字"};
  if (code == "leader_unsigned")
    return {"another locality: the leader using the car has not signed", "异地加油: 用车领导未签字"};
  if (code == "conflict") return {"the entry has an unresolved conflict", "该记录有未解决的冲突"};
  if (code == "no_trip") return {"toll claimed with no trip of the car that day", "当日该车无行车记录, 过路费无法对应"};
  if (code == "amount_mismatch")
    return {"tolls claimed differ from the trip record", "过路费与行车记录不符"};
  if (code == "no_receipt") return {"tolls on the trip record with no receipt", "行车记录有过路费但无票据"};
  return {std::string(code), std::string(code)};
}

// ---------------------------------------------------------------------------
// Car repairs and maintenance.

std::int64_t ItemsTotal(const std::vector<RepairItem>& items) {
  std::int64_t sum = 0;
  for (const auto& i : items) sum += i.quantity * i.unit_price_fen;
  return sum;
}

namespace {
Result<RecordView> RepairRecord(Store& store, const std::string& id) {
  return Existing(store, entity::kRepairPlan, id, "id", "car repair", "修车计划");
}
}  // namespace

Result<Command> SubmitRepairPlan(Store& store, const Author& driver, const std::string& repair_id,
                                 const std::string& car_id, const std::string& description,
                                 const std::vector<RepairItem>& items, LocalTime) {
  if (Status s = CheckNewId(repair_id, "id"); !s.ok()) return s;
  auto existing = store.Get(Type(entity::kRepairPlan), repair_id);
  if (!existing.ok()) return existing.status();
  const std::string status = existing->has_value() ? StatusOf(**existing) : "";
  if (Status s = CheckStep(store, RepairTable(), status, "car_repair.planned", driver); !s.ok()) return s;
  auto car = UsableCar(store, car_id);
  if (!car.ok()) return car.status();
  if (Status s = RequireText(description, "description", "describe the fault and the repair", "请详细说明故障和维修内容");
      !s.ok())
    return s;
  if (Status s = CheckItems(items, "items", false); !s.ok()) return s;
  return Command{{MakeDraft(entity::kRepairPlan, repair_id, "car_repair.planned",
                            Json{{"car", car_id},
                                 {"description", description},
                                 {"planned_items", ItemsJson(items)},
                                 {"estimate_fen", ItemsTotal(items)}})},
                 {}};
}

Result<Command> PriceRepairPlan(Store& store, const Author& captain, const std::string& repair_id,
                                const std::string& inspection_note, const std::vector<RepairItem>& priced_items,
                                LocalTime) {
  auto v = RepairRecord(store, repair_id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, RepairTable(), StatusOf(*v), "car_repair.priced", captain); !s.ok()) return s;
  if (Status s = RequireText(inspection_note, "inspection_note", "record what the inspection of the car found",
                             "请填写查验车辆的情况");
      !s.ok())
    return s;
  if (Status s = CheckItems(priced_items, "priced_items", true); !s.ok()) return s;
  return Command{{MakeDraft(entity::kRepairPlan, repair_id, "car_repair.priced",
                            Json{{"inspection_note", inspection_note},
                                 {"priced_items", ItemsJson(priced_items)},
                                 {"budget_fen", ItemsTotal(priced_items)}})},
                 {}};
}

namespace {
Result<Command> SignOffRepair(Store& store, const Author& actor, const std::string& repair_id, std::string_view kind) {
  auto v = RepairRecord(store, repair_id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, RepairTable(), StatusOf(*v), kind, actor); !s.ok()) return s;
  if (Str(v->fields, "planned_by") == actor.user)
    return No("actor", "you cannot approve your own repair plan", "不能审批自己提交的修车计划");
  return Command{{MakeDraft(entity::kRepairPlan, repair_id, kind, Json::object())}, {}};
}
}  // namespace

Result<Command> ApproveRepairPlan(Store& store, const Author& director, const std::string& repair_id, LocalTime) {
  return SignOffRepair(store, director, repair_id, "car_repair.approved");
}

Result<Command> AgreeRepairPlan(Store& store, const Author& office_director, const std::string& repair_id, LocalTime) {
  return SignOffRepair(store, office_director, repair_id, "car_repair.agreed");
}

Result<Command> RejectRepairPlan(Store& store, const Author& actor, const std::string& repair_id,
                                 const std::string& reason, LocalTime) {
  auto v = RepairRecord(store, repair_id);
  if (!v.ok()) return v.status();
  const std::string status = StatusOf(*v);
  if (Status s = CheckStep(store, RepairTable(), status, "car_repair.rejected", actor); !s.ok()) return s;
  // Only the person whose step is due may reject: the table's roles are the union of the three.
  const std::string due = status == "planned" ? "dispatcher" : status == "priced" ? "director" : "office_director";
  if (actor.role != due)
    return No("role", "the plan is waiting for " + due + "; only that role may reject it now",
              "计划当前由 " + due + " 审核, 只有该角色可以驳回");
  if (Status s = RequireText(reason, "reason", "give the reason", "请填写驳回原因"); !s.ok()) return s;
  return Command{{MakeDraft(entity::kRepairPlan, repair_id, "car_repair.rejected", Json{{"reason", reason}})}, {}};
}

Result<Command> CancelRepairPlan(Store& store, const Author& actor, const std::string& repair_id,
                                 const std::string& reason, LocalTime) {
  auto v = RepairRecord(store, repair_id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, RepairTable(), StatusOf(*v), "car_repair.cancelled", actor); !s.ok()) return s;
  if (actor.role == "driver" && Str(v->fields, "planned_by") != actor.user)
    return No("actor", "only the driver who submitted the plan may cancel it", "只有提交计划的驾驶员可以撤销");
  if (Status s = RequireText(reason, "reason", "give the reason", "请填写撤销原因"); !s.ok()) return s;
  return Command{{MakeDraft(entity::kRepairPlan, repair_id, "car_repair.cancelled", Json{{"reason", reason}})}, {}};
}

Result<Command> StartRepair(Store& store, const Author& actor, const std::string& repair_id, const std::string& shop,
                            LocalTime now) {
  auto v = RepairRecord(store, repair_id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, RepairTable(), StatusOf(*v), "car_repair.started", actor); !s.ok()) return s;
  if (Status s = RequireDesignated(store, shop, provider_kind::kRepair, "shop"); !s.ok()) return s;
  return Command{{MakeDraft(entity::kRepairPlan, repair_id, "car_repair.started",
                            Json{{"shop", shop}, {"started_at", now.ToString()}})},
                 {}};
}

Result<Command> CompleteRepair(Store& store, const Author& actor, const std::string& repair_id,
                               std::int64_t final_cost_fen, const std::vector<RepairItem>& items, LocalTime now) {
  auto v = RepairRecord(store, repair_id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, RepairTable(), StatusOf(*v), "car_repair.completed", actor); !s.ok()) return s;
  if (final_cost_fen <= 0) return Bad("final_cost_fen", "the final cost must be above zero", "最终费用必须大于零");
  if (Status s = CheckItems(items, "items", false); !s.ok()) return s;
  std::vector<Warning> warnings;
  if (const std::int64_t budget = Int(v->fields, "budget_fen"); final_cost_fen > budget)
    warnings.push_back({"over_budget",
                        {"the final cost is above the approved budget of " + std::to_string(budget) + " fen",
                         "最终费用超出核定预算 " + std::to_string(budget) + " 分"}});
  return Command{{MakeDraft(entity::kRepairPlan, repair_id, "car_repair.completed",
                            Json{{"final_items", ItemsJson(items)},
                                 {"final_cost_fen", final_cost_fen},
                                 {"completed_at", now.ToString()}})},
                 std::move(warnings)};
}

Result<Command> RecordMaintenance(Store& store, const Author& captain, const std::string& repair_id,
                                  const std::string& car_id, const std::string& shop, const std::string& description,
                                  std::int64_t cost_fen, const std::vector<RepairItem>& items, LocalTime now) {
  if (Status s = CheckNewId(repair_id, "id"); !s.ok()) return s;
  auto existing = store.Get(Type(entity::kRepairPlan), repair_id);
  if (!existing.ok()) return existing.status();
  const std::string status = existing->has_value() ? StatusOf(**existing) : "";
  if (Status s = CheckStep(store, RepairTable(), status, "car_repair.maintained", captain); !s.ok()) return s;
  auto car = UsableCar(store, car_id);
  if (!car.ok()) return car.status();
  if (Status s = RequireDesignated(store, shop, provider_kind::kRepair, "shop"); !s.ok()) return s;
  if (Status s = RequireText(description, "description", "describe the maintenance", "请填写保养内容"); !s.ok())
    return s;
  if (cost_fen <= 0) return Bad("cost_fen", "the cost must be above zero", "费用必须大于零");
  if (!items.empty())
    if (Status s = CheckItems(items, "items", false); !s.ok()) return s;
  return Command{{MakeDraft(entity::kRepairPlan, repair_id, "car_repair.maintained",
                            Json{{"car", car_id},
                                 {"shop", shop},
                                 {"description", description},
                                 {"final_items", ItemsJson(items)},
                                 {"final_cost_fen", cost_fen},
                                 {"completed_at", now.ToString()}})},
                 {}};
}

std::optional<CarRepair> FindRepair(Store& store, const std::string& repair_id) {
  if (repair_id.empty()) return std::nullopt;
  auto r = store.Get(Type(entity::kRepairPlan), repair_id);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return RepairFrom(**r);
}


// ---------------------------------------------------------------------------
// Monthly reconciliations.

std::string ReconciliationId(std::string_view kind, std::string_view month) {
  return std::string(kind) + "-" + std::string(month);
}

namespace {

// "YYYY-MM" → its first and last day.
std::optional<std::pair<Date, Date>> MonthRange(const std::string& month) {
  if (month.size() != 7 || month[4] != '-') return std::nullopt;
  auto first = Date::Parse(month + "-01");
  if (!first) return std::nullopt;
  const Date next = first->month == 12 ? Date{first->year + 1, 1, 1} : Date{first->year, first->month + 1, 1};
  return std::pair{*first, next.AddDays(-1)};
}

Date NextMonthStart(Date d) { return d.month == 12 ? Date{d.year + 1, 1, 1} : Date{d.year, d.month + 1, 1}; }

Json EntryJson(const BookEntry& e) {
  return Json{{"fill_up", e.fill_up}, {"litres_ml", e.litres_ml}, {"amount_fen", e.amount_fen}};
}

Json FuelJson(const FuelFigures& f) {
  Json clean = Json::array(), exceptions = Json::array(), cars = Json::array();
  for (const auto& e : f.clean) clean.push_back(EntryJson(e));
  for (const auto& x : f.exceptions)
    exceptions.push_back(Json{{"fill_up", x.fill_up},
                              {"car", x.car},
                              {"driver", x.driver},
                              {"litres_ml", x.litres_ml},
                              {"amount_fen", x.amount_fen},
                              {"problems", x.problems}});
  for (const auto& c : f.cars)
    cars.push_back(Json{{"car", c.car},
                        {"plate", c.plate},
                        {"used_ml", c.used_ml},
                        {"amount_fen", c.amount_fen},
                        {"distance_km", c.distance_km},
                        {"norm_ml_per_100km", c.norm_ml_per_100km},
                        {"allowed_ml", c.allowed_ml},
                        {"limit_ml", c.limit_ml},
                        {"excess_ml", c.excess_ml},
                        {"excess_fen", c.excess_fen},
                        {"flagged", c.flagged},
                        {"norm_missing", c.norm_missing}});
  return Json{{"entries", f.entries},   {"litres_ml", f.litres_ml},
              {"amount_fen", f.amount_fen}, {"not_reimbursable_fen", f.not_reimbursable_fen},
              {"clean", clean},         {"exceptions", exceptions},
              {"cars", cars}};
}

FuelFigures FuelFrom(const Json& j) {
  FuelFigures f;
  f.entries = Int(j, "entries");
  f.litres_ml = Int(j, "litres_ml");
  f.amount_fen = Int(j, "amount_fen");
  f.not_reimbursable_fen = Int(j, "not_reimbursable_fen");
  for (const auto& e : Arr(j, "clean")) f.clean.push_back({Str(e, "fill_up"), Int(e, "litres_ml"), Int(e, "amount_fen")});
  for (const auto& x : Arr(j, "exceptions")) {
    SlipException e{Str(x, "fill_up"), Str(x, "car"), Str(x, "driver"), Int(x, "litres_ml"), Int(x, "amount_fen"), {}};
    for (const auto& p : Arr(x, "problems"))
      if (p.is_string()) e.problems.push_back(p.get<std::string>());
    f.exceptions.push_back(std::move(e));
  }
  for (const auto& c : Arr(j, "cars"))
    f.cars.push_back({Str(c, "car"), Str(c, "plate"), Int(c, "used_ml"), Int(c, "amount_fen"), Int(c, "distance_km"),
                      Int(c, "norm_ml_per_100km"), Int(c, "allowed_ml"), Int(c, "limit_ml"), Int(c, "excess_ml"),
                      Int(c, "excess_fen"), Bool(c, "flagged"), Bool(c, "norm_missing")});
  return f;
}

Json TollsJson(const TollFigures& t) {
  Json claims = Json::array(), exceptions = Json::array();
  for (const auto& c : t.claims)
    claims.push_back(Json{{"ref", c.ref}, {"car", c.car}, {"date", c.date.ToString()}, {"amount_fen", c.amount_fen}});
  for (const auto& x : t.exceptions)
    exceptions.push_back(Json{{"code", x.code},
                              {"car", x.car},
                              {"trip", x.trip},
                              {"ref", x.ref},
                              {"date", x.date},
                              {"claimed_fen", x.claimed_fen},
                              {"recorded_fen", x.recorded_fen}});
  return Json{{"lines", t.lines},         {"claimed_fen", t.claimed_fen}, {"recorded_fen", t.recorded_fen},
              {"matched_fen", t.matched_fen}, {"claims", claims},             {"exceptions", exceptions}};
}

TollFigures TollsFrom(const Json& j) {
  TollFigures t;
  t.lines = Int(j, "lines");
  t.claimed_fen = Int(j, "claimed_fen");
  t.recorded_fen = Int(j, "recorded_fen");
  t.matched_fen = Int(j, "matched_fen");
  for (const auto& c : Arr(j, "claims"))
    t.claims.push_back({Str(c, "ref"), Str(c, "car"), Date::Parse(Str(c, "date")).value_or(Date{}),
                        Int(c, "amount_fen")});
  for (const auto& x : Arr(j, "exceptions"))
    t.exceptions.push_back({Str(x, "code"), Str(x, "car"), Str(x, "trip"), Str(x, "ref"), Str(x, "date"),
                            Int(x, "claimed_fen"), Int(x, "recorded_fen")});
  return t;
}

Reconciliation ReconciliationFrom(const RecordView& v) {
  const Json& f = v.fields;
  Reconciliation r;
  r.id = v.key.id;
  r.kind = Str(f, "kind");
  r.month = Str(f, "month");
  r.status = Str(f, "status");
  r.prepared_by = Str(f, "prepared_by");
  r.checked_by = Str(f, "checked_by");
  r.signed_by = Str(f, "signed_by");
  r.settled_by = Str(f, "settled_by");
  r.note = Str(f, "reason");
  if (r.kind == reconciliation_kind::kFuel) r.fuel = FuelFrom(Obj(f, "figures"));
  if (r.kind == reconciliation_kind::kTolls) r.tolls = TollsFrom(Obj(f, "figures"));
  return r;
}

Result<RecordView> ReconciliationRecord(Store& store, const std::string& id) {
  return Existing(store, entity::kReconciliation, id, "id", "reconciliation", "月结");
}

// The actual days a trip covered, or its planned window when it has not run.
std::pair<Date, Date> TripDays(const TripSummary& t) {
  const LocalTime s = t.started_at.value_or(t.start);
  const LocalTime e = t.ended_at.value_or(t.end);
  return {s.date, std::max(s.date, e.date)};
}

}  // namespace

FuelFigures ComputeFuelFigures(Store& store, const std::string& month, const Rules& rules) {
  FuelFigures out;
  const auto range = MonthRange(month);
  if (!range) return out;
  for (const auto& car : ListCars(store)) {
    const auto book = BookOfCar(store, car.id, month);
    if (book.empty()) continue;
    CarFuelCheck check;
    check.car = car.id;
    check.plate = car.plate;
    check.norm_ml_per_100km = car.fuel_norm_ml_per_100km;
    for (const auto& [u, conflicted] : book) {
      ++out.entries;
      out.litres_ml += u.litres_ml;
      out.amount_fen += u.amount_fen;
      check.used_ml += u.litres_ml;
      check.amount_fen += u.amount_fen;
      auto problems = SlipProblems(u, conflicted);
      if (problems.empty())
        out.clean.push_back({u.id, u.litres_ml, u.amount_fen});
      else
        out.exceptions.push_back({u.id, u.car, u.driver, u.litres_ml, u.amount_fen, std::move(problems)});
    }
    for (const auto& trip : TripsOfCar(store, car.id, range->first, range->second))
      check.distance_km += trip.distance_km;
    if (check.norm_ml_per_100km <= 0) {
      check.norm_missing = true;
    } else {
      check.allowed_ml = check.distance_km * check.norm_ml_per_100km / 100;
      check.limit_ml = check.allowed_ml * (100 + rules.fuel_tolerance_percent) / 100;
      if (check.used_ml > check.limit_ml) {
        // The tolerance absorbs measurement noise; what lies beyond it is what the mileage cannot justify.
        check.flagged = true;
        check.excess_ml = check.used_ml - check.limit_ml;
        check.excess_fen = DivRound(check.excess_ml * check.amount_fen, check.used_ml);
        out.not_reimbursable_fen += check.excess_fen;
      }
    }
    out.cars.push_back(std::move(check));
  }
  return out;
}

TollFigures ComputeTollFigures(Store& store, const std::string& month, const std::vector<TollLine>& claims) {
  TollFigures out;
  out.claims = claims;
  const auto range = MonthRange(month);
  if (!range) return out;
  // A trip that began shortly before the month may carry tolls paid in it.
  std::vector<TripSummary> trips;
  for (auto& t : ListTrips(store, range->first.AddDays(-7), range->second))
    if (t.status != "cancelled") trips.push_back(std::move(t));
  std::sort(trips.begin(), trips.end(), [](const TripSummary& a, const TripSummary& b) {
    return std::tie(a.start, a.id) < std::tie(b.start, b.id);
  });
  std::map<std::string, std::int64_t> matched;  // trip → receipts assigned to it
  std::map<std::string, std::vector<std::string>> refs;
  for (const auto& line : claims) {
    ++out.lines;
    out.claimed_fen += line.amount_fen;
    const TripSummary* hit = nullptr;
    for (const auto& t : trips) {
      const auto [first, last] = TripDays(t);
      if (t.car == line.car && first <= line.date && line.date <= last) {
        hit = &t;
        break;
      }
    }
    if (hit == nullptr) {
      out.exceptions.push_back({"no_trip", line.car, "", line.ref, line.date.ToString(), line.amount_fen, 0});
      continue;
    }
    matched[hit->id] += line.amount_fen;
    refs[hit->id].push_back(line.ref);
  }
  for (const auto& t : trips) {
    const bool in_month = range->first <= t.start.date && t.start.date <= range->second;
    const auto m = matched.find(t.id);
    const std::int64_t claimed = m == matched.end() ? 0 : m->second;
    if (!in_month && claimed == 0) continue;
    out.recorded_fen += t.tolls_fen;
    if (claimed == t.tolls_fen) {
      out.matched_fen += claimed;
      continue;
    }
    std::string joined;
    for (const auto& r : refs[t.id]) joined += (joined.empty() ? "" : ",") + r;
    out.exceptions.push_back({claimed == 0 ? "no_receipt" : "amount_mismatch", t.car, t.id, joined,
                              t.start.date.ToString(), claimed, t.tolls_fen});
  }
  return out;
}

namespace {

Status CheckMonth(const std::string& month, LocalTime now) {
  if (!MonthRange(month)) return Bad("month", "the month must be written YYYY-MM", "月份格式应为 YYYY-MM");
  if (month > now.date.Month())
    return No("month", "a month that has not begun cannot be reconciled", "不能结算尚未开始的月份");
  return Status::Ok();
}

Result<Command> Prepare(Store& store, const Author& captain, std::string_view kind, const std::string& month,
                        Json figures, LocalTime now) {
  const std::string id = ReconciliationId(kind, month);
  auto existing = store.Get(Type(entity::kReconciliation), id);
  if (!existing.ok()) return existing.status();
  const std::string status = existing->has_value() ? StatusOf(**existing) : "";
  if (Status s = CheckStep(store, ReconciliationTable(), status, "reconciliation.prepared", captain); !s.ok())
    return s;
  std::vector<Warning> warnings;
  if (month == now.date.Month())
    warnings.push_back({"month_open",
                        {"the month is not over: entries made later are not in these figures",
                         "本月尚未结束: 之后的记录不在本次月结中"}});
  return Command{{MakeDraft(entity::kReconciliation, id, "reconciliation.prepared",
                            Json{{"kind", std::string(kind)}, {"month", month}, {"figures", std::move(figures)}})},
                 std::move(warnings)};
}

}  // namespace

Result<Command> PrepareFuelReconciliation(Store& store, const Author& captain, const std::string& month,
                                          LocalTime now) {
  if (Status s = CheckMonth(month, now); !s.ok()) return s;
  if (Status s = ReconciliationTable().Check("", "reconciliation.prepared", captain.role); !s.ok()) return s;
  const FuelFigures figures = ComputeFuelFigures(store, month, LoadRules(store));
  auto cmd = Prepare(store, captain, reconciliation_kind::kFuel, month, FuelJson(figures), now);
  if (cmd.ok() && !figures.exceptions.empty())
    cmd->warnings.push_back({"exceptions",
                             {std::to_string(figures.exceptions.size()) + " fuel-book entries do not match their slips",
                              std::to_string(figures.exceptions.size()) + " 条油本记录与小票不符"}});
  return cmd;
}

Result<Command> PrepareTollReconciliation(Store& store, const Author& captain, const std::string& month,
                                          const std::vector<TollLine>& claims, LocalTime now) {
  if (Status s = CheckMonth(month, now); !s.ok()) return s;
  if (Status s = ReconciliationTable().Check("", "reconciliation.prepared", captain.role); !s.ok()) return s;
  const auto range = MonthRange(month);
  std::set<std::string> refs;
  for (std::size_t i = 0; i < claims.size(); ++i) {
    const TollLine& c = claims[i];
    const std::string n = std::to_string(i + 1);
    if (c.ref.empty()) return Bad("claims", "line " + n + " has no receipt reference", "第 " + n + " 行没有票据号");
    if (!refs.insert(c.ref).second)
      return Bad("claims", "receipt " + c.ref + " is listed twice", "票据 " + c.ref + " 重复列出");
    if (!FindCar(store, c.car)) return Bad("claims", "line " + n + ": unknown car " + c.car, "第 " + n + " 行: 未知车辆 " + c.car);
    if (c.date < range->first || range->second < c.date)
      return Bad("claims", "line " + n + " is dated outside " + month, "第 " + n + " 行日期不在 " + month + " 内");
    if (c.amount_fen <= 0) return Bad("claims", "line " + n + " needs an amount above zero", "第 " + n + " 行金额必须大于零");
  }
  const TollFigures figures = ComputeTollFigures(store, month, claims);
  auto cmd = Prepare(store, captain, reconciliation_kind::kTolls, month, TollsJson(figures), now);
  if (cmd.ok() && !figures.exceptions.empty())
    cmd->warnings.push_back({"exceptions",
                             {std::to_string(figures.exceptions.size()) + " toll items do not match the trip records",
                              std::to_string(figures.exceptions.size()) + " 项过路费与行车记录不符"}});
  return cmd;
}

Result<Command> CheckReconciliation(Store& store, const Author& clerk, const std::string& id, LocalTime) {
  auto v = ReconciliationRecord(store, id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, ReconciliationTable(), StatusOf(*v), "reconciliation.checked", clerk); !s.ok())
    return s;
  if (Str(v->fields, "prepared_by") == clerk.user)
    return No("actor", "the person who prepared it cannot also check it", "编制人不能同时核对");
  return Command{{MakeDraft(entity::kReconciliation, id, "reconciliation.checked", Json::object())}, {}};
}

Result<Command> SignReconciliation(Store& store, const Author& director, const std::string& id, LocalTime) {
  auto v = ReconciliationRecord(store, id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, ReconciliationTable(), StatusOf(*v), "reconciliation.signed", director); !s.ok())
    return s;
  const Reconciliation r = ReconciliationFrom(*v);
  const std::size_t exceptions = r.fuel ? r.fuel->exceptions.size() : r.tolls ? r.tolls->exceptions.size() : 0;
  std::vector<Warning> warnings;
  if (exceptions > 0)
    warnings.push_back({"exceptions",
                        {std::to_string(exceptions) + " exceptions will not be reimbursed",
                         std::to_string(exceptions) + " 项异常不予核销"}});
  return Command{{MakeDraft(entity::kReconciliation, id, "reconciliation.signed", Json::object())},
                 std::move(warnings)};
}

Result<Command> ReturnReconciliation(Store& store, const Author& actor, const std::string& id,
                                     const std::string& reason, LocalTime) {
  auto v = ReconciliationRecord(store, id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, ReconciliationTable(), StatusOf(*v), "reconciliation.returned", actor); !s.ok())
    return s;
  if (Status s = RequireText(reason, "reason", "say what must be corrected", "请说明需要更正的内容"); !s.ok())
    return s;
  return Command{{MakeDraft(entity::kReconciliation, id, "reconciliation.returned", Json{{"reason", reason}})}, {}};
}

Result<Command> SettleReconciliation(Store& store, const Author& finance, const std::string& id, LocalTime now) {
  auto v = ReconciliationRecord(store, id);
  if (!v.ok()) return v.status();
  if (Status s = CheckStep(store, ReconciliationTable(), StatusOf(*v), "reconciliation.settled", finance); !s.ok())
    return s;
  const Reconciliation r = ReconciliationFrom(*v);
  const auto range = MonthRange(r.month);
  if (!range) return Bad("month", "the reconciliation has no valid month", "月结月份无效");
  if (now.date < range->second)
    return No("month", "settlement is at month end (一月一结); " + r.month + " ends on " + range->second.ToString(),
              "月末结算(一月一结), " + r.month + " 至 " + range->second.ToString() + " 结束");
  Command cmd;
  cmd.drafts.push_back(MakeDraft(entity::kReconciliation, id, "reconciliation.settled", Json::object()));
  if (r.fuel) {
    for (const auto& entry : r.fuel->clean) {
      auto rec = store.Get(Type(entity::kFillUp), entry.fill_up);
      if (!rec.ok()) return rec.status();
      if (!rec->has_value()) return Missing("figures", "fill-up", "加油记录", entry.fill_up);
      const FillUp u = FillUpFrom(**rec);
      if (u.status != "filled" || !SlipProblems(u, (*rec)->conflicted()).empty() || u.litres_ml != entry.litres_ml ||
          u.amount_fen != entry.amount_fen)
        return No("figures",
                  "fill-up " + entry.fill_up + " changed since the reconciliation was prepared; return it to be prepared again",
                  "加油记录 " + entry.fill_up + " 在编制月结后已变动, 请退回重新编制");
      cmd.drafts.push_back(MakeDraft(entity::kFillUp, entry.fill_up, "fill_up.settled",
                                     Json{{"reconciliation", id}, {"litres_ml", entry.litres_ml},
                                          {"amount_fen", entry.amount_fen}}));
    }
  }
  return cmd;
}

std::optional<Reconciliation> FindReconciliation(Store& store, const std::string& id) {
  if (id.empty()) return std::nullopt;
  auto r = store.Get(Type(entity::kReconciliation), id);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return ReconciliationFrom(**r);
}

// ---------------------------------------------------------------------------
// 单车核算.

Result<std::vector<CarCost>> CarCosts(Store& store, const std::string& car_id, Date from, Date to, const Rules& rules) {
  if (to < from) return Bad("to", "the period ends before it begins", "结束日期早于开始日期");
  std::vector<CarFile> cars;
  if (car_id.empty()) {
    for (auto& c : ListCars(store))
      if (c.disposed_on.empty() || c.disposed_on >= from.ToString()) cars.push_back(std::move(c));
  } else {
    auto car = FindCar(store, car_id);
    if (!car) return Missing("car", "car", "车辆", car_id);
    cars.push_back(std::move(*car));
  }
  const std::string from_text = from.ToString(), to_text = to.ToString();
  auto in_period = [&](const std::string& at) {
    const std::string day = at.substr(0, 10);
    return from_text <= day && day <= to_text;
  };
  std::vector<CarCost> out;
  for (const auto& car : cars) {
    CarCost c;
    c.car = car.id;
    c.plate = car.plate;
    for (const auto& t : TripsOfCar(store, car.id, from, to)) {
      c.distance_km += t.distance_km;
      c.tolls_fen += t.tolls_fen;
    }
    for (Date m{from.year, from.month, 1}; m <= to; m = NextMonthStart(m)) {
      const std::string group = car.id + "/" + m.Month();
      for (const auto& v : MembersOf(store, kByCarMonth, group, entity::kFillUp)) {
        const FillUp u = FillUpFrom(v);
        if (u.car != car.id || !in_period(u.filled_at)) continue;
        c.fuel_ml += u.litres_ml;
        c.fuel_fen += u.amount_fen;
      }
      for (const auto& v : MembersOf(store, kByCarMonth, group, entity::kRepairPlan)) {
        const CarRepair r = RepairFrom(v);
        if (r.car != car.id || r.status != "completed" || !in_period(r.completed_at)) continue;
        c.repair_fen += r.final_cost_fen;
      }
    }
    if (c.distance_km > 0) {
      c.fuel_fen_per_km = DivRound(c.fuel_fen, c.distance_km);
      c.repair_fen_per_km = DivRound(c.repair_fen, c.distance_km);
      c.cost_fen_per_km = DivRound(c.total_fen(), c.distance_km);
    }
    // Compared unrounded: cost > average × distance.
    c.fuel_above_average = c.fuel_fen > rules.social_avg_fuel_fen_per_km * c.distance_km;
    c.repair_above_average = c.repair_fen > rules.social_avg_repair_fen_per_km * c.distance_km;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace houqin::cars
