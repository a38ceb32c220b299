// Benchmarks of the event store, printed as `name value` lines.
//
// Every figure that compares is a ratio against a baseline measured in the
// same run, because these machines are noisy: plain SQLite inserts of the
// same payloads, or the same store doing the in-order or small-database case.
// Each timed phase runs `--repeat` times (default 3) and the median counts.
//
//   store_bench --figures [--events N] [--repeat R] [--skip write,single,ingest,big]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "domain.h"
#include "engine/store.h"
#include "test_support.h"
#include "util/civil_time.h"
#include "util/uuid.h"
#include "workload.h"

namespace houqin::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Bench {
  testing::TempDir dir;
  std::unique_ptr<Domain> domain = MakeDomain();
  int counter = 0;

  std::unique_ptr<Store> NewStore(const std::string& device = "") {
    StoreOptions o;
    o.domain = domain.get();
    o.device_id = device;
    auto s = Store::Open(dir.File("s" + std::to_string(counter++) + ".db"), o);
    if (!s.ok()) {
      std::cerr << s.status().ToString() << "\n";
      std::exit(2);
    }
    return std::move(*s);
  }

  static void AppendAll(Store& s, const std::vector<AuthoredDraft>& drafts, std::size_t batch) {
    for (std::size_t i = 0; i < drafts.size(); i += batch) {
      std::vector<AuthoredDraft> b(drafts.begin() + static_cast<long>(i),
                                   drafts.begin() + static_cast<long>(std::min(drafts.size(), i + batch)));
      auto r = s.Append(b);
      if (!r.ok()) {
        std::cerr << r.status().ToString() << "\n";
        std::exit(3);
      }
    }
  }

  static std::vector<Event> Export(Store& s) {
    std::vector<Event> out;
    s.ForEachEvent(0, [&](std::int64_t, const Event& e) {
      out.push_back(e);
      return true;
    });
    return out;
  }

