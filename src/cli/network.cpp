// network create/ls/inspect/rm/exists/prune/reload, and port.
#include <fmt/format.h>

#include "berth/core/humanize.hpp"
#include "berth/core/strings.hpp"
#include "berth/engine/network.hpp"
#include "commands.hpp"

namespace berth::cli {

namespace {

Json list_row(const store::NetworkRecord& n) {
  return {{"ID", n.id.substr(0, 12)},    {"Name", n.name},
          {"Driver", n.driver},          {"Labels", n.labels},
          {"Subnets", n.subnet},         {"Internal", n.internal},
          {"DNSEnabled", n.dns_enabled}, {"NetworkInterface", n.interface},
          {"IPv6Enabled", false}};
}

bool matches(const store::NetworkRecord& n, const std::vector<std::string>& filters) {
  for (const auto& f : filters) {
    auto eq = f.find('=');
    std::string k = f.substr(0, eq), v = eq == std::string::npos ? "" : f.substr(eq + 1);
    if (k == "name" && n.name.find(v) == std::string::npos) return false;
    if (k == "id" && !n.id.starts_with(v)) return false;
    if (k == "driver" && n.driver != v) return false;
    if (k == "label" && !label_matches(n.labels, v)) return false;
  }
  return true;
}

Result<void> check_filters(const std::vector<std::string>& filters) {
  for (const auto& f : filters) {
    std::string k = f.substr(0, f.find('='));
    if (k != "name" && k != "id" && k != "driver" && k != "label")
      return fail(Errc::usage, "invalid filter \"{}\": use name=, id=, driver= or label=", f);
  }
  return {};
}

void add_network_create(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::NetworkCreateOptions>());
  sub->add_option("name", o->name, "Network name");
  sub->add_option("-d,--driver", o->driver, "Driver to manage the network (bridge)");
  sub->add_option("--subnet", o->subnet, "Subnet in CIDR format");
  sub->add_option("--gateway", o->gateway, "IPv4 gateway for the subnet");
  sub->add_option("--ip-range", o->ip_range, "Allocate container IPs from a range (CIDR)");
  sub->add_flag("--internal", o->internal, "Restrict external access from this network");
  sub->add_flag("--disable-dns", o->disable_dns, "Disable DNS plugin");
  sub->add_flag("--ignore", o->ignore, "Do not fail if the network already exists");
  sub->add_flag("--ipv6", o->ipv6, "Enable IPv6 networking");
  sub->add_option("--label", o->labels, "Set metadata on a network (key=value)")->allow_extra_args(false);
  sub->add_option("-o,--opt", o->options, "Set driver specific options (mtu=N)")->allow_extra_args(false);
  r.on(sub, [o](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto n = TRY(engine::network_create(c, *o));
    fmt::print("{}\n", n.name);
    return 0;
  });
}

void add_network_ls(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto quiet = r.keep(std::make_shared<bool>(false));
  auto noheading = r.keep(std::make_shared<bool>(false));
  auto no_trunc = r.keep(std::make_shared<bool>(false));
  auto format = r.keep(std::make_shared<std::string>());
  auto filters = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_flag("-q,--quiet", *quiet, "Display only names");
  sub->add_flag("-n,--noheading", *noheading, "Do not print headers");
  sub->add_flag("--no-trunc", *no_trunc, "Do not truncate the network ID");
  sub->add_option("--format", *format, "Pretty-print networks to JSON or using a Go template");
  sub->add_option("-f,--filter", *filters, "Provide filter values (name=, id=, driver=, label=)")
      ->allow_extra_args(false);
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    TRY(check_filters(*filters));
    auto c = TRY(engine::open_context(g));
    std::vector<Json> rows;
    Json json_rows = Json::array();
    for (const auto& n : TRY(engine::network_list(c))) {
      if (!matches(n, *filters)) continue;
      if (*quiet) {
        fmt::print("{}\n", n.name);
        continue;
      }
      Json row = list_row(n);
      if (*no_trunc) row["ID"] = n.id;
      rows.push_back(row);
      json_rows.push_back(Json::parse(engine::network_json(n).dump()));
    }
    if (*quiet) return 0;
    std::string fmt_ = *format;
    if (*noheading && fmt_.empty()) fmt_ = "{{.ID}}\t{{.Name}}\t{{.Driver}}";
    TRY(print_rows(rows, json_rows, fmt_, "table {{.ID}}\t{{.Name}}\t{{.Driver}}",
                   {{"ID", "NETWORK ID"}, {"Name", "NAME"}, {"Driver", "DRIVER"}}));
    return 0;
  });
}

void add_network_inspect(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto format = r.keep(std::make_shared<std::string>());
  sub->add_option("network", *names, "Networks")->required();
  sub->add_option("-f,--format", *format, "Pretty-print network to JSON or using a Go template");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    std::vector<Json> rows;
    Json all = Json::array();
    OrderedJson ordered = OrderedJson::array();
    std::vector<Error> errors;
    for (const auto& k : *names) {
      auto n = engine::network_find(c, k);
      if (!n) {
        errors.push_back(n.error());
        continue;
      }
      ordered.push_back(engine::network_json(*n));
      rows.push_back(Json::parse(ordered.back().dump()));
      all.push_back(rows.back());
    }
    if (format->empty() || *format == "json")
      fmt::print("{}\n", ordered.dump(4));
    else
      TRY(print_rows(rows, all, *format, "", Json::object()));
    return report_item_errors(errors);
  });
}

