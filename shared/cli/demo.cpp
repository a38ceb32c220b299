// houqin demo: two replicas of one compound work offline, two dispatchers
// book the same car for overlapping trips, the replicas merge both ways and
// agree on one state, the double booking shows on both trips, and a
// reassignment clears it.
#include <filesystem>
#include <unistd.h>

#include <iostream>

#include "cars/fleet.h"
#include "cars/trips.h"
#include "cli.h"
#include "directory/directory.h"

namespace houqin::cli {

namespace {

struct Replica {
  std::string name;
  std::unique_ptr<Store> store;
};

bool Run(Store& store, const Author& who, const Result<Command>& command, const std::string& what) {
  auto r = Execute(store, who, command);
  if (!r.ok()) {
    std::cerr << "houqin demo: " << what << " failed: " << r.status().ToString() << "\n";
    return false;
  }
  std::cout << "  " << who.user << " (" << who.role << "): " << what;
  if (command.ok())
    for (const auto& w : command->warnings) std::cout << "  [warning " << w.code << ": " << w.text.zh << "]";
  std::cout << "\n";
  return true;
}

Result<std::size_t> Exchange(Store& from, Store& to) {
  std::vector<Event> events;
  Status s = from.ForEachEvent(0, [&](std::int64_t, const Event& e) {
    events.push_back(e);
    return true;
  });
  if (!s.ok()) return s;
  auto cs = to.Ingest(events);
  if (!cs.ok()) return cs.status();
  return cs->inserted;
}

void PrintHashes(const Replica& a, const Replica& b) {
  const std::string ha = *a.store->StateHash(), hb = *b.store->StateHash();
  std::cout << "  " << a.name << " state hash: " << ha << "\n"
            << "  " << b.name << " state hash: " << hb << "\n"
            << "  " << (ha == hb ? "identical / 一致" : "different / 不同") << "\n";
}

int PrintConflicts(Store& store) {
  auto conflicted = store.Conflicts();
  if (!conflicted.ok()) return 0;
  int n = 0;
  for (const auto& r : *conflicted)
    for (const auto& c : r.conflicts) {
      ++n;
      std::cout << "  " << r.key.type << "/" << r.key.id << "  conflict " << c.kind << " (" << c.Id() << ")\n"
                << "    " << c.reason.zh << "\n    " << c.reason.en << "\n";
    }
  if (n == 0) std::cout << "  no conflicts / 无冲突\n";
  return n;
}

}  // namespace

int Demo(const Args& args) {
  namespace fs = std::filesystem;
  const bool keep = args.Option("dir").has_value();
  const fs::path dir = keep ? fs::path(*args.Option("dir"))
                            : fs::temp_directory_path() / ("houqin-demo-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::remove(dir / "office.db", ec);
  fs::remove(dir / "garage.db", ec);
  Replica a{"office (调度室)", nullptr}, b{"garage (车队)", nullptr};
  for (auto [replica, file] : {std::pair{&a, "office.db"}, {&b, "garage.db"}}) {
    auto s = OpenStore((dir / file).string());
    if (!s.ok()) return Fail(s.status());
    replica->store = std::move(*s);
  }
  const auto now = *LocalTime::Parse("2026-11-23T08:30");
  const Author admin{"admin", std::string(role::kAdmin), ""};
  const Author wang{"wang.fang", std::string(role::kStaff), ""};
  const Author chen{"chen.jun", std::string(role::kStaff), ""};
  const Author lead{"liu.lead", std::string(role::kApprover), ""};
  const Author li{"li.dispatch", std::string(role::kDispatcher), ""};
  const Author zhao{"zhao.dispatch", std::string(role::kDispatcher), ""};
  Store& office = *a.store;
  Store& garage = *b.store;

  std::cout << "1. The office sets up the compound and takes two requests / 调度室录入基础数据并受理两份用车申请\n";
  bool ok = Run(office, admin, Command{{directory::UpsertDepartment("dept-office", "办公室", {"liu.lead"})}, {}},
                "department 办公室, 分管领导 liu.lead");
  for (const auto& u : {directory::UserInfo{"wang.fang", "王芳", "dept-office", {"staff"}},
                        directory::UserInfo{"chen.jun", "陈军", "dept-office", {"staff"}},
                        directory::UserInfo{"liu.lead", "刘主任", "dept-office", {"approver"}},
                        directory::UserInfo{"li.dispatch", "李队长", "dept-office", {"dispatcher"}},
                        directory::UserInfo{"zhao.dispatch", "赵调度", "dept-office", {"dispatcher"}}})
    ok = ok && Run(office, admin, Command{{directory::UpsertUser(u)}, {}}, "user " + u.name);
  cars::NewCar car1;
  car1.id = "car-1";
  car1.plate = "京A·10083";
  car1.model = "红旗 H5";
  car1.seats = 5;
  car1.displacement_ml = 1798;
  car1.price_fen = 15'800'000;
  car1.inspection_due = car1.licence_due = car1.insurance_due = "2027-06-30";
  car1.special_need = "山区道路, 续航要求 (demo)";
  cars::NewCar car2 = car1;
  car2.id = "car-2";
  car2.plate = "京A·D12345";
  car2.model = "比亚迪 汉 EV";
  car2.displacement_ml = 0;
  car2.new_energy = true;
  car2.special_need.clear();
  ok = ok && Run(office, admin, cars::RegisterCar(office, admin, car1, now), "car 京A·10083");
  ok = ok && Run(office, admin, cars::RegisterCar(office, admin, car2, now), "car 京A·D12345");
  for (const auto& d : {cars::NewDriver{"drv-zhang", "张师傅", "", "110101198001010011", "A1", "2030-01-01", ""},
                        cars::NewDriver{"drv-sun", "孙师傅", "", "110101198202020022", "C1", "2030-01-01", ""}})
    ok = ok && Run(office, admin, cars::RegisterDriver(office, admin, d, now), "driver " + d.name);
  cars::RequestInput r1;
  r1.id = "req-1";
  r1.passengers = 2;
  r1.departure = LocalTime::Parse("2026-11-24T09:00");
  r1.return_time = LocalTime::Parse("2026-11-24T11:30");
  r1.destination = "市政府";
  r1.purpose = "参加全市安全生产工作会议";
  r1.estimated_km = 18;
  cars::RequestInput r2 = r1;
  r2.id = "req-2";
  r2.passengers = 1;
  r2.departure = LocalTime::Parse("2026-11-24T10:00");
  r2.return_time = LocalTime::Parse("2026-11-24T12:00");
  r2.destination = "市档案馆";
  r2.purpose = "递送机要文件";
  r2.estimated_km = 12;
  ok = ok && Run(office, wang, cars::SubmitRequest(office, wang, r1, now), "request req-1 to 市政府");
  ok = ok && Run(office, chen, cars::SubmitRequest(office, chen, r2, now), "request req-2 to 市档案馆");
  ok = ok && Run(office, lead, cars::ApproveRequest(office, lead, "req-1", "同意", now), "approve req-1");
  ok = ok && Run(office, lead, cars::ApproveRequest(office, lead, "req-2", "同意", now), "approve req-2");
  if (!ok) return 2;

  std::cout << "\n2. The garage syncs once, then both go offline / 车队同步一次后双方离线\n";
  auto n = Exchange(office, garage);
  if (!n.ok()) return Fail(n.status());
  std::cout << "  garage received " << *n << " events\n";

  std::cout << "\n3. Offline, two dispatchers give car 京A·10083 to overlapping trips / 离线时两位调度员把同一辆车派给时间重叠的两趟出车\n";
  ok = Run(office, li, cars::DispatchTrip(office, li, {"trip-1", "car-1", "drv-zhang", {"req-1"}}, now),
           "trip-1: car-1 + 张师傅 for req-1 (09:00–11:30)");
  ok = ok && Run(garage, zhao, cars::DispatchTrip(garage, zhao, {"trip-2", "car-1", "drv-sun", {"req-2"}}, now),
                 "trip-2: car-1 + 孙师傅 for req-2 (10:00–12:00)");
  if (!ok) return 2;
  PrintHashes(a, b);

  std::cout << "\n4. Back online: merge both ways / 恢复联网, 双向合并\n";
  auto to_b = Exchange(office, garage);
  auto to_a = Exchange(garage, office);
  if (!to_b.ok() || !to_a.ok()) return Fail("merge failed");
  std::cout << "  office <- garage: " << *to_a << " events, garage <- office: " << *to_b << " events\n";
  PrintHashes(a, b);
  std::cout << "  conflicts on the office replica / 调度室副本上的冲突:\n";
  const int conflicts = PrintConflicts(office);

  std::cout << "\n5. Zhao resolves it by giving trip-2 the other car, and syncs / 赵调度改派另一辆车并同步\n";
  ok = Run(garage, zhao, cars::ReassignTrip(garage, zhao, "trip-2", "car-2", "", "与trip-1冲突, 改派", now),
           "trip-2 reassigned to car-2 (京A·D12345)");
  if (!ok) return 2;
  if (!Exchange(garage, office).ok() || !Exchange(office, garage).ok()) return Fail("merge failed");
  PrintHashes(a, b);
  PrintConflicts(office);
  for (auto* s : {&office, &garage})
    if (Status v = s->VerifyMaterialized(); !v.ok()) return Fail(v);
  std::cout << "\nBoth replicas re-folded from their events match what they store. Files: " << dir.string() << "\n";
  if (!keep) fs::remove_all(dir, ec);
  return conflicts > 0 ? 0 : 1;
}

}  // namespace houqin::cli
