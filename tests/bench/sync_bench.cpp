// Sync over real HTTPS on loopback, against the real houqin-server process,
// printed as `name value` lines (ci/bench sync adds the PouchDB comparison).
//
//   initial_sync_s / initial_sync_100k_s  a fresh device pulls N events into its store
//   write_to_visible_p50_ms / _p99_ms     device A writes and pushes one event; device B,
//                                          waiting in a long poll, has it applied
//   devices_<D>_events_per_s              D simulated phones push batches and pull concurrently
//   devices_<D>_lost_events               acknowledged events missing from the server afterwards (must be 0)
//
//   sync_bench [--events N] [--devices D] [--seconds S] [--samples K] [--pull-limit L]
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "domain.h"
#include "engine/store.h"
#include "server_process.h"
#include "sync/client.h"
#include "sync/protocol.h"
#include "util/uuid.h"
#include "workload.h"

namespace houqin::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
double Seconds(SteadyClock::time_point a, SteadyClock::time_point b) { return std::chrono::duration<double>(b - a).count(); }
double Percentile(std::vector<double> v, int p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, v.size() * static_cast<std::size_t>(p) / 100)];
}
void Print(const std::string& name, double value) { std::printf("%s %.3f\n", name.c_str(), value), std::fflush(stdout); }
[[noreturn]] void Die(const std::string& what) {
  std::cerr << "sync_bench: " << what << "\n";
  std::exit(3);
}

constexpr int kDepartments = 12;

// The compound the benchmark runs in: departments with their 分管领导, a
// dispatcher, a staff writer, and `phones` staff users for the load phase.
void SeedCompound(const std::string& data_dir, int phones) {
  std::vector<testing::SeedDepartment> depts;
  std::vector<testing::SeedUser> users;
  for (int d = 0; d < kDepartments; ++d) {
    const std::string id = "d" + std::to_string(d);
    depts.push_back({id, "部门" + std::to_string(d), {"lead-" + id}});
    users.push_back({"lead-" + id, "分管领导" + std::to_string(d), id, {"approver"}, "", ""});
  }
  users.push_back({"captain", "车队队长", "d0", {"dispatcher"}, "bench-pass", ""});
  users.push_back({"writer", "职员甲", "d0", {"staff"}, "bench-pass", ""});
  // One password for the load phase's users; each sign-in still costs a server-side scrypt.
  for (int i = 0; i < phones; ++i)
    users.push_back({"p" + std::to_string(i), "职员" + std::to_string(i), "d" + std::to_string(i % kDepartments),
                     {"staff"}, i < 50 ? "bench-pass" : "", ""});
  if (auto err = testing::SeedDirectory(data_dir, depts, users); !err.empty()) Die("seed directory: " + err);
}

// N events of car traffic, written into the server's file before it starts, as an import would.
void SeedHistory(const std::string& data_dir, std::size_t n) {
  auto domain = MakeDomain();
  StoreOptions o;
  o.domain = domain.get();
  o.act_as_device = "bench-import";
  auto store = Store::Open(data_dir + "/houqin.db", o);
  if (!store) Die(store.status().ToString());
  const auto drafts = CarWorkload(n);
  for (std::size_t i = 0; i < drafts.size(); i += 5000) {
    std::vector<AuthoredDraft> page(drafts.begin() + static_cast<std::ptrdiff_t>(i),
                                    drafts.begin() + static_cast<std::ptrdiff_t>(std::min(drafts.size(), i + 5000)));
    if (auto r = (*store)->Append(page); !r) Die(r.status().ToString());
  }
}

std::unique_ptr<Store> NewDeviceStore(const Domain& domain, const std::string& path, const std::string& device) {
  StoreOptions o;
  o.domain = &domain;
  o.device_id = device;
  auto s = Store::Open(path, o);
  if (!s) Die(s.status().ToString());
  return std::move(*s);
}

int g_pull_limit = 0;  // --pull-limit: 0 keeps the client's default

