// The sync server as a device meets it: a real houqin-server process over
// HTTPS on loopback with the certificate pinned, real SQLite files. Every
// endpoint's success path, its documented errors, and the database left
// unchanged by every refused request.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "directory/directory.h"
#include "domain.h"
#include "registry.h"
#include "repairs/repairs.h"
#include "server_process.h"
#include "sync_helpers.h"
#include "sync/protocol.h"
#include "util/civil_time.h"
#include "util/uuid.h"

namespace houqin {
namespace {

using testing::EnrolledDevice;
using testing::HttpResponse;
using testing::ServerProcess;

constexpr const char* kPassword = "correct horse 1";

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Counts with a plain connection, as an operator would with sqlite3.
std::int64_t CountEvents(const std::string& db_path) {
  sqlite3* db = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM events", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
      n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return n;
}

std::string IntegrityCheck(const std::string& db_path) {
  sqlite3* db = nullptr;
  std::string out = "cannot open";
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

// A phone's own replica: the events it writes come from the core's commands.
struct Phone {
  EnrolledDevice enrolled;
  std::string user;
  std::string role;
  std::unique_ptr<Store> store;
  std::string cursor = "0";

  Author author() const { return Author{user, role, enrolled.device_id}; }
};

class ServerHttpTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer({}); }

  void StartServer(std::vector<std::string> extra_args) {
    ServerProcess::Options options;
    options.extra_args = std::move(extra_args);
    server_ = std::make_unique<ServerProcess>(options);
    ASSERT_EQ("", testing::SeedDirectory(
                      server_->data_dir(), {{"dept-a", "Office A", {"boss"}}},
                      {{"alice", "Alice", "dept-a", {"staff"}, kPassword, ""},
                       {"bob", "Bob", "dept-a", {"staff"}, kPassword, ""},
                       {"boss", "Boss", "dept-a", {"staff", "approver"}, kPassword, ""}}));
    SeedArea();
    ASSERT_EQ("", server_->Start());
  }

  void SeedArea() {
    auto domain = MakeDomain();
    testing::TempDir scratch;
    StoreOptions options;
    options.domain = domain.get();
    auto store = Store::Open(scratch.File("scratch.db"), options);
    ASSERT_TRUE(store.ok());
    repairs::Area area;
    area.id = "hq";
    area.name = "Headquarters";
    auto cmd = repairs::UpsertArea(**store, Author{"admin", "admin", (*store)->device_id()}, area,
                                   LocalTime::FromUnixMs(NowMs()));
    ASSERT_TRUE(cmd.ok()) << cmd.status().ToString();
    ASSERT_EQ("", testing::SeedAsAdmin(server_->data_dir(), cmd->drafts));
  }

  std::unique_ptr<Phone> SignedInPhone(const std::string& user, const std::string& role = "staff") {
    auto phone = std::make_unique<Phone>();
    phone->user = user;
    phone->role = role;
    phone->enrolled = testing::EnrollDevice(*server_, "phone", user, kPassword);
    EXPECT_EQ("", phone->enrolled.error);
    StoreOptions options;
    options.domain = domain_.get();
    options.device_id = phone->enrolled.device_id;
    auto store = Store::Open(dir_.File(phone->enrolled.device_id + ".db"), options);
    EXPECT_TRUE(store.ok());
    phone->store = std::move(*store);
    PullAll(*phone);
    return phone;
  }

  HttpResponse Pull(const Phone& phone, const std::string& query) {
    return server_->Request("GET", "/v1/pull?" + query, {}, phone.enrolled.token);
  }

  // Pulls every page into the phone's store; returns the events received.
  std::vector<Event> PullAll(Phone& phone) {
    std::vector<Event> all;
    for (int page = 0; page < 1000; ++page) {
      HttpResponse r = Pull(phone, "after=" + phone.cursor + "&limit=100");
      EXPECT_EQ(200, r.status) << r.body;
      if (r.status != 200) break;
      auto events = sync::EventsFromJson(r.json());
      EXPECT_TRUE(events.ok()) << events.status().ToString();
      if (!events.ok()) break;
      EXPECT_TRUE(phone.store->Ingest(*events).ok());
      all.insert(all.end(), events->begin(), events->end());
      phone.cursor = r.json()["cursor"].get<std::string>();
      if (!r.json()["more"].get<bool>()) break;
    }
    return all;
  }

