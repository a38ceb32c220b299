// Visitor reception (来访登记): check-in and check-out of walk-ins, invited visitors,
// petitioners (信访) and delegations, the block list, the on-site and evacuation lists, the
// automatic sign-out at the end of the day, the retention purge of personal data and the read
// scope of a kiosk. Invites and device keys are in visitors/invites.h, masking and hashing in
// visitors/privacy.h, the site's numbers in visitors/rules.h.
//
// Entities (workflow tables below; merge rules at the top of visitors.cpp and in
// notes/merge-rules-visitors.md):
//   visitor_visit/<id>  one check-in: a person, or a lead with an unnamed party. VisitWorkflow():
//                       checked_in → on_site → checked_out | signed_out (automatic)
//   visitor_group/<id>  a VIP or foreign delegation registered in bulk by reception; its members'
//                       visits are visitor_visit/<group id>.<member key>. GroupWorkflow():
//                       registered → expected → on_site → left, or cancelled
//   visitor_block/<id>  a block-list entry: document and/or phone hash. BlockWorkflow():
//                       added → active → lifted
// Constraints:
//   visitor_invite_use  (group = invite id; the invite and every visit that used it):
//                       "invite_reused" when a single-use invite has two or more check-ins (two
//                       kiosks offline) — all are kept, each visit and the invite are marked for
//                       the guard; "cancelled_invite_used" when the invite is cancelled and used.
//   visitor_blocklist   (group = match key "doc:<hash>" / "tel:<hash>"; active entries and
//                       on-site visits): "blocklist_match" on the visit, whenever the entry and
//                       the visit meet, whichever reached the replica first. Check-in is never
//                       refused for it: the guard is alerted (GuardAlerts) and decides.
//   visitor_on_site, visitor_identity, visitor_day: indexes (on-site visits and groups by site;
//                       visits by match key, for a returning visitor; visits, invites and groups
//                       by site@day).
//
// Personal data (names, phones, a document's last four characters and keyed hash) travels in
// Draft::personal only; folds copy it into fields["visitor"] (visits), ["roster"] (groups),
// ["entry"] (block-list entries), and show {"purged": true} — kPurgedName on screen — once the
// engine purged it. Payloads hold no personal value.
//
// Commands are free functions that read the store, check every rule and return drafts plus soft
// warnings, or a Status naming the field with the reason in English and Chinese. They never
// append: callers run Execute(store, actor, command).
// Thread safety: free functions; the Store is single-threaded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command.h"
#include "engine/store.h"
#include "engine/workflow.h"
#include "util/civil_time.h"
#include "visitors/entities.h"
#include "visitors/invites.h"
#include "visitors/privacy.h"
#include "visitors/rules.h"

