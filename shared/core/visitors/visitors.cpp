// Visits, delegations and the block list: folds, constraints, commands and reports.
//
// Merge rules (every replica folds the same bytes):
//  visitor_visit/<id>
//   - workflow steps by VisitWorkflow(); a step that no longer fits (two check-ins of one id —
//     a delegation member checked in at two desks offline) is kept and marks "workflow".
//   - check-out and automatic sign-out both end the visit. A second end changes nothing, silently
//     (two kiosks agree the visitor has gone), except that a real check-out after an automatic
//     sign-out replaces it: the person was seen leaving, which is better than the cut-off.
//   - a petitioner's check-in that names a host (only a faulty replica writes one: CheckIn
//     refuses it) is applied without the host and marks "petitioner_host": 信访 goes to 行政科.
//   - the visitor's personal data is the check-in event's personal value ("visitor"), and
//     {"purged": true} after the engine's purge; payload fields are copied at check-in.
//  visitor_group/<id>
//   - workflow steps by GroupWorkflow(). visitor_group.arrived may repeat while the group is on
//     site (late members); the arrived member keys are a set union. Cancel vs arrival offline:
//     whichever comes second in event order is kept and marks "workflow".
//   - the members' personal data is the registration's personal value ("roster").
//  visitor_block/<id>
//   - workflow steps by BlockWorkflow(); a second lift changes nothing, silently.
//   - the entry's personal data (name, last four, hashes) is the addition's personal value ("entry").
//  Constraints (see visitors.h): visitor_invite_use ("invite_reused", "cancelled_invite_used"),
//  visitor_blocklist ("blocklist_match"); indexes visitor_on_site, visitor_identity, visitor_day.
//  Every conflict names the events that made it: the visits' check-ins, the invite's
//  cancellation, the block-list entry's addition.
#include "visitors/visitors.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "directory/directory.h"
#include "validation/validate.h"
#include "visitors/internal.h"

namespace houqin::visitors {

using internal::Bad;
using internal::Bool;
using internal::Int;
using internal::Load;
using internal::Missing;
using internal::No;
using internal::Str;
using internal::Strings;
using internal::Time;
using internal::Trim;

namespace {

constexpr std::string_view kPetitionPurpose = "信访";

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

const Json& Member(const Json& j, const char* key) {
  static const Json kEmpty = Json::object();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

// Match keys of a personal object (visit or block-list entry).
std::vector<std::string> MatchKeys(const Json& personal) {
  std::vector<std::string> out;
  if (const std::string h = Str(personal, "doc_hash"); !h.empty()) out.push_back(DocumentMatchKey(h));
  if (const std::string h = Str(personal, "phone_hash"); !h.empty()) out.push_back(PhoneMatchKey(h));
  return out;
}

// ---------------------------------------------------------------------------
// Folds

class VisitFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kVisit; }

  void Apply(RecordState& r, const Event& e) const override {
    Json& f = r.fields;
    const Json& p = e.payload;
    const std::string status = Str(f, "status");
    const bool ending = e.kind == kind::kCheckedOut || e.kind == kind::kAutoSignedOut;
    if (ending && (status == "checked_out" || status == "signed_out")) {
      if (e.kind == kind::kCheckedOut && status == "signed_out") {
        f["status"] = "checked_out";
        f["status_event"] = e.id;
        f["left_at"] = Str(p, "at");
        f["left_by"] = e.author.user;
        f["auto_signed_out"] = false;
      }
      return;
    }
    if (!VisitWorkflow().Advance(r, e)) return;

    if (e.kind == kind::kCheckedIn) {
      for (const char* key : {"site", "kind", "organisation", "host", "routed_to", "purpose", "invite",
                              "invite_signer", "group", "group_member", "document_kind", "notice_version"})
        f[key] = Str(p, key);
      f["party_size"] = std::max<std::int64_t>(1, Int(p, "party_size"));
      f["invite_single_use"] = Bool(p, "invite_single_use");
      f["checked_in_at"] = Str(p, "at");
      f["checked_in_by"] = e.author.user;
      f["checkin_event"] = e.id;
      f["blocklist"] = internal::Strings(p, "blocklist");
      Json personal;
      f["visitor"] = internal::PersonalOf(e, personal) ? personal : Json::object();
      if (Str(p, "kind") == visit_kind::kPetitioner && !Str(p, "host").empty()) {
        f["host"] = "";
        r.AddConflict({"petitioner_host",
                       {e.id},
                       {"a petitioner was checked in with host " + Str(p, "host") +
                            "; petitioners are received by " + Str(p, "routed_to") + ", the host was not applied",
                        "信访人员登记时指定了被访人 " + Str(p, "host") + "; 信访人员由 " + Str(p, "routed_to") +
                            " 接待, 该被访人未生效"}});
      }
    } else if (ending) {
      f["left_at"] = Str(p, "at");
      f["left_by"] = e.author.user;
      f["auto_signed_out"] = e.kind == kind::kAutoSignedOut;
    }
  }
};

class GroupFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kGroup; }

  void Apply(RecordState& r, const Event& e) const override {
    Json& f = r.fields;
    const Json& p = e.payload;
    if (!GroupWorkflow().Advance(r, e)) return;
    if (e.kind == kind::kGroupRegistered) {
      for (const char* key : {"site", "kind", "name", "organisation", "host", "purpose", "window_start", "window_end",
                              "at"})
        f[key] = Str(p, key);
      f["member_keys"] = internal::Strings(p, "member_keys");
      f["arrived"] = Json::array();
      f["registered_by"] = e.author.user;
      Json personal;
      f["roster"] = internal::PersonalOf(e, personal) ? personal : Json::object();
    } else if (e.kind == kind::kGroupArrived) {
      auto arrived = internal::Strings(f, "arrived");
      for (const auto& k : internal::Strings(p, "members"))
        if (!Contains(arrived, k)) arrived.push_back(k);
      f["arrived"] = arrived;
      if (Str(f, "arrived_at").empty()) f["arrived_at"] = Str(p, "at");
    } else if (e.kind == kind::kGroupDeparted) {
      f["departed_at"] = Str(p, "at");
    } else if (e.kind == kind::kGroupCancelled) {
      f["cancel_reason"] = Str(p, "reason");
      f["cancelled_at"] = Str(p, "at");
    }
  }
};

class BlockFold final : public EntityFold {
 public:
  std::string_view type() const override { return entity::kBlock; }

  void Apply(RecordState& r, const Event& e) const override {
    Json& f = r.fields;
    const Json& p = e.payload;
    if (e.kind == kind::kBlockLifted && Str(f, "status") == "lifted") return;
    if (!BlockWorkflow().Advance(r, e)) return;
    if (e.kind == kind::kBlockAdded) {
      for (const char* key : {"site", "reason", "document_kind", "at"}) f[key] = Str(p, key);
      f["added_by"] = e.author.user;
      f["added_event"] = e.id;
      Json personal;
      f["entry"] = internal::PersonalOf(e, personal) ? personal : Json::object();
    } else if (e.kind == kind::kBlockLifted) {
      f["lift_reason"] = Str(p, "reason");
      f["lifted_at"] = Str(p, "at");
    }
  }
};

