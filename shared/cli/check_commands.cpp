// Subcommands that check a value against a rule: validate, restricted.
#include <iostream>

#include "cli.h"
#include "cars/fleet.h"
#include "cars/rules.h"
#include "validation/validate.h"

namespace houqin::cli {

int Validate(const Args& args) {
  if (args.positional().size() != 2)
    return Fail("validate needs a kind (id, phone, plate, passport, hk-macau-permit, taiwan-permit) and a value");
  const std::string& kind = args.positional()[0];
  const std::string& value = args.positional()[1];
  Status s;
  if (kind == "id") s = validation::ResidentId(value);
  else if (kind == "phone") s = validation::MobilePhone(value);
  else if (kind == "plate") s = validation::Plate(value);
  else if (kind == "passport") s = validation::Passport(value);
  else if (kind == "hk-macau-permit") s = validation::HkMacauPermit(value);
  else if (kind == "taiwan-permit") s = validation::TaiwanPermit(value);
  else return Fail("unknown kind '" + kind + "'");
  if (s.ok()) {
    std::cout << "valid\n";
    return 0;
  }
  std::cout << "invalid: " << s.field() << ": " << s.en() << "\n" << "无效: " << s.zh() << "\n";
  return 1;
}

int Restricted(const Args& args) {
  auto plate = args.Option("plate");
  auto date_text = args.Option("date");
  if (!plate || !date_text) return Fail("restricted needs --plate P and --date YYYY-MM-DD");
  const auto date = Date::Parse(*date_text);
  if (!date) return Fail("date: '" + *date_text + "' is not a real date in the form YYYY-MM-DD");
  if (Status s = validation::Plate(*plate); !s.ok()) return Fail(s);
  cars::Rules rules;
  if (auto db = args.Option("db")) {  // a site's own configuration, when given
    auto store = OpenStore(*db);
    if (!store.ok()) return Fail(store.status());
    rules = cars::LoadRules(**store);
  }
  const auto verdict = cars::CheckRotation(rules.rotation, validation::NormalizePlate(*plate), *date,
                                           args.Flag("work-required"));
  std::cout << (verdict.restricted ? "restricted" : "allowed") << "\n"
            << verdict.rule.en << "\n"
            << verdict.rule.zh << "\n";
  return 0;
}

}  // namespace houqin::cli
