// The sync client (sync/client.h) against the real houqin-server process over
// HTTPS on loopback, with real SQLite stores on both sides: enrollment and
// sign-in, push and pull between devices, three devices converging after
// offline work, long-poll wake-up and nudges, the certificate pin, a revoked
// device, refusals, and resuming after the server is killed mid-sync.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "directory/directory.h"
#include "domain.h"
#include "engine/command.h"
#include "registry.h"
#include "repairs/repairs.h"
#include "server_process.h"
#include "sync_helpers.h"
#include "sync/client.h"
#include "test_support.h"
#include "util/uuid.h"

namespace houqin::sync {
namespace {

using namespace std::chrono_literals;
using houqin::testing::At;
using houqin::testing::EventCount;
using houqin::testing::EventIds;
using houqin::testing::Eventually;
using houqin::testing::Leak;
using houqin::testing::NowMs;

constexpr const char* kPassword = "correct horse 电池";
constexpr auto kBound = 20s;  // generous upper bound for anything awaited; never a fixed sleep

// Events the store's own device wrote.
std::int64_t OwnEventCount(Store& store) {
  std::int64_t n = 0;
  EXPECT_TRUE(store.ForEachEvent(0, [&](std::int64_t, const Event& e) {
                     if (e.author.device == store.device_id()) ++n;
                     return true;
                   }).ok());
  return n;
}

std::string StateHashOf(Store& store) {
  auto h = store.StateHash();
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? *h : std::string();
}

// A phone: its own store file, enrolled and signed in as `user`.
struct Phone {
  std::string user;
  std::string role;
  std::unique_ptr<Store> store;
  ClientConfig config;
  std::unique_ptr<SyncClient> client;
  std::mutex store_mutex;  // the client and the test's reads share the store

  Author author() const { return {user, role, store->device_id()}; }
};

class SyncClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    domain_ = MakeDomain();
    SeedDirectory();
    testing::ServerProcess::Options options;
    options.data_dir = data_.path().string();
    server_ = std::make_unique<testing::ServerProcess>(options);
    ASSERT_EQ(server_->Start(), "");
    auto registry = server::Registry::Open(DbPath());
    ASSERT_TRUE(registry.ok()) << registry.status().ToString();
    registry_ = std::move(*registry);
    for (const char* user : {"cora", "cody", "cleo", "alice"}) ASSERT_TRUE(registry_->SetPassword(user, kPassword).ok());
  }

  std::string DbPath() const { return data_.File("houqin.db"); }

  // The compound as the admin would set it up, written before the server starts.
  void SeedDirectory() {
    StoreOptions o;
    o.domain = domain_.get();
    o.act_as_device = NewUuidV7(NowMs());
    o.synchronous_full = true;
    auto store = Store::Open(DbPath(), o);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    const Author admin{"admin", std::string(role::kAdmin), ""};
    std::vector<Draft> drafts = {directory::UpsertDepartment("works", "后勤处", {})};
    for (const char* user : {"cora", "cody", "cleo"}) {
      drafts.push_back(directory::UpsertUser({user, std::string("协调员 ") + user, "works",
                                              {std::string(role::kStaff), std::string(role::kRepairCoordinator)}}));
    }
    drafts.push_back(directory::UpsertUser({"alice", "职员 alice", "works", {std::string(role::kStaff)}}));
    ASSERT_TRUE((*store)->Append(admin, drafts).ok());
    repairs::Area office;
    office.id = "office";
    office.name = "办公区";
    office.buildings = {"1号楼"};
    auto area = Execute(**store, admin, repairs::UpsertArea(**store, admin, office, At("2026-03-09T08:00")));
    ASSERT_TRUE(area.ok()) << area.status().ToString();
  }

  std::string Code(const std::string& user) {
    auto code = registry_->CreateEnrollmentCode(kPhone, user, "phone of " + user, 3600 * 1000, NowMs());
    EXPECT_TRUE(code.ok()) << code.status().ToString();
    return code.ok() ? *code : std::string();
  }

  ClientConfig BaseConfig() const {
    ClientConfig c;
    c.base_url = server_->base_url();
    c.pinned_sha256 = server_->fingerprint();
    c.connect_timeout_ms = 2000;
    c.min_backoff_ms = 20;
    c.max_backoff_ms = 200;
    return c;
  }

