// Subcommands that read and write store files: apply, state, events, merge, verify.
#include <fstream>
#include <iostream>

#include "cli.h"

namespace houqin::cli {

namespace {

Json ConflictJson(const Conflict& c) {
  return Json{{"id", c.Id()}, {"kind", c.kind}, {"events", c.events}, {"source", c.source},
              {"reason", {{"en", c.reason.en}, {"zh", c.reason.zh}}}};
}

Json RecordJson(const RecordView& v) {
  Json cs = Json::array();
  for (const auto& c : v.conflicts) cs.push_back(ConflictJson(c));
  return Json{{"type", v.key.type}, {"id", v.key.id}, {"fields", v.fields}, {"conflicts", cs}};
}

Result<std::vector<Event>> ReadAll(Store& s) {
  std::vector<Event> out;
  Status st = s.ForEachEvent(0, [&](std::int64_t, const Event& e) {
    out.push_back(e);
    return true;
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace

int Apply(const Args& args) {
  auto db = args.Option("db");
  if (!db || args.positional().size() != 1) return Fail("apply needs --db FILE and one EVENTS.jsonl (or -)");
  const std::string& input = args.positional()[0];
  std::ifstream file;
  std::istream* in = &std::cin;
  if (input != "-") {
    file.open(input);
    if (!file) return Fail("cannot read " + input);
    in = &file;
  }
  std::vector<Event> events;
  std::string line;
  int line_no = 0;
  while (std::getline(*in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json j = Json::parse(line, nullptr, false);
    if (j.is_discarded()) return Fail(input + ":" + std::to_string(line_no) + ": not valid JSON");
    auto e = EventFromJson(j);
    if (!e.ok())
      return Fail(input + ":" + std::to_string(line_no) + ": " + e.status().field() + ": " + e.status().en());
    events.push_back(std::move(*e));
  }
  auto store = OpenStore(*db);
  if (!store.ok()) return Fail(store.status());
  auto cs = (*store)->Ingest(events);
  if (!cs.ok()) return Fail(cs.status());
  Json changed = Json::array();
  for (const auto& k : cs->changed) changed.push_back({{"type", k.type}, {"id", k.id}});
  std::cout << Json{{"inserted", cs->inserted}, {"duplicates", cs->duplicates}, {"clock_skewed", cs->clock_skewed},
                    {"changed", changed}, {"state_hash", *(*store)->StateHash()}}
                   .dump(2)
            << "\n";
  return 0;
}

int State(const Args& args) {
  auto db = args.Option("db");
  if (!db) return Fail("state needs --db FILE");
  auto store = OpenStore(*db);
  if (!store.ok()) return Fail(store.status());
  Json records = Json::array();
  if (auto id = args.Option("id")) {
    auto type = args.Option("entity");
    if (!type) return Fail("--id needs --entity TYPE");
    auto v = (*store)->Get(*type, *id);
    if (!v.ok()) return Fail(v.status());
    if (!*v) return Fail("no record " + *type + "/" + *id);
    records.push_back(RecordJson(**v));
  } else {
    Status s = (*store)->ForEachRecord(args.Option("entity").value_or(""),
                                       [&](const RecordView& v) { records.push_back(RecordJson(v)); });
    if (!s.ok()) return Fail(s);
  }
  auto hash = (*store)->StateHash();
  if (!hash.ok()) return Fail(hash.status());
  std::cout << Json{{"records", records}, {"state_hash", *hash}}.dump(2) << "\n";
  return 0;
}

int Events(const Args& args) {
  auto db = args.Option("db");
  if (!db) return Fail("events needs --db FILE");
  auto store = OpenStore(*db);
  if (!store.ok()) return Fail(store.status());
  Status s = (*store)->ForEachEvent(0, [](std::int64_t, const Event& e) {
    std::cout << ToJson(e).dump() << "\n";
    return true;
  });
  return s.ok() ? 0 : Fail(s);
}

int Merge(const Args& args) {
  if (args.positional().size() != 2) return Fail("merge needs two database files: merge A.db B.db");
  auto a = OpenStore(args.positional()[0]);
  if (!a.ok()) return Fail(a.status());
  auto b = OpenStore(args.positional()[1]);
  if (!b.ok()) return Fail(b.status());
  auto ea = ReadAll(**a);
  auto eb = ReadAll(**b);
  if (!ea.ok()) return Fail(ea.status());
  if (!eb.ok()) return Fail(eb.status());
  auto to_b = (*b)->Ingest(*ea);
  if (!to_b.ok()) return Fail(to_b.status());
  auto to_a = (*a)->Ingest(*eb);
  if (!to_a.ok()) return Fail(to_a.status());
  const std::string ha = *(*a)->StateHash(), hb = *(*b)->StateHash();
  std::cout << "A <- B: " << to_a->inserted << " new events\n"
            << "B <- A: " << to_b->inserted << " new events\n"
            << "A state hash: " << ha << "\n"
            << "B state hash: " << hb << "\n"
            << (ha == hb ? "identical\n" : "DIFFERENT\n");
  return ha == hb ? 0 : 1;
}

int Verify(const Args& args) {
  auto db = args.Option("db");
  if (!db) return Fail("verify needs --db FILE");
  auto store = OpenStore(*db);
  if (!store.ok()) return Fail(store.status());
  Status s = (*store)->VerifyMaterialized();
  if (!s.ok()) {
    std::cerr << "houqin: " << s.ToString() << "\n";
    return 1;
  }
  auto stats = (*store)->Stats();
  std::cout << "ok: " << stats->events << " events, " << stats->records << " records, " << stats->conflicted_records
            << " with conflicts; state hash " << *(*store)->StateHash() << "\n";
  return 0;
}

}  // namespace houqin::cli