sync::ClientConfig ConfigFor(const testing::ServerProcess& server, const std::string& token) {
  sync::ClientConfig c;
  if (g_pull_limit > 0) c.pull_limit = g_pull_limit;
  c.base_url = server.base_url();
  c.pinned_sha256 = server.fingerprint();
  c.device_token = token;
  return c;
}

Draft RequestDraft(const std::string& id, int i) {
  return {"car_request", id, "request.submitted",
          {{"department", "d0"}, {"kind", "ordinary"}, {"passengers", 1}, {"departure", "2026-12-01T09:00"},
           {"return_time", "2026-12-01T11:00"}, {"origin", "机关大院"}, {"destination", "市档案馆"},
           {"purpose", "递送机要文件 " + std::to_string(i)}, {"estimated_km", 12}, {"work_required", false},
           {"at", "2026-11-30T17:00"}}};
}

// --- load phase: simulated phones push and pull with raw requests ----------------

struct Phone {
  std::string user, device, token;
  std::uint64_t seq = 0;
  std::int64_t cursor = 0;
};

Event MakeEvent(Phone& p, int i) {
  Event e;
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  e.id = NewUuidV7(now_ms);
  Draft d = RequestDraft(NewUuidV7(now_ms), i);
  d.payload["department"] = "d" + std::to_string(std::stoi(p.user.substr(1)) % kDepartments);
  e.entity_type = d.entity_type;
  e.entity_id = d.entity_id;
  e.kind = d.kind;
  e.payload = d.payload;
  e.author = {p.user, "staff", p.device};
  e.seq = ++p.seq;
  e.hlc = (static_cast<std::uint64_t>(now_ms) << 16) | (p.seq & 0xffff);
  return e;
}

// The cursor of a pull reply, which the server writes first: {"cursor":"N",...
bool CursorOfPullReply(std::string_view reply, std::int64_t* cursor) {
  constexpr std::string_view kOpen = "{\"cursor\":\"";
  if (!reply.starts_with(kOpen)) return false;
  reply.remove_prefix(kOpen.size());
  const auto end = reply.find('"');
  return end != std::string_view::npos && sync::CursorFromString(reply.substr(0, end), cursor);
}

// One simulated phone's connection, kept alive across requests as a real
// client's is. The load generator skips the pin check (the sync client's own
// pinning is measured in phases 1 and 2).
class Connection {
 public:
  Connection() : h_(curl_easy_init()) {}
  ~Connection() { curl_easy_cleanup(h_); }
  long Call(const std::string& method, const std::string& url, const std::string& body, const std::string& token,
            std::string* out) {
    out->clear();
    curl_easy_reset(h_);
    curl_easy_setopt(h_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h_, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h_, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h_, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, +[](char* d, size_t n, size_t m, void* u) {
      static_cast<std::string*>(u)->append(d, n * m);
      return n * m;
    });
    curl_easy_setopt(h_, CURLOPT_WRITEDATA, out);
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(h_, CURLOPT_HTTPHEADER, headers);
    if (method == "POST") {
      curl_easy_setopt(h_, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(h_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    long status = 0;
    if (curl_easy_perform(h_) == CURLE_OK) curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    return status;
  }

 private:
  CURL* h_;
};

}  // namespace
}  // namespace houqin::bench

int main(int argc, char** argv) {
  using namespace houqin;
  using namespace houqin::bench;
  std::size_t events = 100000;
  int devices = 500, seconds = 20, samples = 200;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string("0"); };
    if (a == "--events") events = std::stoul(next());
    else if (a == "--devices") devices = std::stoi(next());
    else if (a == "--seconds") seconds = std::stoi(next());
    else if (a == "--samples") samples = std::stoi(next());
    else if (a == "--pull-limit") g_pull_limit = std::stoi(next());
    else {
      std::cerr << "usage: sync_bench [--events N] [--devices D] [--seconds S] [--samples K] [--pull-limit L]\n";
      return 2;
    }
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  houqin::testing::TempDir dir;
  const std::string data = (dir.path() / "server").string();
  std::filesystem::create_directories(data);
  {
    // Enrollment and sign-in are rate limited per address; the benchmark's 500 phones share one.
    std::ofstream(data + "/server.json") << R"({"auth_attempts_per_minute": 100000, "log_requests": false})";
  }
  SeedCompound(data, devices);
  SeedHistory(data, events);

