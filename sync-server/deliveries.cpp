#include "deliveries.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_set>

namespace houqin::server {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS srv_deliveries(
  scope TEXT NOT NULL, dseq INTEGER NOT NULL, pos INTEGER NOT NULL, last_day INTEGER,
  PRIMARY KEY(scope, dseq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS srv_record_keys(
  type TEXT NOT NULL, id TEXT NOT NULL, keys TEXT NOT NULL, PRIMARY KEY(type, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS srv_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
)sql";

// Before, a record's keys were a row each (srv_record_scopes); one row per record writes a fifth as many.
constexpr const char* kMergeScopeRows = R"sql(
INSERT OR IGNORE INTO srv_record_keys(type, id, keys)
  SELECT type, id, json_group_array(scope) FROM srv_record_scopes GROUP BY type, id;
DROP TABLE srv_record_scopes;
)sql";

// A record's keys are a JSON array of strings.
Result<std::set<std::string>> ParseKeys(std::string_view text) {
  const Json j = Json::parse(text, nullptr, false);
  const Status damaged = Status::Corruption({"a record's delivery keys are damaged", "记录的投递键已损坏"});
  if (!j.is_array()) return damaged;
  std::set<std::string> keys;
  for (const Json& k : j) {
    if (!k.is_string()) return damaged;
    keys.insert(k.get<std::string>());
  }
  return keys;
}

Status CreateTables(sql::Db& db) {
  if (Status s = db.Exec("PRAGMA journal_mode = WAL"); !s.ok()) return s;
  if (Status s = db.Exec(kSchema); !s.ok()) return s;
  const auto has_scope_rows = [&db] {
    sql::Stmt q = db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'srv_record_scopes'");
    return q.Step() == SQLITE_ROW;
  };
  if (!has_scope_rows()) return Status::Ok();
  if (Status s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  // Another connection may have merged them first.
  if (has_scope_rows())
    if (Status s = db.Exec(kMergeScopeRows); !s.ok()) {
      (void)db.Exec("ROLLBACK");
      return s;
    }
  return db.Exec("COMMIT");
}

std::int64_t ReadMeta(sql::Db& db, const char* key, std::int64_t fallback) {
  sql::Stmt s = db.Prepare("SELECT value FROM srv_meta WHERE key = ?");
  s.Bind(1, std::string_view(key));
  return s.Step() == SQLITE_ROW ? s.Int(0) : fallback;
}

}  // namespace

Status OpenReadConnection(sql::Db& db, const std::string& db_path) {
  if (Status s = db.Open(db_path); !s.ok()) return s;
  return CreateTables(db);
}

DeliveryIndex::~DeliveryIndex() = default;

Result<std::unique_ptr<DeliveryIndex>> DeliveryIndex::Open(const std::string& db_path) {
  std::unique_ptr<DeliveryIndex> index(new DeliveryIndex());
  if (Status s = index->db_.Open(db_path); !s.ok()) return s;
  if (Status s = CreateTables(index->db_); !s.ok()) return s;
  // The index can always be rebuilt from the events past indexed_through, so
  // its commits need not wait for the disk like the Store's do.
  if (Status s = index->db_.Exec("PRAGMA synchronous = NORMAL"); !s.ok()) return s;
  index->indexed_through_ = ReadMeta(index->db_, "indexed_through", 0);
  index->next_dseq_ = ReadMeta(index->db_, "next_dseq", 1);
  return index;
}

Status DeliveryIndex::Plan(Store& store, Pass& pass) {
  // Which records the new events touch, in the order of their first new event.
  std::vector<RecordKey> order;
  std::map<RecordKey, std::vector<std::int64_t>> new_positions;
  pass.through = indexed_through_;
  Status walk = store.ForEachEventRecord(indexed_through_, [&](std::int64_t pos, const RecordKey& key) {
    auto [it, inserted] = new_positions.try_emplace(key);
    if (inserted) order.push_back(key);
    it->second.push_back(pos);
    pass.through = pos;
  });
  if (!walk.ok()) return walk;
  if (order.empty()) return Status::Ok();

  sql::Stmt known = db_.Prepare("SELECT keys FROM srv_record_keys WHERE type = ? AND id = ?");
  if (!known.valid()) return db_.ErrorStatus("read record keys");
  // Keys this pass already gave a record (a record can be evaluated twice: for its events, then as a dependent).
  std::map<RecordKey, std::set<std::string>> planned;
  const auto keys_of = [&](const RecordKey& key) -> Result<std::set<std::string>> {
    if (auto it = planned.find(key); it != planned.end()) return it->second;
    known.Bind(1, key.type).Bind(2, key.id);
    Result<std::set<std::string>> had = std::set<std::string>{};
    if (known.Step() == SQLITE_ROW) had = ParseKeys(known.Text(0));
    known.Reset();
    return had;
  };
  std::int64_t dseq = next_dseq_;
  const std::vector<std::int64_t> none;
  const auto rows_under = [&](const std::string& scope, std::optional<Date> last_day,
                              const std::vector<std::int64_t>& positions) {
    for (std::int64_t pos : positions)
      pass.rows.push_back({scope, dseq++, pos,
                           last_day ? std::optional<std::int64_t>(last_day->DaysSinceEpoch()) : std::nullopt});
  };
  // One record: its keys now against the keys it had, and its new events (`fresh`, none for a dependent).
  const auto evaluate = [&](const RecordView& record, const std::vector<std::int64_t>& fresh) -> Status {
    const RecordKey& key = record.key;
    const std::vector<sync::ScopeKey> scopes = sync::RecordScopes(store, record);
    auto had_keys = keys_of(key);
    if (!had_keys) return had_keys.status();
    std::set<std::string> had = std::move(*had_keys);
    std::vector<std::string> now;
    now.reserve(scopes.size());
    for (const sync::ScopeKey& scope : scopes) now.push_back(scope.key);
    std::sort(now.begin(), now.end());
    const bool same_keys = std::equal(now.begin(), now.end(), had.begin(), had.end());

    const bool had_none = had.empty();
    std::vector<std::int64_t> history;  // every position of the record, fetched once if a key is new
    for (const sync::ScopeKey& scope : scopes) {
      const bool is_new = !had.contains(scope.key);
      had.erase(scope.key);
      // A record first seen in this pass (every record is under `all` once indexed) has no history
      // beyond its fresh events: no need to read it back.
      if (is_new && history.empty() && had_none) history = fresh;
      if (is_new && history.empty()) {
        auto events = store.EventsOf(key.type, key.id);
        if (!events.ok()) return events.status();
        std::vector<std::string> ids;
        ids.reserve(events->size());
        for (const Event& e : *events) ids.push_back(e.id);
        auto positions = store.PositionsOf(ids);
        if (!positions.ok()) return positions.status();
        for (std::int64_t p : *positions)
          if (p > 0 && p <= pass.through) history.push_back(p);
        std::sort(history.begin(), history.end());
        history.erase(std::unique(history.begin(), history.end()), history.end());
      }
      rows_under(scope.key, scope.last_day, is_new ? history : fresh);
    }
    // Keys the record lost: the change that took them away is the last thing delivered under them (the old
    // driver's phone sees the trip was reassigned), then the key is forgotten, so that a record that gains it
    // back is delivered whole again and fills the gap. What a device already received stays on it.
    for (const std::string& lost : had) rows_under(lost, std::nullopt, fresh);
    if (!same_keys) {
      pass.keys.push_back({key, Json(now).dump(-1, ' ', false, Json::error_handler_t::replace)});
      planned[key] = std::set<std::string>(now.begin(), now.end());
    }
    return Status::Ok();
  };
  // The records with new events, then the records whose keys read theirs (a trip reassigned to another driver
  // moves its requests too).
  sync::ScopeDependents dependents;
  for (const RecordKey& key : order) {
    auto view = store.Get(key.type, key.id);
    if (!view.ok()) return view.status();
    RecordView record;
    if (view->has_value()) {
      record = std::move(**view);
    } else {
      record.key = key;
      record.fields = Json::object();
    }
    dependents.Note(record);
    const std::vector<std::int64_t>& fresh = new_positions[key];
    pass.events += fresh.size();
    if (Status s = evaluate(record, fresh); !s.ok()) return s;
  }
  auto more = dependents.Finish(store);
  if (!more.ok()) return more.status();
  for (const RecordKey& key : *more) {
    auto view = store.Get(key.type, key.id);
    if (!view.ok()) return view.status();
    if (!view->has_value()) continue;
    if (Status s = evaluate(**view, none); !s.ok()) return s;
  }
  pass.next_dseq = dseq;
  return Status::Ok();
}

Status DeliveryIndex::Write(const Pass& pass) {
  if (Status s = db_.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  auto fail = [&](Status s) {
    (void)db_.Exec("ROLLBACK");
    return s;
  };
  sql::Stmt deliver = db_.Prepare("INSERT INTO srv_deliveries(scope, dseq, pos, last_day) VALUES(?,?,?,?)");
  for (const Pass::Row& row : pass.rows) {
    deliver.Bind(1, row.scope).Bind(2, row.dseq).Bind(3, row.pos);
    if (row.last_day) {
      deliver.Bind(4, *row.last_day);
    } else {
      deliver.BindNull(4);
    }
    if (deliver.Run() != SQLITE_DONE) return fail(db_.ErrorStatus("index deliveries"));
  }
  sql::Stmt remember = db_.Prepare("INSERT OR REPLACE INTO srv_record_keys(type, id, keys) VALUES(?,?,?)");
  for (const auto& [key, keys] : pass.keys) {
    remember.Bind(1, key.type).Bind(2, key.id).Bind(3, keys);
    if (remember.Run() != SQLITE_DONE) return fail(db_.ErrorStatus("index record keys"));
  }
  sql::Stmt meta = db_.Prepare("INSERT OR REPLACE INTO srv_meta(key, value) VALUES(?, ?)");
  meta.Bind(1, std::string_view("indexed_through")).Bind(2, pass.through);
  if (meta.Run() != SQLITE_DONE) return fail(db_.ErrorStatus("index meta"));
  meta.Bind(1, std::string_view("next_dseq")).Bind(2, pass.next_dseq);
  if (meta.Run() != SQLITE_DONE) return fail(db_.ErrorStatus("index meta"));
  if (Status s = db_.Exec("COMMIT"); !s.ok()) return fail(s);
  return Status::Ok();
}

Result<std::size_t> DeliveryIndex::IndexNew(Store& store, std::mutex* write_lock) {
  Pass pass;
  if (Status s = store.ReadSnapshot([&] { return Plan(store, pass); }); !s.ok()) return s;
  if (pass.through == indexed_through_) return std::size_t{0};
  {
    std::unique_lock<std::mutex> lock;
    if (write_lock != nullptr) lock = std::unique_lock(*write_lock);
    if (Status s = Write(pass); !s.ok()) return s;
  }
  indexed_through_ = pass.through;
  next_dseq_ = pass.next_dseq;
  return pass.events;
}

Status DeliveryIndex::Checkpoint() { return db_.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

Result<PullPage> ReadPage(sql::Db& db, const std::vector<sync::ReadScope>& scopes, std::int64_t after, int limit,
                          std::int64_t today_days) {
  struct Row {
    std::int64_t dseq, pos;
    bool skip;
  };
  PullPage page;
  page.cursor = after;
  // One read transaction, so that every scope is read at the same snapshot.
  if (Status s = db.Exec("BEGIN"); !s.ok()) return s;
  std::vector<Row> rows;
  // A scope that filled its limit may hold more past its last row: nothing
  // beyond the smallest such row is known to be complete.
  std::int64_t complete_through = INT64_MAX;
  sql::Stmt q = db.Prepare(
      "SELECT dseq, pos, last_day FROM srv_deliveries WHERE scope = ? AND dseq > ? ORDER BY dseq LIMIT ?");
  if (!q.valid()) {
    Status s = db.ErrorStatus("read deliveries");
    (void)db.Exec("ROLLBACK");
    return s;
  }
  for (const sync::ReadScope& scope : scopes) {
    q.Bind(1, scope.key).Bind(2, after).Bind(3, static_cast<std::int64_t>(limit));
    int n = 0;
    std::int64_t last = 0;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      const bool expired = scope.bounded && !q.IsNull(2) && q.Int(2) < today_days - 1;
      rows.push_back({q.Int(0), q.Int(1), expired});
      last = q.Int(0);
      ++n;
    }
    q.Reset();
    if (rc != SQLITE_DONE) {
      Status s = db.ErrorStatus("read deliveries");
      (void)db.Exec("ROLLBACK");
      return s;
    }
    if (n >= limit) complete_through = std::min(complete_through, last);
  }
  (void)db.Exec("COMMIT");
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.dseq < b.dseq; });
  std::unordered_set<std::int64_t> seen;
  int taken = 0;
  for (const Row& row : rows) {
    if (row.dseq > complete_through || taken >= limit) {
      page.more = true;
      break;
    }
    ++taken;
    page.cursor = row.dseq;
    if (!row.skip && seen.insert(row.pos).second) page.positions.push_back(row.pos);
  }
  if (complete_through != INT64_MAX) page.more = true;
  return page;
}

}  // namespace houqin::server
