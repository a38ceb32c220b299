#include <iostream>

#include "cli.h"
#include "domain.h"

namespace houqin::cli {

Args::Args(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      const std::string name = a.substr(2);
      if (auto eq = name.find('='); eq != std::string::npos) {
        options_.emplace_back(name.substr(0, eq), name.substr(eq + 1));
      } else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
        options_.emplace_back(name, argv[++i]);
      } else {
        flags_.push_back(name);
      }
    } else {
      positional_.push_back(a);
    }
  }
}

std::optional<std::string> Args::Option(const std::string& name) const {
  for (const auto& [k, v] : options_)
    if (k == name) return v;
  return std::nullopt;
}

bool Args::Flag(const std::string& name) const {
  for (const auto& f : flags_)
    if (f == name) return true;
  return Option(name).has_value();
}

int Usage(std::ostream& out) {
  out << "usage: houqin <command> [options]\n"
         "  demo                                  two replicas edit offline, merge, show hashes and conflicts\n"
         "  validate id|phone|plate|passport|hk-macau-permit|taiwan-permit VALUE\n"
         "                                        exit 0 when valid, 1 with the reason when not\n"
         "  restricted --plate P --date YYYY-MM-DD [--work-required]\n"
         "                                        'restricted' or 'allowed' and the rule that decided (尾号限行)\n"
         "  apply --db FILE EVENTS.jsonl|-        ingest events (one JSON object per line) into FILE\n"
         "  state --db FILE [--entity T] [--id ID]\n"
         "                                        records as JSON, with conflicts and the state hash\n"
         "  events --db FILE                      every event as JSON lines, in arrival order\n"
         "  merge A.db B.db                       exchange events both ways; print both state hashes\n"
         "  verify --db FILE                      re-fold every record from its events and compare\n"
         "  verify-duty --db FILE --shift ID      check a duty shift's sealed log against its handover's hash chain:\n"
         "                                        exit 0 'ok' with the link count, 1 naming the changed entry\n"
         "  deadline --reported \"YYYY-MM-DD HH:MM\" --size small|large [--calendar FILE] [--db FILE]\n"
         "                                        a repair's due time on the working-day calendar, then how it was counted\n"
         "  calendar [--year YYYY] [--calendar FILE]\n"
         "                                        the year's holidays and swapped working days (exit 1: no data)\n"
         "  admin --data DIR <command> ...        the sync server's administration (`houqin admin` lists its commands)\n"
         "  device enroll|sync|status --db FILE   a device on the command line: enroll with a code, sync, show status\n";
  return 2;
}

int Fail(const std::string& message) {
  std::cerr << "houqin: " << message << "\n";
  return 2;
}

int Fail(const Status& status) {
  std::cerr << "houqin: " << status.ToString() << "\n";
  return 2;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& path) {
  static const auto domain = MakeDomain();
  StoreOptions o;
  o.domain = domain.get();
  return Store::Open(path, o);
}

}  // namespace houqin::cli
