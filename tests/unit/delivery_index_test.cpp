// The server's delivery index on a real store file: a record's keys kept in
// one row, and a file written by the server before that (a row per key)
// merged on open without delivering any record's history again.
#include "deliveries.h"

#include <gtest/gtest.h>

#include <set>

#include "directory/directory.h"
#include "domain.h"
#include "engine/store.h"
#include "test_support.h"

namespace houqin::server {
namespace {

// The keys column: a JSON array of the record's scope keys.
std::set<std::string> Keys(const std::string& text) {
  const Json j = Json::parse(text, nullptr, false);
  return j.is_array() ? j.get<std::set<std::string>>() : std::set<std::string>{};
}

struct DeliveryIndexTest : ::testing::Test {
  DeliveryIndexTest() {
    StoreOptions o;
    o.domain = domain.get();
    o.act_as_device = "test-import";
    auto s = Store::Open(path, o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    store = std::move(*s);
  }
  void Submit(const std::string& request, const Author& who) {
    auto r = store->Append(
        {{who, {"car_request", request, "request.submitted",
                {{"department", "d1"}, {"kind", "ordinary"}, {"passengers", 1}, {"departure", "2026-12-01T09:00"},
                 {"return_time", "2026-12-01T11:00"}, {"origin", "机关大院"}, {"destination", "市档案馆"},
                 {"purpose", "递送文件"}, {"estimated_km", 12}, {"work_required", false}, {"at", "2026-11-30T17:00"}}}}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::string KeysText(sql::Db& db, const std::string& id) {
    sql::Stmt q = db.Prepare("SELECT keys FROM srv_record_keys WHERE type = 'car_request' AND id = ?");
    q.Bind(1, id);
    return q.Step() == SQLITE_ROW ? std::string(q.Text(0)) : std::string();
  }
  std::int64_t Count(sql::Db& db, const std::string& sql) {
    sql::Stmt q = db.Prepare(sql);
    return q.Step() == SQLITE_ROW ? q.Int(0) : -1;
  }

  testing::TempDir dir;
  std::string path = dir.File("server.db");
  std::unique_ptr<Domain> domain = MakeDomain();
  std::unique_ptr<Store> store;
  Author staff{"u1", "staff", ""};
};

TEST_F(DeliveryIndexTest, ARecordsKeysAreOneRowAndFollowItsEvents) {
  Submit("r1", staff);
  auto index = DeliveryIndex::Open(path);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  ASSERT_EQ(*(*index)->IndexNew(*store), 1u);
  sql::Db db;
  ASSERT_TRUE(db.Open(path).ok());
  const std::set<std::string> keys = Keys(KeysText(db, "r1"));
  EXPECT_TRUE(keys.contains("user:u1")) << "the requester sees their request";
  EXPECT_TRUE(keys.contains("dept:d1"));
  EXPECT_EQ(Count(db, "SELECT count(*) FROM srv_record_keys"), 1);
  EXPECT_EQ(Count(db, "SELECT count(*) FROM srv_deliveries"), static_cast<std::int64_t>(keys.size()));

  auto page = ReadPage(db, {{"user:u1", false}}, 0, 100, 0);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->positions, std::vector<std::int64_t>{1});
  auto other = ReadPage(db, {{"user:u2", false}}, 0, 100, 0);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->positions.empty()) << "nobody else's phone receives it";
}

TEST_F(DeliveryIndexTest, KeysKeptARowEachAreMergedOnOpenAndHistoryIsNotSentAgain) {
  Submit("r1", staff);
  Submit("r2", Author{"u2", "staff", ""});
  std::set<std::string> before;
  {
    auto index = DeliveryIndex::Open(path);
    ASSERT_TRUE(index.ok());
    ASSERT_EQ(*(*index)->IndexNew(*store), 2u);
  }
  {
    // The file as the previous server left it: a row per (record, key).
    sql::Db db;
    ASSERT_TRUE(db.Open(path).ok());
    before = Keys(KeysText(db, "r1"));
    ASSERT_FALSE(before.empty());
    ASSERT_TRUE(db.Exec("CREATE TABLE srv_record_scopes(type TEXT NOT NULL, id TEXT NOT NULL, scope TEXT NOT NULL, "
                        "PRIMARY KEY(type, id, scope)) WITHOUT ROWID")
                    .ok());
    for (const char* id : {"r1", "r2"})
      for (const std::string& k : Keys(KeysText(db, id))) {
        sql::Stmt ins = db.Prepare("INSERT INTO srv_record_scopes VALUES('car_request', ?, ?)");
        ins.Bind(1, std::string_view(id)).Bind(2, k);
        ASSERT_EQ(ins.Run(), SQLITE_DONE);
      }
    ASSERT_TRUE(db.Exec("DROP TABLE srv_record_keys").ok());
  }
  auto index = DeliveryIndex::Open(path);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  sql::Db db;
  ASSERT_TRUE(db.Open(path).ok());
  EXPECT_EQ(Count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'srv_record_scopes'"), 0);
  EXPECT_EQ(Keys(KeysText(db, "r1")), before);
  EXPECT_EQ(Count(db, "SELECT count(*) FROM srv_record_keys"), 2);

  // A new event of r1 goes once under each key it already had: its first event is not delivered again.
  const std::int64_t rows = Count(db, "SELECT count(*) FROM srv_deliveries");
  ASSERT_TRUE(store->Append({{staff, {"car_request", "r1", "request.cancelled", {{"reason", "会议取消"}}}}}).ok());
  ASSERT_EQ(*(*index)->IndexNew(*store), 1u);
  EXPECT_EQ(Count(db, "SELECT count(*) FROM srv_deliveries"), rows + static_cast<std::int64_t>(before.size()));
  EXPECT_EQ(Count(db, "SELECT count(*) FROM srv_deliveries WHERE pos = 1"), static_cast<std::int64_t>(before.size()));
}

// The server's indexer reads through a Store of its own while the writer's
// Store commits: what it had cached of a record must not outlive the commit.
TEST_F(DeliveryIndexTest, AnIndexerReadingThroughItsOwnStoreSeesTheWritersCommits) {
  StoreOptions o;
  o.domain = domain.get();
  auto opened = Store::Open(path, o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Store> reads = std::move(*opened);
  auto index = DeliveryIndex::Open(path);
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE(store->Append({{staff, {"repair", "rep-1", "repair.reported",
                                      {{"location", {{"building", "1号楼"}, {"room", "302"}}},
                                       {"description", "灯不亮"}, {"urgency", "normal"},
                                       {"at", "2026-11-30T09:00"}}}}})
                  .ok());
  ASSERT_EQ(*(*index)->IndexNew(*reads), 1u);
  ASSERT_TRUE(reads->Get("repair", "rep-1").ok());  // the indexer's store holds the record now
  sql::Db db;
  ASSERT_TRUE(db.Open(path).ok());
  const auto keys_of_job = [&] {
    sql::Stmt q = db.Prepare("SELECT keys FROM srv_record_keys WHERE type = 'repair' AND id = 'rep-1'");
    return q.Step() == SQLITE_ROW ? Keys(std::string(q.Text(0))) : std::set<std::string>{};
  };
  EXPECT_FALSE(keys_of_job().contains("user:t9"));

  const Author coordinator{"coord", std::string(role::kRepairCoordinator), ""};
  ASSERT_TRUE(store->Append({{coordinator, {"repair", "rep-1", "repair.triaged", {{"size", "small"}}}},
                             {coordinator,
                              {"repair", "rep-1", "repair.assigned", {{"technician", "t9"}, {"at", "2026-11-30T09:30"}}}}})
                  .ok());
  ASSERT_EQ(*(*index)->IndexNew(*reads), 2u);
  EXPECT_TRUE(keys_of_job().contains("user:t9")) << "the technician's phone receives the job it was given";
  auto page = ReadPage(db, {{"user:t9", false}}, 0, 100, 0);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->positions, (std::vector<std::int64_t>{1, 2, 3})) << "the job's whole history, in order";
}

TEST_F(DeliveryIndexTest, DamagedKeysAreReportedNotGuessed) {
  Submit("r1", staff);
  auto index = DeliveryIndex::Open(path);
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->IndexNew(*store).ok());
  sql::Db db;
  ASSERT_TRUE(db.Open(path).ok());
  ASSERT_TRUE(db.Exec("UPDATE srv_record_keys SET keys = '[\"all\", 7'").ok());
  ASSERT_TRUE(store->Append({{staff, {"car_request", "r1", "request.cancelled", {{"reason", "会议取消"}}}}}).ok());
  auto indexed = (*index)->IndexNew(*store);
  ASSERT_FALSE(indexed.ok());
  EXPECT_TRUE(indexed.status().IsCorruption()) << indexed.status().ToString();
}

}  // namespace
}  // namespace houqin::server