// ---------------------------------------------------------------------------
// Constraints

std::string VisitLabel(const RecordState& v) {
  return v.id + " (" + Str(v.fields, "checked_in_at") + ", " + Str(v.fields, "checked_in_by") + ")";
}

// The invite and every visit that used it.
class InviteUseConstraint final : public Constraint {
 public:
  std::string_view name() const override { return internal::kInviteUse; }

  std::vector<std::string> Groups(const RecordState& r) const override {
    if (r.type == entity::kInvite) return {r.id};
    if (r.type == entity::kVisit)
      if (std::string invite = Str(r.fields, "invite"); !invite.empty()) return {invite};
    return {};
  }

  void Evaluate(const std::string& group, const std::vector<const RecordState*>& members,
                std::vector<GroupConflict>& out) const override {
    std::optional<std::size_t> invite;
    std::vector<std::size_t> visits;
    bool single_use = false;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (members[i]->type == entity::kInvite) {
        invite = i;
      } else {
        visits.push_back(i);
        single_use = single_use || Bool(members[i]->fields, "invite_single_use");
      }
    }
    if (visits.empty()) return;
    if (invite) single_use = Bool(members[*invite]->fields, "single_use");

    if (single_use && visits.size() >= 2) {
      std::vector<std::string> events;
      std::string names;
      for (std::size_t i : visits) {
        events.push_back(Str(members[i]->fields, "checkin_event"));
        names += (names.empty() ? "" : "; ") + VisitLabel(*members[i]);
      }
      const std::string n = std::to_string(visits.size());
      Conflict c{"invite_reused",
                 std::move(events),
                 {"single-use invite " + group + " was used for " + n + " check-ins: " + names +
                      ". All are kept; the guard must check who is on site",
                  "一次性来访邀请 " + group + " 被用于 " + n + " 次登记: " + names + ". 均已保留, 请门卫核实在场人员"}};
      for (std::size_t i : visits) out.push_back({i, c});
      if (invite) out.push_back({*invite, std::move(c)});
    }
    if (invite && Str(members[*invite]->fields, "status") == "cancelled") {
      const std::string cancel_event = Str(members[*invite]->fields, "status_event");
      for (std::size_t i : visits) {
        Conflict c{"cancelled_invite_used",
                   {cancel_event, Str(members[i]->fields, "checkin_event")},
                   {"invite " + group + " was cancelled by its host but used for check-in " + VisitLabel(*members[i]),
                    "来访邀请 " + group + " 已被取消, 但仍被用于登记 " + VisitLabel(*members[i])}};
        out.push_back({i, c});
        out.push_back({*invite, std::move(c)});
      }
    }
  }
};

// Active block-list entries and on-site visits that share a document or phone hash.
class BlocklistConstraint final : public Constraint {
 public:
  std::string_view name() const override { return internal::kBlocklist; }

  std::vector<std::string> Groups(const RecordState& r) const override {
    if (r.type == entity::kVisit && Str(r.fields, "status") == "on_site")
      return MatchKeys(Member(r.fields, "visitor"));
    if (r.type == entity::kBlock && Str(r.fields, "status") == "active") return MatchKeys(Member(r.fields, "entry"));
    return {};
  }

  void Evaluate(const std::string& group, const std::vector<const RecordState*>& members,
                std::vector<GroupConflict>& out) const override {
    const char* what_en = group.starts_with("doc:") ? "identity document" : "mobile number";
    const char* what_zh = group.starts_with("doc:") ? "证件" : "手机号码";
    for (std::size_t b = 0; b < members.size(); ++b) {
      const RecordState& block = *members[b];
      if (block.type != entity::kBlock) continue;
      const std::string block_site = Str(block.fields, "site");
      for (std::size_t v = 0; v < members.size(); ++v) {
        const RecordState& visit = *members[v];
        if (visit.type != entity::kVisit) continue;
        if (!block_site.empty() && block_site != Str(visit.fields, "site")) continue;
        out.push_back({v,
                       {"blocklist_match",
                        {Str(visit.fields, "checkin_event"), Str(block.fields, "added_event")},
                        {"visit " + VisitLabel(visit) + ": the visitor's " + what_en + " matches block-list entry " +
                             block.id + " (" + Str(block.fields, "reason") + "). Guard: check the visitor",
                         "来访 " + VisitLabel(visit) + ": 来访人" + what_zh + "与黑名单 " + block.id + "(" +
                             Str(block.fields, "reason") + ")相符, 请门卫核查"}}});
      }
    }
  }
};

class IndexConstraint final : public Constraint {
 public:
  explicit IndexConstraint(std::string_view name) : name_(name) {}
  std::string_view name() const override { return name_; }
  bool IndexOnly() const override { return true; }
  void Evaluate(const std::string&, const std::vector<const RecordState*>&,
                std::vector<GroupConflict>&) const override {}

  std::vector<std::string> Groups(const RecordState& r) const override {
    const std::string status = Str(r.fields, "status");
    const std::string site = Str(r.fields, "site");
    if (name_ == internal::kOnSiteIndex) {
      if ((r.type == entity::kVisit || r.type == entity::kGroup) && status == "on_site") return {site};
      return {};
    }
    if (name_ == internal::kIdentityIndex) {
      if (r.type != entity::kVisit) return {};
      if (std::string h = Str(Member(r.fields, "visitor"), "doc_hash"); !h.empty()) return {DocumentMatchKey(h)};
      return {};
    }
    // visitor_day
    std::vector<std::string> out;
    if (r.type == entity::kVisit) {
      if (auto at = Time(r.fields, "checked_in_at")) out.push_back(site + "@" + at->date.ToString());
    } else if (r.type == entity::kInvite || r.type == entity::kGroup) {
      for (const Date& d : internal::InviteDays(r.fields)) out.push_back(site + "@" + d.ToString());
    }
    return out;
  }

 private:
  std::string_view name_;
};

// ---------------------------------------------------------------------------
// Reading

