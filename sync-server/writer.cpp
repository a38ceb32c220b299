#include "writer.h"

#include <unordered_map>
#include <unordered_set>

#include "log.h"
#include "sync/access.h"

namespace houqin::server {

std::uint64_t Notifier::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void Notifier::Bump() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
  }
  cv_.notify_all();
}

void Notifier::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    shutdown_ = true;
  }
  cv_.notify_all();
}

bool Notifier::shut_down() const {
  std::lock_guard lock(mutex_);
  return shutdown_;
}

bool Notifier::WaitChange(std::uint64_t seen, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  cv_.wait_until(lock, deadline, [&] { return generation_ != seen || shutdown_; });
  return generation_ != seen;
}

std::optional<directory::UserInfo> DirectorySnapshot::Find(const std::string& user) const {
  std::lock_guard lock(mutex_);
  auto it = users_.find(user);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> DirectorySnapshot::SiteOf(const std::string& user) const {
  std::lock_guard lock(mutex_);
  auto it = sites_.find(user);
  if (it == sites_.end()) return std::nullopt;
  return it->second;
}

void DirectorySnapshot::Replace(std::map<std::string, directory::UserInfo> users,
                                std::map<std::string, std::string> sites) {
  std::lock_guard lock(mutex_);
  users_ = std::move(users);
  sites_ = std::move(sites);
}

Result<std::unique_ptr<Writer>> Writer::Start(const std::string& db_path, const Domain* domain, Dependencies deps) {
  std::unique_ptr<Writer> w(new Writer());
  w->deps_ = deps;
  StoreOptions options;
  options.domain = domain;
  options.synchronous_full = true;
  auto store = Store::Open(db_path, options);
  if (!store) return store.status();
  w->store_ = std::move(*store);
  options.synchronous_full = false;  // it never writes the Store's tables
  auto reads = Store::Open(db_path, options);
  if (!reads) return reads.status();
  w->index_store_ = std::move(*reads);
  auto index = DeliveryIndex::Open(db_path);
  if (!index) return index.status();
  w->index_ = std::move(*index);
  if (Status s = w->ReloadDirectory(); !s.ok()) return s;
  auto indexed = w->index_->IndexNew(*w->index_store_);
  if (!indexed) return indexed.status();
  if (*indexed > 0) Log("info", "indexed deliveries of stored events", {{"events", *indexed}});
  w->last_position_ = w->index_->indexed_through();
  w->thread_ = std::thread([raw = w.get()] { raw->Run(); });
  w->index_thread_ = std::thread([raw = w.get()] { raw->RunIndexer(); });
  return w;
}

Writer::~Writer() { Stop(); }

std::future<PushOutcome> Writer::Submit(sync::DeviceIdentity identity, std::vector<Event> events,
                                        std::chrono::steady_clock::time_point received) {
  Batch batch{std::move(identity), std::move(events), received, {}};
  std::future<PushOutcome> result = batch.promise.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      batch.promise.set_value(
          {Status::Io({"the server is shutting down", "服务器正在关闭"}), {}});
      return result;
    }
    queue_.push_back(std::move(batch));
  }
  cv_.notify_one();
  return result;
}

void Writer::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable() && !index_thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // The writer has handed over its last answers: the indexer gives them, then stops.
  {
    std::lock_guard lock(index_mutex_);
    index_stopping_ = true;
  }
  index_cv_.notify_all();
  if (index_thread_.joinable()) index_thread_.join();
  if (store_ && index_) {
    store_.reset();
    index_store_.reset();
    if (Status s = index_->Checkpoint(); !s.ok()) Log("warn", "checkpoint failed", {{"error", s.ToString()}});
  }
}

void Writer::HandToIndexer(std::vector<Answer> answers) {
  {
    std::lock_guard lock(index_mutex_);
    for (Answer& a : answers) index_answers_.push_back(std::move(a));
    index_requested_ = true;
  }
  index_cv_.notify_one();
}

void Writer::RunIndexer() {
  for (;;) {
    std::vector<Answer> answers;
    {
      std::unique_lock lock(index_mutex_);
      index_cv_.wait(lock, [&] { return index_requested_ || index_stopping_; });
      if (!index_requested_) return;
      index_requested_ = false;
      answers.swap(index_answers_);
    }
    // Every commit handed over so far is in this pass; later ones ask for the next.
    auto indexed = index_->IndexNew(*index_store_, &file_write_);
    if (!indexed) Log("error", "delivery indexing failed", {{"error", indexed.status().ToString()}});
    last_position_ = index_->indexed_through();
    deps_.notifier->Bump();
    const auto now = std::chrono::steady_clock::now();
    for (Answer& a : answers) {
      const double ms = std::chrono::duration<double, std::milli>(now - a.received).count();
      std::size_t refused = 0, duplicates = 0;
      for (const PushAck& ack : a.acks) {
        if (ack.duplicate) {
          ++duplicates;
        } else if (ack.refused) {
          ++refused;
        }
      }
      deps_.metrics->ObservePush(ms, a.acks.size() - refused - duplicates, refused, duplicates);
      a.promise.set_value({Status::Ok(), std::move(a.acks)});
    }
  }
}