  std::vector<Event> ReportRepair(Phone& phone, const std::string& what) {
    repairs::RepairInput input;
    input.id = NewUuidV7(NowMs());
    input.category = std::string(repairs::category::kWater);
    input.location = {"hq", "Main building", "2", "201"};
    input.description = what;
    auto done = Execute(*phone.store, phone.author(),
                        repairs::ReportRepair(*phone.store, phone.author(), input, LocalTime::FromUnixMs(NowMs())));
    EXPECT_TRUE(done.ok()) << done.status().ToString();
    return done.ok() ? done->events : std::vector<Event>{};
  }

  HttpResponse Push(const Phone& phone, const std::vector<Event>& events) {
    return server_->Request("POST", "/v1/push", sync::EventsToJson(events).dump(), phone.enrolled.token);
  }

  std::int64_t ServerEvents() { return CountEvents(server_->db_path()); }

  testing::TempDir dir_;
  std::unique_ptr<Domain> domain_ = MakeDomain();
  std::unique_ptr<ServerProcess> server_;
};

// --- Enrollment ---

TEST_F(ServerHttpTest, EnrollWithAGoodCodeGivesADeviceTokenAndTheFingerprint) {
  std::string error;
  const std::string code = testing::MakeEnrollmentCode(server_->data_dir(), "phone", "alice", 60000, &error);
  ASSERT_FALSE(code.empty()) << error;
  const std::string proposed = NewUuidV7(NowMs());
  HttpResponse r = server_->Request("POST", "/v1/enroll", Json{{"code", code}, {"device_id", proposed}}.dump());
  ASSERT_EQ(200, r.status) << r.body;
  Json j = r.json();
  EXPECT_EQ(proposed, j["device_id"]);
  EXPECT_EQ(64u, j["token"].get<std::string>().size());
  EXPECT_EQ("phone", j["kind"]);
  EXPECT_EQ("alice", j["user"]);
  EXPECT_EQ(server_->fingerprint(), j["server_sha256"]);

  // The token works at once; the server keeps only its hash.
  HttpResponse pull = server_->Request("GET", "/v1/pull", {}, j["token"].get<std::string>());
  EXPECT_EQ(403, pull.status);  // enrolled but nobody signed in yet
  EXPECT_EQ("not_signed_in", pull.error_code());
}

TEST_F(ServerHttpTest, AnEnrollmentCodeWorksOnce) {
  const std::string code = testing::MakeEnrollmentCode(server_->data_dir(), "kiosk", "north-gate");
  ASSERT_EQ(200, server_->Request("POST", "/v1/enroll", Json{{"code", code}}.dump()).status);
  HttpResponse again = server_->Request("POST", "/v1/enroll", Json{{"code", code}}.dump());
  EXPECT_EQ(401, again.status);
  EXPECT_EQ("bad_enrollment_code", again.error_code());
  EXPECT_EQ("code", again.json()["error"]["field"]);
}

TEST_F(ServerHttpTest, UnknownAndExpiredCodesAreRefused) {
  auto registry = server::Registry::Open(server_->db_path());
  ASSERT_TRUE(registry.ok());
  auto expired = (*registry)->CreateEnrollmentCode("phone", "alice", "", 1000, NowMs() - 10000);
  ASSERT_TRUE(expired.ok());
  for (const std::string& code : {*expired, std::string("ABCDEFGHJKMN"), std::string("")}) {
    HttpResponse r = server_->Request("POST", "/v1/enroll", Json{{"code", code}}.dump());
    EXPECT_EQ(401, r.status) << code;
    EXPECT_EQ("bad_enrollment_code", r.error_code()) << code;
  }
}

TEST_F(ServerHttpTest, RepeatedFailedEnrollmentsAreRateLimited) {
  int limited_at = 0;
  for (int i = 1; i <= 12 && !limited_at; ++i) {
    HttpResponse r = server_->Request("POST", "/v1/enroll", Json{{"code", "WRONGWRONG22"}}.dump());
    if (r.status == 429) {
      EXPECT_EQ("rate_limited", r.error_code());
      limited_at = i;
    } else {
      EXPECT_EQ(401, r.status);
    }
  }
  EXPECT_EQ(11, limited_at);
  // Even a good code waits out the window: the address is throttled, not the code.
  const std::string code = testing::MakeEnrollmentCode(server_->data_dir(), "phone", "alice");
  EXPECT_EQ(429, server_->Request("POST", "/v1/enroll", Json{{"code", code}}.dump()).status);
}

// --- Login ---

TEST_F(ServerHttpTest, LoginGivesRolesAndWhatUnlocksOffline) {
  EnrolledDevice phone = testing::EnrollDevice(*server_, "phone", "boss");
  ASSERT_EQ("", phone.error);
  HttpResponse r =
      server_->Request("POST", "/v1/login", Json{{"user", "boss"}, {"password", kPassword}}.dump(), phone.token);
  ASSERT_EQ(200, r.status) << r.body;
  Json j = r.json();
  EXPECT_EQ("boss", j["user"]);
  EXPECT_EQ(Json::array({"staff", "approver"}), j["roles"]);
  EXPECT_EQ("dept-a", j["department"]);
  const Json& unlock = j["offline_unlock"];
  EXPECT_EQ(32u, unlock["salt"].get<std::string>().size());
  EXPECT_EQ(64u, unlock["hash"].get<std::string>().size());
  EXPECT_EQ(16384, unlock["n"]);
  EXPECT_EQ(8, unlock["r"]);
  EXPECT_EQ(1, unlock["p"]);
}

TEST_F(ServerHttpTest, LoginRefusesAWrongPasswordAnotherUserAndAKiosk) {
  EnrolledDevice phone = testing::EnrollDevice(*server_, "phone", "alice");
  HttpResponse wrong =
      server_->Request("POST", "/v1/login", Json{{"user", "alice"}, {"password", "not it at all"}}.dump(), phone.token);
  EXPECT_EQ(401, wrong.status);
  EXPECT_EQ("bad_credentials", wrong.error_code());
  HttpResponse other =
      server_->Request("POST", "/v1/login", Json{{"user", "bob"}, {"password", kPassword}}.dump(), phone.token);
  EXPECT_EQ(401, other.status);
  EXPECT_EQ("bad_credentials", other.error_code());

  EnrolledDevice kiosk = testing::EnrollDevice(*server_, "kiosk", "north-gate");
  ASSERT_EQ("", kiosk.error);
  HttpResponse k =
      server_->Request("POST", "/v1/login", Json{{"user", "alice"}, {"password", kPassword}}.dump(), kiosk.token);
  EXPECT_EQ(401, k.status);
  EXPECT_EQ("device", k.json()["error"]["field"]);

  // Still not signed in: pushes are refused.
  EXPECT_EQ("not_signed_in", server_->Request("POST", "/v1/push", R"({"events":[]})", phone.token).error_code());
}

// --- Push ---

TEST_F(ServerHttpTest, APushIsAcknowledgedWithPositionsAndARepushStoresNothingTwice) {
  auto alice = SignedInPhone("alice");
  std::vector<Event> events = ReportRepair(*alice, "tap drips");
  std::vector<Event> more = ReportRepair(*alice, "light flickers");
  events.insert(events.end(), more.begin(), more.end());
  ASSERT_EQ(2u, events.size());
  const std::int64_t before = ServerEvents();

  HttpResponse first = Push(*alice, events);
  ASSERT_EQ(200, first.status) << first.body;
  Json acks = first.json()["acks"];
  ASSERT_EQ(2u, acks.size());
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(events[i].id, acks[i]["id"]);
    EXPECT_GT(acks[i]["seq"].get<std::int64_t>(), 0);
    EXPECT_FALSE(acks[i]["duplicate"].get<bool>());
    EXPECT_FALSE(acks[i].contains("refused")) << acks[i];
  }
  EXPECT_EQ(before + 2, ServerEvents());