  // Plain SQLite: one table, one prepared INSERT per payload, same batches, same pragmas.
  double RawInsert(const std::vector<AuthoredDraft>& drafts, std::size_t batch) {
    sqlite3* db = nullptr;
    sqlite3_open(dir.File("raw" + std::to_string(counter++) + ".db").c_str(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                     "CREATE TABLE raw(id TEXT PRIMARY KEY, payload TEXT NOT NULL)",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO raw(id, payload) VALUES(?1, ?2)", -1, &st, nullptr);
    const auto t0 = Clock::now();
    for (std::size_t i = 0; i < drafts.size(); i += batch) {
      sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      for (std::size_t j = i; j < std::min(drafts.size(), i + batch); ++j) {
        const std::string id = NewUuidV7(1767225600000);
        const std::string payload = drafts[j].draft.payload.dump();
        sqlite3_bind_text(st, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, payload.data(), static_cast<int>(payload.size()), SQLITE_TRANSIENT);
        sqlite3_step(st);
        sqlite3_reset(st);
      }
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    const double s = Seconds(t0, Clock::now());
    sqlite3_finalize(st);
    sqlite3_close(db);
    return s;
  }
};

void Print(const char* name, double value) { std::printf("%s %.4g\n", name, value); }

int Figures(std::size_t n, int repeat, const std::string& skip) {
  auto on = [&](const char* phase) { return skip.find(phase) == std::string::npos; };
  Bench b;
  const auto drafts = CarWorkload(n);

  // Local writes against raw SQLite, transactions of 1000.
  std::vector<double> ours, raw;
  for (int r = 0; r < repeat && on("write"); ++r) {
    raw.push_back(b.RawInsert(drafts, 1000));
    auto s = b.NewStore();
    const auto t0 = Clock::now();
    Bench::AppendAll(*s, drafts, 1000);
    ours.push_back(Seconds(t0, Clock::now()));
  }
  if (on("write")) {
    Print("local_write_events_per_s", static_cast<double>(n) / Median(ours));
    Print("raw_sqlite_inserts_per_s", static_cast<double>(n) / Median(raw));
    Print("local_write_vs_raw_sqlite_ratio", Median(ours) / Median(raw));
  }

  // One event per transaction, as a tap makes it.
  if (on("single")) {
    auto s = b.NewStore();
    std::vector<double> us;
    for (std::size_t i = 0; i < 3000; ++i) {
      const auto t0 = Clock::now();
      if (!s->Append({drafts[i % drafts.size()]}).ok()) return 3;
      us.push_back(Seconds(t0, Clock::now()) * 1e6);
    }
    std::sort(us.begin(), us.end());
    Print("single_write_p50_us", us[us.size() / 2]);
    Print("single_write_p99_us", us[us.size() * 99 / 100]);
  }

  // Space: database bytes per event over payload bytes per event.
  std::vector<Event> remote;
  {
    auto s = b.NewStore("device-remote");
    Bench::AppendAll(*s, drafts, 1000);
    auto st = s->Stats();
    Print("bytes_per_event", static_cast<double>(st->file_bytes) / static_cast<double>(st->events));
    Print("payload_bytes_per_event", static_cast<double>(st->payload_bytes) / static_cast<double>(st->events));
    Print("bytes_per_event_vs_payload_ratio",
          static_cast<double>(st->file_bytes) / static_cast<double>(st->payload_bytes));
    remote = Bench::Export(*s);
  }

  // A fresh replica ingesting one remote batch, and the same batch newest first in pages of 1000.
  std::vector<double> in_order, reversed;
  std::vector<Event> rev(remote.rbegin(), remote.rend());
  for (int r = 0; r < repeat && on("ingest"); ++r) {
    {
      auto s = b.NewStore();
      const auto t0 = Clock::now();
      if (!s->Ingest(remote).ok()) return 3;
      in_order.push_back(Seconds(t0, Clock::now()));
    }
    {
      auto s = b.NewStore();
      const auto t0 = Clock::now();
      for (std::size_t i = 0; i < rev.size(); i += 1000) {
        std::vector<Event> page(rev.begin() + static_cast<long>(i),
                                rev.begin() + static_cast<long>(std::min(rev.size(), i + 1000)));
        if (!s->Ingest(page).ok()) return 3;
      }
      reversed.push_back(Seconds(t0, Clock::now()));
    }
  }
  if (on("ingest")) {
    Print("ingest_events_per_s", static_cast<double>(remote.size()) / Median(in_order));
    Print("out_of_order_vs_in_order_ratio", Median(reversed) / Median(in_order));
  }

  // Per-event ingest cost into a store holding 1M events against one holding 10k.
  // `repeat` probes of 10k events each, the median per side: the big store takes
  // them one after another (1.00M, 1.01M, ... events), the small one each afresh.
  if (on("big")) {
    const std::size_t big = n * 10, probe = 10000, rounds = static_cast<std::size_t>(std::max(1, repeat));
    auto big_drafts = CarWorkload(big + probe * rounds);
    auto source = b.NewStore("device-big");
    Bench::AppendAll(*source, big_drafts, 5000);
    auto all = Bench::Export(*source);
    auto slice = [&](std::size_t from, std::size_t to) {
      return std::vector<Event>(all.begin() + static_cast<long>(from), all.begin() + static_cast<long>(to));
    };
    auto preload = [&](Store& s, std::size_t events) {
      for (std::size_t i = 0; i < events; i += 5000)
        if (!s.Ingest(slice(i, std::min(events, i + 5000))).ok()) std::exit(3);
    };
    // One probe in pages of 1000, the sync page size: seconds per event.
    auto probe_cost = [&](Store& s, std::size_t round) {
      const std::size_t first = big + round * probe;
      const auto t0 = Clock::now();
      for (std::size_t i = first; i < first + probe; i += 1000)
        if (!s.Ingest(slice(i, i + 1000)).ok()) std::exit(3);
      return Seconds(t0, Clock::now()) / static_cast<double>(probe);
    };
    std::vector<double> small_cost, big_cost;
    for (std::size_t r = 0; r < rounds; ++r) {
      auto small = b.NewStore();
      preload(*small, 10000);
      small_cost.push_back(probe_cost(*small, r));
    }
    auto large = b.NewStore();
    preload(*large, big);
    for (std::size_t r = 0; r < rounds; ++r) big_cost.push_back(probe_cost(*large, r));
    // Each probe on stderr: the spread says how much to trust the medians.
    for (double c : small_cost) std::cerr << "probe 10k " << c * 1e6 << " us\n";
    for (double c : big_cost) std::cerr << "probe 1m " << c * 1e6 << " us\n";
    Print("ingest_per_event_us_10k", Median(small_cost) * 1e6);
    Print("ingest_per_event_us_1m", Median(big_cost) * 1e6);
    Print("ingest_1m_vs_10k_per_event_ratio", Median(big_cost) / Median(small_cost));
  }
  return 0;
}

}  // namespace
}  // namespace houqin::bench

int main(int argc, char** argv) {
  std::size_t events = 100000;
  int repeat = 3;
  bool figures = false;
  std::string skip;  // phases to leave out, for profiling one: write,single,ingest,big
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--figures") figures = true;
    else if (a == "--events" && i + 1 < argc) events = std::stoul(argv[++i]);
    else if (a == "--repeat" && i + 1 < argc) repeat = std::stoi(argv[++i]);
    else if (a == "--skip" && i + 1 < argc) skip = argv[++i];
  }
  if (!figures) {
    std::cerr << "usage: store_bench --figures [--events N] [--repeat R]\n";
    return 2;
  }
  return houqin::bench::Figures(events, repeat, skip);
}