void Writer::Run() {
  // Outside writes (the admin tool) are looked for this often when no push comes.
  constexpr auto kIdleRefresh = std::chrono::milliseconds(500);
  for (;;) {
    std::vector<Batch> group;
    {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, kIdleRefresh, [&] { return !queue_.empty() || stopping_; });
      std::size_t events = 0;
      while (!queue_.empty() && (group.empty() || events + queue_.front().events.size() <= kMaxGroupEvents)) {
        events += queue_.front().events.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (group.empty() && stopping_) return;
    }
    if (!group.empty()) {
      ProcessGroup(group);
      continue;
    }
    auto refreshed = store_->Refresh();
    if (!refreshed) {
      Log("error", "store refresh failed", {{"error", refreshed.status().ToString()}});
    } else if (*refreshed) {
      if (Status s = ReloadDirectory(); !s.ok()) Log("error", "directory reload failed", {{"error", s.ToString()}});
      HandToIndexer({});
    }
  }
}

Status Writer::ReloadDirectory() {
  std::map<std::string, directory::UserInfo> users;
  std::map<std::string, std::string> sites;
  Status walk = store_->ForEachRecord(std::string(entity::kUser), [&](const RecordView& view) {
    directory::UserInfo u;
    u.id = view.key.id;
    u.name = view.fields.value("name", "");
    u.department = view.fields.value("department", "");
    if (auto it = view.fields.find("roles"); it != view.fields.end() && it->is_array())
      for (const Json& r : *it)
        if (r.is_string()) u.roles.push_back(r.get<std::string>());
    if (auto it = view.fields.find("site"); it != view.fields.end() && it->is_string())
      sites[u.id] = it->get<std::string>();
    users.emplace(u.id, std::move(u));
  });
  if (!walk.ok()) return walk;
  deps_.directory->Replace(std::move(users), std::move(sites));
  return Status::Ok();
}

