#include "engine/store.h"
#include "engine/event_reader.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <unordered_map>

#include "engine/packed.h"
#include "engine/schema.h"
#include "engine/sqlite.h"
#include "util/uuid.h"

namespace houqin {

namespace {

// Entity ids that are UUIDs are stored as 16 bytes; anything else as text.
struct EncodedId {
  bool blob = false;
  std::string bytes;
};

EncodedId EncodeId(const std::string& id) {
  if (auto u = ParseUuid(id)) return {true, std::string(reinterpret_cast<const char*>(u->data()), u->size())};
  return {false, id};
}

std::string DecodeId(const sql::Stmt& st, int col) {
  if (st.Type(col) == SQLITE_BLOB) {
    std::string_view b = st.Blob(col);
    UuidBytes u{};
    if (b.size() == u.size()) {
      std::copy(b.begin(), b.end(), reinterpret_cast<char*>(u.data()));
      return UuidToString(u);
    }
    return std::string(b);
  }
  return std::string(st.Text(col));
}

// A record's event positions (records.evpos, schema 5): ascending, each the
// varint of its distance from the one before (the first from 0).
void AppendPosition(std::string& out, std::int64_t& last, std::int64_t pos) {
  auto delta = static_cast<std::uint64_t>(pos - last);
  last = pos;
  while (delta >= 0x80) {
    out.push_back(static_cast<char>((delta & 0x7f) | 0x80));
    delta >>= 7;
  }
  out.push_back(static_cast<char>(delta));
}

Result<std::vector<std::int64_t>> DecodePositions(std::string_view bytes) {
  auto damaged = [] { return Status::Corruption({"a record's event list is damaged", "记录的事件列表已损坏"}); };
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::vector<std::int64_t> out;
  std::uint64_t pos = 0;
  std::size_t i = 0;
  while (i < bytes.size()) {
    std::uint64_t delta = 0;
    for (int shift = 0;; shift += 7) {
      if (i == bytes.size() || shift > 56) return damaged();
      const auto b = static_cast<unsigned char>(bytes[i++]);
      delta |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) break;
    }
    if (delta == 0 || delta > kMax - pos) return damaged();
    pos += delta;
    out.push_back(static_cast<std::int64_t>(pos));
  }
  return out;
}

void BindId(sql::Stmt& st, int i, const EncodedId& id) {
  if (id.blob) st.BindBlob(i, id.bytes.data(), id.bytes.size());
  else st.Bind(i, id.bytes);
}

Json ConflictToJson(const Conflict& c) {
  return Json{{"kind", c.kind}, {"events", c.events}, {"en", c.reason.en}, {"zh", c.reason.zh}, {"source", c.source}};
}

Conflict ConflictFromJson(const Json& j) {
  Conflict c;
  c.kind = j.value("kind", "");
  c.events = j.value("events", std::vector<std::string>{});
  c.reason = {j.value("en", ""), j.value("zh", "")};
  c.source = j.value("source", "fold");
  return c;
}

// A folded state's members besides its fields: fold conflicts, resolved
// conflict ids, purged-through stamp, refusals (each only when there is one).
Json StateExtras(const RecordState& r) {
  Json j = Json::object();
  if (!r.conflicts.empty()) {
    Json cs = Json::array();
    for (const auto& c : r.conflicts) cs.push_back(ConflictToJson(c));
    j["c"] = std::move(cs);
  }
  if (!r.resolved.empty()) j["r"] = r.resolved;
  if (r.purged_through != 0) j["p"] = r.purged_through;
  if (!r.refused.empty()) {
    Json x = Json::object();
    for (const auto& [id, ref] : r.refused) x[id] = Json{{"f", ref.field}, {"en", ref.reason.en}, {"zh", ref.reason.zh}};
    j["x"] = std::move(x);
  }
  return j;
}

// The canonical JSON form of a folded state: what the state hash covers and
// what schema 3 and earlier stored as text.
Json StateToJson(const RecordState& r) {
  Json j = StateExtras(r);
  j["f"] = r.fields;
  return j;
}

std::string SerializeState(const RecordState& r) { return StateToJson(r).dump(); }

// The same object as StateToJson, packed without copying the fields first
// (a state is written once per record per batch: the copy would cost more than the packing).
Result<std::string> PackState(const RecordState& r, packed::KeyTable& keys) {
  packed::Writer w(keys);
  const Json extras = StateExtras(r);
  w.ObjectHeader(1 + extras.size());
  if (Status s = w.Key("f"); !s.ok()) return s;
  if (Status s = w.Value(r.fields); !s.ok()) return s;
  for (const auto& [k, v] : extras.items()) {
    if (Status s = w.Key(k); !s.ok()) return s;
    if (Status s = w.Value(v); !s.ok()) return s;
  }
  return w.Take();
}

void StateFromJson(const Json& j, RecordState& r) {
  if (j.is_discarded() || !j.is_object()) return;
  r.fields = j.value("f", Json::object());
  r.conflicts.clear();
  if (auto it = j.find("c"); it != j.end())
    for (const auto& c : *it) r.conflicts.push_back(ConflictFromJson(c));
  r.resolved.clear();
  if (auto it = j.find("r"); it != j.end())
    for (const auto& id : *it) r.resolved.insert(id.get<std::string>());
  r.purged_through = 0;
  if (auto it = j.find("p"); it != j.end() && it->is_number_unsigned()) r.purged_through = it->get<std::uint64_t>();
  r.refused.clear();
  if (auto it = j.find("x"); it != j.end() && it->is_object())
    for (const auto& [id, ref] : it->items())
      r.refused.emplace(id, Refusal{id, ref.value("f", ""), {ref.value("en", ""), ref.value("zh", "")}});
}

// Object keys of packed columns are names of the names table. A reader
// resolves them; only the store's writer interns new ones.
template <typename NameOf>
class NameKeys final : public packed::KeyTable {
 public:
  explicit NameKeys(NameOf& name_of) : name_of_(name_of) {}
  Result<std::int64_t> IdOf(const std::string& key) override {
    return Status::Invalid("key", {"cannot add the key " + key + " while reading", "读取时不能新增键 " + key});
  }
  Result<std::string> KeyOf(std::int64_t id) override { return name_of_(id); }

 private:
  NameOf& name_of_;
};

// A JSON column of the store: packed (a BLOB), or JSON text as files of schema 3 and earlier hold it.
template <typename NameOf>
Result<Json> ReadJsonColumn(const sql::Stmt& q, int col, NameOf&& name_of) {
  if (q.Type(col) == SQLITE_BLOB) {
    NameKeys<NameOf> keys(name_of);
    return packed::Read(q.Blob(col), keys);
  }
  Json j = Json::parse(q.Text(col), nullptr, false);
  if (j.is_discarded()) return Status::Corruption({"a stored JSON value is damaged", "存储的JSON值已损坏"});
  return j;
}

std::string HexBytes(std::string_view hex) {
  auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<char>(nib(hex[2 * i]) << 4 | nib(hex[2 * i + 1]));
  return out;
}

std::string BytesHex(std::string_view bytes) {
  return ToHex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

// Re-attaches the personal part of an event read with the columns
// (pdigest, personal.salt, personal.data) from `col`: none, the data, or purged.
Status ReadPersonal(const sql::Stmt& st, int col, Event& e) {
  if (st.IsNull(col)) return Status::Ok();
  const std::string_view digest = st.Blob(col);
  if (digest.size() != 32) return Status::Corruption({"a personal data digest is damaged", "个人数据摘要已损坏"});
  e.personal_digest = BytesHex(digest);
  if (st.IsNull(col + 2)) {
    e.personal_purged = true;
    return Status::Ok();
  }
  e.personal = Json::parse(st.Text(col + 2), nullptr, false);
  const std::string_view salt = st.Blob(col + 1);
  if (!e.personal.is_object() || salt.size() != kPersonalSaltBytes)
    return Status::Corruption({"stored personal data is damaged", "存储的个人数据已损坏"});
  e.personal_salt = BytesHex(salt);
  return Status::Ok();
}

struct OrderKey {
  std::uint64_t hlc = 0;
  std::string device;
  std::uint64_t seq = 0;
  bool operator<(const OrderKey& o) const {
    if (hlc != o.hlc) return hlc < o.hlc;
    if (device != o.device) return device < o.device;
    return seq < o.seq;
  }
};

OrderKey KeyOf(const Event& e) { return {e.hlc, e.author.device, e.seq}; }

using GroupKey = std::pair<std::string, std::string>;  // constraint name, group

}  // namespace

struct Store::Impl {
  struct Cached {
    RecordState state;
    OrderKey tip;
    bool empty = true;   // no event folded yet
    bool in_db = true;   // false until a new record's first save inserts its row
    EncodedId eid;       // for that insert
    std::int64_t type_nid = 0;
    std::string evpos;   // its events' positions (schema 5), see AppendPosition
    std::int64_t last_pos = 0;
  };

  sql::Db db;
  StoreOptions opt;
  std::string path;
  std::string device_id;
  std::string seq_key = "next_seq";  // meta key of device_id's sequence
  std::uint64_t next_seq = 1;
  std::int64_t data_version = -1;     // PRAGMA data_version when this connection last looked
  // meta 'generation', which every commit of records or events through a Store
  // raises: other tables in the file (the server's delivery index) change
  // data_version without making our caches stale.
  std::int64_t generation = 0;
  std::int64_t own_nid = 0;           // device_id's interned name, once the outbox index exists

  // The outbox (this device's own events) is read on every sync round; a
  // partial index holding only them keeps that from scanning what was pulled.
  // It names this device's interned id, so it is made on first use by a store
  // that syncs, not in a migration (a store that never syncs never pays for it).
  Status EnsureOwnIndex() {
    if (own_nid != 0) return Status::Ok();
    auto own = Intern(device_id);
    if (!own) return own.status();
    const std::string nid = std::to_string(*own);
    if (Status s = db.Exec("CREATE INDEX IF NOT EXISTS events_own_" + nid + " ON events(pos) WHERE dev = " + nid);
        !s.ok())
      return s;
    own_nid = *own;
    return Status::Ok();
  }
  // Object keys of packed payloads and states, interned in the names table.
  struct Keys final : packed::KeyTable {
    explicit Keys(Impl& impl) : m(impl) {}
    Result<std::int64_t> IdOf(const std::string& key) override { return m.Intern(key); }
    Result<std::string> KeyOf(std::int64_t id) override { return m.NameOf(id); }
    Impl& m;
  } keys{*this};
  auto NameLookup() {
    return [this](std::int64_t nid) { return NameOf(nid); };
  }
  // The canonical JSON text of a stored state (what StateHash covers), packed or not.
  Result<std::string> StateText(const sql::Stmt& q, int col) {
    if (q.Type(col) != SQLITE_BLOB) return std::string(q.Text(col));
    auto j = ReadJsonColumn(q, col, NameLookup());
    if (!j) return j.status();
    return j->dump();
  }
  HybridClock clock;
  int version = 0;
  Status sticky;
  std::function<void(const ChangeSet&)> listener;

