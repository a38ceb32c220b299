// The engine's parts that sync stands on: the server's verdicts folded the
// same on every replica, a push and its verdicts in one transaction, arrival
// positions, the outbox, cursors in meta, a second process writing the same
// file, and the read-only event reader the server's pulls use.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "engine/event_reader.h"
#include "engine/sqlite.h"
#include "engine/store.h"
#include "sync/protocol.h"
#include "test_support.h"
#include "util/uuid.h"

namespace houqin {
namespace {

// A note with a title, last writer wins; enough to see a refused edit vanish.
class NoteFold final : public EntityFold {
 public:
  std::string_view type() const override { return "note"; }
  void Apply(RecordState& r, const Event& e) const override {
    for (const auto& [k, v] : e.payload.items()) r.fields[k] = v;
  }
};

struct EngineSync : ::testing::Test {
  EngineSync() { domain.Add(std::make_unique<NoteFold>()); }
  std::unique_ptr<Store> Open(const std::string& name, const std::string& device = "",
                              const std::string& act_as = "") {
    StoreOptions o;
    o.domain = &domain;
    o.clock = &clock;
    o.device_id = device;
    o.act_as_device = act_as;
    auto s = Store::Open(dir.File(name), o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::vector<Event> All(Store& s) {
    std::vector<Event> out;
    EXPECT_TRUE(s.ForEachEvent(0, [&](std::int64_t, const Event& e) {
                   out.push_back(e);
                   return true;
                 }).ok());
    return out;
  }
  Domain domain;
  ManualClock clock;
  testing::TempDir dir;
  Author staff{"u1", "staff", ""};
  Author server{"server", std::string(kServerRole), ""};
};

TEST_F(EngineSync, RefusedEventIsKeptButFoldedAsAbsentOnEveryReplica) {
  auto device = Open("device.db", "dev-1");
  auto srv = Open("server.db", "srv");
  ASSERT_TRUE(device->Append(staff, {{"note", "n1", "note.written", {{"title", "first"}}}}).ok());
  auto edit = device->Append(staff, {{"note", "n1", "note.written", {{"title", "forbidden"}}}});
  ASSERT_TRUE(edit.ok());
  const Event refused = edit->events[0];

  // The server stores the push and its verdict in one transaction.
  auto pushed = All(*device);
  auto judged = srv->IngestThenAppend(
      pushed, {{server, RefusalDraft(refused, Status::Refused("role", {"staff may not edit", "职员不可修改"}))}});
  ASSERT_TRUE(judged.ok()) << judged.status().ToString();
  ASSERT_EQ(judged->events.size(), 1u);
  EXPECT_EQ(judged->events[0].kind, kServerRefusedKind);
  EXPECT_EQ(judged->events[0].author.device, "srv");
  EXPECT_GT(judged->events[0].hlc, refused.hlc) << "a verdict sorts after the event it judges";

  auto on_server = srv->Get("note", "n1");
  ASSERT_TRUE(on_server.ok() && *on_server);
  EXPECT_EQ((*on_server)->fields["title"], "first");
  ASSERT_EQ((*on_server)->refusals.size(), 1u);
  EXPECT_EQ((*on_server)->refusals[0].event, refused.id);
  EXPECT_EQ((*on_server)->refusals[0].field, "role");
  EXPECT_EQ((*on_server)->refusals[0].reason.zh, "职员不可修改");
  EXPECT_EQ(All(*srv).size(), 3u) << "the refused event is stored, not dropped";

  // The author's device had folded its own edit; the verdict undoes it there too.
  auto before = device->Get("note", "n1");
  EXPECT_EQ((*before)->fields["title"], "forbidden");
  auto cs = device->Ingest(judged->events);
  ASSERT_TRUE(cs.ok());
  EXPECT_EQ(cs->refolded, 1u);
  auto after = device->Get("note", "n1");
  EXPECT_EQ((*after)->fields["title"], "first");
  EXPECT_EQ(*device->StateHash(), *srv->StateHash());
  EXPECT_TRUE(device->VerifyMaterialized().ok());

  // A replica that receives the verdict before the event agrees as well.
  auto third = Open("third.db", "dev-3");
  auto everything = All(*srv);
  std::reverse(everything.begin(), everything.end());
  for (const auto& e : everything) ASSERT_TRUE(third->Ingest({e}).ok());
  EXPECT_EQ(*third->StateHash(), *srv->StateHash());
  EXPECT_TRUE(third->VerifyMaterialized().ok());
}

TEST_F(EngineSync, VerdictFromADeviceChangesNothing) {
  auto store = Open("a.db", "dev-1");
  auto made = store->Append(staff, {{"note", "n1", "note.written", {{"title", "mine"}}}});
  ASSERT_TRUE(made.ok());
  // A device forging a verdict with an ordinary role: kept, ignored by the fold.
  ASSERT_TRUE(store->Append(staff, {RefusalDraft(made->events[0], Status::Refused("x", {"forged", "伪造"}))}).ok());
  auto v = store->Get("note", "n1");
  EXPECT_EQ((*v)->fields["title"], "mine");
  EXPECT_TRUE((*v)->refusals.empty());
}

TEST_F(EngineSync, PositionsAreTheFirstArrivalAndDuplicatesKeepThem) {
  auto device = Open("device.db", "dev-1");
  auto srv = Open("server.db", "srv");
  ASSERT_TRUE(device->Append(staff, {{"note", "n1", "note.written", {{"title", "a"}}},
                                     {"note", "n2", "note.written", {{"title", "b"}}}})
                  .ok());
  auto events = All(*device);
  ASSERT_TRUE(srv->Ingest(events).ok());
  auto first = srv->PositionsOf({events[0].id, events[1].id, NewUuidV7(1), "not-a-uuid"});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)[0], 1);
  EXPECT_EQ((*first)[1], 2);
  EXPECT_EQ((*first)[2], 0);
  EXPECT_EQ((*first)[3], 0);
  auto again = srv->Ingest(events);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicates, 2u);
  EXPECT_EQ(*srv->PositionsOf({events[1].id}), std::vector<std::int64_t>{2});
  EXPECT_EQ(*srv->LastPosition(), 2);