  std::unique_ptr<Phone> NewPhone(const std::string& user, std::string_view role) {
    auto phone = std::make_unique<Phone>();
    phone->user = user;
    phone->role = std::string(role);
    StoreOptions o;
    o.domain = domain_.get();
    auto store = Store::Open(devices_.File(user + "-" + NewUuidV7(NowMs()) + ".db"), o);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return nullptr;
    phone->store = std::move(*store);
    auto enrolled = Enroll(server_->base_url(), server_->fingerprint(), Code(user), phone->store->device_id());
    EXPECT_TRUE(enrolled.ok()) << enrolled.status().ToString();
    if (!enrolled.ok()) return nullptr;
    EXPECT_EQ(enrolled->device_id, phone->store->device_id());
    phone->config = BaseConfig();
    phone->config.device_token = enrolled->token;
    phone->config.store_mutex = &phone->store_mutex;
    auto signed_in = SignIn(phone->config, user, kPassword);
    EXPECT_TRUE(signed_in.ok()) << signed_in.status().ToString();
    phone->client = std::make_unique<SyncClient>(*phone->store, phone->config);
    // The directory and the areas, as a phone has them after its first sync.
    Status first = phone->client->SyncOnce();
    EXPECT_TRUE(first.ok()) << first.ToString();
    return phone;
  }

  // Runs a core command as the phone's user and stores it locally (offline).
  void Do(Phone& phone, const std::function<Result<Command>(Store&, const Author&)>& command) {
    std::lock_guard lock(phone.store_mutex);
    auto cmd = command(*phone.store, phone.author());
    ASSERT_TRUE(cmd.ok()) << cmd.status().ToString();
    auto appended = Execute(*phone.store, phone.author(), cmd);
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  }

  void Report(Phone& phone, const std::string& id, const std::string& room) {
    Do(phone, [&](Store& s, const Author& a) { return repairs::ReportRepair(s, a, Leak(id, room), At("2026-03-09T10:00")); });
  }

  static void Sync(Phone& phone) {
    Status s = phone.client->SyncOnce();
    ASSERT_TRUE(s.ok()) << phone.user << ": " << s.ToString();
  }

  std::unique_ptr<Domain> domain_;
  testing::TempDir data_;
  testing::TempDir devices_;
  std::unique_ptr<testing::ServerProcess> server_;
  std::unique_ptr<server::Registry> registry_;
};

TEST_F(SyncClientTest, EnrollsOnceAndSignsInWithThePassword) {
  StoreOptions o;
  o.domain = domain_.get();
  auto store = Store::Open(devices_.File("cora.db"), o);
  ASSERT_TRUE(store.ok());
  const std::string code = Code("cora");

  auto enrolled = Enroll(server_->base_url(), server_->fingerprint(), code, (*store)->device_id());
  ASSERT_TRUE(enrolled.ok()) << enrolled.status().ToString();
  EXPECT_EQ(enrolled->device_id, (*store)->device_id());
  EXPECT_EQ(enrolled->kind, kPhone);
  EXPECT_EQ(enrolled->user, "cora");
  EXPECT_EQ(enrolled->token.size(), 64u);
  std::string pin;
  for (char c : server_->fingerprint())
    if (c != ':') pin.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  EXPECT_EQ(enrolled->server_sha256, pin);

  // A code is spent by its first use.
  auto again = Enroll(server_->base_url(), server_->fingerprint(), code, "");
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().IsRefused()) << again.status().ToString();
  EXPECT_FALSE(again.status().zh().empty());

  ClientConfig config = BaseConfig();
  config.device_token = enrolled->token;
  auto signed_in = SignIn(config, "cora", kPassword);
  ASSERT_TRUE(signed_in.ok()) << signed_in.status().ToString();
  EXPECT_EQ(signed_in->user, "cora");
  EXPECT_EQ(signed_in->department, "works");
  EXPECT_NE(std::find(signed_in->roles.begin(), signed_in->roles.end(), role::kRepairCoordinator),
            signed_in->roles.end());
  for (const char* key : {"salt", "hash", "n", "r", "p"}) EXPECT_TRUE(signed_in->offline_unlock.contains(key)) << key;

  auto wrong = SignIn(config, "cora", "not the password");
  ASSERT_FALSE(wrong.ok());
  EXPECT_TRUE(wrong.status().IsRefused()) << wrong.status().ToString();
  EXPECT_FALSE(wrong.status().en().empty());
  EXPECT_FALSE(wrong.status().zh().empty());
}

