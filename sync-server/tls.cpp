#include "tls.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>

namespace houqin::server {
namespace {

namespace fs = std::filesystem;

struct FileCloser {
  void operator()(FILE* f) const {
    if (f) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

Status TlsError(const std::string& what) {
  return Status::Io({"TLS certificate: " + what, "TLS证书：" + what});
}

std::string ColonHex(const unsigned char* data, unsigned int size) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    if (i) out += ':';
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

Result<std::string> Fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return TlsError("cannot digest the certificate");
  return ColonHex(md, len);
}

bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// Makes the pair in `dir` (which must exist and be private).
Status MakePair(const fs::path& dir) {
  KeyPtr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) return TlsError("cannot make an EC P-256 key");
  CertPtr cert(X509_new(), X509_free);
  if (!cert) return TlsError("cannot allocate a certificate");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return TlsError("no random bytes for the serial number");
  serial[0] &= 0x7f;  // a positive serial
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()))) {
    BN_free(bn);
    return TlsError("cannot set the serial number");
  }
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60L * 60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 366 * 24 * 60 * 60);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("houqin-server"), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (!AddExtension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost") ||
      !AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature") ||
      !AddExtension(cert.get(), NID_ext_key_usage, "serverAuth"))
    return TlsError("cannot add the certificate extensions");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) return TlsError("cannot sign the certificate");

  const fs::path key_path = dir / "key.pem";
  {
    // The key is readable by the server's user only.
    FILE* raw = std::fopen(key_path.c_str(), "wx");
    if (!raw) return TlsError("cannot create " + key_path.string());
    FilePtr f(raw);
    fs::permissions(key_path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    if (PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
        std::fflush(f.get()) != 0 || fsync(fileno(f.get())) != 0)
      return TlsError("cannot write " + key_path.string());
  }
  const fs::path cert_path = dir / "cert.pem";
  FilePtr f(std::fopen(cert_path.c_str(), "wx"));
  if (!f || PEM_write_X509(f.get(), cert.get()) != 1 || std::fflush(f.get()) != 0 || fsync(fileno(f.get())) != 0)
    return TlsError("cannot write " + cert_path.string());
  return Status::Ok();
}

Status WriteFileAtomically(const fs::path& path, const std::string& content) {
  const fs::path tmp = path.string() + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) return TlsError("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return TlsError("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

Result<std::string> CertificateFingerprint(const std::string& cert_pem_path) {
  FilePtr f(std::fopen(cert_pem_path.c_str(), "r"));
  if (!f) return TlsError("cannot open " + cert_pem_path);
  CertPtr cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) return TlsError("cannot read " + cert_pem_path);
  return Fingerprint(cert.get());
}

Result<std::string> EnsureCertificate(const std::string& data_dir) {
  std::error_code ec;
  const fs::path dir(data_dir);
  fs::create_directories(dir, ec);
  if (ec) return TlsError("cannot create " + dir.string() + ": " + ec.message());
  const fs::path tls_dir = dir / "tls";
  if (!fs::exists(tls_dir / "cert.pem")) {
    // Made aside and renamed into place: a directory rename is atomic and
    // refuses to replace a non-empty directory, so a concurrent maker loses cleanly.
    std::random_device rd;
    const fs::path staging = dir / ("tls.new." + std::to_string(getpid()) + "." + std::to_string(rd()));
    fs::create_directory(staging, ec);
    if (ec) return TlsError("cannot create " + staging.string() + ": " + ec.message());
    fs::permissions(staging, fs::perms::owner_all, fs::perm_options::replace, ec);
    Status made = MakePair(staging);
    if (made.ok()) {
      fs::rename(staging, tls_dir, ec);
      if (ec && !fs::exists(tls_dir / "cert.pem")) made = TlsError("cannot rename into " + tls_dir.string());
    }
    fs::remove_all(staging, ec);
    if (!made.ok()) return made;
  }
  auto fingerprint = CertificateFingerprint((tls_dir / "cert.pem").string());
  if (!fingerprint) return fingerprint;
  if (Status s = WriteFileAtomically(dir / "fingerprint", *fingerprint + "\n"); !s.ok()) return s;
  return fingerprint;
}

std::string NormalizeFingerprint(std::string_view fingerprint) {
  std::string out;
  for (char c : fingerprint)
    if (c != ':' && c != ' ' && c != '\n') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace houqin::server
