#include "engine/fold.h"

#include <algorithm>

namespace houqin {

std::string Conflict::Id() const {
  std::vector<std::string> sorted = events;
  std::sort(sorted.begin(), sorted.end());
  Sha256Hasher h;
  h.UpdateField(kind);
  for (const auto& id : sorted) h.UpdateField(id);
  return ToHex(h.Finish()).substr(0, 20);
}

void RecordState::AddConflict(Conflict c) {
  const std::string id = c.Id();
  for (const auto& existing : conflicts)
    if (existing.Id() == id) return;
  conflicts.push_back(std::move(c));
}

bool RecordState::HasConflict(std::string_view kind) const {
  return std::any_of(conflicts.begin(), conflicts.end(), [&](const Conflict& c) { return c.kind == kind; });
}

void FieldsFold::Apply(RecordState& record, const Event& e) const {
  for (const auto& [key, value] : e.payload.items()) record.fields[key] = value;
}

void Domain::Add(std::unique_ptr<EntityFold> fold) {
  std::string type(fold->type());
  folds_[type] = std::move(fold);
}

void Domain::Add(std::unique_ptr<Constraint> constraint) { constraints_.push_back(std::move(constraint)); }

const EntityFold& Domain::FoldFor(std::string_view type) const {
  auto it = folds_.find(type);
  return it == folds_.end() ? static_cast<const EntityFold&>(fallback_) : *it->second;
}

bool Domain::Knows(std::string_view type) const { return folds_.find(type) != folds_.end(); }

const Constraint* Domain::FindConstraint(std::string_view name) const {
  for (const auto& c : constraints_)
    if (c->name() == name) return c.get();
  return nullptr;
}

std::optional<std::uint64_t> PurgedThrough(const Event& e) {
  if (e.kind != kPersonalPurgedKind) return std::nullopt;
  auto it = e.payload.find("through");
  std::uint64_t through = 0;
  if (it == e.payload.end() || !it->is_string() || !HlcFromHex(it->get_ref<const std::string&>(), &through))
    return std::nullopt;
  return through;
}

std::optional<Refusal> RefusalOf(const Event& e) {
  if (e.kind != kServerRefusedKind || e.author.role != kServerRole) return std::nullopt;
  auto str = [&](const char* key) {
    auto it = e.payload.find(key);
    return it != e.payload.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Refusal r{str("event"), str("field"), {str("en"), str("zh")}};
  if (r.event.empty()) return std::nullopt;
  return r;
}

void ApplyEvent(const Domain& domain, RecordState& record, const Event& e) {
  if (e.kind == kServerRefusedKind) {
    // Usually already collected by FoldRecord; an incremental apply lands here.
    if (auto r = RefusalOf(e)) record.refused.emplace(r->event, std::move(*r));
    return;
  }
  if (record.refused.count(e.id) != 0) return;  // the server refused it: kept in the log, folded as absent
  if (e.kind == kPersonalPurgedKind) {
    // A malformed purge is kept in the log and changes nothing.
    if (auto through = PurgedThrough(e)) record.purged_through = std::max(record.purged_through, *through);
    return;
  }
  if (e.kind == kConflictResolvedKind) {
    auto it = e.payload.find("conflict");
    if (it != e.payload.end() && it->is_string()) {
      const std::string cid = it->get<std::string>();
      record.resolved.insert(cid);
      std::erase_if(record.conflicts, [&](const Conflict& c) { return c.Id() == cid; });
    }
    return;
  }
  if (e.hlc <= record.purged_through && !e.personal_digest.empty() && !e.personal_purged) {
    // Some replicas still hold this event's data, others not: every fold must see it gone.
    Event forgotten = e;
    ForgetPersonal(forgotten);
    domain.FoldFor(record.type).Apply(record, forgotten);
  } else {
    domain.FoldFor(record.type).Apply(record, e);
  }
  // A conflict resolved earlier in the order stays resolved if a later event re-raises it.
  std::erase_if(record.conflicts, [&](const Conflict& c) { return record.resolved.count(c.Id()) != 0; });
}

RecordState FoldRecord(const Domain& domain, std::string type, std::string id, std::vector<Event> events) {
  std::sort(events.begin(), events.end(), OrderBefore);
  RecordState r;
  r.type = std::move(type);
  r.id = std::move(id);
  // A purge covers the events before it in fold order too (it usually sorts after them).
  for (const auto& e : events) {
    if (auto through = PurgedThrough(e)) r.purged_through = std::max(r.purged_through, *through);
    // A verdict sorts after the event it refuses: collect verdicts first so the event is never folded.
    if (auto refusal = RefusalOf(e)) r.refused.emplace(refusal->event, std::move(*refusal));
  }
  for (const auto& e : events) ApplyEvent(domain, r, e);
  return r;
}

}  // namespace houqin