  std::unordered_map<std::string, std::int64_t> nid_by_name;
  std::unordered_map<std::int64_t, std::string> name_by_nid;
  struct RecordKeyHash {
    std::size_t operator()(const std::pair<std::int64_t, std::string>& k) const {
      return std::hash<std::string>{}(k.second) ^ (static_cast<std::size_t>(k.first) * 0x9e3779b97f4a7c15ULL);
    }
  };
  std::unordered_map<std::pair<std::int64_t, std::string>, std::int64_t, RecordKeyHash> rid_by_key;
  std::unordered_map<std::int64_t, Cached> cache;

  sql::Stmt name_find, name_insert, name_get;
  sql::Stmt rid_find, record_insert, record_load, record_save;
  sql::Stmt begin, commit, rollback;
  std::int64_t next_rid = 1;  // rids of new records are handed out here, inserted at their first save
  sql::Stmt event_insert, event_find, events_of_record, event_at;
  sql::Stmt group_insert, group_delete, group_members, derived_of_group, derived_delete_group, derived_insert;
  sql::Stmt meta_set, meta_get, data_version_q;
  sql::Stmt personal_insert, personal_purge, personal_kept;
  // Reads the sync server makes for every record a push touches: prepared on first use.
  sql::Stmt derived_of_record;
  sql::Stmt& Prepared(sql::Stmt& st, const char* sql) {
    if (!st.valid()) st = db.Prepare(sql);
    return st;
  }

  Impl(StoreOptions o) : opt(o), clock(*o.clock, o.hlc) {}

  bool constraints_on() const { return version >= 2; }
  bool personal_on() const { return version >= 3; }
  bool packed_on() const { return version >= 4; }
  bool id_index_on() const { return version >= 5; }  // events found by their id's first 8 bytes
  bool positions_on() const { return version >= 5; }  // a record lists its events' positions
  bool group_ids_on() const { return version >= 5; }  // UUID group keys stored as 16 bytes
  void BindGroup(sql::Stmt& st, int col, const std::string& group) const {
    if (group_ids_on()) BindId(st, col, EncodeId(group));
    else st.Bind(col, group);
  }
  // The position of the stored event with this id, 0 when there is none.
  Result<std::int64_t> PositionOf(const UuidBytes& id) {
    event_find.BindBlob(1, id.data(), id.size());
    const int rc = event_find.Step();
    const std::int64_t pos = rc == SQLITE_ROW ? event_find.Int(0) : 0;
    event_find.Reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db.ErrorStatus("find event");
    return pos;
  }

  Status Prepare();
  Status Migrate();
  Status LoadMeta();

  Result<std::int64_t> Intern(const std::string& name);
  Result<std::string> NameOf(std::int64_t nid);
  Result<std::int64_t> RidFor(std::int64_t type_nid, const std::string& type, const std::string& id, bool* created);
  Result<Cached*> Load(std::int64_t rid);
  // A record's events in fold order; `evpos` is its position list (schema 5).
  Result<std::vector<Event>> LoadEvents(std::int64_t rid, const std::string& type, const std::string& id,
                                        std::string_view evpos);
  Status PurgePersonal(std::int64_t rid, std::string_view evpos, std::uint64_t through);
  // The rid of a stored record, 0 when there is none (read from the file, not the caches).
  Result<std::int64_t> StoredRid(const std::string& type, const std::string& id) {
    auto type_nid = Intern(type);
    if (!type_nid) return type_nid.status();
    const EncodedId eid = EncodeId(id);
    rid_find.Bind(1, *type_nid);
    BindId(rid_find, 2, eid);
    std::int64_t rid = 0;
    if (rid_find.Step() == SQLITE_ROW) rid = rid_find.Int(0);
    rid_find.Reset();
    return rid;
  }
  Result<std::int64_t> PersonalKept(std::int64_t rid, std::string_view evpos, std::uint64_t through);
  Status RebuildPositions();
  Status SaveRecord(std::int64_t rid, Cached& c);
  std::vector<std::pair<std::string, std::string>> GroupsOf(const RecordState& r) const;
  Status EvaluateGroup(const GroupKey& g, std::set<std::int64_t>& changed_rids);
  Status RebuildDerived();
  Result<std::map<std::int64_t, std::vector<Conflict>>> AllDerived();

