// The server's TLS identity: an EC P-256 key and a self-signed certificate in
// DIR/tls/, made once and kept. Devices do not trust a CA: they pin the
// certificate's SHA-256, which the admin prints beside each enrollment code,
// so the fingerprint is also written to DIR/fingerprint for people and scripts.
//
// Thread safety: free functions. Two processes calling EnsureCertificate on a
// fresh directory at once (the admin tool and the server) agree on one
// certificate: the pair is made in a private directory and renamed into place.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace houqin::server {

// Makes DIR/tls/key.pem and DIR/tls/cert.pem (CN houqin-server, SAN
// IP:127.0.0.1 and DNS:localhost, valid 10 years) unless present; writes
// DIR/fingerprint. Returns the certificate's SHA-256 as "AB:CD:...".
Result<std::string> EnsureCertificate(const std::string& data_dir);

// The SHA-256 of a PEM certificate file's DER, as "AB:CD:...".
Result<std::string> CertificateFingerprint(const std::string& cert_pem_path);

// Strips colons and spaces and lower-cases, so that pins compare in any notation.
std::string NormalizeFingerprint(std::string_view fingerprint);

}  // namespace houqin::server
