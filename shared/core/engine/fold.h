// The fold: how a record's state follows from its events, and how records
// that constrain one another (two trips on one car) get their conflict marks.
//
// An EntityFold is a pure function of the events of one record, applied in
// the order key (hlc, device, seq). It must not read the clock, other records
// or anything else: every replica with the same events must reach the same
// bytes. It never drops an event: a step its workflow table does not allow is
// kept in the record's history and marked as a Conflict that people resolve.
//
// A Constraint is the cross-record part. It names the groups a record takes
// part in (a trip belongs to the group of its car) and, given all members of
// one group, the conflicts each member carries. The store keeps group
// membership as an index and re-evaluates only groups whose members changed.
//
// Thread safety: folds and constraints are immutable after registration and
// may be shared by several stores on several threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.h"

namespace houqin {

struct Conflict {
  std::string kind;                 // machine name: "workflow", "double_booking", ...
  std::vector<std::string> events;  // ids of the events involved
  Text reason;                      // for people
  std::string source = "fold";      // "fold", or the constraint's name

  // Deterministic identity: kind plus the sorted event ids. A resolving event names it.
  std::string Id() const;
  bool operator==(const Conflict&) const = default;
};

// The event kind any record accepts to clear one of its conflicts:
// payload {"conflict": "<id>", "note": "..."}.
inline constexpr std::string_view kConflictResolvedKind = "conflict.resolved";

// The event kind any record accepts to forget personal data:
// payload {"through": "<16 hex digits: an HLC stamp>"}. The fold of the record
// treats every event with hlc <= through as if its personal data were gone
// (Event::personal null, personal_purged true), wherever the purge sorts, and
// the store deletes those events' personal rows. See MERGE-RULES.md.
inline constexpr std::string_view kPersonalPurgedKind = "personal.purged";

// The `through` stamp of a personal.purged event; nullopt for any other event
// or a payload without a valid 16-hex-digit "through".
std::optional<std::uint64_t> PurgedThrough(const Event& e);

// The server's verdict on a pushed event it refused: payload {"event": "<id>",
// "field": "...", "en": "...", "zh": "..."}, authored with role "server".
// Every replica folds the record as if the refused event were not there
// (wherever the verdict sorts), and keeps the refusal for people to read.
// A verdict not authored by the server role is kept and changes nothing.
inline constexpr std::string_view kServerRefusedKind = "server.refused";
inline constexpr std::string_view kServerRole = "server";

struct Refusal {
  std::string event;  // the refused event's id
  std::string field;  // what was wrong
  Text reason;
  bool operator==(const Refusal&) const = default;
};
// The refusal a server.refused event carries; nullopt for any other event.
std::optional<Refusal> RefusalOf(const Event& e);

struct RecordState {
  std::string type;
  std::string id;
  Json fields = Json::object();
  std::vector<Conflict> conflicts;  // from this record's own fold
  std::set<std::string> resolved;   // conflict ids cleared by conflict.resolved events
  // The largest `through` of the record's personal.purged events, 0 for none:
  // events up to this stamp are folded without their personal data.
  std::uint64_t purged_through = 0;
  // Events the server refused, by id: folded as if absent.
  std::map<std::string, Refusal> refused;

  // Adds a conflict unless one with the same id exists already.
  void AddConflict(Conflict c);
  bool HasConflict(std::string_view kind) const;
};

class EntityFold {
 public:
  virtual ~EntityFold() = default;
  virtual std::string_view type() const = 0;
  // Applies one event to the record. Called in order; `record` starts empty.
  virtual void Apply(RecordState& record, const Event& e) const = 0;
};

struct GroupConflict {
  std::size_t member;  // index into the members passed to Evaluate
  Conflict conflict;
};

class Constraint {
 public:
  virtual ~Constraint() = default;
  virtual std::string_view name() const = 0;
  // An index-only constraint groups records for fast reads (GroupMembers)
  // and never raises conflicts: the store does not evaluate its groups.
  virtual bool IndexOnly() const { return false; }
  // The groups this record belongs to, e.g. {"car-id"}; empty for none.
  virtual std::vector<std::string> Groups(const RecordState& record) const = 0;
  // All members of one group, sorted by (type, id). Appends the conflicts found.
  virtual void Evaluate(const std::string& group, const std::vector<const RecordState*>& members,
                        std::vector<GroupConflict>& out) const = 0;
};

// Fields of a payload merged last-writer-wins in event order: the fold for
// records that are plain registers (directory entries, settings), and the
// fold of an entity type this build does not know (kept, shown, never lost).
class FieldsFold final : public EntityFold {
 public:
  explicit FieldsFold(std::string type) : type_(std::move(type)) {}
  std::string_view type() const override { return type_; }
  void Apply(RecordState& record, const Event& e) const override;

 private:
  std::string type_;
};

// The registry of folds and constraints a store runs.
class Domain {
 public:
  Domain() = default;
  Domain(const Domain&) = delete;
  Domain& operator=(const Domain&) = delete;

  void Add(std::unique_ptr<EntityFold> fold);
  void Add(std::unique_ptr<Constraint> constraint);
  // The fold for `type`; the shared FieldsFold for a type not registered.
  const EntityFold& FoldFor(std::string_view type) const;
  bool Knows(std::string_view type) const;
  const std::vector<std::unique_ptr<Constraint>>& constraints() const { return constraints_; }
  const Constraint* FindConstraint(std::string_view name) const;

 private:
  std::map<std::string, std::unique_ptr<EntityFold>, std::less<>> folds_;
  std::vector<std::unique_ptr<Constraint>> constraints_;
  FieldsFold fallback_{"*"};
};

// Folds the given events (any order; they are sorted here) of one record from
// empty, the reference every materialised state must equal. The purge horizon
// (purged_through) is found before the first event is applied.
RecordState FoldRecord(const Domain& domain, std::string type, std::string id, std::vector<Event> events);
// One step of the fold, including the engine's own event kinds; an event
// within record.purged_through reaches the entity fold without its personal data.
void ApplyEvent(const Domain& domain, RecordState& record, const Event& e);

}  // namespace houqin