  // events[i] is this device's own write iff i >= first_local.
  // `positions`, when given, gets each event's position (a duplicate's first one).
  Result<ChangeSet> ApplyBatch(const std::vector<Event>& events, std::size_t first_local,
                               std::vector<std::int64_t>* positions = nullptr);
  Result<bool> Refresh();
  Status ReadEventRow(const sql::Stmt& q, Event& e);
  Status Commit(const ChangeSet& cs);
  void ForgetCaches() {
    nid_by_name.clear();
    name_by_nid.clear();
    rid_by_key.clear();
    cache.clear();
    LoadNextRid();
  }
  void LoadNextRid() {
    sql::Stmt q = db.Prepare("SELECT coalesce(max(rid), 0) + 1 FROM records");
    next_rid = q.valid() && q.Step() == SQLITE_ROW ? q.Int(0) : 1;
  }
};

Status Store::Impl::Prepare() {
  name_find = db.Prepare("SELECT nid FROM names WHERE name = ?1");
  name_insert = db.Prepare("INSERT INTO names(name) VALUES(?1)");
  name_get = db.Prepare("SELECT name FROM names WHERE nid = ?1");
  rid_find = db.Prepare("SELECT rid FROM records WHERE type = ?1 AND eid = ?2");
  record_insert = db.Prepare(positions_on()
                                 ? "INSERT INTO records(rid, type, eid, state, tip_hlc, tip_dev, tip_seq, conflicted, "
                                   "evpos) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                                 : "INSERT INTO records(rid, type, eid, state, tip_hlc, tip_dev, tip_seq, conflicted) "
                                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  begin = db.Prepare("BEGIN IMMEDIATE");
  commit = db.Prepare("COMMIT");
  rollback = db.Prepare("ROLLBACK");
  record_load = db.Prepare(positions_on() ? "SELECT type, eid, state, tip_hlc, tip_dev, tip_seq, evpos FROM records "
                                            "WHERE rid = ?1"
                                          : "SELECT type, eid, state, tip_hlc, tip_dev, tip_seq, NULL FROM records "
                                            "WHERE rid = ?1");
  record_save = db.Prepare(positions_on() ? "UPDATE records SET state = ?2, tip_hlc = ?3, tip_dev = ?4, tip_seq = ?5, "
                                            "conflicted = ?6, evpos = ?7 WHERE rid = ?1"
                                          : "UPDATE records SET state = ?2, tip_hlc = ?3, tip_dev = ?4, tip_seq = ?5, "
                                            "conflicted = ?6 WHERE rid = ?1");
  if (personal_on()) {
    event_insert = db.Prepare(
        "INSERT INTO events(id, rid, hlc, dev, seq, kind, usr, role, payload, pdigest) "
        "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
    events_of_record = db.Prepare(
        "SELECT e.id, e.hlc, e.dev, e.seq, e.kind, e.usr, e.role, e.payload, e.pdigest, p.salt, p.data "
        "FROM events e LEFT JOIN personal p ON p.pos = e.pos WHERE e.rid = ?1");  // LoadEvents sorts
    personal_insert = db.Prepare("INSERT INTO personal(pos, salt, data) VALUES(?1, ?2, ?3)");
    // Before schema 5 by record (?1 = rid, events_by_record), from 5 by event (?1 = pos).
    personal_purge = db.Prepare(
        positions_on() ? "DELETE FROM personal WHERE pos = ?1 AND (SELECT hlc FROM events WHERE pos = ?1) <= ?2"
                       : "DELETE FROM personal WHERE pos IN (SELECT pos FROM events WHERE rid = ?1 AND hlc <= ?2)");
    personal_kept = db.Prepare(std::string("SELECT count(*) FROM personal p JOIN events e ON e.pos = p.pos WHERE ") +
                               (positions_on() ? "p.pos = ?1" : "e.rid = ?1") + " AND e.hlc <= ?2");
    event_at = db.Prepare(
        "SELECT e.id, e.hlc, e.dev, e.seq, e.kind, e.usr, e.role, e.payload, e.pdigest, p.salt, p.data "
        "FROM events e LEFT JOIN personal p ON p.pos = e.pos WHERE e.pos = ?1");
    if (!personal_insert.valid() || !personal_purge.valid() || !personal_kept.valid())
      return db.ErrorStatus("prepare");
  } else {
    event_insert = db.Prepare(
        "INSERT INTO events(id, rid, hlc, dev, seq, kind, usr, role, payload) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)");
    events_of_record = db.Prepare(
        "SELECT id, hlc, dev, seq, kind, usr, role, payload FROM events WHERE rid = ?1");  // LoadEvents sorts
  }
  event_find = db.Prepare(id_index_on() ? "SELECT pos FROM events WHERE substr(id, 1, 8) = substr(?1, 1, 8) AND id = ?1"
                                         : "SELECT pos FROM events WHERE id = ?1");
  meta_set = db.Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
  meta_get = db.Prepare("SELECT value FROM meta WHERE key = ?1");
  data_version_q = db.Prepare("PRAGMA data_version");
  if (!name_find.valid() || !name_insert.valid() || !name_get.valid() || !rid_find.valid() || !record_insert.valid() ||
      !begin.valid() || !commit.valid() || !rollback.valid() || !record_load.valid() || !record_save.valid() || !event_insert.valid() ||
      !events_of_record.valid() || !event_find.valid() || !meta_set.valid())
    return db.ErrorStatus("prepare");
  if (constraints_on()) {
    group_insert = db.Prepare("INSERT OR IGNORE INTO groups(cname, grp, rid) VALUES(?1, ?2, ?3)");
    group_delete = db.Prepare("DELETE FROM groups WHERE cname = ?1 AND grp = ?2 AND rid = ?3");
    group_members = db.Prepare("SELECT rid FROM groups WHERE cname = ?1 AND grp = ?2");
    derived_of_group = db.Prepare("SELECT rid, cid FROM derived_conflicts WHERE cname = ?1 AND grp = ?2");
    derived_delete_group = db.Prepare("DELETE FROM derived_conflicts WHERE cname = ?1 AND grp = ?2");
    derived_insert = db.Prepare(
        "INSERT OR REPLACE INTO derived_conflicts(rid, cid, cname, grp, body) VALUES(?1, ?2, ?3, ?4, ?5)");
    if (!group_insert.valid() || !group_delete.valid() || !group_members.valid() || !derived_of_group.valid() ||
        !derived_delete_group.valid() || !derived_insert.valid())
      return db.ErrorStatus("prepare");
  }
  return Status::Ok();
}

Status Store::Impl::Migrate() {
  sql::Stmt v = db.Prepare("PRAGMA user_version");
  if (!v.valid() || v.Step() != SQLITE_ROW) return db.ErrorStatus("read schema version");
  version = static_cast<int>(v.Int(0));
  v = sql::Stmt();
  const auto& steps = schema::Migrations();
  if (version > static_cast<int>(steps.size()))
    return Status::Invalid("schema_version",
                           {"database schema " + std::to_string(version) + " is newer than this program knows",
                            "数据库结构版本 " + std::to_string(version) + " 比本程序新"});
  const int target = opt.schema_version_limit > 0 ? opt.schema_version_limit : static_cast<int>(steps.size());
  while (version < target) {
    if (Status s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    Status s = db.Exec(steps[static_cast<std::size_t>(version)]);
    if (s.ok()) s = db.Exec("PRAGMA user_version = " + std::to_string(version + 1));
    if (s.ok()) s = db.Exec("COMMIT");
    if (!s.ok()) {
      db.Exec("ROLLBACK");
      return s;
    }
    ++version;
  }
  return Status::Ok();
}

Status Store::Impl::LoadMeta() {
  sql::Stmt q = db.Prepare("SELECT key, value FROM meta");
  std::uint64_t last_hlc = 0;
  bool rebuild = false, rebuild_positions = false;
  while (q.Step() == SQLITE_ROW) {
    std::string key(q.Text(0));
    if (key == "device_id") device_id = std::string(q.Text(1));
    else if (key == "next_seq") next_seq = static_cast<std::uint64_t>(q.Int(1));
    else if (key == "hlc") last_hlc = static_cast<std::uint64_t>(q.Int(1));
    else if (key == "rebuild_derived") rebuild = q.Int(1) != 0;
    else if (key == "rebuild_positions") rebuild_positions = q.Int(1) != 0;
  }
  q = sql::Stmt();
  clock = HybridClock(*opt.clock, opt.hlc, last_hlc);
  if (device_id.empty()) {
    device_id = opt.device_id.empty() ? NewUuidV7(opt.clock->NowMs()) : opt.device_id;
    meta_set.Bind(1, "device_id").Bind(2, device_id);
    if (meta_set.Run() != SQLITE_DONE) return db.ErrorStatus("write device id");
  }
  if (!opt.act_as_device.empty() && opt.act_as_device != device_id) {
    device_id = opt.act_as_device;
    seq_key = "next_seq:" + device_id;
    next_seq = 1;
    meta_get.Bind(1, seq_key);
    if (meta_get.Step() == SQLITE_ROW) next_seq = static_cast<std::uint64_t>(meta_get.Int(0));
    meta_get.Reset();
  }
  if (rebuild_positions && positions_on()) {
    if (Status s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    Status s = RebuildPositions();
    if (s.ok()) s = db.Exec("DELETE FROM meta WHERE key = 'rebuild_positions'");
    if (s.ok()) s = db.Exec("COMMIT");
    if (!s.ok()) {
      db.Exec("ROLLBACK");
      return s;
    }
  }
  if (rebuild && constraints_on()) {
    if (Status s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    Status s = RebuildDerived();
    if (s.ok()) s = db.Exec("DELETE FROM meta WHERE key = 'rebuild_derived'");
    if (s.ok()) s = db.Exec("COMMIT");
    if (!s.ok()) {
      db.Exec("ROLLBACK");
      ForgetCaches();
      return s;
    }
  }
  return Status::Ok();
}

Result<std::int64_t> Store::Impl::Intern(const std::string& name) {
  if (auto it = nid_by_name.find(name); it != nid_by_name.end()) return it->second;
  name_find.Bind(1, name);
  std::int64_t nid = 0;
  if (name_find.Step() == SQLITE_ROW) nid = name_find.Int(0);
  name_find.Reset();
  if (nid == 0) {
    name_insert.Bind(1, name);
    if (name_insert.Run() != SQLITE_DONE) return db.ErrorStatus("intern name");
    name_insert.Reset();
    nid = db.LastInsertRowid();
  }
  nid_by_name.emplace(name, nid);
  name_by_nid.emplace(nid, name);
  return nid;
}

Result<std::string> Store::Impl::NameOf(std::int64_t nid) {
  if (auto it = name_by_nid.find(nid); it != name_by_nid.end()) return it->second;
  name_get.Bind(1, nid);
  if (name_get.Step() != SQLITE_ROW) {
    name_get.Reset();
    return Status::Corruption({"name " + std::to_string(nid) + " is missing", "名称 " + std::to_string(nid) + " 缺失"});
  }
  std::string name(name_get.Text(0));
  name_get.Reset();
  name_by_nid.emplace(nid, name);
  nid_by_name.emplace(name, nid);
  return name;
}

Result<std::int64_t> Store::Impl::RidFor(std::int64_t type_nid, const std::string& type, const std::string& id,
                                         bool* created) {
  *created = false;
  auto key = std::make_pair(type_nid, id);
  if (auto it = rid_by_key.find(key); it != rid_by_key.end()) return it->second;
  const EncodedId eid = EncodeId(id);
  rid_find.Bind(1, type_nid);
  BindId(rid_find, 2, eid);
  std::int64_t rid = 0;
  if (rid_find.Step() == SQLITE_ROW) rid = rid_find.Int(0);
  rid_find.Reset();
  if (rid == 0) {
    rid = next_rid++;
    *created = true;
    Cached c;
    c.state.type = type;
    c.state.id = id;
    c.in_db = false;
    c.eid = eid;
    c.type_nid = type_nid;
    cache[rid] = std::move(c);
  }
  rid_by_key.emplace(std::move(key), rid);
  return rid;
}

Result<Store::Impl::Cached*> Store::Impl::Load(std::int64_t rid) {
  if (auto it = cache.find(rid); it != cache.end()) return &it->second;
  record_load.Bind(1, rid);
  if (record_load.Step() != SQLITE_ROW) {
    record_load.Reset();
    return Status::NotFound("record", {"record " + std::to_string(rid) + " not found", "记录不存在"});
  }
  Cached c;
  const std::int64_t type_nid = record_load.Int(0);
  c.state.id = DecodeId(record_load, 1);
  auto state = ReadJsonColumn(record_load, 2, NameLookup());
  if (!state) {
    record_load.Reset();
    return state.status();
  }
  StateFromJson(*state, c.state);
  c.tip.hlc = static_cast<std::uint64_t>(record_load.Int(3));
  const std::int64_t tip_dev = record_load.Int(4);
  c.tip.seq = static_cast<std::uint64_t>(record_load.Int(5));
  if (positions_on()) {
    c.evpos = std::string(record_load.Blob(6));
    auto positions = DecodePositions(c.evpos);
    if (!positions) {
      record_load.Reset();
      return positions.status();
    }
    c.last_pos = positions->empty() ? 0 : positions->back();
  }
  record_load.Reset();
  c.empty = c.tip.hlc == 0;
  auto type = NameOf(type_nid);
  if (!type) return type.status();
  c.state.type = *type;
  if (!c.empty) {
    auto dev = NameOf(tip_dev);
    if (!dev) return dev.status();
    c.tip.device = *dev;
  }
  return &(cache[rid] = std::move(c));
}

Result<std::vector<Event>> Store::Impl::LoadEvents(std::int64_t rid, const std::string& type, const std::string& id,
                                                   std::string_view evpos) {
  std::vector<Event> out;
  // Columns: id, hlc, dev, seq, kind, usr, role, payload[, pdigest, salt, data].
  auto read_row = [&](sql::Stmt& q) -> Status {
    Event e;
    std::string_view idb = q.Blob(0);
    UuidBytes u{};
    if (idb.size() != u.size()) return Status::Corruption({"an event id is damaged", "事件ID已损坏"});
    std::copy(idb.begin(), idb.end(), reinterpret_cast<char*>(u.data()));
    e.id = UuidToString(u);
    e.entity_type = type;
    e.entity_id = id;
    e.hlc = static_cast<std::uint64_t>(q.Int(1));
    e.seq = static_cast<std::uint64_t>(q.Int(3));
    auto payload = ReadJsonColumn(q, 7, NameLookup());
    if (!payload) return payload.status();
    e.payload = std::move(*payload);
    if (personal_on())
      if (Status s = ReadPersonal(q, 8, e); !s.ok()) return s;
    for (auto [col, dst] : {std::pair{2, &e.author.device}, {4, &e.kind}, {5, &e.author.user}, {6, &e.author.role}}) {
      auto n = NameOf(q.Int(col));
      if (!n) return n.status();
      *dst = std::move(*n);
    }
    out.push_back(std::move(e));
    return Status::Ok();
  };
  if (positions_on()) {
    auto positions = DecodePositions(evpos);
    if (!positions) return positions.status();
    out.reserve(positions->size());
    for (auto pos : *positions) {
      event_at.Bind(1, pos);
      const int rc = event_at.Step();
      Status s = rc == SQLITE_ROW    ? read_row(event_at)
                 : rc == SQLITE_DONE ? Status::Corruption({"a record lists an event that is not stored",
                                                           "记录所列事件不存在"})
                                     : db.ErrorStatus("read event");
      event_at.Reset();
      if (!s.ok()) return s;
    }
  } else {
    events_of_record.Bind(1, rid);
    int rc;
    while ((rc = events_of_record.Step()) == SQLITE_ROW) {
      if (Status s = read_row(events_of_record); !s.ok()) {
        events_of_record.Reset();
        return s;
      }
    }
    events_of_record.Reset();
    if (rc != SQLITE_DONE) return db.ErrorStatus("read events");
  }
  std::sort(out.begin(), out.end(), OrderBefore);
  return out;
}

Status Store::Impl::PurgePersonal(std::int64_t rid, std::string_view evpos, std::uint64_t through) {
  const auto bound = static_cast<std::int64_t>(std::min<std::uint64_t>(through, std::numeric_limits<std::int64_t>::max()));
  if (!positions_on()) {
    personal_purge.Bind(1, rid).Bind(2, bound);
    return personal_purge.Run() == SQLITE_DONE ? Status::Ok() : db.ErrorStatus("purge personal data");
  }
  auto positions = DecodePositions(evpos);
  if (!positions) return positions.status();
  for (auto pos : *positions) {
    personal_purge.Bind(1, pos).Bind(2, bound);
    if (personal_purge.Run() != SQLITE_DONE) return db.ErrorStatus("purge personal data");
  }
  return Status::Ok();
}

Result<std::int64_t> Store::Impl::PersonalKept(std::int64_t rid, std::string_view evpos, std::uint64_t through) {
  const auto bound = static_cast<std::int64_t>(std::min<std::uint64_t>(through, std::numeric_limits<std::int64_t>::max()));
  std::vector<std::int64_t> keys{rid};
  if (positions_on()) {
    auto positions = DecodePositions(evpos);
    if (!positions) return positions.status();
    keys = std::move(*positions);
  }
  std::int64_t kept = 0;
  for (auto key : keys) {
    personal_kept.Bind(1, key).Bind(2, bound);
    const int rc = personal_kept.Step();
    if (rc == SQLITE_ROW) kept += personal_kept.Int(0);
    personal_kept.Reset();
    if (rc != SQLITE_ROW) return db.ErrorStatus("count personal data");
  }
  return kept;
}

// Fills records.evpos from the events after the migration to schema 5.
Status Store::Impl::RebuildPositions() {
  sql::Stmt q = db.Prepare("SELECT rid, pos FROM events ORDER BY rid, pos");
  sql::Stmt save = db.Prepare("UPDATE records SET evpos = ?2 WHERE rid = ?1");
  if (!q.valid() || !save.valid()) return db.ErrorStatus("prepare");
  std::int64_t rid = 0, last = 0;
  std::string evpos;
  auto flush = [&]() -> Status {
    if (rid == 0) return Status::Ok();
    save.Bind(1, rid).BindBlob(2, evpos.data(), evpos.size());
    return save.Run() == SQLITE_DONE ? Status::Ok() : db.ErrorStatus("save event list");
  };
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    if (q.Int(0) != rid) {
      if (Status s = flush(); !s.ok()) return s;
      rid = q.Int(0);
      last = 0;
      evpos.clear();
    }
    AppendPosition(evpos, last, q.Int(1));
  }
  if (rc != SQLITE_DONE) return db.ErrorStatus("read events");
  return flush();
}

Status Store::Impl::SaveRecord(std::int64_t rid, Cached& c) {
  auto dev = Intern(c.tip.device);
  if (!dev) return dev.status();
  // Files older than schema 4 keep JSON text (a store opened with schema_version_limit).
  Result<std::string> state = packed_on() ? PackState(c.state, keys) : SerializeState(c.state);
  if (!state) return state.status();
  auto bind_state = [&](sql::Stmt& st, int col) {
    if (packed_on()) st.BindBlob(col, state->data(), state->size());
    else st.Bind(col, *state);
  };
  if (!c.in_db) {
    record_insert.Bind(1, rid).Bind(2, c.type_nid);
    BindId(record_insert, 3, c.eid);
    bind_state(record_insert, 4);
    record_insert
        .Bind(5, static_cast<std::int64_t>(c.tip.hlc))
        .Bind(6, *dev)
        .Bind(7, static_cast<std::int64_t>(c.tip.seq))
        .Bind(8, c.state.conflicts.empty() ? 0 : 1);
    if (positions_on()) record_insert.BindBlob(9, c.evpos.data(), c.evpos.size());
    if (record_insert.Run() != SQLITE_DONE) return db.ErrorStatus("create record");
    c.in_db = true;
    c.eid = {};
    return Status::Ok();
  }
  record_save.Bind(1, rid);
  bind_state(record_save, 2);
  record_save
      .Bind(3, static_cast<std::int64_t>(c.tip.hlc))
      .Bind(4, *dev)
      .Bind(5, static_cast<std::int64_t>(c.tip.seq))
      .Bind(6, c.state.conflicts.empty() ? 0 : 1);
  if (positions_on()) record_save.BindBlob(7, c.evpos.data(), c.evpos.size());
  if (record_save.Run() != SQLITE_DONE) return db.ErrorStatus("save record");
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> Store::Impl::GroupsOf(const RecordState& r) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (!constraints_on() || r.fields.empty()) return out;
  for (const auto& c : opt.domain->constraints())
    for (auto& g : c->Groups(r)) out.emplace_back(std::string(c->name()), std::move(g));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Status Store::Impl::EvaluateGroup(const GroupKey& g, std::set<std::int64_t>& changed_rids) {
  const Constraint* constraint = opt.domain->FindConstraint(g.first);
  if (constraint != nullptr && constraint->IndexOnly()) return Status::Ok();
  auto cname = Intern(g.first);
  if (!cname) return cname.status();

  std::vector<std::int64_t> rids;
  group_members.Bind(1, *cname);
  BindGroup(group_members, 2, g.second);
  while (group_members.Step() == SQLITE_ROW) rids.push_back(group_members.Int(0));
  group_members.Reset();

  std::vector<std::pair<std::int64_t, const RecordState*>> members;
  for (auto rid : rids) {
    auto c = Load(rid);
    if (!c) return c.status();
    members.emplace_back(rid, &(*c)->state);
  }
  std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second->type, a.second->id) < std::tie(b.second->type, b.second->id);
  });

  std::vector<GroupConflict> found;
  if (constraint != nullptr) {
    std::vector<const RecordState*> states;
    for (auto& m : members) states.push_back(m.second);
    constraint->Evaluate(g.second, states, found);
  }
  std::set<std::pair<std::int64_t, std::string>> before, after;
  derived_of_group.Bind(1, *cname);
  BindGroup(derived_of_group, 2, g.second);
  while (derived_of_group.Step() == SQLITE_ROW)
    before.emplace(derived_of_group.Int(0), std::string(derived_of_group.Text(1)));
  derived_of_group.Reset();
  derived_delete_group.Bind(1, *cname);
  BindGroup(derived_delete_group, 2, g.second);
  if (derived_delete_group.Run() != SQLITE_DONE) return db.ErrorStatus("clear derived conflicts");
  derived_delete_group.Reset();
  for (auto& f : found) {
    const auto& [rid, state] = members.at(f.member);
    f.conflict.source = g.first;
    const std::string cid = f.conflict.Id();
    if (state->resolved.count(cid)) continue;
    after.emplace(rid, cid);
    derived_insert.Bind(1, rid).Bind(2, cid).Bind(3, *cname).Bind(5, ConflictToJson(f.conflict).dump());
    BindGroup(derived_insert, 4, g.second);
    if (derived_insert.Run() != SQLITE_DONE) return db.ErrorStatus("write derived conflict");
    derived_insert.Reset();
  }
  std::vector<std::pair<std::int64_t, std::string>> diff;
  std::set_symmetric_difference(before.begin(), before.end(), after.begin(), after.end(), std::back_inserter(diff));
  for (auto& d : diff) changed_rids.insert(d.first);
  return Status::Ok();
}

Status Store::Impl::RebuildDerived() {
  if (Status s = db.Exec("DELETE FROM groups; DELETE FROM derived_conflicts;"); !s.ok()) return s;
  std::set<GroupKey> all;
  std::vector<std::int64_t> rids;
  {
    sql::Stmt q = db.Prepare("SELECT rid FROM records");
    while (q.Step() == SQLITE_ROW) rids.push_back(q.Int(0));
  }
  for (auto rid : rids) {
    auto c = Load(rid);
    if (!c) return c.status();
    for (auto& g : GroupsOf((*c)->state)) {
      auto cname = Intern(g.first);
      if (!cname) return cname.status();
      group_insert.Bind(1, *cname).Bind(3, rid);
      BindGroup(group_insert, 2, g.second);
      if (group_insert.Run() != SQLITE_DONE) return db.ErrorStatus("write group");
      group_insert.Reset();
      all.insert(g);
    }
    if (cache.size() > opt.record_cache_limit) cache.clear();
  }
  std::set<std::int64_t> ignored;
  for (const auto& g : all)
    if (Status s = EvaluateGroup(g, ignored); !s.ok()) return s;
  return Status::Ok();
}

Result<ChangeSet> Store::Impl::ApplyBatch(const std::vector<Event>& events, std::size_t first_local,
                                          std::vector<std::int64_t>* positions) {
  if (!sticky.ok()) return sticky;
  const bool local = first_local < events.size();
  if (cache.size() > opt.record_cache_limit) {
    cache.clear();
    rid_by_key.clear();
  }
  if (begin.Run() != SQLITE_DONE) return db.ErrorStatus("begin");
  // Holding the write lock now: if another process wrote, our caches are stale.
  if (auto outside = Refresh(); !outside) {
    rollback.Run();
    return outside.status();
  }

  auto fail = [&](Status s) -> Status {
    rollback.Run();
    ForgetCaches();
    return s;
  };

  ChangeSet cs;
  struct Fresh {
    std::vector<const Event*> events;
    std::vector<std::int64_t> positions;  // ascending: arrival order
  };
  std::map<std::int64_t, Fresh> pending;
  std::vector<std::int64_t> created_rids;
  const std::uint64_t clock_before = clock.last();
  // Purges in this batch, so that personal data they cover is never written
  // (even when the purge comes later in the batch than the event).
  std::map<std::pair<std::string_view, std::string_view>, std::uint64_t> batch_purges;
  for (const Event& e : events)
    if (auto through = PurgedThrough(e)) {
      auto& t = batch_purges[{e.entity_type, e.entity_id}];
      t = std::max(t, *through);
    }
  for (const Event& e : events) {
    if (!e.personal_digest.empty() && !personal_on())
      return fail(Status::Invalid("personal", {"this database's schema is too old to hold personal data",
                                               "数据库结构版本过旧,无法保存个人数据"}));
    const auto uuid = ParseUuid(e.id);
    auto stored = PositionOf(*uuid);
    if (!stored) return fail(stored.status());
    if (*stored != 0) {
      ++cs.duplicates;
      if (positions) positions->push_back(*stored);
      continue;
    }
    auto type_nid = Intern(e.entity_type);
    if (!type_nid) return fail(type_nid.status());
    bool created = false;
    auto rid = RidFor(*type_nid, e.entity_type, e.entity_id, &created);
    if (!rid) return fail(rid.status());
    if (created) created_rids.push_back(*rid);
    std::int64_t nids[4];
    int i = 0;
    for (const std::string* name : {&e.author.device, &e.kind, &e.author.user, &e.author.role}) {
      auto n = Intern(*name);
      if (!n) return fail(n.status());
      nids[i++] = *n;
    }
    packed::Writer payload(keys);
    std::string payload_text;
    if (packed_on()) {
      if (Status s = payload.Value(e.payload); !s.ok()) return fail(s.IsInvalid() ? PayloadNotUtf8() : s);
      if (Status s = CheckPayloadSize(payload.json_bytes()); !s.ok()) return fail(s);
    } else {
      auto text = SerializePayload(e.payload);
      if (!text) return fail(text.status());
      payload_text = std::move(*text);
    }
    event_insert.BindBlob(1, uuid->data(), uuid->size())
        .Bind(2, *rid)
        .Bind(3, static_cast<std::int64_t>(e.hlc))
        .Bind(4, nids[0])
        .Bind(5, static_cast<std::int64_t>(e.seq))
        .Bind(6, nids[1])
        .Bind(7, nids[2])
        .Bind(8, nids[3]);
    if (packed_on()) event_insert.BindBlob(9, payload.bytes().data(), payload.bytes().size());
    else event_insert.Bind(9, payload_text);
    std::string digest;
    if (personal_on()) {
      if (e.personal_digest.empty()) {
        event_insert.BindNull(10);
      } else {
        digest = HexBytes(e.personal_digest);
        event_insert.BindBlob(10, digest.data(), digest.size());
      }
    }
    if (event_insert.Run() != SQLITE_DONE) return fail(db.ErrorStatus("append event"));
    ++cs.inserted;
    const std::int64_t pos = db.LastInsertRowid();
    if (positions) positions->push_back(pos);
    if (e.personal.is_object()) {
      // A late copy of an event a purge already covers keeps its digest only.
      auto loaded = Load(*rid);
      if (!loaded) return fail(loaded.status());
      std::uint64_t through = (*loaded)->state.purged_through;
      if (auto it = batch_purges.find({e.entity_type, e.entity_id}); it != batch_purges.end())
        through = std::max(through, it->second);
      if (e.hlc > through) {
        auto data = SerializePersonal(e.personal);
        if (!data) return fail(data.status());
        const std::string salt = HexBytes(e.personal_salt);
        personal_insert.Bind(1, pos).BindBlob(2, salt.data(), salt.size()).Bind(3, *data);
        if (personal_insert.Run() != SQLITE_DONE) return fail(db.ErrorStatus("store personal data"));
      }
    }
    auto& fresh = pending[*rid];
    fresh.events.push_back(&e);
    fresh.positions.push_back(pos);
    if (static_cast<std::size_t>(&e - events.data()) < first_local && !clock.Observe(e.hlc)) ++cs.clock_skewed;
  }

  std::set<GroupKey> dirty_groups;
  std::set<std::int64_t> changed_rids;
  for (auto& [rid, fresh] : pending) {
    auto loaded = Load(rid);
    if (!loaded) return fail(loaded.status());
    Cached& c = **loaded;
    auto& evs = fresh.events;
    if (positions_on())
      for (auto pos : fresh.positions) AppendPosition(c.evpos, c.last_pos, pos);
    const auto old_groups = GroupsOf(c.state);
    std::sort(evs.begin(), evs.end(), [](const Event* a, const Event* b) { return OrderBefore(*a, *b); });
    std::uint64_t purge_through = 0;
    bool purges = false;
    bool verdicts = false;
    for (const Event* e : evs) {
      if (e->kind == kPersonalPurgedKind) {
        purges = true;
        purge_through = std::max(purge_through, PurgedThrough(*e).value_or(0));
      }
      // A verdict undoes an event this record may already have folded.
      if (RefusalOf(*e)) verdicts = true;
    }
    if (verdicts && !purges) {
      auto all = LoadEvents(rid, c.state.type, c.state.id, c.evpos);
      if (!all) return fail(all.status());
      c.state = FoldRecord(*opt.domain, c.state.type, c.state.id, std::move(*all));
      if (c.tip < KeyOf(*evs.back())) c.tip = KeyOf(*evs.back());
      ++cs.refolded;
    } else if (purges) {
      // Events folded earlier had their personal data: delete it, then fold them again without.
      purge_through = std::max(purge_through, c.state.purged_through);
      if (personal_on() && purge_through != 0)
        if (Status s = PurgePersonal(rid, c.evpos, purge_through); !s.ok()) return fail(s);
      auto all = LoadEvents(rid, c.state.type, c.state.id, c.evpos);
      if (!all) return fail(all.status());
      c.state = FoldRecord(*opt.domain, c.state.type, c.state.id, std::move(*all));
      if (c.tip < KeyOf(*evs.back())) c.tip = KeyOf(*evs.back());
      ++cs.purged;
    } else if (c.empty || c.tip < KeyOf(*evs.front())) {
      for (const Event* e : evs) ApplyEvent(*opt.domain, c.state, *e);
      c.tip = KeyOf(*evs.back());
    } else {
      // An event older than what this record has folded: re-fold this record only.
      auto all = LoadEvents(rid, c.state.type, c.state.id, c.evpos);
      if (!all) return fail(all.status());
      c.state = FoldRecord(*opt.domain, c.state.type, c.state.id, std::move(*all));
      if (c.tip < KeyOf(*evs.back())) c.tip = KeyOf(*evs.back());
      ++cs.refolded;
    }
    c.empty = false;
    if (Status s = SaveRecord(rid, c); !s.ok()) return fail(s);
    changed_rids.insert(rid);
    if (constraints_on()) {
      const auto new_groups = GroupsOf(c.state);
      for (const auto& g : old_groups) {
        dirty_groups.insert(g);
        if (!std::binary_search(new_groups.begin(), new_groups.end(), g)) {
          auto cname = Intern(g.first);
          if (!cname) return fail(cname.status());
          group_delete.Bind(1, *cname).Bind(3, rid);
          BindGroup(group_delete, 2, g.second);
          if (group_delete.Run() != SQLITE_DONE) return fail(db.ErrorStatus("leave group"));
          group_delete.Reset();
        }
      }
      for (const auto& g : new_groups) {
        dirty_groups.insert(g);
        auto cname = Intern(g.first);
        if (!cname) return fail(cname.status());
        group_insert.Bind(1, *cname).Bind(3, rid);
        BindGroup(group_insert, 2, g.second);
        if (group_insert.Run() != SQLITE_DONE) return fail(db.ErrorStatus("join group"));
        group_insert.Reset();
      }
    }
  }
  // Records made for events that turned out to be duplicates hold nothing and were never inserted.
  for (auto rid : created_rids) {
    if (pending.count(rid)) continue;
    cache.erase(rid);
    std::erase_if(rid_by_key, [&](const auto& kv) { return kv.second == rid; });
  }
  for (const auto& g : dirty_groups)
    if (Status s = EvaluateGroup(g, changed_rids); !s.ok()) return fail(s);

  if (local || clock.last() != clock_before) {
    meta_set.Bind(1, "hlc").Bind(2, static_cast<std::int64_t>(clock.last()));
    if (meta_set.Run() != SQLITE_DONE) return fail(db.ErrorStatus("save clock"));
  }
  if (local) {
    meta_set.Bind(1, seq_key).Bind(2, static_cast<std::int64_t>(next_seq));
    if (meta_set.Run() != SQLITE_DONE) return fail(db.ErrorStatus("save sequence"));
  }
  meta_set.Bind(1, "generation").Bind(2, generation + 1);
  if (meta_set.Run() != SQLITE_DONE) return fail(db.ErrorStatus("save generation"));
  if (commit.Run() != SQLITE_DONE) {
    // A commit that failed leaves us unsure what is on disk: stop writing until reopened.
    sticky = db.ErrorStatus("commit");
    return fail(sticky);
  }
  ++generation;
  // The WAL still holds the pages as they were before the purge: copy the
  // new ones into the database and cut the log to nothing. A failure here
  // (another connection reading) leaves it to the next checkpoint; the commit stands.
  if (cs.purged != 0) db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  for (auto rid : changed_rids) {
    auto c = Load(rid);
    if (c) cs.changed.push_back({(*c)->state.type, (*c)->state.id});
  }
  std::sort(cs.changed.begin(), cs.changed.end());
  cs.changed.erase(std::unique(cs.changed.begin(), cs.changed.end()), cs.changed.end());
  if (listener && (!cs.changed.empty())) listener(cs);
  return cs;
}

Result<std::map<std::int64_t, std::vector<Conflict>>> Store::Impl::AllDerived() {
  std::map<std::int64_t, std::vector<Conflict>> out;
  if (!constraints_on()) return out;
  sql::Stmt q = db.Prepare("SELECT rid, body FROM derived_conflicts ORDER BY rid, cid");
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    Json j = Json::parse(q.Text(1), nullptr, false);
    out[q.Int(0)].push_back(ConflictFromJson(j));
  }
  if (rc != SQLITE_DONE) return db.ErrorStatus("read derived conflicts");
  return out;
}

// ---------------------------------------------------------------------------

Result<bool> Store::Impl::Refresh() {
  if (data_version_q.Step() != SQLITE_ROW) {
    data_version_q.Reset();
    return db.ErrorStatus("read data version");
  }
  const std::int64_t v = data_version_q.Int(0);
  data_version_q.Reset();
  const bool first = data_version < 0;
  const bool moved = v != data_version;
  data_version = v;
  if (!first && !moved) return false;
  meta_get.Bind(1, "generation");
  const std::int64_t g = meta_get.Step() == SQLITE_ROW ? meta_get.Int(0) : 0;
  meta_get.Reset();
  const bool changed = !first && g != generation;
  generation = g;
  if (!changed) return false;
  ForgetCaches();
  // Another writer's clock may be ahead: never stamp behind what is stored.
  meta_get.Bind(1, "hlc");
  if (meta_get.Step() == SQLITE_ROW) clock.Observe(static_cast<std::uint64_t>(meta_get.Int(0)));
  meta_get.Reset();
  return true;
}

Draft RefusalDraft(const Event& refused, const Status& why) {
  return Draft{refused.entity_type, refused.entity_id, std::string(kServerRefusedKind),
               Json{{"event", refused.id}, {"field", why.field()}, {"en", why.en()}, {"zh", why.zh()}}};
}

Draft PurgePersonalDraft(const std::string& type, const std::string& id, std::uint64_t through_hlc) {
  return Draft{type, id, std::string(kPersonalPurgedKind), Json{{"through", HlcToHex(through_hlc)}}};
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, StoreOptions options) {
  if (options.domain == nullptr)
    return Status::Invalid("domain", {"a store needs the domain's folds", "存储需要领域折叠规则"});
  auto impl = std::make_unique<Impl>(options);
  impl->path = path;
  if (Status s = impl->db.Open(path); !s.ok()) return s;
  // Refuse a file that is not a database before changing anything in it.
  if (Status s = impl->db.Exec("SELECT count(*) FROM sqlite_schema"); !s.ok())
    return Status::Corruption({"not a Houqin database: " + path, "不是后勤数据库: " + path});
  // secure_delete: a purged personal row is overwritten with zeros, not left in a free page.
  for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA temp_store = MEMORY", "PRAGMA cache_size = -16000",
                             "PRAGMA secure_delete = ON"})
    if (Status s = impl->db.Exec(pragma); !s.ok()) return s;
  if (Status s = impl->db.Exec(options.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
      !s.ok())
    return s;
  if (Status s = impl->Migrate(); !s.ok()) return s;
  if (Status s = impl->Prepare(); !s.ok()) return s;
  impl->LoadNextRid();
  if (Status s = impl->LoadMeta(); !s.ok()) return s;
  // The baseline later Refresh() calls compare against.
  if (auto r = impl->Refresh(); !r) return r.status();
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

const std::string& Store::device_id() const { return impl_->device_id; }
int Store::schema_version() const { return impl_->version; }
Status Store::write_error() const { return impl_->sticky; }

void Store::SetChangeListener(std::function<void(const ChangeSet&)> listener) {
  impl_->listener = std::move(listener);
}

Result<AppendResult> Store::Append(const Author& author, const std::vector<Draft>& drafts) {
  std::vector<AuthoredDraft> authored;
  authored.reserve(drafts.size());
  for (const auto& d : drafts) authored.push_back({author, d});
  return Append(authored);
}

Result<AppendResult> Store::Append(const std::vector<AuthoredDraft>& drafts) { return IngestThenAppend({}, drafts); }

Result<AppendResult> Store::IngestThenAppend(const std::vector<Event>& remote, const std::vector<AuthoredDraft>& drafts) {
  return IngestThenAppend(std::vector<Event>(remote), drafts);
}

Result<AppendResult> Store::IngestThenAppend(std::vector<Event>&& remote_events,
                                             const std::vector<AuthoredDraft>& drafts) {
  for (std::size_t i = 0; i < remote_events.size(); ++i) {
    if (Status s = ValidateEvent(remote_events[i]); !s.ok())
      return Status::Invalid("events[" + std::to_string(i) + "]." + s.field(), s.message());
  }
  AppendResult out;
  const std::size_t remote_count = remote_events.size();
  out.events = std::move(remote_events);
  out.events.reserve(remote_count + drafts.size());
  const std::span<const Event> remote(out.events.data(), remote_count);
  const std::uint64_t seq_before = impl_->next_seq;
  const std::uint64_t clock_before = impl_->clock.last();
  auto undo = [&](Status s) {
    // Nothing was stored: hand the numbers back so the sequence has no holes.
    impl_->next_seq = seq_before;
    impl_->clock.Reset(clock_before);
    return s;
  };
  // Our own stamps follow what another writer of this file stored, and what
  // we ingest (a verdict sorts after the event it judges).
  if (!drafts.empty())
    if (auto outside = impl_->Refresh(); !outside) return outside.status();
  if (!drafts.empty())
    for (const Event& e : remote) impl_->clock.Observe(e.hlc);
  const std::int64_t now_ms = impl_->opt.clock->NowMs();
  for (const auto& [author, d] : drafts) {
    Event e;
    e.id = NewUuidV7(now_ms);
    e.entity_type = d.entity_type;
    e.entity_id = d.entity_id;
    e.kind = d.kind;
    e.payload = d.payload;
    if (!d.personal.is_null()) {
      if (Status s = ValidatePersonal(d.personal); !s.ok()) return undo(s);
      e.personal = d.personal;
      e.personal_salt = NewPersonalSalt();
      if (e.personal_salt.empty())
        return undo(Status::Io({"the system's random number generator failed", "系统随机数生成器出错"}));
      e.personal_digest = PersonalDigest(e.personal_salt, e.personal);
      if (e.personal_digest.empty()) {
        auto text = SerializePersonal(e.personal);
        return undo(text.ok() ? Status::Invalid("personal", {"personal data cannot be hashed", "个人数据无法计算摘要"})
                              : text.status());
      }
    }
    e.author = {author.user, author.role, impl_->device_id};
    e.seq = impl_->next_seq++;
    e.hlc = impl_->clock.Tick();
    if (Status s = ValidateEvent(e); !s.ok()) return undo(s);
    out.events.push_back(std::move(e));
  }
  std::vector<std::int64_t> positions;
  positions.reserve(out.events.size());
  auto cs = impl_->ApplyBatch(out.events, remote_count, &positions);
  if (!cs) return undo(cs.status());
  out.changes = std::move(*cs);
  out.events.erase(out.events.begin(), out.events.begin() + static_cast<std::ptrdiff_t>(remote_count));
  positions.resize(remote_count);
  out.remote_positions = std::move(positions);
  return out;
}

Result<ChangeSet> Store::Ingest(const std::vector<Event>& events) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (Status s = ValidateEvent(events[i]); !s.ok())
      return Status::Invalid("events[" + std::to_string(i) + "]." + s.field(), s.message());
  }
  return impl_->ApplyBatch(events, events.size());
}

