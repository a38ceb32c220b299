// The duty log (值班记录): entries, edits, notes, urgent escalations to the duty
// leader, the handover signed with two PINs, and the hash chain that makes the
// sealed log tamper-evident.
#include <set>

#include "duty/duty.h"
#include "duty/internal.h"

namespace houqin::duty {

using namespace internal;

namespace {

// A log entry is a paragraph, not a document (our decision); it also bounds the handover's size.
constexpr std::size_t kMaxTextBytes = 4000;
// A checklist note says what is wrong in a sentence; with the remarks and kMaxChainLinks links
// it keeps the handover event under the 64 KiB payload bound.
constexpr std::size_t kMaxNoteBytes = 500;
constexpr std::size_t kMaxRemarksBytes = 2000;

// Before the handover the fold lists every log event in "log".
Status LogHasRoom(const RecordView& shift) {
  auto log = shift.fields.find("log");
  if (log == shift.fields.end() || !log->is_array() || log->size() < kMaxLogEvents) return Status::Ok();
  return No("entries", "the log already holds " + std::to_string(kMaxLogEvents) + " entries, edits and notes; hand over",
            "值班记录(含修改和备注)已达 " + std::to_string(kMaxLogEvents) + " 条, 请交接班");
}

Status CheckText(const std::string& text) {
  if (text.empty()) return Missing("text", "the text", "记录内容");
  if (text.size() > kMaxTextBytes)
    return Bad("text", "the text is longer than 4000 bytes", "记录内容超过4000字节");
  return Status::Ok();
}

const Json* EntryOf(const RecordView& shift, const std::string& entry_id) {
  auto entries = shift.fields.find("entries");
  if (entries == shift.fields.end() || !entries->is_object()) return nullptr;
  auto it = entries->find(entry_id);
  return it == entries->end() ? nullptr : &*it;
}

std::string Hex(const Digest& d) { return ToHex(d); }

std::optional<Digest> DigestFromHex(const std::string& hex) {
  if (hex.size() != 64) return std::nullopt;
  Digest d{};
  for (std::size_t i = 0; i < d.size(); ++i) {
    int v = 0;
    for (char c : hex.substr(2 * i, 2)) {
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else return std::nullopt;
    }
    d[i] = static_cast<std::uint8_t>(v);
  }
  return d;
}

struct Link {
  std::string event;
  std::string hex;
};

std::vector<Link> LinksOf(const Json& handover_payload) {
  std::vector<Link> out;
  auto chain = handover_payload.find("chain");
  if (chain == handover_payload.end() || !chain->is_object()) return out;
  auto links = chain->find("links");
  if (links == chain->end() || !links->is_array()) return out;
  for (const auto& l : *links)
    if (l.is_array() && l.size() == 2 && l[0].is_string() && l[1].is_string())
      out.push_back({l[0].get<std::string>(), l[1].get<std::string>()});
  return out;
}

LogLine ToLine(const Event& e) {
  LogLine l;
  l.event = e.id;
  l.kind = e.kind == kind::kEntryLogged ? "entry" : e.kind == kind::kEntryEdited ? "edit" : "note";
  l.entry = Str(e.payload, "entry");
  l.category = Str(e.payload, "category");
  l.text = Str(e.payload, "text");
  l.author = e.author.user;
  l.at = Str(e.payload, "at");
  l.urgent = Bool(e.payload, "urgent");
  return l;
}

// The entry whose current version an event wrote, from the folded state: the event itself may
// be gone from the database.
std::string EntryWritten(const Json& shift_fields, const std::string& event_id) {
  auto entries = shift_fields.find("entries");
  if (entries == shift_fields.end() || !entries->is_object()) return {};
  for (const auto& [entry, v] : entries->items())
    if (Str(v, "v") == event_id) return entry;
  return {};
}

}  // namespace

namespace internal {

Status OnThisShift(const RecordView& shift, const Author& actor) {
  if (OnShift(shift.fields, actor.user)) return Status::Ok();
  return No("officer", actor.user + " is not on the roster of shift " + shift.key.id,
            actor.user + " 不在班次 " + shift.key.id + " 的排班中");
}

Status Sealed(const RecordView& shift) {
  return No("entry", "the log of shift " + shift.key.id + " was sealed at the handover; append a note instead",
            "班次 " + shift.key.id + " 的值班记录已在交接班时封存, 只能追加备注");
}

}  // namespace internal

// ---------------------------------------------------------------------------
// Entries, edits, notes

Result<Command> LogEntry(Store& store, const Author& actor, const EntryInput& in, LocalTime now) {
  auto shift = LoadShift(store, in.shift);
  if (!shift.ok()) return shift.status();
  const Json& f = shift->fields;
  if (Status s = CheckStep(store, ShiftWorkflow(), Str(f, "status"), kind::kEntryLogged, actor); !s.ok()) return s;
  if (Status s = OnThisShift(*shift, actor); !s.ok()) return s;
  if (Status s = LogHasRoom(*shift); !s.ok()) return s;
  if (in.entry_id.empty()) return Missing("entry_id", "an entry id", "记录编号");
  if (EntryOf(*shift, in.entry_id) != nullptr)
    return No("entry_id", "entry " + in.entry_id + " exists already", "值班记录 " + in.entry_id + " 已存在");
  if (!KnownCategory(in.category)) return Bad("category", "unknown category " + in.category, "未知的类别 " + in.category);
  const std::string text = Trim(in.text);
  if (Status s = CheckText(text); !s.ok()) return s;
  Command cmd;
  Json payload{{"entry", in.entry_id}, {"category", in.category}, {"text", text}, {"urgent", in.urgent},
               {"at", now.ToString()}};
  if (in.urgent) {
    if (in.escalation_id.empty()) return Missing("escalation_id", "an id for the escalation", "上报单编号");
    if (Load(store, entity::kEscalation, in.escalation_id))
      return No("escalation_id", "escalation " + in.escalation_id + " exists already",
                "上报单 " + in.escalation_id + " 已存在");
    const auto plans = MatchingPlans(store, Str(f, "site"), in.category);
    Json plan_json = Json::array();
    for (const auto& p : plans) plan_json.push_back(PlanJson(p));
    if (plans.empty()) {
      const Text label = CategoryLabel(in.category);
      cmd.warnings.push_back({"no_plan",
                              {"no emergency plan for " + label.en + " at this site; the leader gets the entry alone",
                               "本院区没有“" + label.zh + "”类应急预案, 仅向带班领导上报记录"}});
    }
    payload["escalation"] = in.escalation_id;
    cmd.drafts.push_back({std::string(entity::kShift), in.shift, std::string(kind::kEntryLogged), std::move(payload)});
    cmd.drafts.push_back({std::string(entity::kEscalation), in.escalation_id, std::string(kind::kEscalationRaised),
                          Json{{"shift", in.shift},
                               {"entry", in.entry_id},
                               {"leader", Str(f, "leader")},
                               {"category", in.category},
                               {"summary", text},
                               {"plans", plan_json},
                               {"at", now.ToString()}}});
    return cmd;
  }
  cmd.drafts.push_back({std::string(entity::kShift), in.shift, std::string(kind::kEntryLogged), std::move(payload)});
  return cmd;
}

Result<Command> EditEntry(Store& store, const Author& actor, const std::string& shift_id, const std::string& entry_id,
                          const std::string& text, LocalTime now) {
  auto shift = LoadShift(store, shift_id);
  if (!shift.ok()) return shift.status();
  const std::string status = Str(shift->fields, "status");
  if (status == "handed_over") return Sealed(*shift);
  if (Status s = CheckStep(store, ShiftWorkflow(), status, kind::kEntryEdited, actor); !s.ok()) return s;
  if (Status s = OnThisShift(*shift, actor); !s.ok()) return s;
  if (Status s = LogHasRoom(*shift); !s.ok()) return s;
  const Json* entry = EntryOf(*shift, entry_id);
  if (entry == nullptr)
    return Status::NotFound("entry", {"no entry " + entry_id + " in shift " + shift_id,
                                      "班次 " + shift_id + " 没有值班记录 " + entry_id});
  const std::string trimmed = Trim(text);
  if (Status s = CheckText(trimmed); !s.ok()) return s;
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kShift), shift_id, std::string(kind::kEntryEdited),
                        Json{{"entry", entry_id}, {"base", Str(*entry, "v")}, {"text", trimmed}, {"at", now.ToString()}}});
  return cmd;
}