  houqin::testing::ServerProcess::Options so;
  so.data_dir = data;
  houqin::testing::ServerProcess server(so);
  if (auto err = server.Start(std::chrono::seconds(300)); !err.empty()) Die("server: " + err);
  auto domain = MakeDomain();

  // 1. Initial sync: the dispatcher's fresh phone pulls the fleet's history.
  auto b_dev = houqin::testing::EnrollDevice(server, "phone", "captain", "bench-pass");
  if (!b_dev.error.empty()) Die("enroll B: " + b_dev.error);
  auto b_store = NewDeviceStore(*domain, (dir.path() / "b.db").string(), b_dev.device_id);
  {
    sync::SyncClient b(*b_store, ConfigFor(server, b_dev.token));
    std::cerr << "sync_bench: initial sync starts\n";  // a mark for attaching a profiler
    const auto t0 = SteadyClock::now();
    if (Status s = b.SyncOnce(); !s.ok()) Die("initial sync: " + s.ToString());
    const double s = Seconds(t0, SteadyClock::now());
    auto stats = b_store->Stats();
    if (!stats || static_cast<std::size_t>(stats->events) < events) Die("initial sync pulled too few events");
    Print("initial_sync_events", static_cast<double>(stats->events));
    Print("initial_sync_s", s);
    if (events == 100000) Print("initial_sync_100k_s", s);
    Print("initial_sync_events_per_s", static_cast<double>(stats->events) / s);
  }

