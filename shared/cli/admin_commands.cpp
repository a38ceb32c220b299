// houqin admin --data DIR <command>: the sync server's administration, run on
// the server host against its data directory (DIR/houqin.db: the event store
// and the server's registry, one SQLite file in WAL mode, so this may run
// while the server does).
//
// What the admin creates is events, written through the core's own commands
// (directory drafts, the fleet register, the duty roster, ...), so devices
// receive the directory, the car register and the rosters through the same
// pull as everything else. Enrollment codes, devices and passwords are the
// registry's: they never sync.
//
// The admin writes as its own device (a UUIDv7 kept in the store's meta under
// "admin.device_id", StoreOptions::act_as_device), so its sequence numbers
// never collide with the server's, whichever process writes first.
//
// Exit codes: 0 done; 1 refused input, each error naming the field (the CSV
// row and column, the option) and the reason in English and Chinese; 2 a
// usage error or a failure of the machine (disk, database).
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "calendar/calendar.h"
#include "cars/fleet.h"
#include "cars/rules.h"
#include "cars/trips.h"
#include "cli.h"
#include "directory/directory.h"
#include "domain.h"
#include "duty/duty.h"
#include "registry.h"
#include "repairs/repairs.h"
#include "sync/protocol.h"
#include "tls.h"
#include "util/uuid.h"
#include "validation/validate.h"
#include "visitors/invites.h"
#include "visitors/rules.h"
#include "visitors/visitors.h"

namespace houqin::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDatabaseFile = "houqin.db";
constexpr const char* kAdminDeviceMeta = "admin.device_id";
constexpr const char* kDemoPassword = "houqin-demo";
constexpr const char* kDemoSite = "main";
constexpr std::int64_t kHourMs = 3'600'000;

// Refused input: the message names what was wrong. The tool's convention is exit 1.
int Refuse(const std::string& message) {
  std::cerr << "houqin admin: " << message << "\n";
  return 1;
}