VisitSummary ToVisitSummary(const RecordView& v) {
  const Json& f = v.fields;
  VisitSummary s;
  s.id = v.key.id;
  s.kind = Str(f, "kind");
  s.site = Str(f, "site");
  s.status = Str(f, "status");
  s.host = Str(f, "host");
  s.routed_to = Str(f, "routed_to");
  s.purpose = Str(f, "purpose");
  s.organisation = Str(f, "organisation");
  s.invite = Str(f, "invite");
  s.group = Str(f, "group");
  s.group_member = Str(f, "group_member");
  s.document_kind = Str(f, "document_kind");
  const Json& visitor = Member(f, "visitor");
  s.purged = Bool(visitor, "purged");
  if (s.purged) {
    s.name = std::string(kPurgedName);
  } else {
    s.name = Str(visitor, "name");
    if (const std::string phone = Str(visitor, "phone"); !phone.empty()) s.phone_masked = MaskPhone(phone);
    if (const std::string last = Str(visitor, "doc_last4"); !last.empty())
      s.document_masked = MaskDocument(s.document_kind, last);
  }
  s.auto_signed_out = Bool(f, "auto_signed_out");
  s.party_size = static_cast<int>(std::max<std::int64_t>(1, Int(f, "party_size")));
  s.checked_in_at = Time(f, "checked_in_at").value_or(LocalTime{});
  s.left_at = Time(f, "left_at");
  s.blocklist_hits = Strings(f, "blocklist");
  s.conflicts = v.conflicts;
  return s;
}

void SortByCheckIn(std::vector<VisitSummary>& v) {
  std::sort(v.begin(), v.end(), [](const VisitSummary& a, const VisitSummary& b) {
    return std::tie(a.checked_in_at, a.id) < std::tie(b.checked_in_at, b.id);
  });
}

std::vector<RecordView> OnSiteRecords(Store& store, const std::string& site, std::string_view type) {
  std::vector<RecordView> out;
  auto members = store.GroupMembers(internal::kOnSiteIndex, site);
  if (!members.ok()) return out;
  for (auto& m : *members)
    if (m.key.type == type && Str(m.fields, "status") == "on_site") out.push_back(std::move(m));
  return out;
}

// ---------------------------------------------------------------------------
// Checks shared by the commands

struct ProtectedIdentity {
  Json personal = Json::object();
  std::string document_kind;
  std::vector<std::string> match_keys;
};

// Validates and reduces what the visitor typed to what the store may keep.
Result<ProtectedIdentity> Protect(const VisitorIdentity& v, bool phone_required, bool document_required,
                                  const VisitorRules& rules, const std::string& prefix = "") {
  ProtectedIdentity out;
  const std::string name = Trim(v.name);
  if (name.empty()) return Missing(prefix + "name", "the visitor's name", "来访人姓名");
  if (name.size() > 100) return Bad(prefix + "name", "the name is too long", "姓名过长");
  out.personal["name"] = name;
  if (!Trim(v.phone).empty()) {
    if (Status s = validation::MobilePhone(v.phone, prefix + "phone"); !s.ok()) return s;
    const std::string phone = validation::NormalizeMobilePhone(v.phone);
    auto hash = PhoneHash(rules.site_key, phone);
    if (!hash.ok()) return hash.status();
    out.personal["phone"] = phone;
    out.personal["phone_hash"] = *hash;
    out.match_keys.push_back(PhoneMatchKey(*hash));
  } else if (phone_required) {
    return Missing(prefix + "phone", "the mobile number", "手机号码");
  }
  const bool given = !Trim(v.document_kind).empty() || !Trim(v.document_number).empty();
  if (given || document_required) {
    if (Trim(v.document_kind).empty())
      return Missing(prefix + "document_kind", "the identity document (this site requires one)", "证件类型(本单位要求登记证件)");
    if (Trim(v.document_number).empty())
      return Missing(prefix + "document_number", "the document number", "证件号码");
    auto doc = ProtectDocument(rules.site_key, Trim(v.document_kind), v.document_number, prefix + "document_number");
    if (!doc.ok()) {
      Status s = doc.status();
      if (s.field() == "document_kind") return Status::Invalid(prefix + "document_kind", s.message());
      return s;
    }
    out.document_kind = doc->kind;
    out.personal["doc_last4"] = doc->last_four;
    out.personal["doc_hash"] = doc->hash;
    out.match_keys.insert(out.match_keys.begin(), DocumentMatchKey(doc->hash));
  }
  return out;
}

std::vector<std::string> ActiveBlocks(Store& store, const std::string& site, const std::vector<std::string>& keys) {
  std::set<std::string> ids;
  for (const auto& key : keys) {
    auto members = store.GroupMembers(internal::kBlocklist, key);
    if (!members.ok()) continue;
    for (const auto& m : *members) {
      if (m.key.type != entity::kBlock || Str(m.fields, "status") != "active") continue;
      const std::string block_site = Str(m.fields, "site");
      if (block_site.empty() || block_site == site) ids.insert(m.key.id);
    }
  }
  return {ids.begin(), ids.end()};
}

void BlocklistWarning(const std::vector<std::string>& hits, std::vector<Warning>& warnings) {
  if (hits.empty()) return;
  std::string list;
  for (const auto& h : hits) list += (list.empty() ? "" : ", ") + h;
  warnings.push_back({"blocklist_match",
                      {"the visitor matches the block list (" + list + "): the check-in is recorded and the guard is "
                       "alerted; please wait for the guard",
                       "来访人与黑名单(" + list + ")相符: 登记已记录并已通知门卫, 请稍候门卫处理"}});
}

Status CheckNewVisit(Store& store, const Author& actor, const std::string& visit_id) {
  if (Trim(visit_id).empty()) return Missing("visit_id", "the visit id", "来访编号");
  auto existing = Load(store, entity::kVisit, visit_id);
  return VisitWorkflow().Check(existing ? Str(existing->fields, "status") : std::string(), kind::kCheckedIn,
                               actor.role);
}

Status CheckNotice(bool accepted) {
  if (accepted) return Status::Ok();
  return No("notice_accepted", "the visitor must read and accept the notice before registering",
            "来访人须阅读并同意登记告知后方可登记");
}

Status CheckParty(int party, std::int64_t max) {
  if (party >= 1 && party <= max) return Status::Ok();
  return Bad("party_size", "the party is 1 to " + std::to_string(max) + " people",
             "来访人数须为 1 至 " + std::to_string(max) + " 人");
}

Status CheckHost(Store& store, const std::string& host) {
  if (host.empty()) return Missing("host", "the person visited", "被访人");
  if (!directory::FindUser(store, host))
    return Status::NotFound("host", {"no staff member " + host + " in the directory", "通讯录中没有工作人员 " + host});
  return Status::Ok();
}

Draft CheckInDraft(const std::string& visit_id, Json payload, const ProtectedIdentity& id, LocalTime now) {
  payload["at"] = now.ToString();
  payload["document_kind"] = id.document_kind;
  payload["notice_version"] = std::string(kNoticeVersion);
  Draft d{std::string(entity::kVisit), visit_id, std::string(kind::kCheckedIn), std::move(payload)};
  d.personal = id.personal;
  return d;
}