  HttpResponse again = Push(*alice, events);
  ASSERT_EQ(200, again.status) << again.body;
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(acks[i]["seq"], again.json()["acks"][i]["seq"]);
    EXPECT_TRUE(again.json()["acks"][i]["duplicate"].get<bool>());
  }
  EXPECT_EQ(before + 2, ServerEvents());
}

TEST_F(ServerHttpTest, ABatchClaimingAnotherAuthorIsRefusedWholeAndNothingIsStored) {
  auto alice = SignedInPhone("alice");
  std::vector<Event> events = ReportRepair(*alice, "door sticks");
  std::vector<Event> second = ReportRepair(*alice, "window cracked");
  ASSERT_EQ(1u, second.size());
  const std::int64_t before = ServerEvents();
  for (auto [field, value] : {std::pair{"user", "bob"}, {"role", "repair_coordinator"}, {"role", "server"},
                             {"device", "01890a5d-ac96-774b-bcce-b302099a8057"}}) {
    Json batch = sync::EventsToJson({events[0], second[0]});
    batch["events"][1][field] = value;
    HttpResponse r = server_->Request("POST", "/v1/push", batch.dump(), alice->enrolled.token);
    EXPECT_EQ(403, r.status) << field << " " << r.body;
    EXPECT_EQ("foreign_author", r.error_code());
    EXPECT_EQ(std::string("events[1].") + field, r.json()["error"]["field"]) << r.body;
  }
  EXPECT_EQ(before, ServerEvents());
}

