// Store: one replica's events and the state folded from them, in SQLite.
//
// Events are append-only. Each record's state is kept materialised and is
// always equal to FoldRecord() over that record's events (VerifyMaterialized
// proves it). Applying a batch, local or remote, is one transaction: the
// events, the folded records, the constraint groups and their conflicts all
// commit together or not at all. An event already held is acknowledged and
// ignored, so merge is set union: commutative, associative, idempotent.
//
// An event older than what a record has already folded makes the store
// re-fold that record alone from its own events; nothing else is touched.
//
// Personal data (Draft::personal) is stored beside its event, not in its
// body. A personal.purged event deletes it on every replica (the file is
// opened with secure_delete and checkpointed after such a batch, so no copy
// stays in free pages or the WAL) while the event keeps its digest, and so its hash.
//
// After a failed commit the store refuses further writes and keeps
// reporting that first error until it is reopened, so no write lands on top
// of a state nobody knows.
//
// Thread safety: a Store is used by one thread at a time (the Qt apps keep
// it on their sync worker; the server guards it with a mutex).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/event.h"
#include "engine/fold.h"

namespace houqin {

struct RecordKey {
  std::string type;
  std::string id;
  bool operator==(const RecordKey&) const = default;
  auto operator<=>(const RecordKey&) const = default;
};

// What a caller writes: the store stamps id, author device, sequence and clock.
struct Draft {
  std::string entity_type;
  std::string entity_id;
  std::string kind;
  Json payload = Json::object();
  // Personal data (names, phones, document hashes): kept apart from the event
  // body so that a purge removes it while the event and its hash stay. Null
  // when the event carries none. See MERGE-RULES.md, "Personal data".
  Json personal = nullptr;
};

// The engine event that forgets the personal data of one record's events
// stamped up to `through_hlc` (kPersonalPurgedKind). Every replica applies it
// alike; the events and their hashes stay.
Draft PurgePersonalDraft(const std::string& type, const std::string& id, std::uint64_t through_hlc);

// The server's verdict on `refused` (kServerRefusedKind), naming the field
// and reason of `why`. Append it with the author role kServerRole.
Draft RefusalDraft(const Event& refused, const Status& why);

// Which records a batch changed, for the list models of the apps.
struct ChangeSet {
  std::vector<RecordKey> changed;  // sorted, unique
  std::size_t inserted = 0;        // events new to this replica
  std::size_t duplicates = 0;      // events it already held
  std::size_t clock_skewed = 0;    // events stamped beyond the skew bound (kept, not followed)
  std::size_t refolded = 0;        // records re-folded because an older event arrived
  std::size_t purged = 0;          // records re-folded because a personal.purged event arrived
};

// A draft with its own author, for batches that carry several people's actions
// (an import, a benchmark replaying a day of the compound).
struct AuthoredDraft {
  Author author;
  Draft draft;
};

struct AppendResult {
  std::vector<Event> events;  // as stamped and stored
  ChangeSet changes;
  // Of IngestThenAppend: each remote event's position, where it is stored now or was before.
  std::vector<std::int64_t> remote_positions;
};

// A record as the apps and reports read it: fields plus every conflict mark.
struct RecordView {
  RecordKey key;
  Json fields;
  std::vector<Conflict> conflicts;  // own fold's and constraints', sorted by id
  std::uint64_t purged_through = 0;  // personal data of events up to this HLC stamp was purged; 0: never
  std::vector<Refusal> refusals;     // events the server refused, by event id
  bool conflicted() const { return !conflicts.empty(); }
};

struct StoreStats {
  std::int64_t events = 0;
  std::int64_t records = 0;
  std::int64_t conflicted_records = 0;
  std::int64_t file_bytes = 0;
  std::int64_t payload_bytes = 0;  // the payloads as JSON text, however the file keeps them
  int schema_version = 0;
};

struct StoreOptions {
  const Domain* domain = nullptr;  // required
  const Clock* clock = &SystemClock::Instance();
  HlcOptions hlc;
  // The device id given to a new database; ignored when one exists. Empty: a new UUIDv7.
  std::string device_id;
  // fsync on every commit (the server's durable ack); devices use NORMAL in WAL mode.
  bool synchronous_full = false;
  // Tests only: stop migrating at this schema version (0 = latest).
  int schema_version_limit = 0;
  std::size_t record_cache_limit = 8192;
  // Write as this device instead of the database's own (the admin tool
  // writing into the server's file): its sequence is kept apart, so two
  // processes never hand out the same (device, seq). Empty: the database's.
  std::string act_as_device;
};

class Store {
 public:
  static constexpr int kSchemaVersion = 5;