// The first auto sign-out cut-off strictly after the check-in.
LocalTime CutOffAfter(LocalTime checked_in, int cutoff_minute) {
  LocalTime c{checked_in.date, cutoff_minute};
  if (!(checked_in < c)) c.date = c.date.AddDays(1);
  return c;
}

Result<RecordView> LoadGroup(Store& store, const std::string& group_id) {
  auto g = Load(store, entity::kGroup, group_id);
  if (!g) return Status::NotFound("group", {"no delegation " + group_id, "没有接待团组 " + group_id});
  return std::move(*g);
}

std::string MemberVisitId(const std::string& group_id, const std::string& key) { return group_id + "." + key; }

}  // namespace

// ---------------------------------------------------------------------------
// Workflow tables

const Workflow& VisitWorkflow() {
  static const Workflow wf(
      entity::kVisit,
      {
          {"on_site", {"on site", "在场"}},
          {"checked_out", {"left", "已离开"}},
          {"signed_out", {"signed out automatically", "已自动签退"}},
      },
      {
          {kind::kCheckedIn, {"check in", "来访登记"}, {""}, "on_site", {role::kKiosk, role::kGuard, role::kReception}},
          {kind::kCheckedOut, {"check out", "离开登记"}, {"on_site"}, "checked_out",
           {role::kKiosk, role::kGuard, role::kReception}},
          {kind::kAutoSignedOut, {"sign out automatically", "自动签退"}, {"on_site"}, "signed_out",
           {role::kKiosk, role::kGuard, role::kAdmin}},
      });
  return wf;
}

const Workflow& GroupWorkflow() {
  static const Workflow wf(
      entity::kGroup,
      {
          {"expected", {"expected", "待到访"}},
          {"on_site", {"on site", "在场"}},
          {"left", {"left", "已离开"}},
          {"cancelled", {"cancelled", "已取消"}},
      },
      {
          {kind::kGroupRegistered, {"register the delegation", "登记接待团组"}, {""}, "expected", {role::kReception}},
          {kind::kGroupArrived, {"check the delegation in", "团组到访登记"}, {"expected", "on_site"}, "on_site",
           {role::kReception, role::kGuard}},
          {kind::kGroupDeparted, {"check the delegation out", "团组离开登记"}, {"on_site"}, "left",
           {role::kReception, role::kGuard, role::kKiosk, role::kAdmin}},
          {kind::kGroupCancelled, {"cancel the delegation", "取消接待团组"}, {"expected"}, "cancelled",
           {role::kReception}},
      });
  return wf;
}

const Workflow& BlockWorkflow() {
  static const Workflow wf(entity::kBlock,
                           {
                               {"active", {"active", "生效"}},
                               {"lifted", {"lifted", "已解除"}},
                           },
                           {
                               {kind::kBlockAdded, {"add to the block list", "加入黑名单"}, {""}, "active",
                                {role::kAdmin, role::kGuard}},
                               {kind::kBlockLifted, {"lift the block", "解除黑名单"}, {"active"}, "lifted",
                                {role::kAdmin}},
                           });
  return wf;
}

// ---------------------------------------------------------------------------
// Check-in and check-out

Result<Command> CheckIn(Store& store, const Author& actor, const CheckInInput& in, LocalTime now,
                        const VisitorRules& rules) {
  if (Status s = CheckNewVisit(store, actor, in.visit_id); !s.ok()) return s;
  const std::string site = Trim(in.site);
  if (site.empty()) return Missing("site", "the site", "院区");
  const bool petitioner = in.kind == visit_kind::kPetitioner;
  if (!petitioner && in.kind != visit_kind::kWalkIn)
    return Bad("kind", "a check-in here is a walk-in or a petitioner (invites and delegations have their own)",
               "此处只登记临时来访或信访人员(预约来访和接待团组另行登记)");
  if (Status s = CheckNotice(in.notice_accepted); !s.ok()) return s;
  auto id = Protect(in.visitor, true,
                    petitioner ? rules.document_required_petitioner : rules.document_required_walk_in, rules);
  if (!id.ok()) return id.status();
  const std::string host = Trim(in.host);
  std::string routed_to;
  std::string purpose = Trim(in.purpose);
  if (petitioner) {
    if (!host.empty())
      return No("host", "petitioners are received by the petition office (行政科), never by a host",
                "信访人员由行政科接待, 不登记被访人");
    routed_to = PetitionDepartment(store, rules);
    if (purpose.empty()) purpose = std::string(kPetitionPurpose);
  } else {
    if (Status s = CheckHost(store, host); !s.ok()) return s;
    if (purpose.empty()) return Missing("purpose", "the purpose of the visit", "来访事由");
  }
  if (Status s = CheckParty(in.party_size, rules.max_party_size); !s.ok()) return s;

  Command c;
  const auto hits = ActiveBlocks(store, site, id->match_keys);
  BlocklistWarning(hits, c.warnings);
  c.drafts.push_back(CheckInDraft(in.visit_id,
                                  Json{{"site", site},
                                       {"kind", in.kind},
                                       {"organisation", Trim(in.organisation)},
                                       {"host", host},
                                       {"routed_to", routed_to},
                                       {"purpose", purpose},
                                       {"party_size", in.party_size},
                                       {"blocklist", hits}},
                                  *id, now));
  return c;
}

Result<Command> CheckInWithInvite(Store& store, const Author& actor, const InviteCheckInInput& in, LocalTime now,
                                  const VisitorRules& rules) {
  if (Status s = CheckNewVisit(store, actor, in.visit_id); !s.ok()) return s;
  const std::string site = Trim(in.site);
  if (site.empty()) return Missing("site", "the site", "院区");
  if (Status s = CheckNotice(in.notice_accepted); !s.ok()) return s;
  auto token = VerifyInviteToken(store, in.token, site, now, rules);
  if (!token.ok()) return token.status();

  auto invite = Load(store, entity::kInvite, token->invite_id);
  if (invite && Str(invite->fields, "status") == "cancelled")
    return No("token", "the host cancelled this invite", "被访人已取消该邀请");
  if (token->single_use) {
    auto uses = store.GroupMembers(internal::kInviteUse, token->invite_id);
    if (uses.ok())
      for (const auto& m : *uses)
        if (m.key.type == entity::kVisit)
          return No("token", "this single-use invite was already used at " + Str(m.fields, "checked_in_at"),
                    "该一次性邀请已于 " + Str(m.fields, "checked_in_at") + " 使用");
  }
  const int party = in.party_size == 0 ? token->party_size : in.party_size;
  if (party < 1 || party > token->party_size)
    return No("party_size", "this invite admits at most " + std::to_string(token->party_size) + " people",
              "该邀请最多允许 " + std::to_string(token->party_size) + " 人来访");
  auto id = Protect(in.visitor, rules.phone_required_invited, rules.document_required_invited, rules);
  if (!id.ok()) return id.status();

  std::string organisation = Trim(in.organisation), purpose;
  if (invite) {
    if (organisation.empty()) organisation = Str(invite->fields, "organisation");
    purpose = Str(invite->fields, "purpose");
  }
  Command c;
  const auto hits = ActiveBlocks(store, site, id->match_keys);
  BlocklistWarning(hits, c.warnings);
  c.drafts.push_back(CheckInDraft(in.visit_id,
                                  Json{{"site", site},
                                       {"kind", visit_kind::kInvited},
                                       {"organisation", organisation},
                                       {"host", token->host},
                                       {"routed_to", ""},
                                       {"purpose", purpose},
                                       {"party_size", party},
                                       {"invite", token->invite_id},
                                       {"invite_single_use", token->single_use},
                                       {"invite_signer", token->signer_device},
                                       {"blocklist", hits}},
                                  *id, now));
  return c;
}

