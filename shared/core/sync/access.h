// Who may write what, and who reads what: the server's two judgements,
// written once here so that the rules live in the core beside the folds.
//
// Writing: every pushed event is judged against its author's role and the
// state of the record it touches. A refused event is still stored; the
// server appends a verdict (RefusalDraft, kind server.refused) that every
// replica folds the same way: the refused event changes nothing and the
// record shows what was refused and why (RecordView::refusals).
// Offline work that was allowed when it was made but clashes with what
// happened meanwhile (a cancel racing a done) is NOT refused here: the
// folds turn it into a conflict. Refusal is for what the author's role
// could never do, or a relation the author could see was wrong (approving
// one's own request, a driver dispatching, a kiosk writing a car request,
// editing a handed-over duty log).
//
// Reading: each record's events are delivered under scope keys computed
// from its folded state ("fleet", "dept:<id>", "user:<id>", "site:<id>:visitors",
// ...); a device reads the keys of its role. A key may carry a last day, after
// which devices with a time-bounded view (kiosks: the current days only) stop
// receiving the record.
//
// Thread safety: free functions; the Store they read is single-threaded.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/store.h"
#include "sync/protocol.h"
#include "util/civil_time.h"

namespace houqin::sync {

// The identity a device pushes under must be its own: the event's device is
// the authenticated device, its user the device's signed-in user (a kiosk:
// DeviceIdentity::user) and its role one of that user's roles. Refused (the
// field names which) otherwise; the server then refuses the whole batch (403).
Status CheckAuthorClaim(const DeviceIdentity& device, const Event& e);

// Judges one pushed event. `earlier` are the events of the same push that
// come before it (a request created and submitted in one batch): the record's
// state is the fold of its stored events plus those. Ok, or Refused with the
// field and a reason in English and Chinese.
Status AuthorizeEvent(Store& store, const DeviceIdentity& device, const Event& e,
                      const std::vector<Event>& earlier);

// Scope keys (the table is in PROTOCOL.md, "Scopes"). Besides these fixed
// names: "user:<id>", "dept:<id>", "duty:<site>", "patrol:<site>",
// "site:<site>:visitors" (bounded for kiosks) and "config:<id>".
namespace scope {
inline constexpr std::string_view kAll = "all";                       // every record: the admin
inline constexpr std::string_view kDirectory = "directory";           // users and departments
inline constexpr std::string_view kConfig = "config";                 // every site_config record
inline constexpr std::string_view kKeys = "keys";                     // device_key: invite signing keys
inline constexpr std::string_view kCars = "cars";                     // the car register
inline constexpr std::string_view kFleet = "fleet";                   // cars, drivers, requests, trips, fuel, upkeep
inline constexpr std::string_view kRepairs = "repairs";               // the whole repairs area
inline constexpr std::string_view kAreas = "areas";                   // the areas a repair is reported in
inline constexpr std::string_view kInspections = "inspections";       // safety inspections
inline constexpr std::string_view kDuty = "duty";                     // night duty of every site
inline constexpr std::string_view kDutyAnySite = "duty:any-site";     // duty records that name no site
inline constexpr std::string_view kPatrolAnySite = "patrol:any-site"; // patrol records that name no site
inline constexpr std::string_view kBlocksAllSites = "blocks:all-sites";  // block-list entries for every site
}  // namespace scope

// The scope keys a record's events are delivered under, from its folded
// state (and, where needed, the records it names).
struct ScopeKey {
  std::string key;
  std::optional<Date> last_day;  // time-bounded readers stop receiving it after this day
  bool operator==(const ScopeKey&) const = default;
};
std::vector<ScopeKey> RecordScopes(Store& store, const RecordView& record);

// The records whose scope keys read the state of a changed record, so that
// the delivery index re-evaluates them in the same pass: a trip's requests
// (they carry its driver's key), a request's trips (its requester's), a
// driver's trips and their requests (its user), a department's requests (its
// approvers), a user's duty profile (its site). Note() each changed record as
// it is evaluated; Finish() names the dependents that were not noted. Keep in
// step with RecordScopes.
class ScopeDependents {
 public:
  void Note(const RecordView& changed);
  Result<std::vector<RecordKey>> Finish(Store& store);

 private:
  void Add(std::string_view type, const std::string& id);
  std::set<RecordKey> noted_;
  std::vector<RecordKey> found_;
  std::set<std::string> drivers_, departments_;
};

// The keys a device reads. `bounded` is true for keys a device reads only
// while their last_day >= today - 1 (the kiosk's visitors).
struct ReadScope {
  std::string key;
  bool bounded = false;
  bool operator==(const ReadScope&) const = default;
};
std::vector<ReadScope> DeviceScopes(const DeviceIdentity& device);

// Whether the device receives this event's personal data; when not, the
// server sends the event as purged (digest only, the hash still checks): a
// kiosk gets the host directory without phone numbers.
bool ReceivesPersonal(const DeviceIdentity& device, const Event& e);

}  // namespace houqin::sync