Result<std::optional<RecordView>> Store::Get(const std::string& type, const std::string& id) {
  auto& m = *impl_;
  auto type_nid = m.nid_by_name.count(type) ? Result<std::int64_t>(m.nid_by_name[type]) : Result<std::int64_t>(0);
  if (*type_nid == 0) {
    m.name_find.Bind(1, type);
    if (m.name_find.Step() == SQLITE_ROW) type_nid = m.name_find.Int(0);
    m.name_find.Reset();
    if (*type_nid == 0) return std::optional<RecordView>();
  }
  std::int64_t rid = 0;
  if (auto it = m.rid_by_key.find({*type_nid, id}); it != m.rid_by_key.end()) {
    rid = it->second;
  } else {
    const EncodedId eid = EncodeId(id);
    m.rid_find.Bind(1, *type_nid);
    BindId(m.rid_find, 2, eid);
    if (m.rid_find.Step() == SQLITE_ROW) rid = m.rid_find.Int(0);
    m.rid_find.Reset();
    if (rid == 0) return std::optional<RecordView>();
  }
  auto c = m.Load(rid);
  if (!c) return c.status();
  RecordView v{{type, id}, (*c)->state.fields, (*c)->state.conflicts, (*c)->state.purged_through, {}};
  for (const auto& [eid, r] : (*c)->state.refused) v.refusals.push_back(r);
  if (m.constraints_on()) {
    sql::Stmt& q = m.Prepared(m.derived_of_record, "SELECT body FROM derived_conflicts WHERE rid = ?1 ORDER BY cid");
    q.Bind(1, rid);
    while (q.Step() == SQLITE_ROW) v.conflicts.push_back(ConflictFromJson(Json::parse(q.Text(0), nullptr, false)));
    q.Reset();
  }
  std::sort(v.conflicts.begin(), v.conflicts.end(),
            [](const Conflict& a, const Conflict& b) { return a.Id() < b.Id(); });
  return std::optional<RecordView>(std::move(v));
}