Result<Command> CheckOut(Store& store, const Author& actor, const std::string& visit_id, LocalTime now) {
  auto visit = Load(store, entity::kVisit, visit_id);
  if (!visit) return Status::NotFound("visit", {"no visit " + visit_id, "没有来访记录 " + visit_id});
  if (Status s = VisitWorkflow().Check(Str(visit->fields, "status"), kind::kCheckedOut, actor.role); !s.ok()) return s;
  Command c;
  c.drafts.push_back(
      {std::string(entity::kVisit), visit_id, std::string(kind::kCheckedOut), Json{{"at", now.ToString()}}});
  return c;
}

Result<Command> AutoSignOut(Store& store, const Author& actor, const std::string& site, LocalTime now,
                            const VisitorRules& rules) {
  if (Status s = VisitWorkflow().Check("on_site", kind::kAutoSignedOut, actor.role); !s.ok()) return s;
  if (Trim(site).empty()) return Missing("site", "the site", "院区");
  Command c;
  std::map<std::string, LocalTime> signed_out;  // visit → cut-off
  for (const auto& v : OnSiteRecords(store, site, entity::kVisit)) {
    auto in = Time(v.fields, "checked_in_at");
    if (!in) continue;
    const LocalTime cutoff = CutOffAfter(*in, rules.auto_signout_minute);
    if (now < cutoff) continue;
    signed_out[v.key.id] = cutoff;
    c.drafts.push_back({std::string(entity::kVisit), v.key.id, std::string(kind::kAutoSignedOut),
                        Json{{"at", cutoff.ToString()}}});
  }
  for (const auto& g : OnSiteRecords(store, site, entity::kGroup)) {
    std::optional<LocalTime> last;
    bool all_gone = true;
    for (const auto& key : Strings(g.fields, "arrived")) {
      const std::string vid = MemberVisitId(g.key.id, key);
      if (auto it = signed_out.find(vid); it != signed_out.end()) {
        if (!last || *last < it->second) last = it->second;
        continue;
      }
      auto v = Load(store, entity::kVisit, vid);
      if (v && Str(v->fields, "status") == "on_site") all_gone = false;
    }
    if (all_gone && last)
      c.drafts.push_back({std::string(entity::kGroup), g.key.id, std::string(kind::kGroupDeparted),
                          Json{{"at", last->ToString()}, {"auto", true}}});
  }
  return c;
}

// ---------------------------------------------------------------------------
// Delegations

Result<Command> RegisterGroup(Store& store, const Author& actor, const GroupInput& in, LocalTime now,
                              const VisitorRules& rules) {
  if (Trim(in.id).empty()) return Missing("id", "the delegation id", "团组编号");
  auto existing = Load(store, entity::kGroup, in.id);
  if (Status s = GroupWorkflow().Check(existing ? Str(existing->fields, "status") : std::string(),
                                       kind::kGroupRegistered, actor.role);
      !s.ok())
    return s;
  const std::string site = Trim(in.site);
  if (site.empty()) return Missing("site", "the site", "院区");
  const bool foreign = in.kind == group_kind::kForeign;
  if (!foreign && in.kind != group_kind::kVip)
    return Bad("kind", "a delegation is a VIP group or a foreign delegation", "团组类型应为贵宾团组或外宾代表团");
  if (Trim(in.name).empty()) return Missing("name", "the delegation's name", "团组名称");
  if (Status s = CheckNotice(in.notice_accepted); !s.ok()) return s;
  const std::string host = Trim(in.host);
  if (!host.empty())
    if (Status s = CheckHost(store, host); !s.ok()) return s;
  if (Trim(in.purpose).empty()) return Missing("purpose", "the purpose of the visit", "来访事由");
  if (!in.window_start) return Missing("window_start", "the arrival time", "预计到访时间");
  if (!in.window_end) return Missing("window_end", "the departure time", "预计离开时间");
  if (!(*in.window_start < *in.window_end))
    return Bad("window_end", "the window must end after it starts", "离开时间须晚于到访时间");
  if (in.window_end->MinutesSinceEpoch() - in.window_start->MinutesSinceEpoch() > rules.invite_max_days * 1440)
    return Bad("window_end", "a delegation's visit lasts at most " + std::to_string(rules.invite_max_days) + " days",
               "团组来访最长 " + std::to_string(rules.invite_max_days) + " 天");
  if (in.members.empty()) return Missing("members", "at least one member", "团组成员");
  if (static_cast<std::int64_t>(in.members.size()) > rules.max_group_members)
    return Bad("members", "at most " + std::to_string(rules.max_group_members) + " members in one registration",
               "一次最多登记 " + std::to_string(rules.max_group_members) + " 名成员");

  Json roster = Json::array();
  Json keys = Json::array();
  std::set<std::string> hashes;
  for (std::size_t i = 0; i < in.members.size(); ++i) {
    const GroupMemberInput& m = in.members[i];
    const std::string prefix = "members[" + std::to_string(i) + "].";
    auto id = Protect({m.name, m.phone, m.document_kind, m.document_number}, false,
                      foreign || rules.document_required_group, rules, prefix);
    if (!id.ok()) return id.status();
    if (const std::string h = Str(id->personal, "doc_hash"); !h.empty() && !hashes.insert(h).second)
      return Bad(prefix + "document_number", "this document appears twice in the delegation",
                 "该证件在团组名单中重复出现");
    const std::string key = "m" + std::to_string(i + 1);
    Json member = id->personal;
    member["key"] = key;
    member["doc_kind"] = id->document_kind;
    if (!Trim(m.nationality).empty()) member["nationality"] = Trim(m.nationality);
    roster.push_back(std::move(member));
    keys.push_back(key);
  }
  Draft d{std::string(entity::kGroup), in.id, std::string(kind::kGroupRegistered),
          Json{{"site", site},
               {"kind", in.kind},
               {"name", Trim(in.name)},
               {"organisation", Trim(in.organisation)},
               {"host", host},
               {"purpose", Trim(in.purpose)},
               {"window_start", in.window_start->ToString()},
               {"window_end", in.window_end->ToString()},
               {"member_keys", keys},
               {"notice_version", std::string(kNoticeVersion)},
               {"at", now.ToString()}}};
  d.personal = Json{{"members", roster}};
  Command c;
  c.drafts.push_back(std::move(d));
  return c;
}