TEST_F(SyncClientTest, PlainHttpAndABadPinAreRefusedBeforeAnyRequest) {
  ClientConfig config = BaseConfig();
  config.base_url = "http://127.0.0.1:1";
  auto plain = SignIn(config, "cora", kPassword);
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().field(), "base_url");

  auto short_pin = Enroll(server_->base_url(), "AB:CD", Code("cora"), "");
  ASSERT_FALSE(short_pin.ok());
  EXPECT_EQ(short_pin.status().field(), "pinned_sha256");
}

TEST_F(SyncClientTest, TwoDevicesExchangeEventsAndAgreeOnState) {
  auto cora = NewPhone("cora", role::kRepairCoordinator);
  auto cody = NewPhone("cody", role::kRepairCoordinator);
  ASSERT_TRUE(cora && cody);

  const std::string repair = NewUuidV7(NowMs());
  Report(*cora, repair, "305");
  EXPECT_EQ(cora->client->status().pending, 0);  // counted on the next sync, not guessed
  Sync(*cora);
  EXPECT_EQ(cora->client->status().pending, 0);
  EXPECT_EQ(cora->client->status().state, SyncState::kIdle);
  EXPECT_GT(cora->client->status().last_synced_ms, 0);

  Sync(*cody);
  {
    std::lock_guard lock(cody->store_mutex);
    auto got = cody->store->Get(std::string(repairs::entity::kRepair), repair);
    ASSERT_TRUE(got.ok());
    ASSERT_TRUE(got->has_value()) << "cody did not receive cora's repair";
    EXPECT_EQ((**got).fields.value("status", ""), "reported");
  }

  Do(*cody, [&](Store& s, const Author& a) {
    return repairs::TriageRepair(s, a, repair, repairs::size::kSmall, calendar::Calendar{}, At("2026-03-09T11:00"));
  });
  Sync(*cody);
  Sync(*cora);
  EXPECT_EQ(EventIds(*cora->store), EventIds(*cody->store));
  EXPECT_EQ(StateHashOf(*cora->store), StateHashOf(*cody->store));
  EXPECT_TRUE(cora->store->VerifyMaterialized().ok());
}

TEST_F(SyncClientTest, ThreeDevicesWorkingOfflineConverge) {
  auto cora = NewPhone("cora", role::kRepairCoordinator);
  auto cody = NewPhone("cody", role::kRepairCoordinator);
  auto cleo = NewPhone("cleo", role::kRepairCoordinator);
  ASSERT_TRUE(cora && cody && cleo);
  std::vector<Phone*> all = {cora.get(), cody.get(), cleo.get()};

  // Offline, each reports two leaks.
  std::vector<std::string> ids;
  for (Phone* p : all) {
    for (int i = 0; i < 2; ++i) {
      ids.push_back(NewUuidV7(NowMs()));
      Report(*p, ids.back(), p->user + "-" + std::to_string(i));
    }
  }
  for (int round = 0; round < 2; ++round)
    for (Phone* p : all) Sync(*p);

  // Offline again, two coordinators triage the same job differently and the third cancels it:
  // the folds, not the network, decide how that ends.
  const std::string contested = ids.front();
  Do(*cora, [&](Store& s, const Author& a) {
    return repairs::TriageRepair(s, a, contested, repairs::size::kSmall, calendar::Calendar{}, At("2026-03-09T11:00"));
  });
  Do(*cody, [&](Store& s, const Author& a) {
    return repairs::TriageRepair(s, a, contested, repairs::size::kLarge, calendar::Calendar{}, At("2026-03-09T11:01"));
  });
  Do(*cleo, [&](Store& s, const Author& a) {
    return repairs::CancelRepair(s, a, contested, "重复报修", At("2026-03-09T11:02"));
  });
  Do(*cleo, [&](Store& s, const Author& a) {
    return repairs::TriageRepair(s, a, ids.back(), repairs::size::kSmall, calendar::Calendar{}, At("2026-03-09T11:03"));
  });
  for (int round = 0; round < 2; ++round)
    for (Phone* p : all) Sync(*p);

  const std::set<std::string> expected = EventIds(*cora->store);
  EXPECT_EQ(EventIds(*cora->store, std::string(repairs::entity::kRepair)).size(), 6u + 4u);
  for (Phone* p : all) {
    EXPECT_EQ(EventIds(*p->store), expected) << p->user;
    EXPECT_EQ(StateHashOf(*p->store), StateHashOf(*cora->store)) << p->user;
    EXPECT_EQ(p->client->status().pending, 0) << p->user;
    EXPECT_TRUE(p->store->VerifyMaterialized().ok()) << p->user;
  }
}