Status Store::ForEachRecord(const std::string& type, const std::function<void(const RecordView&)>& fn) {
  auto& m = *impl_;
  auto derived = m.AllDerived();
  if (!derived) return derived.status();
  sql::Stmt q = m.db.Prepare(
      "SELECT r.rid, n.name, r.eid, r.state FROM records r JOIN names n ON n.nid = r.type "
      "WHERE (?1 = '' OR n.name = ?1) AND r.tip_hlc != 0 ORDER BY n.name, r.eid");
  q.Bind(1, type);
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    RecordState st;
    auto state = ReadJsonColumn(q, 3, m.NameLookup());
    if (!state) return state.status();
    StateFromJson(*state, st);
    RecordView v{{std::string(q.Text(1)), DecodeId(q, 2)}, std::move(st.fields), std::move(st.conflicts),
                 st.purged_through, {}};
    for (auto& [eid, r] : st.refused) v.refusals.push_back(std::move(r));
    if (auto it = derived->find(q.Int(0)); it != derived->end())
      v.conflicts.insert(v.conflicts.end(), it->second.begin(), it->second.end());
    std::sort(v.conflicts.begin(), v.conflicts.end(),
              [](const Conflict& a, const Conflict& b) { return a.Id() < b.Id(); });
    fn(v);
  }
  if (rc != SQLITE_DONE) return m.db.ErrorStatus("read records");
  return Status::Ok();
}