Result<Command> CheckInGroup(Store& store, const Author& actor, const std::string& group_id,
                             const std::vector<std::string>& member_keys, LocalTime now, const VisitorRules& rules) {
  auto group = LoadGroup(store, group_id);
  if (!group.ok()) return group.status();
  const Json& f = group->fields;
  if (Status s = GroupWorkflow().Check(Str(f, "status"), kind::kGroupArrived, actor.role); !s.ok()) return s;
  const Json& roster = Member(f, "roster");
  if (Bool(roster, "purged"))
    return No("group", "the delegation's personal data has been purged", "该团组的个人信息已清除");
  const auto all_keys = Strings(f, "member_keys");
  const auto arrived = Strings(f, "arrived");
  std::vector<std::string> keys = member_keys;
  if (keys.empty())
    for (const auto& k : all_keys)
      if (!Contains(arrived, k)) keys.push_back(k);
  if (keys.empty()) return No("members", "every member has already arrived", "团组成员均已到访登记");
  std::map<std::string, Json> by_key;
  if (auto it = roster.find("members"); it != roster.end() && it->is_array())
    for (const auto& m : *it)
      if (m.is_object()) by_key[Str(m, "key")] = m;
  const std::string site = Str(f, "site");
  Command c;
  for (const auto& key : keys) {
    if (!Contains(all_keys, key)) return Bad("members", "no member " + key + " in this delegation", "团组中没有成员 " + key);
    if (Contains(arrived, key)) return No("members", "member " + key + " has already arrived", "成员 " + key + " 已到访登记");
    if (!by_key.count(key))
      return No("members", "this device has no personal data for member " + key, "本设备没有成员 " + key + " 的登记信息");
    const std::string vid = MemberVisitId(group_id, key);
    if (Status s = CheckNewVisit(store, actor, vid); !s.ok()) return s;
  }
  auto start = Time(f, "window_start"), end = Time(f, "window_end");
  if (start && end && (now < start->AddMinutes(-rules.invite_early_minutes) || *end < now))
    c.warnings.push_back({"outside_window",
                          {"the delegation arrives outside its window " + start->ToString() + " – " + end->ToString(),
                           "团组到访时间不在预计时段 " + start->ToString() + " – " + end->ToString() + " 内"}});
  c.drafts.push_back({std::string(entity::kGroup), group_id, std::string(kind::kGroupArrived),
                      Json{{"members", keys}, {"at", now.ToString()}}});
  for (const auto& key : keys) {
    const Json& m = by_key[key];
    ProtectedIdentity id;
    id.document_kind = Str(m, "doc_kind");
    for (const char* k : {"name", "phone", "doc_last4", "doc_hash", "phone_hash", "nationality"})
      if (!Str(m, k).empty()) id.personal[k] = Str(m, k);
    id.match_keys = MatchKeys(id.personal);
    const auto hits = ActiveBlocks(store, site, id.match_keys);
    BlocklistWarning(hits, c.warnings);
    c.drafts.push_back(CheckInDraft(MemberVisitId(group_id, key),
                                    Json{{"site", site},
                                         {"kind", visit_kind::kGroup},
                                         {"organisation", Str(f, "organisation")},
                                         {"host", Str(f, "host")},
                                         {"routed_to", ""},
                                         {"purpose", Str(f, "purpose")},
                                         {"party_size", 1},
                                         {"group", group_id},
                                         {"group_member", key},
                                         {"blocklist", hits}},
                                    id, now));
  }
  return c;
}

Result<Command> CheckOutGroup(Store& store, const Author& actor, const std::string& group_id, LocalTime now) {
  auto group = LoadGroup(store, group_id);
  if (!group.ok()) return group.status();
  if (Status s = GroupWorkflow().Check(Str(group->fields, "status"), kind::kGroupDeparted, actor.role); !s.ok())
    return s;
  Command c;
  c.drafts.push_back({std::string(entity::kGroup), group_id, std::string(kind::kGroupDeparted),
                      Json{{"at", now.ToString()}}});
  for (const auto& key : Strings(group->fields, "arrived")) {
    const std::string vid = MemberVisitId(group_id, key);
    auto v = Load(store, entity::kVisit, vid);
    if (!v || Str(v->fields, "status") != "on_site") continue;
    if (Status s = VisitWorkflow().Check("on_site", kind::kCheckedOut, actor.role); !s.ok()) return s;
    c.drafts.push_back(
        {std::string(entity::kVisit), vid, std::string(kind::kCheckedOut), Json{{"at", now.ToString()}}});
  }
  return c;
}

Result<Command> CancelGroup(Store& store, const Author& actor, const std::string& group_id, const std::string& reason,
                            LocalTime now) {
  auto group = LoadGroup(store, group_id);
  if (!group.ok()) return group.status();
  return internal::StepWithReason(GroupWorkflow(), entity::kGroup, group_id, group->fields, kind::kGroupCancelled,
                                  actor, reason, "取消原因", now);
}

std::optional<GroupSummary> FindGroup(Store& store, const std::string& group_id) {
  auto v = Load(store, entity::kGroup, group_id);
  if (!v) return std::nullopt;
  const Json& f = v->fields;
  GroupSummary g;
  g.id = group_id;
  for (auto [field, key] : {std::pair{&g.status, "status"}, std::pair{&g.site, "site"}, std::pair{&g.kind, "kind"},
                            std::pair{&g.name, "name"}, std::pair{&g.organisation, "organisation"},
                            std::pair{&g.host, "host"}, std::pair{&g.purpose, "purpose"}})
    *field = Str(f, key);
  g.window_start = Time(f, "window_start").value_or(LocalTime{});
  g.window_end = Time(f, "window_end").value_or(LocalTime{});
  const Json& roster = Member(f, "roster");
  g.purged = Bool(roster, "purged");
  std::map<std::string, Json> by_key;
  if (auto it = roster.find("members"); it != roster.end() && it->is_array())
    for (const auto& m : *it)
      if (m.is_object()) by_key[Str(m, "key")] = m;
  const auto arrived = Strings(f, "arrived");
  for (const auto& key : Strings(f, "member_keys")) {
    GroupMemberSummary m;
    m.key = key;
    m.arrived = Contains(arrived, key);
    if (g.purged) {
      m.name = std::string(kPurgedName);
    } else if (auto it = by_key.find(key); it != by_key.end()) {
      m.name = Str(it->second, "name");
      m.nationality = Str(it->second, "nationality");
      if (const std::string last = Str(it->second, "doc_last4"); !last.empty())
        m.document_masked = MaskDocument(Str(it->second, "doc_kind"), last);
    }
    g.members.push_back(std::move(m));
  }
  return g;
}