TEST_F(ServerHttpTest, ARefusedEventIsStoredAndItsVerdictReachesTheAuthor) {
  auto alice = SignedInPhone("alice");
  // A staff member editing the directory: only the admin may.
  directory::UserInfo promoted{"alice", "Alice", "dept-a", {"staff", "admin"}};
  auto written = alice->store->Append(alice->author(), {directory::UpsertUser(promoted)});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  const Event& refused = written->events[0];
  const std::int64_t before = ServerEvents();

  HttpResponse r = Push(*alice, written->events);
  ASSERT_EQ(200, r.status) << r.body;
  Json ack = r.json()["acks"][0];
  ASSERT_TRUE(ack.contains("refused")) << ack;
  EXPECT_EQ("role", ack["refused"]["field"]);
  EXPECT_FALSE(ack["refused"]["en"].get<std::string>().empty());
  EXPECT_FALSE(ack["refused"]["zh"].get<std::string>().empty());
  EXPECT_EQ(before + 2, ServerEvents());  // the event and the server's verdict

  // A re-push is answered the same way.
  HttpResponse again = Push(*alice, written->events);
  EXPECT_EQ(ack["refused"], again.json()["acks"][0]["refused"]);

  std::vector<Event> pulled = PullAll(*alice);
  bool verdict_seen = false;
  for (const Event& e : pulled)
    if (e.kind == kServerRefusedKind) {
      EXPECT_EQ(std::string(kServerRole), e.author.role);
      EXPECT_EQ(refused.id, e.payload.value("event", ""));
      verdict_seen = true;
    }
  EXPECT_TRUE(verdict_seen);
  auto view = alice->store->Get("user", "alice");
  ASSERT_TRUE(view.ok() && view->has_value());
  ASSERT_EQ(1u, (*view)->refusals.size());
  EXPECT_EQ(refused.id, (*view)->refusals[0].event);
  EXPECT_EQ(Json::array({"staff"}), (*view)->fields["roles"]);  // the refused edit changed nothing

  // And the server still judges alice as staff: the refused edit gave her nothing.
  HttpResponse login = server_->Request("POST", "/v1/login", Json{{"user", "alice"}, {"password", kPassword}}.dump(),
                                        alice->enrolled.token);
  EXPECT_EQ(Json::array({"staff"}), login.json()["roles"]);
}