Result<std::vector<RecordView>> Store::GroupMembers(std::string_view constraint, const std::string& group) {
  auto& m = *impl_;
  std::vector<RecordView> out;
  if (!m.constraints_on()) return out;
  std::vector<RecordKey> keys;
  {
    sql::Stmt q = m.db.Prepare(
        "SELECT n.name, r.eid FROM groups g JOIN names c ON c.nid = g.cname JOIN records r ON r.rid = g.rid "
        "JOIN names n ON n.nid = r.type WHERE c.name = ?1 AND g.grp = ?2");
    q.Bind(1, constraint);
    m.BindGroup(q, 2, group);
    while (q.Step() == SQLITE_ROW) keys.push_back({std::string(q.Text(0)), DecodeId(q, 1)});
  }
  std::sort(keys.begin(), keys.end());
  for (const auto& k : keys) {
    auto v = Get(k.type, k.id);
    if (!v) return v.status();
    if (*v) out.push_back(std::move(**v));
  }
  return out;
}

Result<std::vector<Event>> Store::EventsOf(const std::string& type, const std::string& id) {
  auto& m = *impl_;
  auto rid = m.StoredRid(type, id);
  if (!rid) return rid.status();
  if (*rid == 0) return std::vector<Event>{};
  std::string evpos;
  if (m.positions_on()) {
    sql::Stmt q = m.db.Prepare("SELECT evpos FROM records WHERE rid = ?1");
    q.Bind(1, *rid);
    if (q.Step() == SQLITE_ROW) evpos = std::string(q.Blob(0));
  }
  return m.LoadEvents(*rid, type, id, evpos);
}

