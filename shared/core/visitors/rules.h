// The configurable numbers of visitor reception (来访登记), with their defaults. Every default
// here is "our decision": the documents require strict registration of outside visitors
// (严格执行外来办事人员登记) but name no retention period, cut-off time or party size.
// A site overrides any of them through the site_config/visitors record (a FieldsFold register
// the admin writes), and LoadVisitorRules() lays those overrides over the defaults.
//
// The site key is the exception: it is a secret (the HMAC key of document and phone hashes),
// so it never travels in a record. The kiosk and the server read it from their enrollment
// configuration and pass it to LoadVisitorRules(); a device without it cannot hash documents
// and its commands that need a hash are refused (field "site_key").
//
// Thread safety: values.
#pragma once

#include <cstdint>
#include <string>

#include "engine/store.h"

namespace houqin::visitors {

struct VisitorRules {
  // Personal data is purged this many days after a visit ends (PIPL: keep only as long as needed).
  std::int64_t retention_days = 180;
  // Visitors still on site are signed out automatically at this minute of the day ("20:00").
  int auto_signout_minute = 20 * 60;
  // Identity document required per kind of visit (the site's policy).
  bool document_required_walk_in = true;
  bool document_required_petitioner = true;
  bool document_required_invited = false;
  bool document_required_group = true;
  // A mobile number is always required of walk-ins and petitioners; of invited visitors only here.
  bool phone_required_invited = false;
  // An invited visitor may check in this many minutes before the invite's window opens.
  std::int64_t invite_early_minutes = 60;
  // Longest invite window, in days.
  std::int64_t invite_max_days = 31;
  // Largest party on one check-in or invite (a QR token carries it in one byte: at most 255).
  std::int64_t max_party_size = 30;
  // Largest delegation registered in one step.
  std::int64_t max_group_members = 200;
  // Petitioners (信访) are received by this department: a department id, or a department name
  // looked up in the directory.
  std::string petition_department = "行政科";
  // The HMAC key of document and phone hashes; never read from the store.
  std::string site_key;
};

// The defaults overlaid with the site_config/visitors record, plus the device's site key.
VisitorRules LoadVisitorRules(Store& store, std::string site_key);
// Overlays the fields of a site_config/visitors payload on `rules` ("auto_signout_time": "HH:MM").
void ApplyVisitorOverrides(VisitorRules& rules, const Json& fields);
// The admin's draft that sets overrides (only the keys given change). A "site_key" key is dropped.
Draft SetVisitorRules(const Json& overrides);

}  // namespace houqin::visitors