void add_network_rm(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto o = r.keep(std::make_shared<engine::NetworkRemoveOptions>());
  sub->add_option("network", *names, "Networks")->required();
  sub->add_flag("-f,--force", o->force, "Remove any containers using the network");
  sub->add_option("-t,--time", o->timeout, "Seconds to wait for running containers to stop before killing them");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    std::vector<Error> errors;
    for (const auto& k : *names) {
      auto done = engine::network_remove(c, {k}, *o);
      if (!done) {
        if (done.error().code == Errc::usage) return std::unexpected(done.error());
        errors.push_back(done.error());
        continue;
      }
      for (const auto& n : *done) fmt::print("{}\n", n);
    }
    return report_item_errors(errors);
  });
}

void add_network_exists(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  sub->add_option("network", *name, "Network")->required();
  r.on(sub, [name](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto n = engine::network_find(c, *name);
    if (!n && n.error().code == Errc::not_found) return 1;  // podman: 0 exists, 1 not, 125 error
    if (!n) return std::unexpected(n.error());
    return 0;
  });
}

void add_network_prune(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto force = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-f,--force", *force, "Do not prompt for confirmation");
  r.on(sub, [](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    for (const auto& n : TRY(engine::network_prune(c))) fmt::print("{}\n", n);
    return 0;
  });
}

void add_network_reload(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto all = r.keep(std::make_shared<bool>(false));
  sub->add_option("container", *names, "Containers");
  sub->add_flag("-a,--all", *all, "Reload network configuration of all containers");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (names->empty() && !*all) return fail(Errc::usage, "network reload needs at least one container, or --all");
    auto c = TRY(engine::open_context(g));
    for (const auto& id : TRY(engine::network_reload(c, *names, *all))) fmt::print("{}\n", id);
    return 0;
  });
}

void add_network_connect(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::NetworkConnectOptions>());
  sub->add_option("network", o->network, "Network")->required();
  sub->add_option("container", o->container, "Container")->required();
  sub->add_option("--ip", o->ip, "The container's IPv4 address on the network");
  sub->add_option("--alias", o->aliases, "Network-scoped alias for the container")->allow_extra_args(false);
  r.on(sub, [o](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    TRY(engine::network_connect(c, *o));
    return 0;
  });
}

void add_network_disconnect(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto net = r.keep(std::make_shared<std::string>());
  auto ctr = r.keep(std::make_shared<std::string>());
  auto force = r.keep(std::make_shared<bool>(false));
  sub->add_option("network", *net, "Network")->required();
  sub->add_option("container", *ctr, "Container")->required();
  sub->add_flag("-f,--force", *force, "Force the container to disconnect (it always is)");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    TRY(engine::network_disconnect(c, *net, *ctr));
    return 0;
  });
}

}  // namespace

void add_port(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto args = r.keep(std::make_shared<std::vector<std::string>>());
  auto all = r.keep(std::make_shared<bool>(false));
  sub->add_option("args", *args, "CONTAINER [PRIVATE_PORT[/PROTO]]");
  sub->add_flag("-a,--all", *all, "Display port information for all containers");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (!*all && (args->empty() || args->size() > 2))
      return fail(Errc::usage, "port needs a container and, optionally, a port (or --all)");
    auto c = TRY(engine::open_context(g));
    std::string want;
    if (!*all && args->size() == 2)
      want = args->at(1).find('/') == std::string::npos ? args->at(1) + "/tcp" : args->at(1);
    for (const auto& cp : TRY(engine::container_ports(c, *all ? "" : args->front(), *all))) {
      if (*all) fmt::print("{}\n", cp.id.substr(0, 12));
      bool found = false;
      for (const auto& p : cp.ports) {
        std::string key = fmt::format("{}/{}", p.container_port, p.protocol);
        std::string host = fmt::format("{}:{}", p.host_ip.empty() ? "0.0.0.0" : p.host_ip, p.host_port);
        if (!want.empty() && key != want) continue;
        found = true;
        if (want.empty())
          fmt::print("{} -> {}\n", key, host);
        else
          fmt::print("{}\n", host);
      }
      if (!want.empty() && !found) return fail(Errc::not_found, "failed to find published port \"{}\"", want);
    }
    return 0;
  });
}

void network_commands(CLI::App& app, CommandTable& r) {
  CLI::App* net = r.sub(&app, "network", "Manage networks");
  add_network_create(r, r.sub(net, "create", "Create a network"));
  add_network_ls(r, r.sub(net, "ls", "List networks", {"list"}));
  add_network_inspect(r, r.sub(net, "inspect", "Display the network configuration for one or more networks"));
  add_network_rm(r, r.sub(net, "rm", "Remove networks", {"remove"}));
  add_network_exists(r, r.sub(net, "exists", "Check if a network exists"));
  add_network_prune(r, r.sub(net, "prune", "Remove all unused networks"));
  add_network_reload(r, r.sub(net, "reload", "Reload firewall rules for one or more containers"));
  add_network_connect(r, r.sub(net, "connect", "Add container to a network"));
  add_network_disconnect(r, r.sub(net, "disconnect", "Disconnect a container from a network"));
  net->require_subcommand(1);
  add_port(r, r.sub(&app, "port", "List port mappings or a specific mapping for the container"));
  add_port(r, r.sub(r.group("container"), "port", "List port mappings or a specific mapping for the container"));
}

}  // namespace berth::cli