  static Result<std::unique_ptr<Store>> Open(const std::string& path, StoreOptions options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& device_id() const;
  int schema_version() const;

  // Local writes: stamps each draft (this device, next sequence, HLC tick),
  // stores and folds them in one transaction. `author.device` is ignored.
  Result<AppendResult> Append(const Author& author, const std::vector<Draft>& drafts);
  // The same, each draft with its own author, still one transaction.
  Result<AppendResult> Append(const std::vector<AuthoredDraft>& drafts);
  // Remote events (a pulled page, another replica's export): one transaction.
  // A structurally invalid event refuses the whole batch, naming it.
  Result<ChangeSet> Ingest(const std::vector<Event>& events);

  // Remote events and then local drafts (stamped as this device), one
  // transaction: the server stores a push and its verdicts together.
  Result<AppendResult> IngestThenAppend(const std::vector<Event>& events, const std::vector<AuthoredDraft>& drafts);
  // The same, taking the remote events over instead of copying them.
  Result<AppendResult> IngestThenAppend(std::vector<Event>&& events, const std::vector<AuthoredDraft>& drafts);
  // Another process (the admin tool) may write the same file: forgets every
  // cache when another Store committed records or events since this store
  // last looked. True when it had. Writes to other tables of the file (the
  // server's delivery index) leave the caches be.
  Result<bool> Refresh();
  // Runs `reads` in one read transaction of this store's connection, after a
  // Refresh: every read sees the file as one commit left it, while another
  // connection (the server's writer thread) goes on committing.
  Status ReadSnapshot(const std::function<Status()>& reads);
  // Arrival positions of events by id (the server's sequence numbers); 0 for an event not held.
  Result<std::vector<std::int64_t>> PositionsOf(const std::vector<std::string>& ids);
  // The highest arrival position, 0 when empty.
  Result<std::int64_t> LastPosition();
  // Events this device wrote with position > after_position, in order, at most `limit`
  // (the outbox). *scanned_to is set to the last position looked at.
  Result<std::vector<std::pair<std::int64_t, Event>>> OwnEventsAfter(std::int64_t after_position, std::size_t limit,
                                                                     std::int64_t* scanned_to = nullptr);
  // How many events this device wrote with position > after_position.
  Result<std::int64_t> CountOwnEventsAfter(std::int64_t after_position);
  // Small values the sync client keeps with the data (cursors); keys are free text.
  Result<std::optional<std::string>> GetMeta(const std::string& key);
  Status SetMeta(const std::string& key, const std::string& value);

  // Called after every committed batch that changed something.
  void SetChangeListener(std::function<void(const ChangeSet&)> listener);

  Result<std::optional<RecordView>> Get(const std::string& type, const std::string& id);
  // Every record of `type` (all records when empty), ordered by (type, id).
  Status ForEachRecord(const std::string& type, const std::function<void(const RecordView&)>& fn);
  // Members of one constraint group, e.g. the trips of a car in one week.
  Result<std::vector<RecordView>> GroupMembers(std::string_view constraint, const std::string& group);
  // The events of one record in fold order.
  Result<std::vector<Event>> EventsOf(const std::string& type, const std::string& id);
  // The same from every event row the file holds for the record, listed by it
  // or not: a scan of all events, for audits of a file that may have been
  // edited by hand (a row deleted or slipped in), where EventsOf would refuse
  // the record as damaged or not see the extra row.
  Result<std::vector<Event>> StoredEventsOf(const std::string& type, const std::string& id);
  // Every event in arrival order from `after_position` (exclusive); fn returns false to stop.
  Status ForEachEvent(std::int64_t after_position, const std::function<bool(std::int64_t pos, const Event&)>& fn);
  // The same walk naming only each event's record, without decoding the events (for indexes kept beside the store).
  Status ForEachEventRecord(std::int64_t after_position,
                            const std::function<void(std::int64_t pos, const RecordKey& record)>& fn);
  // Every record with a conflict mark.
  Result<std::vector<RecordView>> Conflicts();
  // Records holding personal data of events stamped at or before `hlc`, sorted:
  // what a retention job purges (one PurgePersonalDraft each).
  Result<std::vector<RecordKey>> RecordsWithPersonalBefore(std::uint64_t hlc);

  // SHA-256 over every record's state and conflict marks in (type, id) order.
  // Two replicas holding the same events agree on it.
  Result<std::string> StateHash();
  // Re-folds every record from its events and recomputes every constraint;
  // Corruption naming the first record whose stored state differs, or that
  // still holds personal data its purge removed.
  Status VerifyMaterialized();
  Result<StoreStats> Stats();

  // The sticky error of a failed commit, ok otherwise.
  Status write_error() const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace houqin
