// From a container's record and its image to what the runtime runs: make_spec is a pure
// function (unit-tested without root); build_spec gathers its inputs from the store and the
// host.
#pragma once

#include <string>
#include <vector>

#include "berth/core/idmap.hpp"
#include "berth/engine/run.hpp"
#include "berth/image/config.hpp"
#include "berth/runtime/spec.hpp"
#include "berth/store/containers.hpp"

namespace berth::engine {

// A container's own user namespace (--userns=keep-id, --uidmap/--gidmap; rootless), its maps
// taken against the user's namespace berth runs in.
struct ContainerIdMaps {
  IdMap uid, gid;
  IdMap parent_uid, parent_gid;  // berth's own namespace's (the kernel's ranges must fit in them)
  bool keep_id = false;
  std::string default_user;  // keep-id: "UID:GID", the user's ids inside
  std::string key() const;   // names the layers' copies made for these maps
};
// Nothing for the default (--userns host or unset, no maps). Errors (usage): a mode berth does
// not have, keep-id or nomap as root, maps outside the ids berth's namespace has.
Result<std::optional<ContainerIdMaps>> container_idmaps(const store::ContainerConfig& c);
// --userns=auto[:size=N]: picks ranges no other auto container holds (rootless from berth's
// subordinate ids, as root from /etc/subuid's "containers") and stores them as the config's
// uidmap/gidmap. Size: the image's highest user or group id + 1, at least 1024. Call it under
// the store's write lock. Nothing for the other modes.
Result<void> allocate_auto_userns(const store::Store& s, const store::ImageRecord& img, store::ContainerConfig& c);
// The overlay's lower dirs for a container of `img`, top first: ROOT/mountpoints (with
// `mountpoints`), then the layers' diff dirs, or with `maps` their copies owned for them (made
// on first use; the plain ones are unpacked by the caller).
Result<std::vector<std::string>> container_lowers(const store::Store& s, const store::ImageRecord& img,
                                                  const std::optional<ContainerIdMaps>& maps, bool mountpoints);

// What make_spec needs besides the two records: facts the caller read from the store and the
// host.
struct SpecInputs {
  std::vector<std::string> lowers;  // absolute layer dirs, top first (the mountpoints layer on top)
  std::string layers_dir;           // their common parent (the overlay's relative fallback)
  std::string container_dir;        // ROOT/containers/ID: upper, work, merged
  std::string run_dir;              // RUNROOT/containers/ID: hostname, hosts, resolv.conf, notify
  std::string passwd, group;        // the image's /etc/passwd and /etc/group
  std::string init_path;            // --init: the host's catatonit or tini
  std::string seccomp_cache;        // where the default filter's BPF is cached
  bool rootless = false;
  bool full_idmap = true;                 // rootless with a subuid range (else one id is mapped)
  bool notify_socket = false;             // berth runs under systemd's NOTIFY_SOCKET
  bool for_exec = false;                  // a process joining the running container: it mounts nothing
  std::optional<ContainerIdMaps> idmaps;  // its own user namespace (lowers are then the layers' copies)
  bool own_passwd = false;                // keep-id: RUN_DIR/passwd (the image's plus the user) is /etc/passwd
};

// Everything but stdio: the rootfs from the lowers, the process from the record over the
// image, the isolation defaults adjusted by the recorded flags. Pure: the same inputs give the
// same Spec. Errors: a user or group the image's files do not have, a bad capability or
// security option (usage).
Result<runtime::Spec> make_spec(const store::ContainerConfig& c, const image::ImageConfig& image, const SpecInputs& in);

// Podman's capabilities for a container: the default set, drops applied first, then adds
// ("--cap-drop all --cap-add X" leaves exactly X).
Result<std::uint64_t> capabilities(const std::vector<std::string>& add, const std::vector<std::string>& drop);
// --security-opt values over the spec's defaults: no-new-privileges, seccomp=unconfined,
// mask=, unmask= (seccomp=FILE and label= are accepted and handled elsewhere).
Result<void> apply_security_opts(const std::vector<std::string>& opts, runtime::Spec& spec);

// keep-id, as podman: the image's /etc/passwd with a line for the user (NAME:*:UID:GID:NAME:HOME:/bin/sh)
// when no line has that uid; "" when one has (nothing to add).
std::string passwd_with_user(std::string_view passwd, std::uint32_t uid, std::uint32_t gid, std::string_view name,
                             std::string_view home);

// User and group resolution against the image's /etc/passwd and /etc/group (pure; tested).
struct UserIds {
  unsigned uid = 0, gid = 0;
  std::vector<unsigned> groups;
  std::string home = "/";
};
// "user[:group]" (names or numbers) against the image's passwd and group files. A number above
// kMaxId is a usage error (never wrapped); passwd/group entries with such ids are ignored.
Result<UserIds> resolve_user(std::string_view spec, std::string_view passwd, std::string_view group);
// The largest uid or gid a container may use (runc's limit: 2^31-1).
inline constexpr std::uint32_t kMaxId = 2147483647;
// A decimal id within 0..kMaxId, or nothing.
std::optional<std::uint32_t> parse_id(std::string_view s);
// The numbers in "user[:group]" fit (names are looked up at start, in the image's files).
Result<void> check_user_spec(std::string_view spec);

// --init: the host's catatonit (or tini), bind-mounted read-only as the container's PID 1.
Result<std::string> init_binary();

// Gathers make_spec's inputs for container `rec` (its image unpacked on a first start, its
// /etc files written unless `for_exec`) and makes the Spec.
Result<runtime::Spec> build_spec(const store::Store& s, const store::ContainerRecord& rec, bool for_exec = false);
// `exec`: the same with the process replaced by `o`'s command, its env added (a bare KEY takes
// this berth's value), and its user, workdir, terminal and privileges. Mounts nothing.
Result<runtime::Spec> exec_spec(const store::Store& s, const store::ContainerRecord& rec, const ExecOptions& o);

}  // namespace berth::engine
