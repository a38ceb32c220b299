// Entity names, event kinds and kinds of visit of the visitors area (来访登记). The folds, the
// workflow tables and the merge rules are in invites.cpp and visitors.cpp; MERGE-RULES.md and
// notes/merge-rules-visitors.md summarise them.
// Thread safety: constants.
#pragma once

#include <string_view>

namespace houqin::visitors {

namespace entity {
inline constexpr std::string_view kDeviceKey = "device_key";    // an enrolled device's Ed25519 public key
inline constexpr std::string_view kInvite = "visitor_invite";   // a host's pre-registration, with its QR token
inline constexpr std::string_view kVisit = "visitor_visit";     // one check-in (one person, or a lead and party)
inline constexpr std::string_view kGroup = "visitor_group";     // a VIP or foreign delegation (会议接待科)
inline constexpr std::string_view kBlock = "visitor_block";     // a block-list entry
}  // namespace entity

namespace kind {
inline constexpr std::string_view kKeyEnrolled = "device_key.enrolled";
inline constexpr std::string_view kKeyRevoked = "device_key.revoked";
inline constexpr std::string_view kInviteCreated = "visitor_invite.created";
inline constexpr std::string_view kInviteCancelled = "visitor_invite.cancelled";
inline constexpr std::string_view kCheckedIn = "visitor_visit.checked_in";
inline constexpr std::string_view kCheckedOut = "visitor_visit.checked_out";
inline constexpr std::string_view kAutoSignedOut = "visitor_visit.auto_signed_out";
inline constexpr std::string_view kGroupRegistered = "visitor_group.registered";
inline constexpr std::string_view kGroupArrived = "visitor_group.arrived";
inline constexpr std::string_view kGroupDeparted = "visitor_group.departed";
inline constexpr std::string_view kGroupCancelled = "visitor_group.cancelled";
inline constexpr std::string_view kBlockAdded = "visitor_block.added";
inline constexpr std::string_view kBlockLifted = "visitor_block.lifted";
}  // namespace kind

// Kinds of visit (fields["kind"] of a visitor_visit).
namespace visit_kind {
inline constexpr std::string_view kWalkIn = "walk_in";        // 临时来访: registered at the kiosk or the gate
inline constexpr std::string_view kInvited = "invited";       // with a host's QR invite
inline constexpr std::string_view kPetitioner = "petitioner"; // 信访: routed to 行政科, never to a host
inline constexpr std::string_view kGroup = "group";           // a member of a visitor_group
}  // namespace visit_kind

// Kinds of delegation (fields["kind"] of a visitor_group).
namespace group_kind {
inline constexpr std::string_view kVip = "vip";
inline constexpr std::string_view kForeign = "foreign_delegation";
}  // namespace group_kind

}  // namespace houqin::visitors
