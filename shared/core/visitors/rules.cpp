#include "visitors/rules.h"

#include "directory/directory.h"
#include "engine/payload.h"

namespace houqin::visitors {

namespace {
using payload::Take;

// "HH:MM" → minute of the day; nullopt for anything else.
std::optional<int> MinuteOfDay(const std::string& text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0u, 1u, 3u, 4u})
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}
}  // namespace

void ApplyVisitorOverrides(VisitorRules& r, const Json& f) {
  if (!f.is_object()) return;
  Take(f, "retention_days", r.retention_days);
  if (auto it = f.find("auto_signout_time"); it != f.end() && it->is_string())
    if (auto m = MinuteOfDay(it->get<std::string>())) r.auto_signout_minute = *m;
  Take(f, "document_required_walk_in", r.document_required_walk_in);
  Take(f, "document_required_petitioner", r.document_required_petitioner);
  Take(f, "document_required_invited", r.document_required_invited);
  Take(f, "document_required_group", r.document_required_group);
  Take(f, "phone_required_invited", r.phone_required_invited);
  Take(f, "invite_early_minutes", r.invite_early_minutes);
  Take(f, "invite_max_days", r.invite_max_days);
  Take(f, "max_party_size", r.max_party_size);
  Take(f, "max_group_members", r.max_group_members);
  Take(f, "petition_department", r.petition_department);
  // Values no site may set: a retention below one day would purge people still on site, a party
  // above 255 does not fit in a QR token.
  if (r.retention_days < 1) r.retention_days = 1;
  if (r.max_party_size < 1) r.max_party_size = 1;
  if (r.max_party_size > 255) r.max_party_size = 255;
}

VisitorRules LoadVisitorRules(Store& store, std::string site_key) {
  VisitorRules r;
  auto rec = store.Get(std::string(houqin::entity::kSiteConfig), "visitors");
  if (rec.ok() && rec->has_value()) ApplyVisitorOverrides(r, (*rec)->fields);
  r.site_key = std::move(site_key);
  return r;
}

Draft SetVisitorRules(const Json& overrides) {
  Json payload = overrides.is_object() ? overrides : Json::object();
  payload.erase("site_key");
  return {std::string(houqin::entity::kSiteConfig), "visitors", "site_config.updated", payload};
}

}  // namespace houqin::visitors