int Refuse(const Status& status) {
  if (status.code() == Status::Code::kIo || status.code() == Status::Code::kCorruption) return Fail(status);
  return Refuse(status.ToString());
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const Author& AdminAuthor() {
  static const Author admin{"admin", std::string(role::kAdmin), ""};
  return admin;
}

// The site register: one site_config record per site (院区), "site.<id>".
// Devices read it like the rest of site_config; a kiosk is enrolled for one.
std::string SiteRecordId(const std::string& site) { return "site." + site; }

Draft SiteDraft(const std::string& site, const std::string& name) {
  return {std::string(entity::kSiteConfig), SiteRecordId(site), "site_config.updated",
          Json{{"site", site}, {"name", name}}};
}

std::optional<std::string> SiteName(Store& store, const std::string& site) {
  auto r = store.Get(std::string(entity::kSiteConfig), SiteRecordId(site));
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return (*r)->fields.value("name", std::string());
}

// ---------------------------------------------------------------------------
// The data directory

struct DataDir {
  fs::path dir;
  std::unique_ptr<Store> store;
  std::string admin_device;

  std::string db_path() const { return (dir / kDatabaseFile).string(); }
};

const Domain& TheDomain() {
  static const auto domain = MakeDomain();
  return *domain;
}

// Opens DIR/houqin.db as the admin device. The store has to be opened once
// to read (or make) the admin's device id before it can be opened as it.
Result<DataDir> OpenDataDir(const std::string& dir, bool create) {
  DataDir d;
  d.dir = dir;
  std::error_code ec;
  if (!fs::exists(d.dir / kDatabaseFile, ec)) {
    if (!create)
      return Status::NotFound("data", {"no Houqin database in " + dir + " (run `houqin admin --data " + dir +
                                           " init --site ID --name NAME` first)",
                                       dir + " 中没有后勤数据库(请先运行 init)"});
    fs::create_directories(d.dir, ec);
    if (ec) return Status::Io({"cannot create " + dir + ": " + ec.message(), "无法创建目录 " + dir});
  }
  StoreOptions options;
  options.domain = &TheDomain();
  options.synchronous_full = true;
  {
    auto plain = Store::Open(d.db_path(), options);
    if (!plain.ok()) return plain.status();
    auto id = (*plain)->GetMeta(kAdminDeviceMeta);
    if (!id.ok()) return id.status();
    if (id->has_value()) {
      d.admin_device = **id;
    } else {
      d.admin_device = NewUuidV7(NowMs());
      if (Status s = (*plain)->SetMeta(kAdminDeviceMeta, d.admin_device); !s.ok()) return s;
    }
  }
  options.act_as_device = d.admin_device;
  auto store = Store::Open(d.db_path(), options);
  if (!store.ok()) return store.status();
  d.store = std::move(*store);
  return d;
}

Result<std::unique_ptr<server::Registry>> OpenRegistry(const DataDir& d) { return server::Registry::Open(d.db_path()); }

// ---------------------------------------------------------------------------
// Values from text (CSV cells and options alike)

using Row = std::map<std::string, std::string>;

std::string Trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

std::string Cell(const Row& row, const std::string& column) {
  auto it = row.find(column);
  return it == row.end() ? std::string() : Trimmed(it->second);
}

bool Has(const Row& row, const std::string& column) { return !Cell(row, column).empty(); }

// A list in one cell: "a;b", "a, b" or "a b".
std::vector<std::string> ListCell(const Row& row, const std::string& column) {
  std::vector<std::string> out;
  std::string item;
  for (char c : Cell(row, column) + ";") {
    if (c == ';' || c == ',' || c == ' ' || c == '\t') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

Result<std::int64_t> IntCell(const Row& row, const std::string& column, std::int64_t fallback) {
  const std::string text = Cell(row, column);
  if (text.empty()) return fallback;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    return Status::Invalid(column, {"'" + text + "' is not a whole number", "'" + text + "' 不是整数"});
  return v;
}

Result<bool> BoolCell(const Row& row, const std::string& column, bool fallback) {
  std::string text = Cell(row, column);
  if (text.empty()) return fallback;
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  if (text == "true" || text == "yes" || text == "y" || text == "1" || text == "是") return true;
  if (text == "false" || text == "no" || text == "n" || text == "0" || text == "否") return false;
  return Status::Invalid(column, {"'" + text + "' is not yes/no (true, false, 1, 0, 是, 否)",
                                  "'" + text + "' 不是 是/否"});
}

Result<std::optional<Date>> DateCell(const Row& row, const std::string& column) {
  const std::string text = Cell(row, column);
  if (text.empty()) return std::optional<Date>();
  auto d = Date::Parse(text);
  if (!d) return Status::Invalid(column, {"'" + text + "' is not a date YYYY-MM-DD", "'" + text + "' 不是日期 YYYY-MM-DD"});
  return std::optional<Date>(*d);
}

// "HH:MM" on `day`, or a full "YYYY-MM-DD HH:MM".
Result<std::optional<LocalTime>> TimeCell(const Row& row, const std::string& column, std::optional<Date> day) {
  const std::string text = Cell(row, column);
  if (text.empty()) return std::optional<LocalTime>();
  if (auto t = LocalTime::Parse(text)) return std::optional<LocalTime>(*t);
  if (day && text.size() == 5 && text[2] == ':')
    if (auto t = LocalTime::Parse(day->ToString() + "T" + text)) return std::optional<LocalTime>(*t);
  return Status::Invalid(column, {"'" + text + "' is not a time HH:MM or YYYY-MM-DD HH:MM",
                                  "'" + text + "' 不是时间 HH:MM 或 YYYY-MM-DD HH:MM"});
}

Status Missing(const std::string& column, const std::string& en, const std::string& zh) {
  return Status::Invalid(column, {en + " is required", zh + "为必填项"});
}

// ---------------------------------------------------------------------------
// What each kind of row becomes: the core's command for it. The columns are
// also the options of the single-record commands (`car --plate ...`).

struct Kind {
  std::string name;                  // "departments"
  std::vector<std::string> columns;  // the first is the record id
  std::vector<std::string> required;
  // Drafts for one row, checked by the core; `pending` holds the ids of
  // earlier rows of the same import (a user's department may come with it).
  std::function<Result<Command>(Store&, const Row&, LocalTime, const std::set<std::string>&)> build;
};

const std::vector<std::string_view>& AssignableRoles() {
  static const std::vector<std::string_view> roles = {
      role::kStaff,       role::kApprover,        role::kDispatcher, role::kFleetClerk,        role::kDriver,
      role::kDirector,    role::kOfficeDirector,  role::kFinance,    role::kRepairCoordinator, role::kTechnician,
      role::kGuard,       role::kReception,       role::kDutyOfficer, role::kDutyLeader,       role::kAdmin};
  return roles;
}

std::string RoleList() {
  std::string out;
  for (auto r : AssignableRoles()) out += (out.empty() ? "" : ", ") + std::string(r);
  return out;
}

Result<Command> BuildDepartment(Store& store, const Row& row, LocalTime, const std::set<std::string>&) {
  const std::string id = Cell(row, "id"), name = Cell(row, "name");
  if (id.empty()) return Missing("id", "a department id", "部门编号");
  if (name.empty()) return Missing("name", "the department's name", "部门名称");
  Command cmd;
  const auto approvers = ListCell(row, "approvers");
  for (const auto& a : approvers) {
    auto user = directory::FindUser(store, a);
    // Departments come before their people in an import: an approver not yet
    // in the directory is a warning, not a refusal.
    if (!user)
      cmd.warnings.push_back({"approver_unknown", {"approver " + a + " is not in the directory yet",
                                                   "分管领导 " + a + " 尚不在通讯录中"}});
    else if (!user->HasRole(role::kApprover))
      cmd.warnings.push_back({"approver_without_role", {"user " + a + " does not hold the approver role",
                                                        "用户 " + a + " 不具有分管领导角色"}});
  }
  cmd.drafts.push_back(directory::UpsertDepartment(id, name, approvers));
  return cmd;
}

Result<Command> BuildUser(Store& store, const Row& row, LocalTime, const std::set<std::string>& pending) {
  directory::UserInfo u;
  u.id = Cell(row, "id");
  u.name = Cell(row, "name");
  u.department = Cell(row, "department");
  u.roles = ListCell(row, "roles");
  if (u.id.empty()) return Missing("id", "a user id", "用户编号");
  if (u.id.rfind("kiosk:", 0) == 0 || u.id == kServerRole)
    return Status::Invalid("id", {"'" + u.id + "' is reserved for devices and the server",
                                  "'" + u.id + "' 为设备和服务器保留"});
  if (u.name.empty()) return Missing("name", "the user's name", "姓名");
  if (u.roles.empty()) return Missing("roles", "at least one role (" + RoleList() + ")", "至少一个角色");
  for (const auto& r : u.roles) {
    const auto& known = AssignableRoles();
    if (std::find(known.begin(), known.end(), r) == known.end())
      return Status::Invalid("roles", {"unknown role '" + r + "' (known: " + RoleList() + ")",
                                       "未知角色 '" + r + "'"});
  }
  if (!u.department.empty()) {
    auto dept = store.Get(std::string(entity::kDepartment), u.department);
    if (!dept.ok()) return dept.status();
    if (!dept->has_value() && !pending.count("department/" + u.department))
      return Status::NotFound("department", {"no department '" + u.department + "' (add it first)",
                                             "没有部门 '" + u.department + "'(请先添加)"});
  } else if (!u.HasRole(role::kAdmin)) {
    return Missing("department", "the user's department", "所在部门");
  }
  u.site = Cell(row, "site");
  if (!u.site.empty() && !SiteName(store, u.site))
    return Status::NotFound("site", {"no site " + u.site + " (init creates one)", "没有院区 " + u.site});
  if (const std::string phone = Cell(row, "phone"); !phone.empty()) {
    if (Status s = validation::MobilePhone(phone, "phone"); !s.ok()) return s;
    u.phone = validation::NormalizeMobilePhone(phone);
  }
  return Command{{directory::UpsertUser(u)}, {}};
}

Result<Command> BuildCar(Store& store, const Row& row, LocalTime now, const std::set<std::string>&) {
  cars::NewCar c;
  c.id = Cell(row, "id");
  c.plate = Cell(row, "plate");
  if (Has(row, "car_class")) c.car_class = Cell(row, "car_class");
  c.model = Cell(row, "model");
  auto seats = IntCell(row, "seats", c.seats);
  if (!seats.ok()) return seats.status();
  c.seats = static_cast<int>(*seats);
  for (auto [column, out] : {std::pair{"displacement_ml", &c.displacement_ml}, {"price_fen", &c.price_fen},
                             {"fuel_norm_ml_per_100km", &c.fuel_norm_ml_per_100km}, {"odometer_km", &c.odometer_km}}) {
    auto v = IntCell(row, column, *out);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  for (auto [column, out] : {std::pair{"new_energy", &c.new_energy}, {"clean_energy", &c.clean_energy},
                             {"domestic", &c.domestic}, {"off_road", &c.off_road}}) {
    auto v = BoolCell(row, column, *out);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  if (Has(row, "acquisition")) c.acquisition = Cell(row, "acquisition");
  c.special_need = Cell(row, "special_need");
  c.terrain_need = Cell(row, "terrain_need");
  c.acquired_on = Cell(row, "acquired_on");
  c.registered_on = Cell(row, "registered_on");
  c.inspection_due = Cell(row, "inspection_due");
  c.licence_due = Cell(row, "licence_due");
  c.insurance_due = Cell(row, "insurance_due");
  c.fuel_card = Cell(row, "fuel_card");
  c.custodian_driver = Cell(row, "custodian_driver");
  if (c.id.empty()) return Missing("id", "a car id", "车辆编号");
  return cars::RegisterCar(store, AdminAuthor(), c, now);
}

Result<Command> BuildDriver(Store& store, const Row& row, LocalTime now, const std::set<std::string>&) {
  cars::NewDriver d{Cell(row, "id"),           Cell(row, "name"),        Cell(row, "user_id"),
                    Cell(row, "licence_number"), Cell(row, "licence_class"), Cell(row, "licence_due"),
                    Cell(row, "phone")};
  if (d.id.empty()) return Missing("id", "a driver id", "驾驶员编号");
  return cars::RegisterDriver(store, AdminAuthor(), d, now);
}

Result<Command> BuildShift(Store& store, const Row& row, LocalTime now, const std::set<std::string>&) {
  duty::ShiftInput in;
  in.id = Cell(row, "id");
  in.site = Cell(row, "site");
  in.room = Cell(row, "room");
  auto date = DateCell(row, "date");
  if (!date.ok()) return date.status();
  in.date = *date;
  auto start = TimeCell(row, "start", in.date);
  if (!start.ok()) return start.status();
  in.start = *start;
  auto end = TimeCell(row, "end", in.date);
  if (!end.ok()) return end.status();
  in.end = *end;
  // "18:00" to "08:00": a night shift ends the next morning.
  if (in.start && in.end && *in.end <= *in.start && Cell(row, "end").size() == 5)
    in.end = in.end->AddMinutes(1440);
  in.officers = ListCell(row, "officers");
  in.leader = Cell(row, "leader");
  if (in.id.empty()) return Missing("id", "a shift id", "班次编号");
  return duty::RosterShift(store, AdminAuthor(), in, now);
}

// Duty rooms and patrol points: a shift needs its site's duty room.
Result<Command> BuildCheckpoint(Store& store, const Row& row, LocalTime now, const std::set<std::string>&) {
  duty::CheckpointInput in;
  in.id = Cell(row, "id");
  in.site = Cell(row, "site");
  in.name = Cell(row, "name");
  if (Has(row, "kind")) in.kind = Cell(row, "kind");
  in.location = Cell(row, "location");
  in.code = Cell(row, "code");
  if (in.id.empty()) return Missing("id", "a checkpoint id", "点位编号");
  if (!in.site.empty() && !SiteName(store, in.site))
    return Status::NotFound("site", {"no site " + in.site + " (init creates one)", "没有院区 " + in.site});
  return duty::SaveCheckpoint(store, AdminAuthor(), in, now);
}

const std::vector<Kind>& Kinds() {
  static const std::vector<Kind> kinds = {
      {"departments", {"id", "name", "approvers"}, {"id", "name"}, BuildDepartment},
      {"users", {"id", "name", "department", "roles", "site", "phone", "password"}, {"id", "name", "roles"}, BuildUser},
      {"cars",
       {"id", "plate", "car_class", "model", "seats", "displacement_ml", "price_fen", "new_energy", "clean_energy",
        "domestic", "off_road", "acquisition", "special_need", "terrain_need", "acquired_on", "registered_on",
        "inspection_due", "licence_due", "insurance_due", "fuel_norm_ml_per_100km", "odometer_km", "fuel_card",
        "custodian_driver"},
       {"id", "plate"},
       BuildCar},
      {"drivers",
       {"id", "name", "user_id", "licence_number", "licence_class", "licence_due", "phone"},
       {"id", "name"},
       BuildDriver},
      {"checkpoints", {"id", "site", "name", "kind", "location", "code"}, {"id", "site", "name"}, BuildCheckpoint},
      {"shifts",
       {"id", "site", "room", "date", "start", "end", "officers", "leader"},
       {"id", "site", "room", "date", "start", "end", "officers"},
       BuildShift},
  };
  return kinds;
}

const Kind* FindKind(const std::string& name) {
  for (const auto& k : Kinds())
    if (k.name == name || k.name == name + "s") return &k;
  return nullptr;
}

std::string EntityOf(const Kind& kind) {
  if (kind.name == "departments") return std::string(entity::kDepartment);
  if (kind.name == "users") return std::string(entity::kUser);
  if (kind.name == "cars") return "car";
  if (kind.name == "drivers") return "driver";
  if (kind.name == "checkpoints") return std::string(duty::entity::kCheckpoint);
  return std::string(duty::entity::kShift);
}

void PrintWarnings(const Command& cmd, const std::string& prefix) {
  for (const auto& w : cmd.warnings)
    std::cout << prefix << "warning " << w.code << ": " << w.text.en << " / " << w.text.zh << "\n";
}

// ---------------------------------------------------------------------------
// CSV (RFC 4180 as spreadsheets write it: quoted fields, doubled quotes,
// line breaks inside quotes, CRLF, a UTF-8 byte-order mark).

struct CsvRecord {
  int row = 0;  // the spreadsheet's row number: the header is row 1
  std::vector<std::string> cells;
};

Result<std::vector<CsvRecord>> ParseCsv(std::string text) {
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::vector<CsvRecord> out;
  CsvRecord record;
  std::string cell;
  bool quoted = false, cell_started = false, any = false;
  int row = 1;
  auto end_cell = [&] {
    record.cells.push_back(cell);
    cell.clear();
    cell_started = false;
  };
  auto end_record = [&] {
    end_cell();
    record.row = row;
    // A blank line is no record (spreadsheets leave them at the end).
    if (!(record.cells.size() == 1 && record.cells[0].empty())) out.push_back(std::move(record));
    record = CsvRecord{};
    any = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cell += c;
      }
      continue;
    }
    any = true;
    if (c == '"' && !cell_started) {
      quoted = true;
      cell_started = true;
    } else if (c == '"') {
      return Status::Invalid("csv", {"row " + std::to_string(row) + ": a quote inside an unquoted cell",
                                     "第 " + std::to_string(row) + " 行: 未加引号的单元格中有引号"});
    } else if (c == ',') {
      end_cell();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      end_record();
      ++row;
    } else {
      cell += c;
      cell_started = true;
    }
  }
  if (quoted)
    return Status::Invalid("csv", {"row " + std::to_string(row) + ": a quoted cell is not closed",
                                   "第 " + std::to_string(row) + " 行: 引号未闭合"});
  if (any || !cell.empty() || !record.cells.empty()) end_record();
  return out;
}

// The store refuses text that is not UTF-8 when it serialises a payload; the
// same check per cell lets an import name the row instead of failing whole.
bool ValidUtf8(const std::string& s) {
  try {
    (void)Json(s).dump();
    return true;
  } catch (const Json::type_error&) {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Subcommands

struct Context {
  const Args& args;
  std::string data;
  LocalTime now;
};

std::string Fingerprint(const DataDir& d, Status* error) {
  auto fp = server::EnsureCertificate(d.dir.string());
  if (!fp.ok()) {
    *error = fp.status();
    return {};
  }
  return *fp;
}

int Init(const Context& c) {
  const auto site = c.args.Option("site"), name = c.args.Option("name");
  if (!site || Trimmed(*site).empty()) return Refuse("init: --site: the site id is required / 院区编号为必填项");
  if (!name || Trimmed(*name).empty()) return Refuse("init: --name: the site's name is required / 院区名称为必填项");
  auto d = OpenDataDir(c.data, true);
  if (!d.ok()) return Fail(d.status());
  Store& store = *d->store;
  if (auto existing = SiteName(store, Trimmed(*site)))
    return Refuse("init: --site: site " + Trimmed(*site) + " (" + *existing + ") exists already in " + c.data +
                  " / 院区已存在");
  std::vector<Draft> drafts{SiteDraft(Trimmed(*site), Trimmed(*name))};
  // The admin is a user too: the core's commands check the actor against the directory.
  if (!directory::FindUser(store, "admin"))
    drafts.push_back(directory::UpsertUser({"admin", "管理员", "", {std::string(role::kAdmin)}}));
  auto r = store.Append(AdminAuthor(), drafts);
  if (!r.ok()) return Fail(r.status());
  Status fp_error;
  const std::string fp = Fingerprint(*d, &fp_error);
  if (!fp_error.ok()) return Fail(fp_error);
  auto reg = OpenRegistry(*d);
  if (!reg.ok()) return Fail(reg.status());
  std::cout << "site " << Trimmed(*site) << " (" << Trimmed(*name) << ") created in " << d->db_path() << "\n"
            << "admin device " << d->admin_device << "\n"
            << "fingerprint " << fp << "\n"
            << "next: add departments and users, then `houqin-server --data " << c.data << "`\n";
  return 0;
}

// One record from options: `department --id D --name N`, `car --id --plate ...`.
int Single(const Context& c, const std::string& kind_name) {
  const Kind* kind = FindKind(kind_name);
  Row row;
  for (const auto& col : kind->columns)
    if (auto v = c.args.Option(col))
      row[col] = *v;
    else if (c.args.Flag(col))
      row[col] = "yes";  // `car ... --new_energy`
  for (const auto& col : kind->required)
    if (!Has(row, col)) {
      std::string usage;
      for (const auto& k : kind->columns) usage += " --" + k + (std::count(kind->required.begin(), kind->required.end(), k) ? "" : "?");
      return Refuse(kind_name + ": --" + col + " is required / 必填 (options:" + usage + "; ? = optional)");
    }
  auto d = OpenDataDir(c.data, false);
  if (!d.ok()) return Refuse(d.status());
  auto refuse = [&](const Status& s) {
    return Refuse(kind_name + ": " + (s.field().empty() ? "" : "--" + s.field() + ": ") + s.message().en + " / " +
                  s.message().zh);
  };
  auto cmd = kind->build(*d->store, row, c.now, {});
  if (!cmd.ok()) return refuse(cmd.status());
  // The registry judges the password before anything is written; a password
  // kept for a user whose event then failed to commit harms nobody.
  const bool sets_password = kind->name == "users" && Has(row, "password");
  if (sets_password) {
    auto reg = OpenRegistry(*d);
    if (!reg.ok()) return Fail(reg.status());
    if (Status s = (*reg)->SetPassword(Cell(row, "id"), Cell(row, "password")); !s.ok()) return refuse(s);
  }
  const std::string entity = EntityOf(*kind), id = Cell(row, "id");
  auto before = d->store->Get(entity, id);
  const bool existed = before.ok() && before->has_value();
  auto r = Execute(*d->store, AdminAuthor(), cmd);
  if (!r.ok()) return Fail(r.status());
  std::cout << entity << " " << id << (existed ? " updated" : " created") << " (" << r->events.size()
            << " event" << (r->events.size() == 1 ? "" : "s") << ")\n";
  PrintWarnings(*cmd, "  ");
  if (sets_password) std::cout << "password set for " << id << "\n";
  return 0;
}

int Import(const Context& c) {
  const auto kind_name = c.args.Option("kind");
  const Kind* kind = kind_name ? FindKind(*kind_name) : nullptr;
  if (!kind)
    return Refuse("import: --kind must be one of departments, users, cars, drivers, checkpoints, shifts / 导入类型无效");
  if (c.args.positional().size() != 2) return Refuse("import: give one CSV file / 请指定一个CSV文件");
  const std::string file = c.args.positional()[1];
  std::ifstream in(file, std::ios::binary);
  if (!in) return Refuse("import: cannot read " + file + " / 无法读取文件");
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto records = ParseCsv(buffer.str());
  if (!records.ok()) return Refuse(file + ": " + records.status().message().en + " / " + records.status().message().zh);
  if (records->empty()) return Refuse(file + ": no header row / 缺少表头");
  // Header: known columns only, the required ones present.
  std::vector<std::string> header;
  for (const auto& h : records->front().cells) {
    std::string name = Trimmed(h);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    header.push_back(name);
  }
  std::vector<std::string> errors;
  auto known_columns = [&] {
    std::string s;
    for (const auto& k : kind->columns) s += (s.empty() ? "" : ", ") + k;
    return s;
  };
  for (const auto& h : header)
    if (std::find(kind->columns.begin(), kind->columns.end(), h) == kind->columns.end())
      errors.push_back("row 1, column " + h + ": not a column of " + kind->name + " (known: " + known_columns() +
                       ") / 不是有效的列");
  for (const auto& r : kind->required)
    if (std::find(header.begin(), header.end(), r) == header.end())
      errors.push_back("row 1, column " + r + ": the column is missing / 缺少该列");
  if (!errors.empty()) {
    for (const auto& e : errors) std::cerr << e << "\n";
    return Refuse("import: nothing imported from " + file + " / 未导入任何数据");
  }

  auto d = OpenDataDir(c.data, false);
  if (!d.ok()) return Refuse(d.status());
  Store& store = *d->store;
  std::vector<Draft> drafts;
  std::vector<std::pair<std::string, std::string>> passwords;
  std::map<std::string, int> first_row_of_id;
  std::set<std::string> pending;
  std::vector<std::string> warnings;  // shown only when the import goes through
  int rows = 0;
  for (std::size_t i = 1; i < records->size(); ++i) {
    const CsvRecord& rec = (*records)[i];
    const std::string where = "row " + std::to_string(rec.row);
    if (rec.cells.size() != header.size()) {
      errors.push_back(where + ": " + std::to_string(rec.cells.size()) + " cells, the header has " +
                       std::to_string(header.size()) + " / 单元格数与表头不符");
      continue;
    }
    Row row;
    bool bad = false;
    for (std::size_t k = 0; k < header.size(); ++k) {
      if (!ValidUtf8(rec.cells[k])) {
        errors.push_back(where + ", column " + header[k] + ": not valid UTF-8 (save the file as UTF-8) / 不是有效的UTF-8编码");
        bad = true;
      }
      row[header[k]] = rec.cells[k];
    }
    if (bad) continue;
    ++rows;
    const std::string id = Cell(row, "id");
    if (auto it = first_row_of_id.find(id); !id.empty() && it != first_row_of_id.end()) {
      errors.push_back(where + ", column id: " + id + " repeats row " + std::to_string(it->second) + " / 与第 " +
                       std::to_string(it->second) + " 行编号重复");
      continue;
    }
    first_row_of_id[id] = rec.row;
    if (kind->name == "users" && Has(row, "password") && Cell(row, "password").size() < 8) {
      errors.push_back(where + ", column password: at least 8 characters / 密码至少8个字符");
      continue;
    }
    auto cmd = kind->build(store, row, c.now, pending);
    if (!cmd.ok()) {
      const Status& s = cmd.status();
      const bool is_column = std::find(header.begin(), header.end(), s.field()) != header.end();
      errors.push_back(where + (s.field().empty() ? "" : (is_column ? ", column " : ", field ") + s.field()) + ": " +
                       s.message().en + " / " + s.message().zh);
      continue;
    }
    for (const auto& w : cmd->warnings)
      warnings.push_back(where + ": warning " + w.code + ": " + w.text.en + " / " + w.text.zh);
    pending.insert(EntityOf(*kind) + "/" + id);
    for (auto& dr : cmd->drafts) drafts.push_back(std::move(dr));
    if (Has(row, "password")) passwords.emplace_back(id, Cell(row, "password"));
  }
  if (!errors.empty()) {
    for (const auto& e : errors) std::cerr << e << "\n";
    return Refuse("import: " + std::to_string(errors.size()) + " bad row" + (errors.size() == 1 ? "" : "s") +
                  ", nothing imported from " + file + " / 有错误, 未导入任何数据");
  }
  if (drafts.empty()) {
    std::cout << "nothing to import from " << file << "\n";
    return 0;
  }
  auto r = store.Append(AdminAuthor(), drafts);
  if (!r.ok()) return Fail(r.status());
  for (const auto& w : warnings) std::cout << w << "\n";
  std::cout << "imported " << rows << " " << kind->name << " from " << file << " (" << r->events.size()
            << " events, one batch)"
            << (warnings.empty() ? "" : ", " + std::to_string(warnings.size()) + " warnings") << "\n";
  if (!passwords.empty()) {
    auto reg = OpenRegistry(*d);
    if (!reg.ok()) return Fail(reg.status());
    for (const auto& [user, password] : passwords)
      if (Status s = (*reg)->SetPassword(user, password); !s.ok()) return Refuse(s);
    std::cout << "passwords set for " << passwords.size() << " users\n";
  }
  return 0;
}

std::string LocalText(std::int64_t unix_ms) {
  if (unix_ms <= 0) return "-";
  std::string t = LocalTime::FromUnixMs(unix_ms).ToString();
  t[10] = ' ';
  return t;
}

struct CodeSheet {
  std::string code, kind, subject, label;
  std::int64_t expires_ms = 0;
};

Result<CodeSheet> MakeCode(Store& store, server::Registry& reg, std::string_view kind, const std::string& subject,
                           const std::string& label, std::int64_t ttl_hours, std::int64_t now_ms) {
  if (kind == sync::kPhone) {
    auto user = directory::FindUser(store, subject);
    if (!user)
      return Status::NotFound("phone", {"no user " + subject + " in the directory", "通讯录中没有用户 " + subject});
  } else if (!SiteName(store, subject)) {
    return Status::NotFound("kiosk", {"no site " + subject + " (init or demo creates one)", "没有院区 " + subject});
  }
  auto code = reg.CreateEnrollmentCode(kind, subject, label, ttl_hours * kHourMs, now_ms);
  if (!code.ok()) return code.status();
  return CodeSheet{*code, std::string(kind), subject, label, now_ms + ttl_hours * kHourMs};
}

void PrintEnrollHint(const std::string& fingerprint) {
  std::cout << "hint: on the device, enroll with the server address (https://THIS-HOST:8443), the code, and check "
               "that the fingerprint it shows is "
            << fingerprint << " / 在设备上输入服务器地址和注册码, 并核对指纹\n";
}

int EnrollCode(const Context& c) {
  const auto phone = c.args.Option("phone"), kiosk = c.args.Option("kiosk");
  if (phone.has_value() == kiosk.has_value())
    return Refuse("enroll-code: give --phone USER or --kiosk SITE / 请指定 --phone 用户 或 --kiosk 院区");
  std::int64_t ttl = 72;
  if (auto t = c.args.Option("ttl-hours")) {
    Row row{{"ttl-hours", *t}};
    auto v = IntCell(row, "ttl-hours", 72);
    if (!v.ok() || *v < 1 || *v > 24 * 30)
      return Refuse("enroll-code: --ttl-hours: a whole number of hours from 1 to 720 / 有效期应为1到720小时");
    ttl = *v;
  }
  auto d = OpenDataDir(c.data, false);
  if (!d.ok()) return Refuse(d.status());
  auto reg = OpenRegistry(*d);
  if (!reg.ok()) return Fail(reg.status());
  auto sheet = MakeCode(*d->store, **reg, phone ? sync::kPhone : sync::kKiosk, Trimmed(phone ? *phone : *kiosk),
                        c.args.Option("label").value_or(""), ttl, NowMs());
  if (!sheet.ok()) return Refuse("enroll-code: --" + sheet.status().field() + ": " + sheet.status().message().en +
                                 " / " + sheet.status().message().zh);
  Status fp_error;
  const std::string fp = Fingerprint(*d, &fp_error);
  if (!fp_error.ok()) return Fail(fp_error);
  if (c.args.Flag("json")) {
    Json j{{"code", sheet->code}, {"kind", sheet->kind}, {"fingerprint", fp}, {"expires_ms", sheet->expires_ms},
           {"label", sheet->label}};
    j[sheet->kind == sync::kPhone ? "user" : "site"] = sheet->subject;
    std::cout << j.dump() << "\n";
    return 0;
  }
  std::cout << "code " << sheet->code << "\n"
            << "kind " << sheet->kind << " for " << sheet->subject
            << (sheet->label.empty() ? "" : " (" + sheet->label + ")") << "\n"
            << "expires " << LocalText(sheet->expires_ms) << " (China time), single use\n"
            << "fingerprint " << fp << "\n";
  PrintEnrollHint(fp);
  return 0;
}

int Devices(const Context& c) {
  auto d = OpenDataDir(c.data, false);
  if (!d.ok()) return Refuse(d.status());
  auto reg = OpenRegistry(*d);
  if (!reg.ok()) return Fail(reg.status());
  auto list = (*reg)->ListDevices();
  if (!list.ok()) return Fail(list.status());
  if (c.args.Flag("json")) {
    Json out = Json::array();
    for (const auto& dev : *list)
      out.push_back({{"id", dev.id}, {"kind", dev.kind}, {"user", dev.user}, {"site", dev.site},
                     {"label", dev.label}, {"enrolled_ms", dev.enrolled_ms}, {"last_seen_ms", dev.last_seen_ms},
                     {"revoked", dev.revoked}, {"signed_in", dev.signed_in}});
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (list->empty()) {
    std::cout << "no devices enrolled / 尚无已注册设备\n";
    return 0;
  }
  std::cout << std::left << std::setw(38) << "id" << std::setw(7) << "kind" << std::setw(18) << "user/site"
            << std::setw(20) << "label" << std::setw(18) << "enrolled" << std::setw(18) << "last seen"
            << "revoked\n";
  for (const auto& dev : *list)
    std::cout << std::setw(38) << dev.id << std::setw(7) << dev.kind << std::setw(18)
              << (dev.kind == sync::kKiosk ? dev.site : dev.user) << std::setw(20)
              << (dev.label.empty() ? "-" : dev.label) << std::setw(18) << LocalText(dev.enrolled_ms) << std::setw(18)
              << LocalText(dev.last_seen_ms) << (dev.revoked ? "yes" : "no") << "\n";
  return 0;
}

int Revoke(const Context& c) {
  if (c.args.positional().size() != 2) return Refuse("revoke: give one DEVICE_ID / 请指定设备ID");
  const std::string id = c.args.positional()[1];
  auto d = OpenDataDir(c.data, false);
  if (!d.ok()) return Refuse(d.status());
  auto reg = OpenRegistry(*d);
  if (!reg.ok()) return Fail(reg.status());
  if (Status s = (*reg)->Revoke(id); !s.ok()) return Refuse(s);
  std::cout << "device " << id << " revoked: its token is refused from now on\n";
  // Invites the device signed stop working too: its signing key is revoked by an event every kiosk receives.
  if (auto key = visitors::FindDeviceKey(*d->store, id); key && key->status != "revoked") {
    auto cmd = visitors::RevokeDeviceKey(*d->store, AdminAuthor(), id, "device revoked by the admin / 设备已被吊销",
                                         c.now);
    auto r = Execute(*d->store, AdminAuthor(), cmd);
    if (!r.ok()) return Refuse(r.status());
    std::cout << "its invite signing key is revoked too\n";
  }
  return 0;
}

int Backup(const Context& c) {
  const auto to = c.args.Option("to");
  if (!to || to->empty()) return Refuse("backup: --to FILE is required / 请指定 --to 备份文件");
  std::error_code ec;
  if (fs::exists(*to, ec)) return Refuse("backup: --to: " + *to + " exists already; choose a new file / 文件已存在");
  const fs::path db = fs::path(c.data) / kDatabaseFile;
  if (!fs::exists(db, ec)) return Refuse("backup: no Houqin database in " + c.data + " / 没有数据库");
  const std::string partial = *to + ".partial";
  fs::remove(partial, ec);
  sqlite3* src = nullptr;
  sqlite3* dst = nullptr;
  auto close_all = [&] {
    sqlite3_close_v2(src);
    sqlite3_close_v2(dst);
  };
  if (sqlite3_open_v2(db.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
      sqlite3_open_v2(partial.c_str(), &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    const std::string why = sqlite3_errmsg(dst ? dst : src);
    close_all();
    return Fail("backup: cannot open: " + why);
  }
  // The server may hold the write lock for a commit; wait for it rather than fail.
  sqlite3_busy_timeout(src, 10'000);
  sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
  if (!b) {
    const std::string why = sqlite3_errmsg(dst);
    close_all();
    fs::remove(partial, ec);
    return Fail("backup: " + why);
  }
  // One step copies every page under one read transaction: a consistent
  // snapshot, however much the server writes meanwhile (WAL).
  int rc = sqlite3_backup_step(b, -1);
  const int pages = sqlite3_backup_pagecount(b);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    const std::string why = sqlite3_errstr(rc);
    close_all();
    fs::remove(partial, ec);
    return Fail("backup: copy failed: " + why);
  }
  // A single self-contained file: no -wal beside it.
  std::string check;
  sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  sqlite3_exec(
      dst, "PRAGMA integrity_check",
      [](void* out, int, char** values, char**) {
        auto* s = static_cast<std::string*>(out);
        if (!s->empty()) *s += "; ";
        *s += values[0] ? values[0] : "";
        return 0;
      },
      &check, nullptr);
  close_all();
  if (check != "ok") {
    fs::remove(partial, ec);
    return Fail("backup: the copy fails PRAGMA integrity_check: " + check);
  }
  fs::rename(partial, *to, ec);
  if (ec) return Fail("backup: cannot rename to " + *to + ": " + ec.message());
  std::cout << "backup of " << db.string() << " written to " << *to << " (" << pages
            << " pages, integrity_check ok)\n";
  return 0;
}

int Purge(const Context& c) {
  LocalTime now = c.now;
  if (auto today = c.args.Option("today")) {
    auto day = Date::Parse(*today);
    if (!day) return Refuse("purge: --today: '" + *today + "' is not a date YYYY-MM-DD / 日期格式应为 YYYY-MM-DD");
    now = LocalTime{*day, 0};
  }
  auto d = OpenDataDir(c.data, false);
  if (!d.ok()) return Refuse(d.status());
  const auto rules = visitors::LoadVisitorRules(*d->store, "");
  auto cmd = visitors::PurgeExpired(*d->store, AdminAuthor(), now, rules);
  if (!cmd.ok()) return Refuse(cmd.status());
  if (cmd->drafts.empty()) {
    std::cout << "nothing to purge: no personal data older than " << rules.retention_days << " days on "
              << now.date.ToString() << " / 无需清除\n";
    return 0;
  }
  auto r = Execute(*d->store, AdminAuthor(), cmd);
  if (!r.ok()) return Fail(r.status());
  std::cout << "purged the personal data of " << cmd->drafts.size() << " records (retention " << rules.retention_days
            << " days, as of " << now.date.ToString() << ") / 已清除 " << cmd->drafts.size() << " 条记录的个人信息\n";
  return 0;
}

// ---------------------------------------------------------------------------
// demo: a living compound for a newcomer.

class DemoWriter {
 public:
  DemoWriter(Store& store, LocalTime now) : store_(store), now_(now) {}
  bool ok() const { return ok_; }
  Store& store() { return store_; }
  LocalTime now() const { return now_; }

  void Run(const Author& who, const Result<Command>& command, const std::string& what) {
    if (!ok_) return;
    auto r = Execute(store_, who, command);
    if (!r.ok()) {
      std::cerr << "houqin admin demo: " << what << " failed: " << r.status().ToString() << "\n";
      ok_ = false;
      return;
    }
    ++steps_;
    events_ += r->events.size();
    std::cout << "  " << who.user << " (" << who.role << "): " << what << "\n";
  }
  std::size_t events() const { return events_; }

 private:
  Store& store_;
  LocalTime now_;
  bool ok_ = true;
  std::size_t steps_ = 0, events_ = 0;
};

struct DemoUser {
  const char* id;
  const char* name;
  const char* department;
  std::vector<std::string> roles;
};

const std::vector<DemoUser>& DemoUsers() {
  static const std::vector<DemoUser> users = {
      {"admin", "管理员", "dept-office", {"admin"}},
      {"wang.fang", "王芳", "dept-office", {"staff"}},
      {"chen.jun", "陈军", "dept-finance", {"staff"}},
      {"liu.lead", "刘副主任", "dept-office", {"approver", "staff"}},
      {"zhou.lead", "周副局长", "dept-finance", {"approver", "staff"}},
      {"ma.director", "马主任", "dept-office", {"director", "office_director", "staff"}},
      {"li.dispatch", "李队长", "dept-fleet", {"dispatcher", "staff"}},
      {"sun.clerk", "孙内勤", "dept-fleet", {"fleet_clerk", "staff"}},
      {"zhang.driver", "张师傅", "dept-fleet", {"driver"}},
      {"zhao.driver", "赵师傅", "dept-fleet", {"driver"}},
      {"qian.finance", "钱会计", "dept-finance", {"finance", "staff"}},
      {"hu.repair", "胡工", "dept-logistics", {"repair_coordinator", "staff"}},
      {"xu.tech", "徐师傅", "dept-logistics", {"technician"}},
      {"guo.guard", "郭保安", "dept-logistics", {"guard"}},
      {"he.reception", "何接待", "dept-admin", {"reception", "staff"}},
      {"lin.duty", "林值班", "dept-admin", {"duty_officer", "staff"}},
      {"zheng.duty", "郑值班", "dept-admin", {"duty_officer", "staff"}},
      {"gao.leader", "高副主任", "dept-admin", {"duty_leader", "approver", "staff"}},
  };
  return users;
}

Author As(const std::string& user, std::string_view role) { return Author{user, std::string(role), ""}; }

// The first working day from `from` on which the car may be dispatched (尾号限行 included).
Date DispatchableDay(Store& store, const std::string& car, Date from) {
  const auto rules = cars::LoadRules(store);
  for (int i = 0; i < 14; ++i) {
    const Date d = from.AddDays(i);
    if (d.IsWeekend()) continue;
    if (cars::DispatchEligibility(store, rules, car, LocalTime{d, 9 * 60}, LocalTime{d, 12 * 60}, false).ok())
      return d;
  }
  return from;
}

int SeedDemo(const Context& c) {
  auto d = OpenDataDir(c.data, true);
  if (!d.ok()) return Fail(d.status());
  Store& store = *d->store;
  if (auto existing = SiteName(store, kDemoSite))
    return Refuse("demo: " + c.data + " already has site " + std::string(kDemoSite) + " (" + *existing +
                  "); the demo fills a new data directory only / 该数据目录已有院区, 演示数据只能写入新的数据目录");
  if (directory::FindUser(store, "wang.fang"))
    return Refuse("demo: " + c.data + " already has users; the demo fills a new data directory only / 该数据目录已有用户");
  const LocalTime now = c.now;
  const Date today = now.date;
  DemoWriter w(store, now);
  const Author admin = AdminAuthor();

  std::cout << "1. The compound, its departments and people / 院区、部门和人员\n";
  w.Run(admin, Command{{SiteDraft(kDemoSite, "示范机关大院 (demo)")}, {}}, "site main 示范机关大院");
  const std::vector<std::tuple<const char*, const char*, std::vector<std::string>>> departments = {
      {"dept-office", "办公室", {"liu.lead"}},
      {"dept-finance", "财务科", {"zhou.lead"}},
      {"dept-fleet", "车队", {"liu.lead"}},
      {"dept-logistics", "后勤服务中心", {"liu.lead"}},
      {"dept-admin", "行政科", {"gao.leader"}},
  };
  for (const auto& [id, name, approvers] : departments)
    w.Run(admin, Command{{directory::UpsertDepartment(id, name, approvers)}, {}},
          std::string("department ") + name + ", 分管领导 " + approvers.front());
  {
    Command users;
    for (const auto& u : DemoUsers()) {
      directory::UserInfo info{u.id, u.name, u.department, u.roles};
      info.site = kDemoSite;
      // A host's mobile is personal data: the kiosk's host directory receives it stripped.
      if (info.id == "wang.fang") info.phone = "13800138001";
      if (info.id == "liu.lead") info.phone = "13800138002";
      users.drafts.push_back(directory::UpsertUser(info));
    }
    w.Run(admin, users, std::to_string(DemoUsers().size()) + " users covering every role");
  }

  std::cout << "\n2. The fleet / 车队\n";
  cars::NewCar car1;
  car1.id = "car-1";
  car1.plate = "京A·10083";
  car1.model = "红旗 H5";
  car1.seats = 5;
  car1.displacement_ml = 1798;
  car1.price_fen = 15'800'000;
  car1.acquisition = std::string(cars::acquisition::kExisting);
  car1.acquired_on = today.AddDays(-700).ToString();
  car1.inspection_due = car1.licence_due = car1.insurance_due = today.AddDays(300).ToString();
  car1.odometer_km = 48'210;
  car1.fuel_norm_ml_per_100km = 8'500;
  cars::NewCar car2 = car1;
  car2.id = "car-2";
  car2.plate = "京A·D12345";
  car2.model = "比亚迪 汉 EV";
  car2.displacement_ml = 0;
  car2.new_energy = true;
  car2.price_fen = 17'900'000;
  car2.acquisition = std::string(cars::acquisition::kPurchase);
  car2.acquired_on = today.AddDays(-90).ToString();
  car2.odometer_km = 6'530;
  car2.fuel_norm_ml_per_100km = 0;
  cars::NewCar car3 = car1;
  car3.id = "car-3";
  car3.plate = "京A·20567";
  car3.model = "丰田 考斯特";
  car3.car_class = std::string(cars::car_class::kMinibus);
  car3.seats = 20;
  car3.displacement_ml = 3956;
  car3.price_fen = 45'000'000;
  car3.odometer_km = 120'400;
  car3.insurance_due = today.AddDays(20).ToString();  // a reminder to see
  w.Run(admin, cars::RegisterCar(store, admin, car1, now), "car 京A·10083 红旗 H5");
  w.Run(admin, cars::RegisterCar(store, admin, car2, now), "car 京A·D12345 比亚迪 汉 EV (new energy 新能源)");
  w.Run(admin, cars::RegisterCar(store, admin, car3, now), "car 京A·20567 考斯特 minibus (insurance due soon)");
  const std::string licence_due = today.AddDays(1500).ToString();
  w.Run(admin,
        cars::RegisterDriver(store, admin, {"drv-zhang", "张师傅", "zhang.driver", "110101198001010011", "A1", licence_due, ""},
                             now),
        "driver 张师傅 (A1)");
  w.Run(admin,
        cars::RegisterDriver(store, admin, {"drv-zhao", "赵师傅", "zhao.driver", "110101198202020022", "C1", licence_due, ""},
                             now),
        "driver 赵师傅 (C1)");

  std::cout << "\n3. Car requests in various states / 用车申请\n";
  const Author wang = As("wang.fang", role::kStaff), chen = As("chen.jun", role::kStaff);
  const Author liu = As("liu.lead", role::kApprover), zhou = As("zhou.lead", role::kApprover);
  const Author li = As("li.dispatch", role::kDispatcher);
  auto request = [&](const std::string& id, Date day, int from_h, int to_h, const std::string& where,
                     const std::string& why, int passengers) {
    cars::RequestInput r;
    r.id = id;
    r.passengers = passengers;
    r.departure = LocalTime{day, from_h * 60};
    r.return_time = LocalTime{day, to_h * 60};
    r.destination = where;
    r.purpose = why;
    r.estimated_km = 20;
    return r;
  };
  const Date trip_day = w.ok() ? DispatchableDay(store, "car-2", today.AddDays(1)) : today;
  const Date later = trip_day.AddDays(1).IsWeekend() ? trip_day.AddDays(3) : trip_day.AddDays(1);
  w.Run(wang, cars::SubmitRequest(store, wang, request("req-1", later, 14, 17, "市档案馆", "查阅档案", 1), now),
        "req-1 to 市档案馆 " + later.ToString() + " (waiting for approval 待审批)");
  w.Run(wang, cars::SubmitRequest(store, wang, request("req-2", trip_day, 9, 12, "市政府", "参加全市安全生产工作会议", 2), now),
        "req-2 to 市政府 " + trip_day.ToString());
  w.Run(liu, cars::ApproveRequest(store, liu, "req-2", "同意", now), "approve req-2 (approved 已批准)");
  w.Run(chen, cars::SubmitRequest(store, chen, request("req-3", trip_day, 9, 11, "市财政局", "报送预算材料", 1), now),
        "req-3 to 市财政局 " + trip_day.ToString());
  w.Run(zhou, cars::ApproveRequest(store, zhou, "req-3", "同意", now), "approve req-3");
  w.Run(li, cars::DispatchTrip(store, li, {"trip-1", "car-2", "drv-zhang", {"req-3"}}, now),
        "trip-1: car-2 + 张师傅 for req-3 (dispatched 已派车)");
  w.Run(chen, cars::SubmitRequest(store, chen, request("req-4", later, 8, 18, "外省", "调研", 1), now),
        "req-4 to 外省");
  w.Run(zhou, cars::RejectRequest(store, zhou, "req-4", "请改乘公共交通", now), "reject req-4 (rejected 已驳回)");

  std::cout << "\n4. Repairs / 报修\n";
  const Author hu = As("hu.repair", role::kRepairCoordinator), xu = As("xu.tech", role::kTechnician);
  repairs::Area area;
  area.id = "area-main";
  area.name = "办公主楼";
  area.buildings = {"主楼", "附楼"};
  area.fire_safety_person = "gao.leader";
  w.Run(admin, repairs::UpsertArea(store, admin, area, now), "area 办公主楼 (主楼, 附楼)");
  auto report = [&](const std::string& id, std::string_view category, const std::string& room, const std::string& what) {
    repairs::RepairInput r;
    r.id = id;
    r.category = std::string(category);
    r.location = {"area-main", "主楼", "3", room};
    r.description = what;
    return r;
  };
  const auto calendar = calendar::Calendar::LoadOrShipped("");
  w.Run(wang, repairs::ReportRepair(store, wang, report("rep-1", repairs::category::kAirConditioning, "305", "空调不制冷"), now),
        "rep-1 空调不制冷 (reported 待受理)");
  w.Run(chen, repairs::ReportRepair(store, chen, report("rep-2", repairs::category::kWater, "312", "卫生间水龙头漏水"), now),
        "rep-2 水龙头漏水");
  if (calendar.ok()) {
    w.Run(hu, repairs::TriageRepair(store, hu, "rep-2", repairs::size::kSmall, *calendar, now), "triage rep-2: small");
    w.Run(hu, repairs::AssignRepair(store, hu, "rep-2", {"xu.tech", ""}, "", now), "assign rep-2 to 徐师傅");
    w.Run(xu, repairs::StartRepair(store, xu, "rep-2", now), "start rep-2 (in progress 维修中)");
  }

  std::cout << "\n5. Night duty: a week of roster / 一周值班表\n";
  const Author gao = As("gao.leader", role::kDutyLeader);
  duty::CheckpointInput room;
  room.id = "room-main";
  room.site = kDemoSite;
  room.name = "主楼值班室";
  room.kind = std::string(duty::checkpoint_kind::kDutyRoom);
  room.location = "主楼一层";
  room.code = "HOUQIN-DEMO-ROOM-MAIN";
  w.Run(admin, duty::SaveCheckpoint(store, admin, room, now), "duty room 主楼值班室");
  for (int i = 0; i < 7 && w.ok(); ++i) {
    const Date day = today.AddDays(i);
    duty::ShiftInput s;
    s.id = "shift-" + day.ToString();
    s.site = kDemoSite;
    s.room = "room-main";
    s.date = day;
    s.start = LocalTime{day, 18 * 60};
    s.end = LocalTime{day.AddDays(1), 8 * 60};
    s.officers = {i % 2 == 0 ? "lin.duty" : "zheng.duty"};
    s.leader = gao.user;
    w.Run(admin, duty::RosterShift(store, admin, s, now),
          "shift " + day.ToString() + " 18:00–08:00: " + s.officers.front() + ", 带班 gao.leader");
  }

  std::cout << "\n6. Expected visitors / 预约来访\n";
  const Author he = As("he.reception", role::kReception);
  auto keys = visitors::GenerateDeviceKeyPair();
  // The invites are signed by a stand-in for reception's phone: a kiosk checks
  // a token against the signer's published key alone.
  const std::string signer_device = NewUuidV7(NowMs());
  if (keys.ok()) {
    w.Run(admin,
          visitors::EnrollDeviceKey(store, admin, {signer_device, keys->public_key, kDemoSite, he.user, "何接待的手机 (demo)"},
                                    now),
          "invite signing key of reception's demo phone");
    const auto rules = visitors::LoadVisitorRules(store, "");
    auto invite = [&](const std::string& id, const std::string& who, const std::string& org, Date day, int hour) {
      visitors::InviteInput in;
      in.id = id;
      in.site = kDemoSite;
      in.host = "wang.fang";
      in.visitor_name = who;
      in.organisation = org;
      in.purpose = "业务洽谈";
      in.party_size = 2;
      in.window_start = LocalTime{day, hour * 60};
      in.window_end = LocalTime{day, hour * 60 + 120};
      return visitors::CreateInvite(store, he, in, {signer_device, keys->private_key}, now, rules);
    };
    w.Run(he, invite("inv-1", "赵先生", "市规划设计院", today.AddDays(1), 10), "invite 赵先生 (市规划设计院) tomorrow 10:00");
    w.Run(he, invite("inv-2", "钱女士", "区教育局", today.AddDays(2), 14), "invite 钱女士 (区教育局)");
    w.Run(he, invite("inv-3", "孙先生", "某供应商", today.AddDays(3), 9), "invite 孙先生");
    w.Run(he, visitors::CancelInvite(store, he, "inv-3", "会议改期", now), "cancel inv-3 (cancelled 已取消)");
  } else {
    std::cerr << "houqin admin demo: no signing key: " << keys.status().ToString() << "\n";
    return Fail(keys.status());
  }
  if (!w.ok()) return 2;

  std::cout << "\n7. Passwords and enrollment codes / 密码和设备注册码\n";
  auto reg = OpenRegistry(*d);
  if (!reg.ok()) return Fail(reg.status());
  for (const auto& u : DemoUsers())
    if (Status s = (*reg)->SetPassword(u.id, kDemoPassword); !s.ok()) return Fail(s);
  std::cout << "  every user's password is \"" << kDemoPassword << "\" (demo only / 仅供演示)\n";
  Status fp_error;
  const std::string fp = Fingerprint(*d, &fp_error);
  if (!fp_error.ok()) return Fail(fp_error);
  const std::vector<std::pair<std::string, std::string>> phones = {
      {"wang.fang", "staff 员工"},           {"liu.lead", "approver 分管领导"},
      {"li.dispatch", "dispatcher 车队队长"}, {"zhang.driver", "driver 驾驶员"},
      {"hu.repair", "repair coordinator 维修调度"}, {"xu.tech", "technician 维修工"},
      {"lin.duty", "duty officer 值班员"},    {"gao.leader", "duty leader 带班领导"},
      {"he.reception", "reception 接待"},     {"guo.guard", "guard 门卫"},
      {"admin", "admin 管理员"}};
  // Machine-readable lines: "code phone USER CODE" / "code kiosk SITE CODE".
  for (const auto& [user, what] : phones) {
    auto sheet = MakeCode(store, **reg, sync::kPhone, user, "demo phone", 72, NowMs());
    if (!sheet.ok()) return Fail(sheet.status());
    std::cout << "code phone " << user << " " << sheet->code << "    # " << what << "\n";
  }
  auto kiosk = MakeCode(store, **reg, sync::kKiosk, kDemoSite, "大厅自助机 (demo)", 72, NowMs());
  if (!kiosk.ok()) return Fail(kiosk.status());
  std::cout << "code kiosk " << kDemoSite << " " << kiosk->code << "    # lobby kiosk 大厅自助机\n"
            << "fingerprint " << fp << "\n"
            << "  codes are single use and expire in 72 hours; make more with `houqin admin --data " << c.data
            << " enroll-code --phone USER`\n";
  PrintEnrollHint(fp);
  std::cout << "\ndemo data written to " << d->db_path() << " (" << w.events() << " events). Start the server: "
            << "houqin-server --data " << c.data << "\n";
  return 0;
}

int AdminUsage(std::ostream& out) {
  out << "usage: houqin admin --data DIR <command> [options]\n"
         "  init --site ID --name NAME            create DIR, the database, the TLS certificate; prints its fingerprint\n"
         "  department --id ID --name NAME [--approvers u1,u2]\n"
         "  user --id ID --name NAME --department D --roles r1,r2 [--site S] [--phone MOBILE] [--password P]\n"
         "  car --id ID --plate P [--model M --seats N --car_class C --new_energy yes ... (the columns of import cars)]\n"
         "  driver --id ID --name NAME [--user_id U --licence_class A1 --licence_due YYYY-MM-DD ...]\n"
         "  checkpoint --id ID --site S --name N --kind duty_room|patrol --code QR [--location L]\n"
         "  shift --id ID --site S --room R --date YYYY-MM-DD --start HH:MM --end HH:MM --officers u1,u2 [--leader U]\n"
         "  import --kind departments|users|cars|drivers|checkpoints|shifts FILE.csv\n"
         "                                        UTF-8 CSV with a header row; any bad row: nothing imported\n"
         "  enroll-code --phone USER | --kiosk SITE [--label TEXT] [--ttl-hours 72] [--json]\n"
         "  devices [--json]                      enrolled devices\n"
         "  revoke DEVICE_ID                      the device's token is refused from now on\n"
         "  backup --to FILE                      online backup (SQLite backup API), checked with integrity_check\n"
         "  purge [--today YYYY-MM-DD]            purge visitors' personal data past retention\n"
         "  demo                                  a living compound: people, cars, requests, repairs, duty, visitors,\n"
         "                                        passwords \"houqin-demo\" and enrollment codes\n"
         "exit 0 done, 1 refused input (the field and the reason are named), 2 usage error or failure\n";
  return 2;
}

}  // namespace

int Admin(const Args& args) {
  const auto data = args.Option("data");
  if (args.positional().empty() || !data || data->empty()) return AdminUsage(std::cerr);
  const std::string command = args.positional().front();
  const Context c{args, *data, LocalTime::FromUnixMs(NowMs())};
  if (command == "init") return Init(c);
  if (command == "department" || command == "user" || command == "car" || command == "driver" || command == "shift" ||
      command == "checkpoint")
    return Single(c, command);
  if (command == "import") return Import(c);
  if (command == "enroll-code") return EnrollCode(c);
  if (command == "devices") return Devices(c);
  if (command == "revoke") return Revoke(c);
  if (command == "backup") return Backup(c);
  if (command == "purge") return Purge(c);
  if (command == "demo") return SeedDemo(c);
  std::cerr << "houqin admin: unknown command '" << command << "'\n";
  return AdminUsage(std::cerr);
}

}  // namespace houqin::cli