// --- Pull ---

TEST_F(ServerHttpTest, PullPagesThroughEverythingInScopeOnceWithAnAdvancingCursor) {
  std::vector<testing::SeedUser> users;
  for (int i = 0; i < 30; ++i) users.push_back({"user" + std::to_string(i), "User", "dept-a", {"staff"}, "", ""});
  ASSERT_EQ("", testing::SeedDirectory(server_->data_dir(), {}, users));
  // The server sees the admin's writes within its refresh interval: the loop below polls for them.
  auto alice = std::make_unique<Phone>();
  alice->enrolled = testing::EnrollDevice(*server_, "phone", "alice", kPassword);
  ASSERT_EQ("", alice->enrolled.error);
  std::set<std::string> ids;
  std::int64_t last_cursor = 0;
  bool more = true;
  int pages = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ids.size() < 34 && std::chrono::steady_clock::now() < deadline) {
    HttpResponse r = Pull(*alice, "after=" + std::to_string(last_cursor) + "&limit=7" + (more ? "" : "&wait=2"));
    ASSERT_EQ(200, r.status) << r.body;
    Json j = r.json();
    EXPECT_LE(j["events"].size(), 7u);
    for (const Json& e : j["events"]) EXPECT_TRUE(ids.insert(e["id"].get<std::string>()).second) << "repeated";
    const std::int64_t cursor = std::stoll(j["cursor"].get<std::string>());
    EXPECT_GE(cursor, last_cursor);
    last_cursor = cursor;
    more = j["more"].get<bool>();
    ++pages;
  }
  // 3 users + 1 department + 1 area + 30 users, all in the directory scopes.
  EXPECT_GE(ids.size(), 35u);
  EXPECT_GE(pages, 5);
  HttpResponse end = Pull(*alice, "after=" + std::to_string(last_cursor));
  EXPECT_EQ(0u, end.json()["events"].size());
  EXPECT_FALSE(end.json()["more"].get<bool>());
  EXPECT_EQ(std::to_string(last_cursor), end.json()["cursor"]);
}

TEST_F(ServerHttpTest, APulledPageIsCompactJsonAndCarriesEveryCharacterUnchanged) {
  // The server renders pages itself rather than through nlohmann's dump: the text must still be
  // exactly what dump() gives, escapes and multi-byte UTF-8 included.
  auto alice = SignedInPhone("alice");
  const std::string tricky = "quote \" backslash \\ slash / tab \t newline \n cr \r bell \x07 del \x7f "
                             "水管漏水 é 🚰 \xe2\x80\xa8 end";
  std::vector<Event> events = ReportRepair(*alice, tricky);
  ASSERT_FALSE(events.empty());
  HttpResponse pushed = Push(*alice, events);
  ASSERT_EQ(200, pushed.status) << pushed.body;

  auto other = SignedInPhone("alice");  // her second phone pulls her own repairs
  HttpResponse r = Pull(*other, "after=0&limit=5000");
  ASSERT_EQ(200, r.status) << r.body;
  const Json page = r.json();
  EXPECT_EQ(page.dump(), r.body);
  bool found = false;
  for (const Json& e : page["events"]) {
    if (e.value("id", "") != events.front().id) continue;
    found = true;
    EXPECT_EQ(events.front().payload, e["payload"]);
  }
  EXPECT_TRUE(found) << "the tricky report did not come back";
}

