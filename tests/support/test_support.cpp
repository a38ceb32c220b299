#include "test_support.h"

#include "domain.h"

#include <algorithm>
#include <cstdlib>
#include <random>

namespace houqin::testing {

TempDir::TempDir() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (;;) {
    path_ = base / ("houqin-test-" + std::to_string(rd()));
    if (std::filesystem::create_directory(path_)) break;
  }
}

TempDir::~TempDir() {
  // HOUQIN_KEEP_TEMP=1 keeps the files for a look with sqlite3 after a run.
  if (std::getenv("HOUQIN_KEEP_TEMP") != nullptr) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

LocalTime T(const char* text) {
  auto t = LocalTime::Parse(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(LocalTime{});
}

Date D(const char* text) {
  auto d = Date::Parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Date{});
}

void ExpectRefused(const Result<Command>& r, const std::string& field) {
  ASSERT_FALSE(r.ok()) << "expected a refusal naming " << field;
  EXPECT_EQ(r.status().field(), field) << r.status().ToString();
  EXPECT_FALSE(r.status().en().empty());
  EXPECT_FALSE(r.status().zh().empty());
}

bool HasWarning(const Command& c, const std::string& code) {
  return std::any_of(c.warnings.begin(), c.warnings.end(), [&](const Warning& w) {
    return w.code == code && !w.text.en.empty() && !w.text.zh.empty();
  });
}

std::vector<Conflict> ConflictsOf(Store& s, std::string_view type, const std::string& id, const std::string& kind) {
  std::vector<Conflict> out;
  auto v = s.Get(std::string(type), id);
  if (!v.ok() || !v->has_value()) return out;
  for (const auto& c : (*v)->conflicts)
    if (c.kind == kind) out.push_back(c);
  return out;
}

std::vector<Event> AllEvents(Store& s) {
  std::vector<Event> out;
  EXPECT_TRUE(s.ForEachEvent(0, [&](std::int64_t, const Event& e) {
                 out.push_back(e);
                 return true;
               }).ok());
  return out;
}

void ExchangeAll(Store& a, Store& b) {
  auto from_a = AllEvents(a), from_b = AllEvents(b);
  ASSERT_TRUE(a.Ingest(from_b).ok());
  ASSERT_TRUE(b.Ingest(from_a).ok());
}

void ExchangeAll(const std::vector<Store*>& stores) {
  std::vector<Event> all;
  for (Store* s : stores) {
    auto e = AllEvents(*s);
    all.insert(all.end(), e.begin(), e.end());
  }
  for (Store* s : stores) ASSERT_TRUE(s->Ingest(all).ok());
}

void ExpectConverged(Store& a, Store& b) { ExpectConverged(std::vector<Store*>{&a, &b}); }

void ExpectConverged(const std::vector<Store*>& stores) {
  ASSERT_FALSE(stores.empty());
  auto first = stores.front()->StateHash();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  for (Store* s : stores) {
    auto h = s->StateHash();
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    EXPECT_EQ(*h, *first);
    EXPECT_TRUE(s->VerifyMaterialized().ok()) << s->VerifyMaterialized().ToString();
  }
}

DomainTest::DomainTest() : domain(MakeDomain()) {}

std::unique_ptr<Store> DomainTest::Open(const std::string& name, const std::string& device) {
  StoreOptions o;
  o.domain = domain.get();
  o.clock = &clock;
  o.device_id = device;
  auto s = Store::Open(dir.File(name), o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

Command DomainTest::Do(Store& s, const Author& actor, const Result<Command>& cmd) {
  EXPECT_TRUE(cmd.ok()) << cmd.status().ToString();
  if (!cmd.ok()) return {};
  clock.Advance(1000);
  auto r = Execute(s, actor, cmd);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return *cmd;
}

}  // namespace houqin::testing
