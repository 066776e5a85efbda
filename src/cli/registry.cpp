// pull, push, login, logout; and the pull flags run and create share.
#include <unistd.h>

#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include "berth/engine/registry.hpp"
#include "common.hpp"

namespace berth::cli {

namespace {

// Flags whose "unset" matters (the registries.conf default applies) are kept as text.
struct ClientFlags {
  std::string tls_verify;  // "", "true", "false"
  std::string creds;
};

Result<void> finish_client(const ClientFlags& f, registry::ClientOptions& o) {
  if (f.tls_verify == "true") o.tls_verify = true;
  else if (f.tls_verify == "false") o.tls_verify = false;
  else if (!f.tls_verify.empty()) return fail(Errc::usage, "--tls-verify: invalid value \"{}\" (true or false)", f.tls_verify);
  if (!f.creds.empty()) o.creds = TRY(registry::parse_creds(f.creds));
  return {};
}

void add_client_flags(CLI::App* sub, registry::ClientOptions& o, ClientFlags& f, bool creds) {
  sub->add_flag("--tls-verify{true}", f.tls_verify, "Require HTTPS and verify certificates when contacting registries");
  sub->add_option("--authfile", o.authfile, "Path of the authentication file");
  sub->add_option("--cert-dir", o.cert_dir, "Path to a directory of certificates (*.crt) and client keys (*.cert, *.key)");
  if (creds) sub->add_option("--creds", f.creds, "Use USERNAME[:PASSWORD] for accessing the registry");
}

struct PlatformFlags {
  std::string platform;
};

void add_platform_flags(CLI::App* sub, engine::PullRequest& p, PlatformFlags& f) {
  sub->add_option("--platform", f.platform, "Specify the platform for selecting the image (OS/ARCH[/VARIANT])");
  sub->add_option("--arch", p.arch, "Use ARCH instead of the architecture of the machine for choosing images");
  sub->add_option("--os", p.os, "Use OS instead of the running OS for choosing images");
  sub->add_option("--variant", p.variant, "Use VARIANT instead of the running architecture variant for choosing images");
}

Result<void> finish_platform(const PlatformFlags& f, engine::PullRequest& p) {
  if (f.platform.empty()) return {};
  auto parts = f.platform;
  auto a = parts.find('/');
  if (a == std::string::npos || a == 0) return fail(Errc::usage, "invalid platform \"{}\": use OS/ARCH[/VARIANT]", f.platform);
  p.os = parts.substr(0, a);
  auto b = parts.find('/', a + 1);
  p.arch = parts.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  if (b != std::string::npos) p.variant = parts.substr(b + 1);
  if (p.arch.empty()) return fail(Errc::usage, "invalid platform \"{}\": use OS/ARCH[/VARIANT]", f.platform);
  return {};
}

void add_pull(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto req = r.keep(std::make_shared<engine::PullRequest>());
  auto cf = r.keep(std::make_shared<ClientFlags>());
  auto pf = r.keep(std::make_shared<PlatformFlags>());
  auto refs = r.keep(std::make_shared<std::vector<std::string>>());
  auto all_tags = r.keep(std::make_shared<bool>(false));
  add_client_flags(sub, req->client, *cf, true);
  add_platform_flags(sub, *req, *pf);
  sub->add_flag("-q,--quiet", req->quiet, "Suppress output information when pulling images");
  sub->add_flag("-a,--all-tags", *all_tags, "Pull all tagged images in the repository (not supported)");
  sub->add_option("images", *refs, "Images to pull")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (*all_tags) return fail(Errc::unsupported, "--all-tags is not supported");
    TRY(finish_client(*cf, req->client));
    TRY(finish_platform(*pf, *req));
    auto c = TRY(engine::open_context(g));
    for (const auto& ref : *refs) {
      engine::PullRequest one = *req;
      one.reference = ref;
      auto p = TRY(engine::pull_image(c, one));
      fmt::print("{}\n", p.id.hex());
    }
    return 0;
  });
}