TEST_F(ServerHttpTest, ALongPollWakesWhenAnEventForItArrives) {
  auto alice = SignedInPhone("alice");
  auto poll = std::async(std::launch::async, [&] {
    const auto start = std::chrono::steady_clock::now();
    HttpResponse r = Pull(*alice, "after=" + alice->cursor + "&wait=25");
    return std::pair{r, std::chrono::steady_clock::now() - start};
  });
  // The poll is waiting once the server counts it.
  houqin::testing::Eventually([&] { return server_->Request("GET", "/healthz").json().value("waits", 0) >= 1; },
                              std::chrono::seconds(5));
  ASSERT_EQ(1, server_->Request("GET", "/healthz").json().value("waits", 0));
  // Her own report, pushed by the same replica, is in her scope ("user:alice").
  std::vector<Event> events = ReportRepair(*alice, "heater cold");
  ASSERT_EQ(200, Push(*alice, events).status);
  auto [r, took] = poll.get();
  ASSERT_EQ(200, r.status) << r.body;
  ASSERT_EQ(1u, r.json()["events"].size());
  EXPECT_EQ(events[0].id, r.json()["events"][0]["id"]);
  EXPECT_LT(took, std::chrono::seconds(20));  // woken, not timed out
}

TEST_F(ServerHttpTest, WaitsBeyondTheCapAreRefusedAtOnce) {
  server_->Kill9();
  StartServer({"--max-waits", "2"});
  auto alice = SignedInPhone("alice");
  std::vector<std::future<HttpResponse>> polls;
  for (int i = 0; i < 2; ++i)
    polls.push_back(std::async(std::launch::async, [&] { return Pull(*alice, "after=" + alice->cursor + "&wait=25"); }));
  houqin::testing::Eventually([&] { return server_->Request("GET", "/healthz").json().value("waits", 0) >= 2; },
                              std::chrono::seconds(5));
  HttpResponse third = Pull(*alice, "after=" + alice->cursor + "&wait=25");
  EXPECT_EQ(503, third.status);
  EXPECT_EQ("too_many_waits", third.error_code());
  // A poll that does not wait is still served.
  EXPECT_EQ(200, Pull(*alice, "after=" + alice->cursor).status);
  ASSERT_EQ(200, Push(*alice, ReportRepair(*alice, "wake them")).status);
  for (auto& p : polls) EXPECT_EQ(1u, p.get().json()["events"].size());
}

TEST_F(ServerHttpTest, TwoHundredWaitingPollsDoNotStarveAPushAndAllWake) {
  auto alice = SignedInPhone("alice");
  constexpr int kPolls = 200;
  std::vector<std::future<HttpResponse>> polls;
  for (int i = 0; i < kPolls; ++i)
    polls.push_back(std::async(std::launch::async, [&] { return Pull(*alice, "after=" + alice->cursor + "&wait=28"); }));
  houqin::testing::Eventually(
      [&] { return server_->Request("GET", "/healthz").json().value("waits", 0) >= kPolls; }, std::chrono::seconds(20));
  HttpResponse health = server_->Request("GET", "/healthz");
  if (health.json().value("waits", 0) != kPolls) {
    std::map<std::string, int> outcomes;
    for (auto& p : polls) {
      HttpResponse r = p.get();
      ++outcomes[std::to_string(r.status) + " " + r.error + " " + r.body.substr(0, 60)];
    }
    for (auto& [k, n] : outcomes) std::cerr << n << " x " << k << "\n";
    FAIL() << health.body;
  }

  std::vector<Event> events = ReportRepair(*alice, "roof leaks");
  const auto start = std::chrono::steady_clock::now();
  HttpResponse pushed = Push(*alice, events);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(200, pushed.status) << pushed.body;
  EXPECT_LT(took, std::chrono::seconds(5));
  for (auto& p : polls) {
    HttpResponse r = p.get();
    ASSERT_EQ(200, r.status) << r.body << r.error;
    ASSERT_EQ(1u, r.json()["events"].size());
    EXPECT_EQ(events[0].id, r.json()["events"][0]["id"]);
  }
}

// --- Malformed requests: the documented 4xx, and nothing stored ---