Result<std::vector<Event>> Store::StoredEventsOf(const std::string& type, const std::string& id) {
  auto& m = *impl_;
  if (!m.positions_on()) return EventsOf(type, id);
  auto rid = m.StoredRid(type, id);
  if (!rid) return rid.status();
  if (*rid == 0) return std::vector<Event>{};
  std::string evpos;
  std::int64_t last = 0;
  sql::Stmt q = m.db.Prepare("SELECT pos FROM events WHERE rid = ?1 ORDER BY pos");
  q.Bind(1, *rid);
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) AppendPosition(evpos, last, q.Int(0));
  if (rc != SQLITE_DONE) return m.db.ErrorStatus("read events");
  return m.LoadEvents(*rid, type, id, evpos);
}

namespace {

// The columns every event read selects, in this order (ReadEventRow's contract).
constexpr std::string_view kEventColumns =
    "e.pos, e.id, r.type, r.eid, e.hlc, e.dev, e.seq, e.kind, e.usr, e.role, e.payload";
constexpr std::string_view kPersonalColumns = ", e.pdigest, p.salt, p.data";
constexpr std::string_view kEventJoins = " FROM events e JOIN records r ON r.rid = e.rid";
constexpr std::string_view kPersonalJoin = " LEFT JOIN personal p ON p.pos = e.pos";

std::string EventQuery(bool personal, std::string_view where) {
  std::string q = "SELECT ";
  q += kEventColumns;
  if (personal) q += kPersonalColumns;
  q += kEventJoins;
  if (personal) q += kPersonalJoin;
  q += " ";
  q += where;
  return q;
}

// Decodes the row of an EventQuery; names are resolved by `name_of`.
template <typename NameOf>
Status DecodeEventRow(const sql::Stmt& q, bool personal, NameOf&& name_of, Event& e) {
  std::string_view idb = q.Blob(1);
  UuidBytes u{};
  if (idb.size() != u.size()) return Status::Corruption({"an event id is damaged", "事件ID已损坏"});
  std::copy(idb.begin(), idb.end(), reinterpret_cast<char*>(u.data()));
  e.id = UuidToString(u);
  e.entity_id = DecodeId(q, 3);
  e.hlc = static_cast<std::uint64_t>(q.Int(4));
  e.seq = static_cast<std::uint64_t>(q.Int(6));
  auto payload = ReadJsonColumn(q, 10, name_of);
  if (!payload) return payload.status();
  e.payload = std::move(*payload);
  if (personal)
    if (Status s = ReadPersonal(q, 11, e); !s.ok()) return s;
  for (auto [col, dst] : {std::pair{2, &e.entity_type}, {5, &e.author.device}, {7, &e.kind}, {8, &e.author.user},
                          {9, &e.author.role}}) {
    auto n = name_of(q.Int(col));
    if (!n) return n.status();
    *dst = std::move(*n);
  }
  return Status::Ok();
}

}  // namespace

Status Store::Impl::ReadEventRow(const sql::Stmt& q, Event& e) {
  return DecodeEventRow(q, personal_on(), [&](std::int64_t nid) { return NameOf(nid); }, e);
}

Status Store::ForEachEvent(std::int64_t after_position,
                           const std::function<bool(std::int64_t pos, const Event&)>& fn) {
  auto& m = *impl_;
  sql::Stmt q = m.db.Prepare(EventQuery(m.personal_on(), "WHERE e.pos > ?1 ORDER BY e.pos"));
  q.Bind(1, after_position);
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    Event e;
    if (Status s = m.ReadEventRow(q, e); !s.ok()) return s;
    if (!fn(q.Int(0), e)) return Status::Ok();
  }
  if (rc != SQLITE_DONE) return m.db.ErrorStatus("read events");
  return Status::Ok();
}

Status Store::ForEachEventRecord(std::int64_t after_position,
                                const std::function<void(std::int64_t pos, const RecordKey& record)>& fn) {
  auto& m = *impl_;
  sql::Stmt q = m.db.Prepare(
      "SELECT e.pos, r.type, r.eid FROM events e JOIN records r ON r.rid = e.rid WHERE e.pos > ?1 ORDER BY e.pos");
  q.Bind(1, after_position);
  int rc;
  RecordKey key;
  std::int64_t type_nid = 0;
  while ((rc = q.Step()) == SQLITE_ROW) {
    if (q.Int(1) != type_nid) {
      auto name = m.NameOf(q.Int(1));
      if (!name) return name.status();
      type_nid = q.Int(1);
      key.type = std::move(*name);
    }
    key.id = DecodeId(q, 2);
    fn(q.Int(0), key);
  }
  if (rc != SQLITE_DONE) return m.db.ErrorStatus("read events");
  return Status::Ok();
}

Result<bool> Store::Refresh() { return impl_->Refresh(); }

Status Store::ReadSnapshot(const std::function<Status()>& reads) {
  if (Status s = impl_->db.Exec("BEGIN"); !s.ok()) return s;
  Status result = Status::Ok();
  // A read statement is what pins the snapshot; Refresh's is the first.
  if (auto refreshed = impl_->Refresh(); !refreshed) result = refreshed.status();
  if (result.ok()) result = reads();
  (void)impl_->db.Exec("COMMIT");
  return result;
}

Result<std::vector<std::int64_t>> Store::PositionsOf(const std::vector<std::string>& ids) {
  auto& m = *impl_;
  std::vector<std::int64_t> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    const auto u = ParseUuid(id);
    std::int64_t pos = 0;
    if (u) {
      auto found = m.PositionOf(*u);
      if (!found) return found.status();
      pos = *found;
    }
    out.push_back(pos);
  }
  return out;
}

Result<std::int64_t> Store::LastPosition() {
  sql::Stmt q = impl_->db.Prepare("SELECT coalesce(max(pos), 0) FROM events");
  if (q.Step() != SQLITE_ROW) return impl_->db.ErrorStatus("read last position");
  return q.Int(0);
}

Result<std::vector<std::pair<std::int64_t, Event>>> Store::OwnEventsAfter(std::int64_t after_position,
                                                                          std::size_t limit,
                                                                          std::int64_t* scanned_to) {
  auto& m = *impl_;
  std::vector<std::pair<std::int64_t, Event>> out;
  auto last = LastPosition();
  if (!last) return last.status();
  if (scanned_to) *scanned_to = *last;
  if (Status s = m.EnsureOwnIndex(); !s.ok()) return s;
  // The device's id is written into the query so that the planner can use the partial index.
  sql::Stmt q = m.db.Prepare(EventQuery(
      m.personal_on(), "WHERE e.dev = " + std::to_string(m.own_nid) + " AND e.pos > ?1 ORDER BY e.pos LIMIT ?3"));
  q.Bind(1, after_position).Bind(3, static_cast<std::int64_t>(limit));
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    Event e;
    if (Status s = m.ReadEventRow(q, e); !s.ok()) return s;
    out.emplace_back(q.Int(0), std::move(e));
  }
  if (rc != SQLITE_DONE) return m.db.ErrorStatus("read own events");
  // A full page may stop short of the end: only what was returned is known to be scanned.
  if (scanned_to && out.size() == limit && limit != 0) *scanned_to = out.back().first;
  return out;
}

Result<std::int64_t> Store::CountOwnEventsAfter(std::int64_t after_position) {
  auto& m = *impl_;
  if (Status s = m.EnsureOwnIndex(); !s.ok()) return s;
  sql::Stmt q =
      m.db.Prepare("SELECT count(*) FROM events WHERE dev = " + std::to_string(m.own_nid) + " AND pos > ?1");
  q.Bind(1, after_position);
  if (q.Step() != SQLITE_ROW) return m.db.ErrorStatus("count own events");
  return q.Int(0);
}

Result<std::optional<std::string>> Store::GetMeta(const std::string& key) {
  auto& m = *impl_;
  m.meta_get.Bind(1, "app." + key);
  int rc = m.meta_get.Step();
  std::optional<std::string> out;
  if (rc == SQLITE_ROW) out = std::string(m.meta_get.Text(0));
  m.meta_get.Reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return m.db.ErrorStatus("read meta");
  return out;
}

Status Store::SetMeta(const std::string& key, const std::string& value) {
  auto& m = *impl_;
  if (!m.sticky.ok()) return m.sticky;
  m.meta_set.Bind(1, "app." + key).Bind(2, value);
  if (m.meta_set.Run() != SQLITE_DONE) return m.db.ErrorStatus("write meta");
  return Status::Ok();
}

// ---------------------------------------------------------------------------

struct EventReader::Impl {
  sql::Db db;
  bool personal = false;
  std::unordered_map<std::int64_t, std::string> names;
  sql::Stmt at, last, name_get;

  Result<std::string> NameOf(std::int64_t nid) {
    if (auto it = names.find(nid); it != names.end()) return it->second;
    name_get.Bind(1, nid);
    if (name_get.Step() != SQLITE_ROW) {
      name_get.Reset();
      return Status::Corruption({"an interned name is missing", "内部名称缺失"});
    }
    std::string n(name_get.Text(0));
    name_get.Reset();
    names.emplace(nid, n);
    return n;
  }
};

EventReader::EventReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventReader::~EventReader() = default;

Result<std::unique_ptr<EventReader>> EventReader::Open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  if (Status s = impl->db.Open(path); !s.ok()) return s;
  sql::Stmt v = impl->db.Prepare("PRAGMA user_version");
  // The personal table exists from schema 3 on.
  sql::Stmt has = impl->db.Prepare("SELECT 1 FROM sqlite_schema WHERE name = 'personal'");
  impl->personal = has.valid() && has.Step() == SQLITE_ROW;
  impl->at = impl->db.Prepare(EventQuery(impl->personal, "WHERE e.pos = ?1"));
  impl->last = impl->db.Prepare("SELECT coalesce(max(pos), 0) FROM events");
  impl->name_get = impl->db.Prepare("SELECT name FROM names WHERE nid = ?1");
  if (!impl->at.valid() || !impl->last.valid() || !impl->name_get.valid())
    return Status::Corruption({"not a Houqin database: " + path, "不是后勤数据库: " + path});
  return std::unique_ptr<EventReader>(new EventReader(std::move(impl)));
}