TEST_F(SyncClientTest, AWaitingPullWakesWhenAnotherDevicePushes) {
  auto cora = NewPhone("cora", role::kRepairCoordinator);
  auto cody = NewPhone("cody", role::kRepairCoordinator);
  ASSERT_TRUE(cora && cody);
  Sync(*cody);

  std::size_t got = 0;
  auto waiting = std::async(std::launch::async, [&] { return cody->client->PullOnce(kMaxWaitSeconds, &got); });
  Report(*cora, NewUuidV7(NowMs()), "101");
  Sync(*cora);
  // The pull waits up to 30 s; it must come back well before that, with cora's event.
  ASSERT_EQ(waiting.wait_for(kBound), std::future_status::ready) << "the long poll was not woken by the push";
  Status s = waiting.get();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GE(got, 1u);
}

TEST_F(SyncClientTest, RunDeliversBothWaysAndANudgeEndsTheLongPoll) {
  auto cora = NewPhone("cora", role::kRepairCoordinator);
  auto cody = NewPhone("cody", role::kRepairCoordinator);
  ASSERT_TRUE(cora && cody);

  std::mutex seen_mutex;
  std::vector<SyncState> states;
  cody->client->SetStatusListener([&](const SyncStatus& s) {
    std::lock_guard lock(seen_mutex);
    states.push_back(s.state);
  });
  std::thread runner([&] { cody->client->Run(); });
  ASSERT_TRUE(Eventually([&] { return cody->client->status().last_synced_ms > 0; }));

  // In: cora pushes, cody's long poll wakes and applies it.
  const std::string from_cora = NewUuidV7(NowMs());
  Report(*cora, from_cora, "201");
  Sync(*cora);
  EXPECT_TRUE(Eventually([&] {
    std::lock_guard lock(cody->store_mutex);
    auto got = cody->store->Get(std::string(repairs::entity::kRepair), from_cora);
    return got.ok() && got->has_value();
  }));

  // Out: cody writes while waiting in a 25 s long poll; the nudge sends it at once.
  const std::string from_cody = NewUuidV7(NowMs());
  Report(*cody, from_cody, "202");
  cody->client->Nudge();
  EXPECT_TRUE(Eventually(
      [&] {
        if (!cora->client->PullOnce(0).ok()) return false;
        std::lock_guard lock(cora->store_mutex);
        auto got = cora->store->Get(std::string(repairs::entity::kRepair), from_cody);
        return got.ok() && got->has_value();
      },
      10s))
      << "the nudge did not end the long poll";
  EXPECT_TRUE(Eventually([&] { return cody->client->status().pending == 0; }));

  cody->client->Stop();
  auto joined = std::async(std::launch::async, [&] { runner.join(); });
  ASSERT_EQ(joined.wait_for(kBound), std::future_status::ready) << "Run() did not return after Stop()";
  std::lock_guard lock(seen_mutex);
  EXPECT_NE(std::find(states.begin(), states.end(), SyncState::kIdle), states.end());
  EXPECT_EQ(std::find(states.begin(), states.end(), SyncState::kError), states.end());
}

TEST_F(SyncClientTest, AForeignCertificateStopsSyncAndNothingIsPulled) {
  auto cora = NewPhone("cora", role::kRepairCoordinator);
  ASSERT_TRUE(cora);
  std::string wrong_pin = server_->fingerprint();
  wrong_pin.back() = wrong_pin.back() == '0' ? '1' : '0';

  auto cody = NewPhone("cody", role::kRepairCoordinator);
  ASSERT_TRUE(cody);
  Report(*cody, NewUuidV7(NowMs()), "301");
  Sync(*cody);
  const std::int64_t held = EventCount(*cora->store);

  ClientConfig config = cora->config;
  config.pinned_sha256 = wrong_pin;
  SyncClient client(*cora->store, config);
  Status s = client.SyncOnce();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.field(), "server_certificate");
  EXPECT_NE(s.en().find("pinned fingerprint"), std::string::npos) << s.en();
  EXPECT_FALSE(s.zh().empty());
  EXPECT_EQ(client.status().state, SyncState::kError);
  EXPECT_EQ(EventCount(*cora->store), held) << "events were pulled from a server that failed the pin";

  // Run() gives up at once instead of retrying.
  auto ran = std::async(std::launch::async, [&] { client.Run(); });
  ASSERT_EQ(ran.wait_for(kBound), std::future_status::ready);
  EXPECT_EQ(client.status().state, SyncState::kError);
  EXPECT_EQ(client.status().error.en, s.en());

  auto enroll = Enroll(server_->base_url(), wrong_pin, Code("cody"), "");
  ASSERT_FALSE(enroll.ok());
  EXPECT_EQ(enroll.status().field(), "server_certificate");
}