// ---------------------------------------------------------------------------
// Block list

Result<Command> AddToBlockList(Store& store, const Author& actor, const BlockInput& in, LocalTime now,
                               const VisitorRules& rules) {
  if (Trim(in.id).empty()) return Missing("id", "the entry id", "黑名单编号");
  auto existing = Load(store, entity::kBlock, in.id);
  if (Status s = BlockWorkflow().Check(existing ? Str(existing->fields, "status") : std::string(), kind::kBlockAdded,
                                       actor.role);
      !s.ok())
    return s;
  if (Trim(in.reason).empty()) return Missing("reason", "the reason", "列入原因");
  const bool has_document = !Trim(in.document_kind).empty() || !Trim(in.document_number).empty();
  if (!has_document && Trim(in.phone).empty())
    return Missing("document_number", "a document or a mobile number to match", "用于比对的证件或手机号码");
  Json entry = Json::object();
  std::string document_kind;
  if (!Trim(in.name).empty()) entry["name"] = Trim(in.name);
  if (has_document) {
    auto doc = ProtectDocument(rules.site_key, Trim(in.document_kind), in.document_number);
    if (!doc.ok()) return doc.status();
    document_kind = doc->kind;
    entry["doc_last4"] = doc->last_four;
    entry["doc_hash"] = doc->hash;
  }
  if (!Trim(in.phone).empty()) {
    if (Status s = validation::MobilePhone(in.phone); !s.ok()) return s;
    auto hash = PhoneHash(rules.site_key, validation::NormalizeMobilePhone(in.phone));
    if (!hash.ok()) return hash.status();
    entry["phone_hash"] = *hash;
  }
  Draft d{std::string(entity::kBlock), in.id, std::string(kind::kBlockAdded),
          Json{{"site", Trim(in.site)}, {"reason", Trim(in.reason)}, {"document_kind", document_kind},
               {"at", now.ToString()}}};
  d.personal = std::move(entry);
  Command c;
  c.drafts.push_back(std::move(d));
  return c;
}

Result<Command> LiftBlock(Store& store, const Author& actor, const std::string& block_id, const std::string& reason,
                          LocalTime now) {
  auto block = Load(store, entity::kBlock, block_id);
  if (!block) return Status::NotFound("block", {"no block-list entry " + block_id, "没有黑名单记录 " + block_id});
  if (Status s = BlockWorkflow().Check(Str(block->fields, "status"), kind::kBlockLifted, actor.role); !s.ok()) return s;
  if (Trim(reason).empty()) return Missing("reason", "the reason", "解除原因");
  Command c;
  c.drafts.push_back({std::string(entity::kBlock), block_id, std::string(kind::kBlockLifted),
                      Json{{"reason", Trim(reason)}, {"at", now.ToString()}}});
  return c;
}

std::vector<BlockSummary> BlockList(Store& store) {
  std::vector<BlockSummary> out;
  (void)store.ForEachRecord(std::string(entity::kBlock), [&](const RecordView& v) {
    const Json& f = v.fields;
    const Json& entry = Member(f, "entry");
    BlockSummary b;
    b.id = v.key.id;
    b.status = Str(f, "status");
    b.site = Str(f, "site");
    b.reason = Str(f, "reason");
    b.purged = Bool(entry, "purged");
    b.name = b.purged ? std::string(kPurgedName) : Str(entry, "name");
    if (!b.purged && !Str(entry, "doc_last4").empty())
      b.document_masked = MaskDocument(Str(f, "document_kind"), Str(entry, "doc_last4"));
    out.push_back(std::move(b));
  });
  return out;
}

std::vector<std::string> BlockListMatches(Store& store, const VisitorRules& rules, const std::string& site,
                                          const VisitorIdentity& visitor) {
  std::vector<std::string> keys;
  if (!Trim(visitor.document_kind).empty() && !Trim(visitor.document_number).empty())
    if (auto doc = ProtectDocument(rules.site_key, Trim(visitor.document_kind), visitor.document_number); doc.ok())
      keys.push_back(DocumentMatchKey(doc->hash));
  if (!Trim(visitor.phone).empty() && validation::MobilePhone(visitor.phone).ok())
    if (auto hash = PhoneHash(rules.site_key, validation::NormalizeMobilePhone(visitor.phone)); hash.ok())
      keys.push_back(PhoneMatchKey(*hash));
  return ActiveBlocks(store, site, keys);
}

// ---------------------------------------------------------------------------
// Reading visits

std::optional<VisitSummary> FindVisit(Store& store, const std::string& visit_id) {
  auto v = Load(store, entity::kVisit, visit_id);
  if (!v) return std::nullopt;
  return ToVisitSummary(*v);
}

std::vector<VisitSummary> OnSite(Store& store, const std::string& site) {
  std::vector<VisitSummary> out;
  for (const auto& v : OnSiteRecords(store, site, entity::kVisit)) out.push_back(ToVisitSummary(v));
  SortByCheckIn(out);
  return out;
}

EvacuationList Evacuation(Store& store, const std::string& site, LocalTime now) {
  EvacuationList list;
  list.site = site;
  list.at = now;
  for (const auto& v : OnSiteRecords(store, site, entity::kVisit)) {
    const VisitSummary s = ToVisitSummary(v);
    EvacuationRow row;
    row.visit = s.id;
    row.name = s.name;
    row.organisation = s.organisation;
    row.host = s.host;
    row.routed_to = s.routed_to;
    if (!s.purged) row.phone = Str(Member(v.fields, "visitor"), "phone");
    row.party_size = s.party_size;
    row.checked_in_at = s.checked_in_at;
    list.people += s.party_size;
    list.rows.push_back(std::move(row));
  }
  std::sort(list.rows.begin(), list.rows.end(), [](const EvacuationRow& a, const EvacuationRow& b) {
    return std::tie(a.checked_in_at, a.visit) < std::tie(b.checked_in_at, b.visit);
  });
  return list;
}

std::vector<VisitSummary> VisitsOn(Store& store, const std::string& site, Date day) {
  std::vector<VisitSummary> out;
  auto members = store.GroupMembers(internal::kDayIndex, site + "@" + day.ToString());
  if (!members.ok()) return out;
  for (const auto& m : *members)
    if (m.key.type == entity::kVisit) out.push_back(ToVisitSummary(m));
  SortByCheckIn(out);
  return out;
}

std::vector<VisitSummary> VisitsForHost(Store& store, const std::string& site, const std::string& host, Date day) {
  auto all = VisitsOn(store, site, day);
  std::erase_if(all, [&](const VisitSummary& v) { return v.host != host; });
  return all;
}