TEST_F(ServerHttpTest, MalformedRequestsGetTheDocumentedErrorAndChangeNothing) {
  auto alice = SignedInPhone("alice");
  const std::string token = alice->enrolled.token;
  const std::vector<Event> good = ReportRepair(*alice, "valid event");
  Json event = ToJson(good[0]);
  auto without = [&](const char* field) {
    Json e = event;
    e.erase(field);
    return Json{{"events", {e}}}.dump();
  };
  auto with = [&](const char* field, Json value) {
    Json e = event;
    e[field] = value;
    return Json{{"events", {e}}}.dump();
  };
  EnrolledDevice revoked = testing::EnrollDevice(*server_, "phone", "bob", kPassword);
  ASSERT_EQ("", revoked.error);
  {
    auto registry = server::Registry::Open(server_->db_path());
    ASSERT_TRUE(registry.ok());
    ASSERT_TRUE((*registry)->Revoke(revoked.device_id).ok());
  }
  Json too_many = Json{{"events", Json::array()}};
  for (std::size_t i = 0; i < sync::kMaxPushEvents + 1; ++i) too_many["events"].push_back(event);
  const std::string huge(sync::kMaxBodyBytes + 1024, ' ');

  struct Case {
    std::string name, method, path, body, token;
    long status;
    std::string code, field;  // field "" : not checked
  };
  const std::vector<Case> cases = {
      {"enroll not json", "POST", "/v1/enroll", "{code:", "", 400, "bad_json", "body"},
      {"enroll array", "POST", "/v1/enroll", "[1,2]", "", 400, "bad_field", "body"},
      {"enroll missing code", "POST", "/v1/enroll", "{}", "", 400, "bad_field", "code"},
      {"enroll code number", "POST", "/v1/enroll", R"({"code": 12})", "", 400, "bad_field", "code"},
      {"enroll device_id number", "POST", "/v1/enroll", R"({"code": "X", "device_id": 5})", "", 400, "bad_field",
       "device_id"},
      {"enroll huge", "POST", "/v1/enroll", huge, "", 413, "body_too_large", "body"},
      {"login no token", "POST", "/v1/login", R"({"user":"alice","password":"x"})", "", 401, "unauthenticated",
       "Authorization"},
      {"login bad token", "POST", "/v1/login", R"({"user":"alice","password":"x"})", std::string(64, 'a'), 401,
       "unauthenticated", "Authorization"},
      {"login revoked", "POST", "/v1/login", R"({"user":"bob","password":"x"})", revoked.token, 401,
       "unauthenticated", "Authorization"},
      {"login not json", "POST", "/v1/login", "nope", token, 400, "bad_json", "body"},
      {"login missing password", "POST", "/v1/login", R"({"user":"alice"})", token, 400, "bad_field", "password"},
      {"login user array", "POST", "/v1/login", R"({"user":[],"password":"x"})", token, 400, "bad_field", "user"},
      {"push no token", "POST", "/v1/push", R"({"events":[]})", "", 401, "unauthenticated", "Authorization"},
      {"push bad token", "POST", "/v1/push", R"({"events":[]})", "garbage", 401, "unauthenticated", "Authorization"},
      {"push revoked", "POST", "/v1/push", R"({"events":[]})", revoked.token, 401, "unauthenticated", ""},
      {"push not json", "POST", "/v1/push", "{\"events\": [", token, 400, "bad_json", "body"},
      {"push events missing", "POST", "/v1/push", "{}", token, 400, "bad_field", "events"},
      {"push events object", "POST", "/v1/push", R"({"events":{}})", token, 400, "bad_field", "events"},
      {"push event not object", "POST", "/v1/push", R"({"events":[7]})", token, 400, "bad_event", ""},
      {"push event missing id", "POST", "/v1/push", without("id"), token, 400, "bad_event", "events[0].id"},
      {"push event missing kind", "POST", "/v1/push", without("kind"), token, 400, "bad_event", "events[0].kind"},
      {"push event seq string", "POST", "/v1/push", with("seq", "1"), token, 400, "bad_event", "events[0].seq"},
      {"push event bad hlc", "POST", "/v1/push", with("hlc", "zz"), token, 400, "bad_event", "events[0].hlc"},
      {"push event float payload", "POST", "/v1/push", with("payload", Json{{"x", 1.5}}), token, 400, "bad_event",
       ""},
      {"push too many", "POST", "/v1/push", too_many.dump(), token, 413, "batch_too_large", "events"},
      {"push huge", "POST", "/v1/push", huge, token, 413, "body_too_large", "body"},
      {"pull no token", "GET", "/v1/pull", "", "", 401, "unauthenticated", "Authorization"},
      {"pull revoked", "GET", "/v1/pull", "", revoked.token, 401, "unauthenticated", ""},
      {"pull bad cursor", "GET", "/v1/pull?after=abc", "", token, 400, "bad_field", "after"},
      {"pull negative cursor", "GET", "/v1/pull?after=-4", "", token, 400, "bad_field", "after"},
      {"pull limit zero", "GET", "/v1/pull?limit=0", "", token, 400, "bad_field", "limit"},
      {"pull wait text", "GET", "/v1/pull?wait=soon", "", token, 400, "bad_field", "wait"},
      {"unknown path", "GET", "/v2/everything", "", token, 404, "not_found", ""},
  };
  const std::int64_t before = ServerEvents();
  for (const Case& c : cases) {
    HttpResponse r = server_->Request(c.method, c.path, c.body, c.token);
    EXPECT_EQ(c.status, r.status) << c.name << ": " << r.body.substr(0, 300) << r.error;
    EXPECT_EQ(c.code, r.error_code()) << c.name << ": " << r.body.substr(0, 300);
    Json j = r.json();
    ASSERT_TRUE(j.is_object()) << c.name;
    EXPECT_TRUE(j["error"]["message"].is_string()) << c.name;
    EXPECT_TRUE(j["error"]["message_zh"].is_string()) << c.name;
    if (!c.field.empty()) {
      EXPECT_EQ(c.field, j["error"]["field"]) << c.name << ": " << r.body.substr(0, 300);
    }
  }
  EXPECT_EQ(before, ServerEvents());
  // The good event was never stored by any of those; it still pushes.
  EXPECT_EQ(200, Push(*alice, good).status);
}

