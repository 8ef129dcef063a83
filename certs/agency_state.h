// The operator's changes to one agency's registry entry (`docbus agency
// disable | enable | rotate`), each under the folder's lock, validated
// before registry.toml is replaced, and published as a new registry.signed
// (registry_publication.h). Revocation is authority.h's Revoke.
#pragma once

#include <filesystem>
#include <string_view>

#include "bus/core/status.h"
#include "certs/pki_paths.h"

namespace docbus::pki {

// Sets the entry's `disabled` flag and publishes. kNotFound for an id the
// registry does not list; kFailedPrecondition for a revoked agency (a
// revocation is final). Setting the state it already has still publishes.
Status SetAgencyDisabled(const std::filesystem::path& dir, std::string_view id,
                         bool disabled);

// Binds `curve_public_key` to agency `id` (the operator's own rotation) and
// publishes: the id, and so the agency's queue, stays. kInvalidField for a
// key that is not 40 Z85 characters, kAlreadyExists when another agency
// holds it, kNotFound for an unknown id.
Status RotateCurveKey(const std::filesystem::path& dir, std::string_view id,
                      std::string_view curve_public_key);

// With the folder's lock held: the registry entry and agencies/<id>/
// curve.public get the key, and the authority's stale curve.secret for that
// agency is removed (the agent keeps its own secret). Shared by
// RotateCurveKey and the enrolment request flow (enrolment.h).
Status BindCurveKey(const PkiPaths& paths, std::string_view id,
                    std::string_view curve_public_key);

}  // namespace docbus::pki