Result<Command> AppendNote(Store& store, const Author& actor, const std::string& shift_id, const std::string& entry_id,
                           const std::string& text, LocalTime now) {
  auto shift = LoadShift(store, shift_id);
  if (!shift.ok()) return shift.status();
  if (Status s = CheckStep(store, ShiftWorkflow(), Str(shift->fields, "status"), kind::kNoteAppended, actor); !s.ok())
    return s;
  if (Status s = OnThisShift(*shift, actor); !s.ok()) return s;
  if (Status s = LogHasRoom(*shift); !s.ok()) return s;
  if (!entry_id.empty() && EntryOf(*shift, entry_id) == nullptr)
    return Status::NotFound("entry", {"no entry " + entry_id + " in shift " + shift_id,
                                      "班次 " + shift_id + " 没有值班记录 " + entry_id});
  const std::string trimmed = Trim(text);
  if (Status s = CheckText(trimmed); !s.ok()) return s;
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kShift), shift_id, std::string(kind::kNoteAppended),
                        Json{{"entry", entry_id}, {"text", trimmed}, {"at", now.ToString()}}});
  return cmd;
}

Result<ShiftLog> ReadShiftLog(Store& store, const std::string& shift_id) {
  auto shift = LoadShift(store, shift_id);
  if (!shift.ok()) return shift.status();
  auto events = store.EventsOf(std::string(entity::kShift), shift_id);
  if (!events.ok()) return events.status();
  ShiftLog out;
  out.shift = shift_id;
  out.status = Str(shift->fields, "status");
  const auto late = Strings(shift->fields, "late");
  const std::set<std::string> late_set(late.begin(), late.end());
  std::set<std::string> covered;
  if (auto h = shift->fields.find("handover"); h != shift->fields.end() && h->is_object()) {
    HandoverView view;
    view.event = Str(*h, "event");
    view.outgoing = Str(*h, "outgoing");
    view.incoming = Str(*h, "incoming");
    view.incoming_shift = Str(*h, "incoming_shift");
    view.at = Str(*h, "at");
    view.head = Str(*h, "head");
    view.links = static_cast<std::size_t>(Int(*h, "links"));
    view.checklist_failed = Strings(*h, "checklist_failed");
    for (const auto& e : *events)
      if (e.id == view.event) {
        view.remarks = Str(e.payload, "remarks");
        for (const auto& l : LinksOf(e.payload)) covered.insert(l.event);
      }
    out.handover = std::move(view);
  }
  for (const auto& e : *events) {
    if (!IsChainedKind(e.kind)) continue;
    LogLine line = ToLine(e);
    if (!out.handover || covered.count(e.id) != 0) {
      out.log.push_back(std::move(line));
      continue;
    }
    line.late = late_set.count(e.id) != 0;
    out.after_handover.push_back(std::move(line));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Escalations

namespace {
EscalationInfo ToEscalation(const RecordView& v) {
  const Json& f = v.fields;
  EscalationInfo x;
  x.id = v.key.id;
  x.shift = Str(f, "shift");
  x.entry = Str(f, "entry");
  x.leader = Str(f, "leader");
  x.category = Str(f, "category");
  x.summary = Str(f, "summary");
  x.status = Str(f, "status");
  x.raised_by = Str(f, "raised_by");
  x.raised_at = Str(f, "at");
  x.acknowledged_by = Str(f, "acknowledged_by");
  x.acknowledged_at = Str(f, "acknowledged_at");
  x.note = Str(f, "note");
  x.also_acknowledged_by = Strings(f, "also_acknowledged_by");
  if (auto it = f.find("plans"); it != f.end() && it->is_array())
    for (const auto& p : *it) x.plans.push_back(PlanFromJson(p));
  return x;
}
}  // namespace

Result<Command> AcknowledgeEscalation(Store& store, const Author& actor, const std::string& escalation_id,
                                      const std::string& note, LocalTime now) {
  auto v = Load(store, entity::kEscalation, escalation_id);
  if (!v) return Status::NotFound("escalation", {"no escalation " + escalation_id, "没有上报单 " + escalation_id});
  if (Status s = CheckStep(store, EscalationWorkflow(), Str(v->fields, "status"), kind::kEscalationAcknowledged, actor);
      !s.ok())
    return s;
  std::string current_leader;
  if (auto shift = Load(store, entity::kShift, Str(v->fields, "shift"))) current_leader = Str(shift->fields, "leader");
  if (actor.user != Str(v->fields, "leader") && actor.user != current_leader)
    return No("leader", "only the shift's duty leader acknowledges its escalations", "只有本班带班领导可以确认上报");
  Command cmd;
  cmd.drafts.push_back({std::string(entity::kEscalation), escalation_id, std::string(kind::kEscalationAcknowledged),
                        Json{{"note", Trim(note)}, {"at", now.ToString()}}});
  return cmd;
}

std::optional<EscalationInfo> FindEscalation(Store& store, const std::string& escalation_id) {
  auto v = Load(store, entity::kEscalation, escalation_id);
  if (!v) return std::nullopt;
  return ToEscalation(*v);
}

std::vector<EscalationInfo> OpenEscalations(Store& store, const std::string& leader) {
  std::vector<EscalationInfo> out;
  auto members = store.GroupMembers(kInboxIndex, leader);
  if (!members.ok()) return out;
  for (const auto& m : *members) out.push_back(ToEscalation(m));
  return out;
}

// ---------------------------------------------------------------------------
// The chain

Digest ChainGenesis(const std::string& shift_id) { return Sha256("houqin.duty.chain.v1\n" + shift_id); }

Digest ChainLink(const Digest& previous, const Event& log_event) {
  Sha256Hasher h;
  h.Update(std::string_view(reinterpret_cast<const char*>(previous.data()), previous.size()));
  h.Update(CanonicalBytes(log_event));
  return h.Finish();
}

// ---------------------------------------------------------------------------
// Handover

Result<Command> HandOver(Store& store, const Author& actor, const HandoverInput& in, LocalTime now) {
  auto shift = LoadShift(store, in.shift);
  if (!shift.ok()) return shift.status();
  const Json& f = shift->fields;
  if (Status s = CheckStep(store, ShiftWorkflow(), Str(f, "status"), kind::kHandedOver, actor); !s.ok()) return s;
  if (in.outgoing.empty()) return Missing("outgoing", "the outgoing officer", "交班人");
  if (!Contains(Strings(f, "officers"), in.outgoing))
    return No("outgoing", in.outgoing + " is not an officer of shift " + in.shift,
              in.outgoing + " 不是班次 " + in.shift + " 的值班人员");
  if (in.incoming.empty()) return Missing("incoming", "the incoming officer", "接班人");
  if (in.incoming == in.outgoing)
    return No("incoming", "the incoming officer is someone other than the outgoing one", "接班人不能是交班人本人");
  if (!in.incoming_shift.empty()) {
    if (in.incoming_shift == in.shift) return No("incoming_shift", "a shift does not hand over to itself", "不能交接给本班次");
    auto next = Load(store, entity::kShift, in.incoming_shift);
    if (!next)
      return Status::NotFound("incoming_shift", {"no duty shift " + in.incoming_shift, "没有值班班次 " + in.incoming_shift});
    if (!ShiftIsLive(Str(next->fields, "status")))
      return No("incoming_shift", "shift " + in.incoming_shift + " was cancelled", "班次 " + in.incoming_shift + " 已取消");
    if (!OnShift(next->fields, in.incoming))
      return No("incoming", in.incoming + " is not on the roster of shift " + in.incoming_shift,
                in.incoming + " 不在班次 " + in.incoming_shift + " 的排班中");
  } else {
    auto user = directory::FindUser(store, in.incoming);
    if (!user || !(user->HasRole(role::kDutyOfficer) || user->HasRole(role::kDutyLeader)))
      return No("incoming", in.incoming + " is not a duty officer", in.incoming + " 不是值班人员");
  }
  const Rules rules = LoadRules(store);
  Json checklist = Json::object(), notes = Json::object();
  std::string failed_en, failed_zh;
  for (const auto& item : rules.checklist) {
    const Text label = ChecklistLabel(item);
    auto it = in.checklist.find(item);
    if (it == in.checklist.end())
      return Missing("checklist." + item, "an answer for \"" + label.en + "\"", "“" + label.zh + "”一项的检查结果");
    checklist[item] = it->second;
    auto note = in.checklist_notes.find(item);
    const std::string text = note == in.checklist_notes.end() ? std::string() : Trim(note->second);
    if (!it->second) {
      if (text.empty())
        return Missing("checklist." + item, "a note on why \"" + label.en + "\" is not in order",
                       "“" + label.zh + "”未达标的说明");
      failed_en += (failed_en.empty() ? "" : ", ") + label.en;
      failed_zh += (failed_zh.empty() ? "" : "、") + label.zh;
    }
    if (text.size() > kMaxNoteBytes)
      return Bad("checklist." + item, "the note is longer than 500 bytes", "说明超过500字节");
    if (!text.empty()) notes[item] = text;
  }
  for (const auto& [item, ok] : in.checklist)
    if (!Contains(rules.checklist, item))
      return Bad("checklist." + item, "\"" + item + "\" is not on the site's handover checklist",
                 "“" + item + "”不在本院区的交接清单中");
  const std::string remarks = Trim(in.remarks);
  if (remarks.size() > kMaxRemarksBytes)
    return Bad("remarks", "the remarks are longer than 2000 bytes", "交接说明超过2000字节");

  // The PINs last: they cost tens of milliseconds each.
  for (const auto& [user, pin] : {std::pair{&in.outgoing, &in.outgoing_pin}, {&in.incoming, &in.incoming_pin}}) {
    if (pin->empty()) return Missing("pin", "the PIN of " + *user, *user + " 的PIN");
    if (Status s = VerifyPin(store, *user, *pin); !s.ok()) return s;
  }

  auto events = store.EventsOf(std::string(entity::kShift), in.shift);
  if (!events.ok()) return events.status();
  Json links = Json::array();
  Digest link = ChainGenesis(in.shift);
  for (const auto& e : *events) {
    if (!IsChainedKind(e.kind)) continue;
    link = ChainLink(link, e);
    links.push_back(Json::array({e.id, Hex(link)}));
  }
  if (links.size() > kMaxChainLinks)
    return No("entries", "the log holds more than " + std::to_string(kMaxChainLinks) +
                             " entries, edits and notes (merged from several devices): too many to sign; report it to the admin",
              "值班记录(含修改和备注)超过 " + std::to_string(kMaxChainLinks) + " 条(多台设备合并所致), 无法签字交接, 请报告管理员");

  Command cmd;
  if (!failed_en.empty())
    cmd.warnings.push_back(
        {"checklist_failed", {"handed over with items not in order: " + failed_en, "交接时以下项目未达标: " + failed_zh}});
  if (auto members = store.GroupMembers(kShiftRecords, in.shift); members.ok()) {
    int open = 0;
    for (const auto& m : *members)
      if (m.key.type == entity::kEscalation && Str(m.fields, "status") == "open") ++open;
    if (open > 0)
      cmd.warnings.push_back({"open_escalations",
                              {std::to_string(open) + " urgent matters still wait for the duty leader",
                               "仍有 " + std::to_string(open) + " 件紧急事项待带班领导确认"}});
  }
  if (auto end = Time(f, "end"); end && now < *end)
    cmd.warnings.push_back({"early_handover",
                            {"handed over before the shift's end (" + end->ToString() + ")",
                             "在班次结束(" + end->ToString() + ")之前交接"}});
  auto pin_event = [&](const std::string& user) {
    auto p = Load(store, entity::kProfile, user);
    return p ? Str(p->fields, "pin_event") : std::string();
  };
  cmd.drafts.push_back(
      {std::string(entity::kShift), in.shift, std::string(kind::kHandedOver),
       Json{{"outgoing", in.outgoing},
            {"incoming", in.incoming},
            {"incoming_shift", in.incoming_shift},
            {"at", now.ToString()},
            {"checklist", checklist},
            {"checklist_notes", notes},
            {"remarks", remarks},
            // Which PIN record each signature was checked against.
            {"signatures", Json::array({Json{{"user", in.outgoing}, {"as", "outgoing"}, {"pin_event", pin_event(in.outgoing)}},
                                        Json{{"user", in.incoming}, {"as", "incoming"}, {"pin_event", pin_event(in.incoming)}}})},
            {"chain", Json{{"v", 1}, {"head", Hex(link)}, {"links", links}}}}});
  return cmd;
}

// ---------------------------------------------------------------------------
// Verification

Result<ChainReport> VerifyDutyChain(Store& store, const std::string& shift_id) {
  auto shift = LoadShift(store, shift_id);
  if (!shift.ok()) return shift.status();
  const Json& f = shift->fields;
  auto h = f.find("handover");
  if (h == f.end() || !h->is_object())
    return No("shift", "shift " + shift_id + " has not been handed over; its log is not sealed yet",
              "班次 " + shift_id + " 尚未交接, 值班记录尚未封存");
  ChainReport report;
  report.shift = shift_id;
  report.handover_event = Str(*h, "event");
  // The rows the file holds, not the record's own list: an edited file is what this looks for.
  auto events = store.StoredEventsOf(std::string(entity::kShift), shift_id);
  if (!events.ok()) return events.status();

  const Event* handover = nullptr;
  std::map<std::string, const Event*> log_events;
  for (const auto& e : *events) {
    if (e.id == report.handover_event) handover = &e;
    if (IsChainedKind(e.kind)) log_events[e.id] = &e;
  }
  auto problem = [&](ChainProblem::Kind k, std::size_t position, const std::string& event, const std::string& entry,
                     Text text) { report.problems.push_back({k, position, event, entry, std::move(text)}); };
  if (handover == nullptr || handover->kind != kind::kHandedOver) {
    problem(ChainProblem::Kind::kRemoved, 0, report.handover_event, "",
            {"the handover event " + report.handover_event + " is missing from the database",
             "数据库中缺少交接班事件 " + report.handover_event});
    return report;
  }

  const auto links = LinksOf(handover->payload);
  report.links = links.size();
  report.head = Str(handover->payload.value("chain", Json::object()), "head");
  std::set<std::string> covered;
  Digest previous = ChainGenesis(shift_id);
  for (std::size_t i = 0; i < links.size(); ++i) {
    const Link& l = links[i];
    covered.insert(l.event);
    auto it = log_events.find(l.event);
    if (it == log_events.end()) {
      const std::string entry = EntryWritten(f, l.event);
      const std::string named = entry.empty() ? std::string() : "entry " + entry + ", ";
      const std::string named_zh = entry.empty() ? std::string() : "值班记录 " + entry + ", ";
      problem(ChainProblem::Kind::kRemoved, i + 1, l.event, entry,
              {"link " + std::to_string(i + 1) + ": the log event (" + named + "event " + l.event +
                   ") signed at the handover is missing from this database",
               "第 " + std::to_string(i + 1) + " 环: 交接时签字的值班记录事件(" + named_zh + "事件 " + l.event +
                   ")在数据库中缺失"});
    } else if (Hex(ChainLink(previous, *it->second)) != l.hex) {
      const std::string entry = Str(it->second->payload, "entry");
      problem(ChainProblem::Kind::kChanged, i + 1, l.event, entry,
              {"link " + std::to_string(i + 1) + ": entry " + entry + " (event " + l.event +
                   ") was changed after the handover",
               "第 " + std::to_string(i + 1) + " 环: 值班记录 " + entry + "(事件 " + l.event + ")在交接后被改动"});
    }
    // Each link is judged from the recorded previous link, so one change names one entry.
    auto recorded = DigestFromHex(l.hex);
    if (!recorded) {
      problem(ChainProblem::Kind::kChanged, i + 1, handover->id, "",
              {"the handover's chain is damaged at link " + std::to_string(i + 1),
               "交接班事件的哈希链在第 " + std::to_string(i + 1) + " 环处损坏"});
      break;
    }
    previous = *recorded;
  }
  const std::string last = links.empty() ? Hex(ChainGenesis(shift_id)) : links.back().hex;
  if (report.head != last)
    problem(ChainProblem::Kind::kChanged, 0, handover->id, "",
            {"the handover's chain head does not match its last link", "交接班事件的链头与最后一环不符"});

  const auto late = Strings(f, "late");
  const std::set<std::string> late_set(late.begin(), late.end());
  for (const auto& [id, e] : log_events) {
    if (covered.count(id) != 0) continue;
    // A note appended after the handover is what a sealed log allows.
    if (e->kind == kind::kNoteAppended && OrderBefore(*handover, *e)) continue;
    if (late_set.count(id) != 0) {
      report.late_events.push_back(id);
      continue;
    }
    const std::string entry = Str(e->payload, "entry");
    problem(ChainProblem::Kind::kAdded, 0, id, entry,
            {"entry " + entry + " (event " + id + ") is in the database but was neither signed at the handover "
             "nor received as a late entry",
             "值班记录 " + entry + "(事件 " + id + ")既不在交接签字范围内, 也不是同步到达的补录记录"});
  }
  for (const auto& id : late)
    if (log_events.count(id) == 0)
      problem(ChainProblem::Kind::kRemoved, 0, id, "",
              {"the late entry event " + id + " is missing from the database", "补录的值班记录事件 " + id + " 在数据库中缺失"});
  std::sort(report.late_events.begin(), report.late_events.end());
  return report;
}

}  // namespace houqin::duty