// --- Operations ---

TEST_F(ServerHttpTest, HealthAndMetricsReportTheTraffic) {
  auto alice = SignedInPhone("alice");
  ASSERT_EQ(200, Push(*alice, ReportRepair(*alice, "counted")).status);
  HttpResponse health = server_->Request("GET", "/healthz");
  ASSERT_EQ(200, health.status);
  EXPECT_TRUE(health.json()["ok"].get<bool>());
  HttpResponse metrics = server_->Request("GET", "/metrics");
  ASSERT_EQ(200, metrics.status);
  for (const char* line : {"houqin_requests_total{path=\"/v1/push\",status=\"200\"} 1", "houqin_pushes_total 1",
                           "houqin_events_accepted_total 1", "houqin_events_refused_total 0",
                           "houqin_devices_connected 1", "houqin_push_latency_ms_count 1"})
    EXPECT_NE(std::string::npos, metrics.body.find(line)) << line << "\n" << metrics.body;
}

TEST_F(ServerHttpTest, SigtermFinishesCleanlyAndTheDatabaseChecksOut) {
  auto alice = SignedInPhone("alice");
  const std::vector<Event> events = ReportRepair(*alice, "before shutdown");
  HttpResponse pushed = Push(*alice, events);
  ASSERT_EQ(200, pushed.status);
  const std::int64_t stored = ServerEvents();
  EXPECT_EQ(0, server_->Terminate());
  EXPECT_EQ("ok", IntegrityCheck(server_->db_path()));
  EXPECT_EQ(stored, CountEvents(server_->db_path()));
  EXPECT_NE(std::string::npos, server_->LogTail().find("houqin-server stopped"));
  // It starts again on the same data and knows the event it acknowledged.
  ASSERT_EQ("", server_->Start());
  HttpResponse again = Push(*alice, events);
  ASSERT_EQ(200, again.status) << again.body;
  EXPECT_TRUE(again.json()["acks"][0]["duplicate"].get<bool>());
  EXPECT_EQ(pushed.json()["acks"][0]["seq"], again.json()["acks"][0]["seq"]);
}

}  // namespace
}  // namespace houqin