TEST_F(SyncClientTest, ARevokedDeviceIsStoppedWithAnError) {
  auto cora = NewPhone("cora", role::kRepairCoordinator);
  ASSERT_TRUE(cora);
  Sync(*cora);
  ASSERT_TRUE(registry_->Revoke(cora->store->device_id()).ok());

  Report(*cora, NewUuidV7(NowMs()), "401");
  Status s = cora->client->SyncOnce();
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.IsRefused()) << s.ToString();
  EXPECT_NE(s.en().find("401"), std::string::npos) << s.en();
  EXPECT_EQ(cora->client->status().state, SyncState::kError);
  EXPECT_EQ(cora->client->status().pending, 1);

  auto ran = std::async(std::launch::async, [&] { cora->client->Run(); });
  ASSERT_EQ(ran.wait_for(kBound), std::future_status::ready) << "Run() kept retrying a revoked token";
  EXPECT_EQ(cora->client->status().state, SyncState::kError);
}

TEST_F(SyncClientTest, ARefusedEventIsCountedAndShownOnItsRecord) {
  auto cora = NewPhone("cora", role::kRepairCoordinator);
  auto alice = NewPhone("alice", role::kStaff);
  ASSERT_TRUE(cora && alice);
  const std::string repair = NewUuidV7(NowMs());
  Report(*cora, repair, "501");
  Sync(*cora);
  Sync(*alice);  // alice sees nothing of cora's (her own requests only), so she forges the triage offline

  std::string forged;
  {
    std::lock_guard lock(alice->store_mutex);
    Draft d{std::string(repairs::entity::kRepair), repair, "repair.triaged",
            Json{{"size", "small"}, {"at", "2026-03-09T11:00"}}};
    auto appended = alice->store->Append(alice->author(), {d});
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
    forged = appended->events.front().id;
  }
  Sync(*alice);
  EXPECT_EQ(alice->client->status().refused, 1);
  EXPECT_EQ(alice->client->status().pending, 0);
  Sync(*alice);  // counted once, however often the verdict is seen
  EXPECT_EQ(alice->client->status().refused, 1);

  Sync(*cora);
  auto view = cora->store->Get(std::string(repairs::entity::kRepair), repair);
  ASSERT_TRUE(view.ok() && view->has_value());
  EXPECT_EQ((**view).fields.value("status", ""), "reported");
  ASSERT_EQ((**view).refusals.size(), 1u);
  EXPECT_EQ((**view).refusals.front().event, forged);
}

TEST_F(SyncClientTest, PullResumesFromItsCursorAfterAnInterruption) {
  auto cora = NewPhone("cora", role::kRepairCoordinator);
  auto cody = NewPhone("cody", role::kRepairCoordinator);
  ASSERT_TRUE(cora && cody);
  for (int i = 0; i < 40; ++i) Report(*cora, NewUuidV7(NowMs()), std::to_string(600 + i));
  Sync(*cora);
  const std::int64_t before = EventCount(*cody->store);
  ClientConfig paged = cody->config;
  paged.pull_limit = 7;
  {
    SyncClient first(*cody->store, paged);
    for (int page = 0; page < 3; ++page) ASSERT_TRUE(first.PullOnce(0).ok());
  }  // the device is switched off here
  const std::int64_t partial = EventCount(*cody->store);
  EXPECT_EQ(partial, before + 3 * 7);

  SyncClient resumed(*cody->store, paged);
  std::size_t first_page = 0;
  ASSERT_TRUE(resumed.PullOnce(0, &first_page).ok());
  EXPECT_EQ(first_page, 7u) << "the resumed pull started over instead of after its cursor";
  EXPECT_EQ(EventCount(*cody->store), partial + 7);
  ASSERT_TRUE(resumed.SyncOnce().ok());
  EXPECT_EQ(EventIds(*cody->store, "repair"), EventIds(*cora->store, "repair"));
}