  // IngestThenAppend names each remote event's position: a held one its first, a new one (twice in the
  // batch) where it went; the appended verdict comes after them.
  ASSERT_TRUE(device->Append(staff, {{"note", "n3", "note.written", {{"title", "c"}}}}).ok());
  const Event fresh = All(*device).back();
  std::vector<Event> batch{events[1], fresh, fresh};
  auto mixed = srv->IngestThenAppend(std::move(batch), {{server, RefusalDraft(fresh, Status::Refused("title", {"no", "不"}))}});
  ASSERT_TRUE(mixed.ok()) << mixed.status().ToString();
  EXPECT_EQ(mixed->remote_positions, (std::vector<std::int64_t>{2, 3, 3}));
  ASSERT_EQ(mixed->events.size(), 1u) << "only the appended events are handed back";
  EXPECT_EQ(*srv->PositionsOf({mixed->events[0].id}), std::vector<std::int64_t>{4});
}

TEST_F(EngineSync, OutboxListsOnlyOwnEventsAfterTheCursor) {
  auto a = Open("a.db", "dev-a");
  auto b = Open("b.db", "dev-b");
  ASSERT_TRUE(a->Append(staff, {{"note", "n1", "note.written", {{"title", "a1"}}}}).ok());
  ASSERT_TRUE(b->Append(staff, {{"note", "n2", "note.written", {{"title", "b1"}}}}).ok());
  ASSERT_TRUE(a->Ingest(All(*b)).ok());  // pulled: not a's to push
  ASSERT_TRUE(a->Append(staff, {{"note", "n1", "note.written", {{"title", "a2"}}}}).ok());

  std::int64_t scanned = -1;
  auto out = a->OwnEventsAfter(0, 10, &scanned);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].second.payload["title"], "a1");
  EXPECT_EQ((*out)[1].second.payload["title"], "a2");
  EXPECT_EQ((*out)[1].first, 3);
  EXPECT_EQ(scanned, 3);
  EXPECT_EQ(*a->CountOwnEventsAfter(0), 2);
  EXPECT_EQ(*a->CountOwnEventsAfter(1), 1);

  auto page = a->OwnEventsAfter(0, 1, &scanned);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(scanned, 1) << "a full page only vouches for what it returned";
  EXPECT_TRUE(b->OwnEventsAfter(1, 10)->empty());
}