Result<std::vector<std::pair<std::int64_t, Event>>> EventReader::ReadAt(const std::vector<std::int64_t>& positions) {
  auto& m = *impl_;
  std::vector<std::pair<std::int64_t, Event>> out;
  out.reserve(positions.size());
  // One read transaction: every event comes from the same snapshot.
  if (Status s = m.db.Exec("BEGIN"); !s.ok()) return s;
  Status failed = Status::Ok();
  for (std::int64_t pos : positions) {
    m.at.Bind(1, pos);
    int rc = m.at.Step();
    if (rc == SQLITE_ROW) {
      Event e;
      failed = DecodeEventRow(m.at, m.personal, [&](std::int64_t nid) { return m.NameOf(nid); }, e);
      if (failed.ok()) out.emplace_back(pos, std::move(e));
    } else if (rc != SQLITE_DONE) {
      failed = m.db.ErrorStatus("read event");
    }
    m.at.Reset();
    if (!failed.ok()) break;
  }
  m.db.Exec("COMMIT");
  if (!failed.ok()) return failed;
  return out;
}

Result<std::int64_t> EventReader::LastPosition() {
  auto& m = *impl_;
  int rc = m.last.Step();
  std::int64_t v = rc == SQLITE_ROW ? m.last.Int(0) : 0;
  m.last.Reset();
  if (rc != SQLITE_ROW) return m.db.ErrorStatus("read last position");
  return v;
}

Result<std::vector<RecordView>> Store::Conflicts() {
  std::vector<RecordView> out;
  Status s = ForEachRecord("", [&](const RecordView& v) {
    if (v.conflicted()) out.push_back(v);
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<RecordKey>> Store::RecordsWithPersonalBefore(std::uint64_t hlc) {
  auto& m = *impl_;
  std::vector<RecordKey> out;
  if (!m.personal_on()) return out;
  sql::Stmt q = m.db.Prepare(
      "SELECT DISTINCT n.name, r.eid FROM personal p JOIN events e ON e.pos = p.pos "
      "JOIN records r ON r.rid = e.rid JOIN names n ON n.nid = r.type WHERE e.hlc <= ?1");
  q.Bind(1, static_cast<std::int64_t>(std::min<std::uint64_t>(hlc, std::numeric_limits<std::int64_t>::max())));
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) out.push_back({std::string(q.Text(0)), DecodeId(q, 1)});
  if (rc != SQLITE_DONE) return m.db.ErrorStatus("read personal data");
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> Store::StateHash() {
  auto& m = *impl_;
  std::map<std::int64_t, std::vector<std::pair<std::string, std::string>>> derived;
  if (m.constraints_on()) {
    sql::Stmt q = m.db.Prepare("SELECT rid, cid, body FROM derived_conflicts ORDER BY rid, cid");
    while (q.Step() == SQLITE_ROW)
      derived[q.Int(0)].emplace_back(std::string(q.Text(1)), std::string(q.Text(2)));
  }
  sql::Stmt q = m.db.Prepare(
      "SELECT r.rid, n.name, r.eid, r.state FROM records r JOIN names n ON n.nid = r.type "
      "WHERE r.tip_hlc != 0 ORDER BY n.name, r.eid");
  Sha256Hasher h;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    h.UpdateField(q.Text(1));
    h.UpdateField(DecodeId(q, 2));
    auto state = m.StateText(q, 3);
    if (!state) return state.status();
    h.UpdateField(*state);
    if (auto it = derived.find(q.Int(0)); it != derived.end())
      for (const auto& [cid, body] : it->second) {
        h.UpdateField(cid);
        h.UpdateField(body);
      }
    h.UpdateField("");
  }
  if (rc != SQLITE_DONE) return m.db.ErrorStatus("hash state");
  return ToHex(h.Finish());
}

Status Store::VerifyMaterialized() {
  auto& m = *impl_;
  // Fold every record from scratch, independent of the cache.
  std::map<std::int64_t, RecordState> folded;
  std::map<std::int64_t, std::string> stored, evpos;
  {
    sql::Stmt q = m.db.Prepare(std::string("SELECT r.rid, n.name, r.eid, r.state, ") +
                               (m.positions_on() ? "r.evpos" : "NULL") +
                               " FROM records r JOIN names n ON n.nid = r.type WHERE r.tip_hlc != 0");
    while (q.Step() == SQLITE_ROW) {
      evpos[q.Int(0)] = std::string(q.Blob(4));
      RecordState st;
      st.type = std::string(q.Text(1));
      st.id = DecodeId(q, 2);
      folded[q.Int(0)] = std::move(st);
      auto state = m.StateText(q, 3);
      if (!state) return state.status();
      stored[q.Int(0)] = std::move(*state);
    }
  }
  if (m.positions_on()) {
    // Each record lists exactly the event rows that name it.
    std::map<std::int64_t, std::string> rows;
    std::map<std::int64_t, std::int64_t> last;
    sql::Stmt q = m.db.Prepare("SELECT rid, pos FROM events ORDER BY rid, pos");
    while (q.Step() == SQLITE_ROW) AppendPosition(rows[q.Int(0)], last[q.Int(0)], q.Int(1));
    for (const auto& [rid, st] : folded)
      if (rows[rid] != evpos[rid])
        return Status::Corruption({"the events of record " + st.type + "/" + st.id + " differ from its event list",
                                   "记录 " + st.type + "/" + st.id + " 的事件与其事件列表不一致"});
    for (const auto& [rid, list] : rows)
      if (!folded.count(rid))
        return Status::Corruption({"events name a record that is not stored", "事件所属记录不存在"});
  }
  for (auto& [rid, st] : folded) {
    auto events = m.LoadEvents(rid, st.type, st.id, evpos[rid]);
    if (!events) return events.status();
    if (events->empty())
      return Status::Corruption({"record " + st.type + "/" + st.id + " has no events", "记录没有事件"});
    st = FoldRecord(*m.opt.domain, st.type, st.id, std::move(*events));
    if (SerializeState(st) != stored[rid])
      return Status::Corruption({"record " + st.type + "/" + st.id + " differs from the fold of its events",
                                 "记录 " + st.type + "/" + st.id + " 与其事件折叠结果不一致"});
    if (st.purged_through != 0 && m.personal_on()) {
      auto kept = m.PersonalKept(rid, evpos[rid], st.purged_through);
      if (!kept) return kept.status();
      if (*kept != 0)
        return Status::Corruption({"record " + st.type + "/" + st.id + " keeps personal data its purge removed",
                                   "记录 " + st.type + "/" + st.id + " 仍保留已清除的个人数据"});
    }
  }
  if (!m.constraints_on()) return Status::Ok();
  // Recompute every group and its conflicts from the folded states.
  std::map<GroupKey, std::vector<std::int64_t>> groups;
  for (auto& [rid, st] : folded)
    for (auto& g : m.GroupsOf(st)) groups[g].push_back(rid);
  std::set<std::tuple<std::string, std::string, std::int64_t>> want_members, have_members;
  std::set<std::tuple<std::int64_t, std::string, std::string>> want_derived, have_derived;
  for (auto& [g, rids] : groups) {
    for (auto rid : rids) want_members.emplace(g.first, g.second, rid);
    const Constraint* c = m.opt.domain->FindConstraint(g.first);
    if (c == nullptr || c->IndexOnly()) continue;
    std::sort(rids.begin(), rids.end(), [&](auto a, auto b) {
      return std::tie(folded[a].type, folded[a].id) < std::tie(folded[b].type, folded[b].id);
    });
    std::vector<const RecordState*> states;
    for (auto rid : rids) states.push_back(&folded[rid]);
    std::vector<GroupConflict> found;
    c->Evaluate(g.second, states, found);
    for (auto& f : found) {
      f.conflict.source = g.first;
      const auto rid = rids.at(f.member);
      if (folded[rid].resolved.count(f.conflict.Id())) continue;
      want_derived.emplace(rid, f.conflict.Id(), ConflictToJson(f.conflict).dump());
    }
  }
  {
    sql::Stmt q = m.db.Prepare("SELECT n.name, g.grp, g.rid FROM groups g JOIN names n ON n.nid = g.cname");
    while (q.Step() == SQLITE_ROW) have_members.emplace(std::string(q.Text(0)), DecodeId(q, 1), q.Int(2));
    sql::Stmt d = m.db.Prepare("SELECT rid, cid, body FROM derived_conflicts");
    while (d.Step() == SQLITE_ROW) have_derived.emplace(d.Int(0), std::string(d.Text(1)), std::string(d.Text(2)));
  }
  if (want_members != have_members)
    return Status::Corruption({"constraint groups differ from the records' states", "约束分组与记录状态不一致"});
  if (want_derived != have_derived)
    return Status::Corruption({"cross-record conflicts differ from a fresh evaluation", "跨记录冲突与重新计算结果不一致"});
  return Status::Ok();
}

Result<StoreStats> Store::Stats() {
  auto& m = *impl_;
  StoreStats s;
  s.schema_version = m.version;
  sql::Stmt q = m.db.Prepare(
      "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM records WHERE tip_hlc != 0)");
  if (q.Step() != SQLITE_ROW) return m.db.ErrorStatus("stats");
  s.events = q.Int(0);
  s.records = q.Int(1);
  sql::Stmt payloads = m.db.Prepare("SELECT payload FROM events");
  int rc;
  while ((rc = payloads.Step()) == SQLITE_ROW) {
    if (payloads.Type(0) != SQLITE_BLOB) {
      s.payload_bytes += static_cast<std::int64_t>(payloads.Text(0).size());
      continue;
    }
    auto payload = ReadJsonColumn(payloads, 0, m.NameLookup());
    if (!payload) return payload.status();
    s.payload_bytes += static_cast<std::int64_t>(payload->dump().size());
  }
  if (rc != SQLITE_DONE) return m.db.ErrorStatus("stats");
  auto conflicts = Conflicts();
  if (!conflicts) return conflicts.status();
  s.conflicted_records = static_cast<std::int64_t>(conflicts->size());
  m.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  std::error_code ec;
  auto size = std::filesystem::file_size(m.path, ec);
  s.file_bytes = ec ? 0 : static_cast<std::int64_t>(size);
  return s;
}

}  // namespace houqin