TEST_F(SyncClientTest, CatchingUpFetchesAheadYetNeverSavesACursorBeforeItsPage) {
  auto cora = NewPhone("cora", role::kRepairCoordinator);
  auto cody = NewPhone("cody", role::kRepairCoordinator);
  ASSERT_TRUE(cora && cody);
  for (int i = 0; i < 60; ++i) Report(*cora, NewUuidV7(NowMs()), std::to_string(800 + i));
  Sync(*cora);
  ClientConfig paged = cody->config;
  paged.pull_limit = 5;
  {
    // Stopped while a page is being applied and the next one is fetched ahead.
    SyncClient first(*cody->store, paged);
    int pages = 0;
    cody->store->SetChangeListener([&](const ChangeSet&) {
      if (++pages == 4) first.Stop();
    });
    (void)first.SyncOnce();
    cody->store->SetChangeListener(nullptr);
    EXPECT_GE(pages, 4);
  }
  // Whatever the stop left, the saved cursor never covers a page that was not applied.
  SyncClient resumed(*cody->store, paged);
  ASSERT_TRUE(resumed.SyncOnce().ok());
  EXPECT_EQ(EventIds(*cody->store, "repair"), EventIds(*cora->store, "repair"));
  std::size_t after = 1;
  ASSERT_TRUE(resumed.PullOnce(0, &after).ok());
  EXPECT_EQ(after, 0u) << "the last page's cursor was not saved";
}

TEST_F(SyncClientTest, KillingTheServerMidSyncLosesAndDoublesNothing) {
  auto cora = NewPhone("cora", role::kRepairCoordinator);
  ASSERT_TRUE(cora);
  Sync(*cora);
  constexpr int kReports = 300;
  for (int i = 0; i < kReports; ++i) Report(*cora, NewUuidV7(NowMs()), std::to_string(7000 + i));

  const std::string client_url = server_->base_url();
  ClientConfig small_batches = cora->config;
  small_batches.push_batch = 10;
  SyncClient client(*cora->store, small_batches);
  std::atomic<std::int64_t> pending{kReports};
  client.SetStatusListener([&](const SyncStatus& s) { pending = s.pending; });
  std::thread runner([&] { client.Run(); });

  // Kill -9 once some batches are acknowledged and others are not.
  ASSERT_TRUE(Eventually([&] { return pending.load() < kReports; }));
  server_->Kill9();
  EXPECT_TRUE(Eventually([&] { return client.status().state == SyncState::kOffline; }));
  EXPECT_GT(client.status().pending, 0);
  // Back on the same address, as a real server restarted by systemd would be.
  testing::ServerProcess::Options same_port;
  same_port.data_dir = data_.path().string();
  same_port.extra_args = {"--listen", "127.0.0.1:" + std::to_string(server_->port())};
  server_ = std::make_unique<testing::ServerProcess>(same_port);
  ASSERT_EQ(server_->Start(), "");
  ASSERT_EQ(server_->base_url(), client_url);

  EXPECT_TRUE(Eventually([&] {
    SyncStatus s = client.status();
    return s.pending == 0 && s.state == SyncState::kIdle;
  }));
  client.Stop();
  runner.join();

  // A new device pulls everything: every report once.
  auto cody = NewPhone("cody", role::kRepairCoordinator);
  ASSERT_TRUE(cody);
  Sync(*cody);
  EXPECT_EQ(EventIds(*cody->store, "repair"), EventIds(*cora->store, "repair"));
  EXPECT_EQ(EventIds(*cody->store, "repair").size(), static_cast<std::size_t>(kReports));

  // And the server's own file holds each of cora's events exactly once.
  ASSERT_EQ(server_->Terminate(), 0);
  StoreOptions o;
  o.domain = domain_.get();
  o.act_as_device = NewUuidV7(NowMs());
  auto served = Store::Open(DbPath(), o);
  ASSERT_TRUE(served.ok()) << served.status().ToString();
  std::int64_t rows = 0;
  std::set<std::string> ids;
  ASSERT_TRUE((*served)->ForEachEvent(0, [&](std::int64_t, const Event& e) {
                          if (e.author.device == cora->store->device_id()) {
                            ++rows;
                            ids.insert(e.id);
                          }
                          return true;
                        }).ok());
  EXPECT_EQ(rows, OwnEventCount(*cora->store));
  EXPECT_EQ(static_cast<std::size_t>(rows), ids.size());
  EXPECT_GE(rows, kReports);
}

}  // namespace
}  // namespace houqin::sync