std::vector<VisitSummary> PetitionerVisits(Store& store, const std::string& site, const std::string& department,
                                           Date day) {
  auto all = VisitsOn(store, site, day);
  std::erase_if(all, [&](const VisitSummary& v) {
    return v.kind != visit_kind::kPetitioner || v.routed_to != department;
  });
  return all;
}

std::string PetitionDepartment(Store& store, const VisitorRules& rules) {
  const std::string wanted = rules.petition_department;
  if (Load(store, houqin::entity::kDepartment, wanted)) return wanted;
  std::string found;
  (void)store.ForEachRecord(std::string(houqin::entity::kDepartment), [&](const RecordView& v) {
    if (found.empty() && Str(v.fields, "name") == wanted) found = v.key.id;
  });
  return found.empty() ? wanted : found;
}

std::vector<GuardAlert> GuardAlerts(Store& store, const std::string& site) {
  std::vector<GuardAlert> out;
  for (const auto& s : OnSite(store, site))
    for (const auto& c : s.conflicts)
      if (c.kind == "blocklist_match" || c.kind == "invite_reused" || c.kind == "cancelled_invite_used")
        out.push_back({s.id, c.kind, c.reason});
  return out;
}

std::optional<ReturningVisitor> FindReturningVisitor(Store& store, const VisitorRules& rules,
                                                     const std::string& document_kind,
                                                     const std::string& document_number) {
  auto doc = ProtectDocument(rules.site_key, Trim(document_kind), document_number);
  if (!doc.ok()) return std::nullopt;
  auto members = store.GroupMembers(internal::kIdentityIndex, DocumentMatchKey(doc->hash));
  if (!members.ok() || members->empty()) return std::nullopt;
  ReturningVisitor r;
  std::optional<VisitSummary> last;
  for (const auto& m : *members) {
    if (m.key.type != entity::kVisit) continue;
    ++r.visits;
    VisitSummary s = ToVisitSummary(m);
    if (!last || std::tie(last->checked_in_at, last->id) < std::tie(s.checked_in_at, s.id)) last = std::move(s);
  }
  if (!last) return std::nullopt;
  r.last_visit = last->id;
  r.name = last->name;
  r.organisation = last->organisation;
  r.last_checked_in = last->checked_in_at;
  return r;
}

// ---------------------------------------------------------------------------
// Retention and scope

Result<Command> PurgeExpired(Store& store, const Author& actor, LocalTime now, const VisitorRules& rules) {
  if (actor.role != role::kAdmin)
    return No("role", "only the admin purges personal data", "只有管理员可以清除个人信息");
  const std::int64_t limit = now.MinutesSinceEpoch() - rules.retention_days * 1440;
  std::vector<RecordKey> due;
  const auto consider = [&](const RecordView& v, const Json& personal, std::optional<LocalTime> end) {
    if (!personal.is_object() || personal.empty() || Bool(personal, "purged")) return;
    if (end && end->MinutesSinceEpoch() < limit) due.push_back(v.key);
  };
  Status s = store.ForEachRecord(std::string(entity::kVisit), [&](const RecordView& v) {
    const std::string status = Str(v.fields, "status");
    if (status == "checked_out" || status == "signed_out")
      consider(v, Member(v.fields, "visitor"), Time(v.fields, "left_at"));
  });
  if (s.ok())
    s = store.ForEachRecord(std::string(entity::kInvite), [&](const RecordView& v) {
      const bool cancelled = Str(v.fields, "status") == "cancelled";
      consider(v, Member(v.fields, "invitee"), Time(v.fields, cancelled ? "cancelled_at" : "window_end"));
    });
  if (s.ok())
    s = store.ForEachRecord(std::string(entity::kGroup), [&](const RecordView& v) {
      const std::string status = Str(v.fields, "status");
      const char* end = status == "left" ? "departed_at" : status == "cancelled" ? "cancelled_at" : "window_end";
      if (status != "on_site") consider(v, Member(v.fields, "roster"), Time(v.fields, end));
    });
  if (s.ok())
    s = store.ForEachRecord(std::string(entity::kBlock), [&](const RecordView& v) {
      if (Str(v.fields, "status") == "lifted") consider(v, Member(v.fields, "entry"), Time(v.fields, "lifted_at"));
    });
  if (!s.ok()) return s;

  Command c;
  for (const auto& key : due) {
    auto events = store.EventsOf(key.type, key.id);
    if (!events.ok()) return events.status();
    std::uint64_t through = 0;
    for (const auto& e : *events) through = std::max(through, e.hlc);
    c.drafts.push_back(PurgePersonalDraft(key.type, key.id, through));
  }
  return c;
}

bool KioskMayRead(const RecordView& record, const std::string& site, Date today) {
  const std::string& type = record.key.type;
  const Json& f = record.fields;
  const Date yesterday = today.AddDays(-1), tomorrow = today.AddDays(1);
  if (type == entity::kVisit) {
    if (Str(f, "site") != site) return false;
    if (Str(f, "status") == "on_site") return true;
    auto in = Time(f, "checked_in_at");
    return in && in->date >= yesterday && in->date <= today;
  }
  if (type == entity::kInvite || type == entity::kGroup) {
    if (Str(f, "site") != site) return false;
    auto start = Time(f, "window_start"), end = Time(f, "window_end");
    return start && end && start->date <= tomorrow && end->date >= yesterday;
  }
  if (type == entity::kBlock) {
    const std::string block_site = Str(f, "site");
    return Str(f, "status") == "active" && (block_site.empty() || block_site == site);
  }
  if (type == entity::kDeviceKey) return true;
  if (type == houqin::entity::kUser || type == houqin::entity::kDepartment) return true;
  if (type == houqin::entity::kSiteConfig) return record.key.id == "visitors";
  return false;
}

Json HostDirectoryFields(const RecordView& record) {
  Json out = Json::object();
  if (record.key.type != houqin::entity::kUser && record.key.type != houqin::entity::kDepartment) return out;
  for (const char* key : {"name", "department"})
    if (auto it = record.fields.find(key); it != record.fields.end() && it->is_string()) out[key] = *it;
  return out;
}

void Register(Domain& domain) {
  RegisterInvites(domain);
  domain.Add(std::make_unique<VisitFold>());
  domain.Add(std::make_unique<GroupFold>());
  domain.Add(std::make_unique<BlockFold>());
  domain.Add(std::make_unique<InviteUseConstraint>());
  domain.Add(std::make_unique<BlocklistConstraint>());
  domain.Add(std::make_unique<IndexConstraint>(internal::kOnSiteIndex));
  domain.Add(std::make_unique<IndexConstraint>(internal::kIdentityIndex));
  domain.Add(std::make_unique<IndexConstraint>(internal::kDayIndex));
}

}  // namespace houqin::visitors