TEST_F(EngineSync, MetaValuesSurviveReopening) {
  {
    auto s = Open("m.db", "dev");
    EXPECT_FALSE(s->GetMeta("sync.pull_cursor")->has_value());
    ASSERT_TRUE(s->SetMeta("sync.pull_cursor", "42").ok());
    ASSERT_TRUE(s->SetMeta("sync.pull_cursor", "43").ok());
  }
  auto s = Open("m.db", "dev");
  EXPECT_EQ(s->GetMeta("sync.pull_cursor")->value_or(""), "43");
  EXPECT_FALSE(s->GetMeta("device_id")->has_value()) << "app keys are kept apart from the engine's";
}

TEST_F(EngineSync, SecondWriterOnTheSameFileIsSeenAndNeverReusesASequence) {
  auto srv = Open("shared.db", "srv");
  auto admin = Open("shared.db", "", "admin-1");
  ASSERT_EQ(srv->device_id(), "srv");
  ASSERT_EQ(admin->device_id(), "admin-1");
  ASSERT_TRUE(srv->Append(staff, {{"note", "n1", "note.written", {{"title", "by server"}}}}).ok());
  ASSERT_TRUE(srv->Get("note", "n1").ok());  // cached now
  ASSERT_TRUE(admin->Append(staff, {{"note", "n1", "note.written", {{"title", "by admin"}}},
                                    {"note", "n2", "note.written", {{"title", "new"}}}})
                  .ok());
  auto changed = srv->Refresh();
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  EXPECT_FALSE(*srv->Refresh()) << "nothing new since the last look";
  EXPECT_EQ((*srv->Get("note", "n1"))->fields["title"], "by admin");
  // New records made on both sides never collide on an internal row id.
  ASSERT_TRUE(srv->Append(staff, {{"note", "n3", "note.written", {{"title", "s"}}}}).ok());
  ASSERT_TRUE(admin->Append(staff, {{"note", "n4", "note.written", {{"title", "a"}}}}).ok());
  ASSERT_TRUE(srv->Append(staff, {{"note", "n5", "note.written", {{"title", "s2"}}}}).ok());
  auto all = All(*srv);
  ASSERT_EQ(all.size(), 6u);
  std::map<std::string, std::set<std::uint64_t>> seqs;
  for (const auto& e : all) EXPECT_TRUE(seqs[e.author.device].insert(e.seq).second) << e.author.device << e.seq;
  EXPECT_EQ(seqs["admin-1"], (std::set<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(seqs["srv"], (std::set<std::uint64_t>{1, 2, 3}));
  EXPECT_TRUE(srv->VerifyMaterialized().ok());
  admin.reset();
  auto admin_again = Open("shared.db", "", "admin-1");
  auto next = admin_again->Append(staff, {{"note", "n6", "note.written", {{"title", "later"}}}});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->events[0].seq, 4u) << "the acting device's sequence is kept across opens";
}

TEST_F(EngineSync, CommitsToOtherTablesOfTheFileAreNotAnotherWriter) {
  auto srv = Open("beside.db", "srv");
  ASSERT_TRUE(srv->Append(staff, {{"note", "n1", "note.written", {{"title", "by server"}}}}).ok());
  // The server's delivery index commits to its own tables of the same file after every push.
  sql::Db beside;
  ASSERT_TRUE(beside.Open(dir.File("beside.db")).ok());
  ASSERT_TRUE(beside.Exec("CREATE TABLE IF NOT EXISTS srv_side(x INTEGER)").ok());
  ASSERT_TRUE(beside.Exec("INSERT INTO srv_side VALUES(1)").ok());
  auto after_side = srv->Refresh();
  ASSERT_TRUE(after_side.ok());
  EXPECT_FALSE(*after_side) << "no records or events changed";
  ASSERT_TRUE(srv->Append(staff, {{"note", "n1", "note.written", {{"title", "again"}}}}).ok());
  EXPECT_FALSE(*srv->Refresh()) << "its own commit is not an outside one";
  auto admin = Open("beside.db", "", "admin-1");
  ASSERT_TRUE(admin->Append(staff, {{"note", "n1", "note.written", {{"title", "by admin"}}}}).ok());
  ASSERT_TRUE(beside.Exec("INSERT INTO srv_side VALUES(2)").ok());
  EXPECT_TRUE(*srv->Refresh()) << "a Store's commit is seen even when another table changed after it";
  EXPECT_EQ((*srv->Get("note", "n1"))->fields["title"], "by admin");
}

TEST_F(EngineSync, ReaderSeesCommittedEventsFromAnotherThread) {
  auto store = Open("r.db", "dev");
  ASSERT_TRUE(store->Append(staff, {{"note", "n1", "note.written", {{"title", "one"}}},
                                    {"note", "n2", "note.written", {{"title", "two"}}}})
                  .ok());
  auto expected = All(*store);
  std::vector<std::pair<std::int64_t, Event>> got;
  std::int64_t last = 0;
  std::thread reader_thread([&] {
    auto reader = EventReader::Open(dir.File("r.db"));
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    auto read = (*reader)->ReadAt({2, 99, 1});
    ASSERT_TRUE(read.ok());
    got = *read;
    last = *(*reader)->LastPosition();
  });
  reader_thread.join();
  ASSERT_EQ(got.size(), 2u) << "a position not held is skipped";
  EXPECT_EQ(got[0].first, 2);
  EXPECT_EQ(got[0].second, expected[1]);
  EXPECT_EQ(got[1].second, expected[0]);
  EXPECT_EQ(last, 2);
}

// The server renders a pushed event's pull text before storing it and serves
// that text for the stored event: the two must be the same bytes, and the same
// as ToJson(e).dump(), for every kind of payload value the store packs.
TEST_F(EngineSync, PushedEventRendersAsTheStoredOneDoes) {
  const std::string id = NewUuidV7(1767225600000);
  Event pushed;
  pushed.id = id;
  pushed.entity_type = "note";
  pushed.entity_id = "n-\"quoted\"\\";
  pushed.kind = "note.written";
  pushed.author = {"u1", "staff", "dev-a"};
  pushed.seq = 7;
  pushed.hlc = (1767225600000ull << 16) | 3;
  pushed.payload = Json::parse(R"({"title": "会议\n通知\t\u0001", "at": "2026-12-01T09:00", "day": "2026-02-29",
      "n": -42, "big": 18446744073709551615, "yes": true, "none": null, "list": [1, "二", {"k": []}],
      "emoji": "🚗", "empty": {}})");
  const std::string before = sync::EventText(pushed);
  EXPECT_EQ(before, ToJson(pushed).dump());

  auto store = Open("t.db", "server", "server");
  ASSERT_TRUE(store->Ingest({pushed}).ok());
  auto reader = EventReader::Open(dir.File("t.db"));
  ASSERT_TRUE(reader.ok());
  auto read = (*reader)->ReadAt({1});
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(sync::EventText(read->front().second), before);

  // Personal members, in ToJson's (sorted) order.
  Event visitor = pushed;
  visitor.personal = {{"name", "张三"}, {"document", "110101199003078515"}};
  visitor.personal_salt = "00ff";
  visitor.personal_digest = "abcd";
  EXPECT_EQ(sync::EventText(visitor), ToJson(visitor).dump());
  visitor.personal = nullptr;
  visitor.personal_purged = true;
  EXPECT_EQ(sync::EventText(visitor), ToJson(visitor).dump());

  // A page put together from texts is the page PullResponseText makes.
  std::vector<Event> page{pushed, visitor};
  const std::string texts[] = {sync::EventText(pushed), sync::EventText(visitor)};
  EXPECT_EQ(sync::PullResponseFromTexts({texts[0], texts[1]}, 12, true), sync::PullResponseText(page, 12, true));
  const Json parsed = Json::parse(sync::PullResponseFromTexts({}, 5, false));
  EXPECT_EQ(parsed, (Json{{"cursor", "5"}, {"events", Json::array()}, {"more", false}}));
}

}  // namespace
}  // namespace houqin