  // 2. Write to visible: A pushes one request; B, in a long poll, applies it.
  {
    auto a_dev = houqin::testing::EnrollDevice(server, "phone", "writer", "bench-pass");
    if (!a_dev.error.empty()) Die("enroll A: " + a_dev.error);
    auto a_store = NewDeviceStore(*domain, (dir.path() / "a.db").string(), a_dev.device_id);
    sync::SyncClient a(*a_store, ConfigFor(server, a_dev.token));
    std::mutex mu;
    std::condition_variable cv;
    std::map<std::string, SteadyClock::time_point> seen;
    b_store->SetChangeListener([&](const ChangeSet& cs) {
      const auto now = SteadyClock::now();
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& k : cs.changed) seen.emplace(k.id, now);
      cv.notify_all();
    });
    sync::ClientConfig bc = ConfigFor(server, b_dev.token);
    bc.wait_seconds = 30;
    sync::SyncClient b(*b_store, bc);
    std::atomic<bool> stop{false};
    std::thread poller([&] {
      while (!stop) b.PullOnce(30);
    });
    std::vector<double> ms;
    for (int i = 0; i < samples + 10; ++i) {
      const std::string id = NewUuidV7(0x1000 + i);
      const auto t0 = SteadyClock::now();
      if (auto r = a_store->Append({"writer", "staff", ""}, {RequestDraft(id, i)}); !r) Die(r.status().ToString());
      if (Status s = a.PushPending(); !s.ok()) Die("push: " + s.ToString());
      std::unique_lock<std::mutex> lock(mu);
      if (!cv.wait_for(lock, std::chrono::seconds(30), [&] { return seen.count(id) != 0; }))
        Die("device B never saw event " + std::to_string(i));
      if (i >= 10) ms.push_back(std::chrono::duration<double, std::milli>(seen[id] - t0).count());  // 10 warm-up rounds
    }
    stop = true;
    {
      // Wake B's last poll with one more write.
      a_store->Append({"writer", "staff", ""}, {RequestDraft(NewUuidV7(0x9000), 0)});
      a.PushPending();
    }
    poller.join();
    b_store->SetChangeListener(nullptr);
    Print("write_to_visible_p50_ms", Percentile(ms, 50));
    Print("write_to_visible_p99_ms", Percentile(ms, 99));
  }

  // 3. Many devices: each phone pushes batches of new requests and pulls its own scope.
  {
    std::vector<Phone> phones(static_cast<std::size_t>(devices));
    {
      std::atomic<int> next{0};
      std::vector<std::thread> enrollers;
      std::mutex err_mu;
      std::string error;
      for (int t = 0; t < 8; ++t)
        enrollers.emplace_back([&] {
          for (int i; (i = next++) < devices;) {
            auto& p = phones[static_cast<std::size_t>(i)];
            p.user = "p";  // 50 signed-in users, several phones each
            p.user += std::to_string(i % 50);
            auto d = houqin::testing::EnrollDevice(server, "phone", p.user, "bench-pass");
            std::lock_guard<std::mutex> lock(err_mu);
            if (!d.error.empty()) error = d.error;
            p.device = d.device_id;
            p.token = d.token;
          }
        });
      for (auto& t : enrollers) t.join();
      if (!error.empty()) Die("enroll phones: " + error);
    }
    constexpr int kBatch = 50;
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> accepted{0}, failures{0};
    std::mutex acked_mu;
    std::vector<std::string> acked;
    std::vector<std::thread> threads;
    std::cerr << "sync_bench: load phase starts\n";  // a mark for attaching a profiler
    const auto t0 = SteadyClock::now();
    for (int d = 0; d < devices; ++d)
      threads.emplace_back([&, d] {
        Phone& p = phones[static_cast<std::size_t>(d)];
        Connection conn;
        std::string reply;
        const std::string base = server.base_url();
        std::vector<std::string> mine;
        int i = 0;
        while (!stop) {
          std::vector<Event> batch;
          for (int k = 0; k < kBatch; ++k) batch.push_back(MakeEvent(p, i++));
          if (long st = conn.Call("POST", base + "/v1/push", sync::EventsToJson(batch).dump(), p.token, &reply);
              st != 200) {
            if (failures++ == 0) std::cerr << "sync_bench: first failed push: " << st << " " << reply << "\n";
            continue;  // a device would retry the same batch; the next one is as good for load
          }
          const Json acks = Json::parse(reply, nullptr, false);
          if (!acks.is_object() || !acks.contains("acks")) {
            ++failures;
            continue;
          }
          for (const auto& ack : acks["acks"]) {
            if (ack.value("duplicate", false)) continue;
            mine.push_back(ack.value("id", ""));
            ++accepted;
          }
          if (conn.Call("GET", base + "/v1/pull?after=" + std::to_string(p.cursor) + "&limit=500", "", p.token,
                        &reply) == 200) {
            // A real phone decodes and applies the page on its own CPU; the simulated one only moves its
            // cursor (the reply opens with it), so that the two cores measured are the server's.
            if (!CursorOfPullReply(reply, &p.cursor)) ++failures;
          }
        }
        std::lock_guard<std::mutex> lock(acked_mu);
        acked.insert(acked.end(), mine.begin(), mine.end());
      });
    while (Seconds(t0, SteadyClock::now()) < seconds) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
    for (auto& t : threads) t.join();
    const double elapsed = Seconds(t0, SteadyClock::now());
    // Every acknowledged event must be in the server's file after a clean stop.
    if (server.Terminate() != 0) Die("server did not stop cleanly");
    auto check = NewDeviceStore(*domain, server.db_path(), "");
    auto pos = check->PositionsOf(acked);
    if (!pos) Die(pos.status().ToString());
    const auto lost = std::count(pos->begin(), pos->end(), 0);
    const std::string prefix = "devices_" + std::to_string(devices);
    Print(prefix + "_events_per_s", static_cast<double>(accepted) / elapsed);
    Print(prefix + "_lost_events", static_cast<double>(lost));
    Print(prefix + "_failed_requests", static_cast<double>(failures));
  }
  curl_global_cleanup();
  return 0;
}
