// login, logout.
#include <fmt/format.h>
#include <iostream>
#include <iterator>

#include "berth/engine/registry.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_login(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto req = r.keep(std::make_shared<engine::LoginRequest>());
  auto cf = r.keep(std::make_shared<ClientFlags>());
  auto stdin_pw = r.keep(std::make_shared<bool>(false));
  add_client_flags(sub, req->client, *cf, false);
  sub->add_option("-u,--username", req->username, "Username");
  sub->add_option("-p,--password", req->password, "Password");
  sub->add_flag("--password-stdin", *stdin_pw, "Take the password from stdin");
  sub->add_flag("--get-login", req->get_login, "Return the current login user for the registry");
  sub->add_option("registry", req->registry, "CommandTable (host[:port][/namespace])")->required();
  r.on(sub, [=](engine::GlobalOptions&) -> Result<int> {
    TRY(finish_client(*cf, req->client));
    if (*stdin_pw) {
      if (!req->password.empty()) return fail(Errc::usage, "--password and --password-stdin are mutually exclusive");
      std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      req->password = text;
    }
    auto user = TRY(engine::login(*req));
    if (req->get_login)
      fmt::print("{}\n", user);
    else
      fmt::print("Login Succeeded!\n");
    return 0;
  });
  sub->parse_complete_callback([&r]() { r.host_only = true; });
}

void add_logout(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto authfile = r.keep(std::make_shared<std::string>());
  auto reg = r.keep(std::make_shared<std::string>());
  auto all = r.keep(std::make_shared<bool>(false));
  sub->add_option("--authfile", *authfile, "Path of the authentication file");
  sub->add_flag("-a,--all", *all, "Remove the cached credentials for all registries in the auth file");
  sub->add_option("registry", *reg, "CommandTable (host[:port][/namespace])");
  r.on(sub, [=](engine::GlobalOptions&) -> Result<int> {
    if (*all && !reg->empty()) return fail(Errc::usage, "--all takes no registry");
    if (!*all && reg->empty()) return fail(Errc::usage, "a registry is needed (or --all)");
    TRY(engine::logout(*reg, *authfile, *all));
    if (*all)
      fmt::print("Removed login credentials for all registries\n");
    else
      fmt::print("Removed login credentials for {}\n", *reg);
    return 0;
  });
  sub->parse_complete_callback([&r]() { r.host_only = true; });
}

}  // namespace berth::cli