void add_push(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto req = r.keep(std::make_shared<engine::PushRequest>());
  auto cf = r.keep(std::make_shared<ClientFlags>());
  auto args = r.keep(std::make_shared<std::vector<std::string>>());
  add_client_flags(sub, req->client, *cf, true);
  sub->add_option("-f,--format", req->format, "Manifest type (oci or v2s2) to use when pushing");
  sub->add_option("--digestfile", req->digestfile, "Write the digest of the pushed image to the specified file");
  sub->add_flag("-q,--quiet", req->quiet, "Suppress output information when pushing images");
  sub->add_option("args", *args, "IMAGE [DESTINATION]")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (args->size() > 2) return fail(Errc::usage, "too many arguments: push takes IMAGE [DESTINATION]");
    TRY(finish_client(*cf, req->client));
    req->image = args->front();
    if (args->size() == 2) req->destination = (*args)[1];
    auto c = TRY(engine::open_context(g));
    TRY(engine::push_image(c, *req));
    return 0;
  });
}

void add_login(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto req = r.keep(std::make_shared<engine::LoginRequest>());
  auto cf = r.keep(std::make_shared<ClientFlags>());
  auto stdin_pw = r.keep(std::make_shared<bool>(false));
  add_client_flags(sub, req->client, *cf, false);
  sub->add_option("-u,--username", req->username, "Username");
  sub->add_option("-p,--password", req->password, "Password");
  sub->add_flag("--password-stdin", *stdin_pw, "Take the password from stdin");
  sub->add_flag("--get-login", req->get_login, "Return the current login user for the registry");
  sub->add_option("registry", req->registry, "Registry (host[:port][/namespace])")->required();
  r.on(sub, [=](engine::GlobalOptions&) -> Result<int> {
    TRY(finish_client(*cf, req->client));
    if (*stdin_pw) {
      if (!req->password.empty()) return fail(Errc::usage, "--password and --password-stdin are mutually exclusive");
      std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      req->password = text;
    }
    auto user = TRY(engine::login(*req));
    if (req->get_login) fmt::print("{}\n", user);
    else fmt::print("Login Succeeded!\n");
    return 0;
  });
  sub->parse_complete_callback([&r]() { r.host_only = true; });
}

void add_logout(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto authfile = r.keep(std::make_shared<std::string>());
  auto reg = r.keep(std::make_shared<std::string>());
  auto all = r.keep(std::make_shared<bool>(false));
  sub->add_option("--authfile", *authfile, "Path of the authentication file");
  sub->add_flag("-a,--all", *all, "Remove the cached credentials for all registries in the auth file");
  sub->add_option("registry", *reg, "Registry (host[:port][/namespace])");
  r.on(sub, [=](engine::GlobalOptions&) -> Result<int> {
    if (*all && !reg->empty()) return fail(Errc::usage, "--all takes no registry");
    if (!*all && reg->empty()) return fail(Errc::usage, "a registry is needed (or --all)");
    TRY(engine::logout(*reg, *authfile, *all));
    if (*all) fmt::print("Removed login credentials for all registries\n");
    else fmt::print("Removed login credentials for {}\n", *reg);
    return 0;
  });
  sub->parse_complete_callback([&r]() { r.host_only = true; });
}

}  // namespace

void add_run_pull_flags(CLI::App* sub, Registry& r, RunPull& p) {
  auto cf = r.keep(std::make_shared<ClientFlags>());
  auto pf = r.keep(std::make_shared<PlatformFlags>());
  sub->add_option("--pull", p.policy, "Pull image policy (always, missing, never, newer)");
  sub->add_flag("-q,--quiet", p.request.quiet, "Suppress output information when pulling images");
  add_client_flags(sub, p.request.client, *cf, true);
  add_platform_flags(sub, p.request, *pf);
  p.finish = [cf, pf](engine::PullRequest& req) -> Result<void> {
    TRY(finish_client(*cf, req.client));
    return finish_platform(*pf, req);
  };
}

void register_registry_commands(CLI::App& app, Registry& r) {
  CLI::App* image = r.group("image");
  add_pull(r, r.sub(&app, "pull", "Pull an image from a registry"));
  add_pull(r, r.sub(image, "pull", "Pull an image from a registry"));
  add_push(r, r.sub(&app, "push", "Push an image to a specified destination"));
  add_push(r, r.sub(image, "push", "Push an image to a specified destination"));
  add_login(r, r.sub(&app, "login", "Log in to a container registry"));
  add_logout(r, r.sub(&app, "logout", "Log out of a container registry"));
}

}  // namespace berth::cli
