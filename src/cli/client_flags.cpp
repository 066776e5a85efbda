// The flags every command that talks to a registry shares (--tls-verify, --creds, --cert-dir, --authfile; --platform).

#include "berth/engine/registry.hpp"
#include "commands.hpp"

namespace berth::cli {

Result<void> finish_client(const ClientFlags& f, registry::ClientOptions& o) {
  if (f.tls_verify == "true")
    o.tls_verify = true;
  else if (f.tls_verify == "false")
    o.tls_verify = false;
  else if (!f.tls_verify.empty())
    return fail(Errc::usage, "--tls-verify: invalid value \"{}\" (true or false)", f.tls_verify);
  if (!f.creds.empty()) o.creds = TRY(registry::parse_creds(f.creds));
  return {};
}

void add_client_flags(CLI::App* sub, registry::ClientOptions& o, ClientFlags& f, bool creds) {
  sub->add_flag("--tls-verify{true}", f.tls_verify, "Require HTTPS and verify certificates when contacting registries");
  sub->add_option("--authfile", o.authfile, "Path of the authentication file");
  sub->add_option("--cert-dir", o.cert_dir,
                  "Path to a directory of certificates (*.crt) and client keys (*.cert, *.key)");
  if (creds) sub->add_option("--creds", f.creds, "Use USERNAME[:PASSWORD] for accessing the registry");
}

void add_platform_flags(CLI::App* sub, engine::PullRequest& p, PlatformFlags& f) {
  sub->add_option("--platform", f.platform, "Specify the platform for selecting the image (OS/ARCH[/VARIANT])");
  sub->add_option("--arch", p.arch, "Use ARCH instead of the architecture of the machine for choosing images");
  sub->add_option("--os", p.os, "Use OS instead of the running OS for choosing images");
  sub->add_option("--variant", p.variant,
                  "Use VARIANT instead of the running architecture variant for choosing images");
}

Result<void> finish_platform(const PlatformFlags& f, engine::PullRequest& p) {
  if (f.platform.empty()) return {};
  return engine::parse_platform(f.platform, p);
}

}  // namespace berth::cli