namespace houqin::visitors {

const Workflow& VisitWorkflow();
const Workflow& GroupWorkflow();
const Workflow& BlockWorkflow();

// ---------------------------------------------------------------------------
// Check-in and check-out

// What a visitor tells the kiosk. The document number is validated, reduced to its last four
// characters and a keyed hash, and then forgotten.
struct VisitorIdentity {
  std::string name;
  std::string phone;            // mainland mobile number
  std::string document_kind;    // "resident_id", "passport", "hk_macau_permit", "taiwan_permit"; empty: none
  std::string document_number;  // as typed
};

struct CheckInInput {
  std::string visit_id;  // new record id
  std::string site;
  std::string kind = std::string(visit_kind::kWalkIn);  // walk_in or petitioner
  VisitorIdentity visitor;
  std::string organisation;
  std::string host;     // a staff user id; required of a walk-in, refused for a petitioner
  std::string purpose;  // required; a petitioner's defaults to 信访
  int party_size = 1;   // the visitor and the people with them
  bool notice_accepted = false;
};

// Walk-ins and petitioners, at the kiosk, by the guard or by reception. A petitioner is routed to
// the petition department (VisitorRules.petition_department), never to a host. A block-list
// match is NOT refused: warning "blocklist_match" (call the guard), the matching entries are
// recorded in the payload, and the visitor_blocklist constraint marks the visit.
Result<Command> CheckIn(Store& store, const Author& actor, const CheckInInput& input, LocalTime now,
                        const VisitorRules& rules);

struct InviteCheckInInput {
  std::string visit_id;
  std::string site;   // the kiosk's site
  std::string token;  // scanned from the QR code
  VisitorIdentity visitor;
  std::string organisation;  // empty: the invite's, when this store has the invite
  int party_size = 0;        // 0: the invite's party size; never more
  bool notice_accepted = false;
};

// An invited visitor, verified offline (VerifyInviteToken): the store needs the signer's
// device_key record, not the invite. Refused when this store knows the invite is cancelled or
// already used (single use); two kiosks that do not know of each other's use both check in, and
// the visitor_invite_use constraint marks the clash once they sync.
Result<Command> CheckInWithInvite(Store& store, const Author& actor, const InviteCheckInInput& input, LocalTime now,
                                  const VisitorRules& rules);

Result<Command> CheckOut(Store& store, const Author& actor, const std::string& visit_id, LocalTime now);

// Signs out every visit of `site` still on site whose cut-off has passed: the first
// VisitorRules.auto_signout_minute after its check-in (a visit checked in after the cut-off is
// signed out at the next day's). Each sign-out is stamped at its cut-off, not at `now`. A group
// whose last members are signed out departs with them. Idempotent: a second run writes nothing;
// two kiosks running it offline converge (the second sign-out changes nothing).
Result<Command> AutoSignOut(Store& store, const Author& actor, const std::string& site, LocalTime now,
                            const VisitorRules& rules);

// ---------------------------------------------------------------------------
// Delegations (会议接待科)

struct GroupMemberInput {
  std::string name;
  std::string document_kind;
  std::string document_number;
  std::string nationality;  // optional, e.g. "FR"
  std::string phone;        // optional
};

struct GroupInput {
  std::string id;
  std::string site;
  std::string kind = std::string(group_kind::kVip);  // vip or foreign_delegation
  std::string name;                                  // the delegation, e.g. "里昂市政府代表团"
  std::string organisation;
  std::string host;  // the receiving leader or staff member; optional
  std::string purpose;
  std::optional<LocalTime> window_start, window_end;
  std::vector<GroupMemberInput> members;  // keys m1, m2, ... in this order
  bool notice_accepted = false;           // reception gave the delegation the notice
};

// By reception. Documents are required of a foreign delegation's members always, of a VIP
// group's when VisitorRules.document_required_group. Errors name "members[i].<field>".
Result<Command> RegisterGroup(Store& store, const Author& actor, const GroupInput& input, LocalTime now,
                              const VisitorRules& rules);
// Checks in the members given by key (empty: every member not yet arrived), one visit each
// (visitor_visit/<group id>.<key>), in one batch with the group's arrival. Warning
// "outside_window" when the delegation arrives outside its window.
Result<Command> CheckInGroup(Store& store, const Author& actor, const std::string& group_id,
                             const std::vector<std::string>& member_keys, LocalTime now, const VisitorRules& rules);
// Checks out every member still on site and marks the group as left.
Result<Command> CheckOutGroup(Store& store, const Author& actor, const std::string& group_id, LocalTime now);
Result<Command> CancelGroup(Store& store, const Author& actor, const std::string& group_id, const std::string& reason,
                            LocalTime now);

struct GroupMemberSummary {
  std::string key, name /* or kPurgedName */, document_masked, nationality;
  bool arrived = false;
};
struct GroupSummary {
  std::string id, status, site, kind, name, organisation, host, purpose;
  LocalTime window_start, window_end;
  bool purged = false;
  std::vector<GroupMemberSummary> members;
};
std::optional<GroupSummary> FindGroup(Store& store, const std::string& group_id);

// ---------------------------------------------------------------------------
// Block list

struct BlockInput {
  std::string id;
  std::string site;  // empty: every site
  std::string name;  // optional, for the guard
  std::string document_kind, document_number;  // a document, a phone, or both
  std::string phone;
  std::string reason;
};
// By the admin or the guard. Only hashes and the last four characters are kept.
Result<Command> AddToBlockList(Store& store, const Author& actor, const BlockInput& input, LocalTime now,
                               const VisitorRules& rules);
// By the admin.
Result<Command> LiftBlock(Store& store, const Author& actor, const std::string& block_id, const std::string& reason,
                          LocalTime now);

struct BlockSummary {
  std::string id, status, site, reason, name /* or kPurgedName */, document_masked;
  bool purged = false;
};
std::vector<BlockSummary> BlockList(Store& store);

// ---------------------------------------------------------------------------
// Reading visits

struct VisitSummary {
  std::string id, kind, site, status, host, routed_to, purpose, organisation;
  std::string invite, group, group_member;
  std::string name;             // personal, or kPurgedName
  std::string phone_masked;     // empty when none or purged
  std::string document_kind;
  std::string document_masked;  // empty when none or purged
  bool purged = false;
  bool auto_signed_out = false;
  int party_size = 1;
  LocalTime checked_in_at;
  std::optional<LocalTime> left_at;
  std::vector<std::string> blocklist_hits;  // entries matched at check-in
  std::vector<Conflict> conflicts;
};
std::optional<VisitSummary> FindVisit(Store& store, const std::string& visit_id);

// Visits of `site` on site now (status on_site), by check-in time.
std::vector<VisitSummary> OnSite(Store& store, const std::string& site);

// 紧急疏散名单: who must be accounted for. The full phone (not masked) is given here alone,
// because the evacuation lead must be able to call a missing visitor.
struct EvacuationRow {
  std::string visit, name, organisation, host, routed_to, phone;
  int party_size = 1;
  LocalTime checked_in_at;
};
struct EvacuationList {
  std::string site;
  LocalTime at;
  int people = 0;  // the sum of party sizes
  std::vector<EvacuationRow> rows;
};
EvacuationList Evacuation(Store& store, const std::string& site, LocalTime now);

// Visits of a site checked in on `day`, by check-in time.
std::vector<VisitSummary> VisitsOn(Store& store, const std::string& site, Date day);
// A host's visitors of the day; the petitioners routed to a department (信访 → 行政科).
std::vector<VisitSummary> VisitsForHost(Store& store, const std::string& site, const std::string& host, Date day);
std::vector<VisitSummary> PetitionerVisits(Store& store, const std::string& site, const std::string& department,
                                           Date day);
// The department petitioners are routed to: VisitorRules.petition_department as a department id,
// else the id of the department of that name, else the configured text itself.
std::string PetitionDepartment(Store& store, const VisitorRules& rules);

// What the guard must look at: on-site visits of the site marked "blocklist_match",
// "invite_reused" or "cancelled_invite_used" (conflicts not yet resolved).
struct GuardAlert {
  std::string visit;
  std::string kind;
  Text text;
};
std::vector<GuardAlert> GuardAlerts(Store& store, const std::string& site);

// A returning visitor, recognised by the keyed hash of their document (never by the number).
struct ReturningVisitor {
  int visits = 0;
  std::string last_visit, name /* or kPurgedName */, organisation;
  LocalTime last_checked_in;
};
std::optional<ReturningVisitor> FindReturningVisitor(Store& store, const VisitorRules& rules,
                                                     const std::string& document_kind,
                                                     const std::string& document_number);
// Active block-list entries of `site` (or of every site) matching this document or phone.
std::vector<std::string> BlockListMatches(Store& store, const VisitorRules& rules, const std::string& site,
                                          const VisitorIdentity& visitor);

// ---------------------------------------------------------------------------
// Retention and scope

// By the admin (the server's daily job): a personal.purged draft for every visit, invite,
// delegation and lifted block-list entry whose end — the visit's check-out, the invite's or
// group's window end (or cancellation), the entry's lifting — lies more than
// VisitorRules.retention_days before `now`, and whose personal data is not purged yet. Visits
// still on site and active block-list entries are never purged. Empty when nothing is due.
Result<Command> PurgeExpired(Store& store, const Author& actor, LocalTime now, const VisitorRules& rules);

// The server's pull scope for a kiosk of `site` on `today` (design.md, "Scopes"): a kiosk reads
//  - visits of its site checked in today or yesterday, and any still on site;
//  - invites and delegations of its site whose window touches yesterday, today or tomorrow;
//  - active block-list entries for its site or for every site (it must alert the guard);
//  - every device_key record (public keys, to verify invites offline);
//  - users and departments (the host directory: serve them through HostDirectoryFields, which
//    drops everything but name and department — no phones);
//  - site_config/visitors.
// Nothing else: not other sites' visitors, not older visits, no record of any other area.
bool KioskMayRead(const RecordView& record, const std::string& site, Date today);
// The fields of a user or department record a kiosk may hold.
Json HostDirectoryFields(const RecordView& record);

// Registers every fold and constraint of the visitors area.
void Register(Domain& domain);

}  // namespace houqin::visitors