void Writer::ProcessGroup(std::vector<Batch>& group) {
  auto fail_all = [&](const Status& s) {
    Log("error", "push group failed", {{"error", s.ToString()}, {"batches", group.size()}});
    for (Batch& b : group) b.promise.set_value({s, {}});
  };
  auto refreshed = store_->Refresh();
  if (!refreshed) return fail_all(refreshed.status());

  std::vector<std::string> ids;
  for (const Batch& b : group)
    for (const Event& e : b.events) ids.push_back(e.id);
  auto held_positions = store_->PositionsOf(ids);
  if (!held_positions) return fail_all(held_positions.status());
  // Views into `ids`, which outlives both sets (the events themselves are moved into the commit).
  std::unordered_set<std::string_view> held;
  for (std::size_t i = 0; i < ids.size(); ++i)
    if ((*held_positions)[i] > 0) held.insert(ids[i]);

  // Records (by id) that more than one batch of the group touches: only their
  // accepted events are kept for the later batches' judgement; for every
  // other event that bookkeeping would be a copy and a map entry for nothing.
  std::unordered_set<std::string> shared_ids;
  {
    std::unordered_map<std::string_view, std::size_t> first_batch;
    for (std::size_t b = 0; b < group.size(); ++b)
      for (const Event& e : group[b].events) {
        auto [it, inserted] = first_batch.try_emplace(e.entity_id, b);
        if (!inserted && it->second != b) shared_ids.insert(e.entity_id);
      }
  }

  // Earlier accepted events of other batches of this group, by record: the
  // state a later event is judged against, as if the batches had committed one by one.
  std::map<RecordKey, std::vector<Event>> group_earlier;
  std::unordered_set<std::string_view> new_in_group;
  std::vector<Event> to_ingest;
  to_ingest.reserve(ids.size());
  std::vector<std::string_view> ingest_ids;  // to_ingest's ids, views into `ids`
  ingest_ids.reserve(ids.size());
  std::vector<AuthoredDraft> verdicts;
  std::vector<std::vector<PushAck>> acks(group.size());
  constexpr std::size_t kNotAccepted = SIZE_MAX;
  std::size_t id_at = 0;  // the event's index in `ids`
  for (std::size_t b = 0; b < group.size(); ++b) {
    Batch& batch = group[b];
    const std::size_t batch_start = id_at;
    // This batch's accepted events so far (what AuthorizeEvent reads), moved
    // out of the batch, and where each event went: an index into it, or kNotAccepted.
    std::vector<Event> batch_earlier;
    std::vector<std::size_t> accepted_at(batch.events.size(), kNotAccepted);
    std::vector<bool> stored(batch.events.size(), false);
    for (std::size_t i = 0; i < batch.events.size(); ++i, ++id_at) {
      const Event& e = batch.events[i];
      PushAck ack;
      ack.id = e.id;
      if (held.contains(ids[id_at]) || new_in_group.contains(ids[id_at])) {
        ack.duplicate = true;
        acks[b].push_back(std::move(ack));
        continue;
      }
      new_in_group.insert(ids[id_at]);
      stored[i] = true;
      // Copied only when another batch of the group touched this record: a
      // copy per event would make a batch cost quadratic in its size.
      const std::vector<Event>* earlier = &batch_earlier;
      std::vector<Event> combined;
      if (shared_ids.contains(e.entity_id)) {
        if (auto it = group_earlier.find(RecordKey{e.entity_type, e.entity_id}); it != group_earlier.end()) {
          combined = batch_earlier;
          combined.insert(combined.end(), it->second.begin(), it->second.end());
          earlier = &combined;
        }
      }
      Status verdict = sync::AuthorizeEvent(*store_, batch.identity, e, *earlier);
      if (verdict.ok()) {
        accepted_at[i] = batch_earlier.size();
        batch_earlier.push_back(std::move(batch.events[i]));  // `e` is not read again
      } else {
        AuthoredDraft draft;
        draft.author = Author{std::string(kServerRole), std::string(kServerRole), ""};
        draft.draft = RefusalDraft(e, verdict);
        verdicts.push_back(std::move(draft));
        ack.refused = Refusal{e.id, verdict.field(), verdict.message()};
      }
      acks[b].push_back(std::move(ack));
    }
    // Into the commit in push order, moved, not copied. Only duplicates are
    // looked at again (for their record), and they stay in the batch.
    for (std::size_t i = 0; i < batch.events.size(); ++i) {
      if (!stored[i]) continue;
      ingest_ids.push_back(ids[batch_start + i]);
      if (accepted_at[i] == kNotAccepted) {
        to_ingest.push_back(std::move(batch.events[i]));
        continue;
      }
      Event& e = batch_earlier[accepted_at[i]];
      if (shared_ids.contains(e.entity_id)) group_earlier[RecordKey{e.entity_type, e.entity_id}].push_back(e);
      to_ingest.push_back(std::move(e));
    }
  }

  bool directory_changed = *refreshed;
  // Every id's first position, whether stored before (found above) or now.
  std::unordered_map<std::string_view, std::int64_t> position_of;
  position_of.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i)
    if ((*held_positions)[i] > 0) position_of.emplace(ids[i], (*held_positions)[i]);
  const bool ingested = !to_ingest.empty();
  if (ingested) {
    std::unique_lock write(file_write_);
    auto committed = store_->IngestThenAppend(std::move(to_ingest), verdicts);
    write.unlock();
    if (!committed) return fail_all(committed.status());
    for (const RecordKey& k : committed->changes.changed)
      if (k.type == entity::kUser || k.type == entity::kDepartment) directory_changed = true;
    for (std::size_t k = 0; k < ingest_ids.size() && k < committed->remote_positions.size(); ++k)
      position_of.emplace(ingest_ids[k], committed->remote_positions[k]);
  }

  // A re-sent event that was refused the first time is answered the same way.
  for (std::size_t b = 0; b < group.size(); ++b)
    for (std::size_t i = 0; i < acks[b].size(); ++i) {
      PushAck& ack = acks[b][i];
      if (auto it = position_of.find(ack.id); it != position_of.end()) ack.position = it->second;
      if (!ack.duplicate) continue;
      const Event& e = group[b].events[i];
      auto view = store_->Get(e.entity_type, e.entity_id);
      if (view.ok() && view->has_value())
        for (const Refusal& r : (*view)->refusals)
          if (r.event == e.id) ack.refused = r;
    }

  if (directory_changed)
    if (Status s = ReloadDirectory(); !s.ok()) Log("error", "directory reload failed", {{"error", s.ToString()}});
  std::vector<Answer> answers;
  answers.reserve(group.size());
  for (std::size_t b = 0; b < group.size(); ++b)
    answers.push_back({group[b].received, std::move(group[b].promise), std::move(acks[b])});
  HandToIndexer(std::move(answers));
}

}  // namespace houqin::server
