// verify-duty: recomputes a duty shift's hash chain from the events stored in a
// database file and names any sealed log entry changed, removed or added behind
// the app's back.
#include <iostream>

#include "cli.h"
#include "duty/duty.h"

namespace houqin::cli {

namespace {
const char* ProblemName(duty::ChainProblem::Kind k) {
  switch (k) {
    case duty::ChainProblem::Kind::kChanged:
      return "changed";
    case duty::ChainProblem::Kind::kRemoved:
      return "removed";
    case duty::ChainProblem::Kind::kAdded:
      return "added";
  }
  return "?";
}
}  // namespace

int VerifyDuty(const Args& args) {
  auto db = args.Option("db");
  auto shift = args.Option("shift");
  if (!db || !shift) return Fail("verify-duty needs --db FILE and --shift ID");
  auto store = OpenStore(*db);
  if (!store.ok()) return Fail(store.status());
  auto report = duty::VerifyDutyChain(**store, *shift);
  if (!report.ok()) return Fail(report.status());
  if (report->ok()) {
    std::cout << "ok: shift " << report->shift << ", " << report->links << " links, head " << report->head << "\n";
    for (const auto& id : report->late_events)
      std::cout << "late: event " << id << " arrived after the handover (kept, flagged, not signed)\n";
    return 0;
  }
  std::cout << "TAMPERED: shift " << report->shift << ", " << report->problems.size() << " problem"
            << (report->problems.size() == 1 ? "" : "s") << "\n";
  for (const auto& p : report->problems) {
    std::cout << ProblemName(p.kind) << ": ";
    if (!p.entry.empty()) std::cout << "entry " << p.entry << " ";
    std::cout << "event " << p.event;
    if (p.position > 0) std::cout << " link " << p.position;
    std::cout << "\n  " << p.text.en << "\n  " << p.text.zh << "\n";
  }
  return 1;
}

}  // namespace houqin::cli
