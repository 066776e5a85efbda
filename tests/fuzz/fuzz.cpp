// berth-fuzz: a coverage-guided mutational fuzzer for the code that reads untrusted input:
// manifests, indexes and configs (target "documents"), YAML and TOML (target "config") and the
// layer unpacker (target "layer").
//
// The parsers are built a second time for this program with AddressSanitizer, UBSan and
// -fsanitize-coverage=trace-pc (tests/meson.build): every basic block reports to coverage.c,
// which counts edges in a 64 KiB map, as AFL does. An input that reaches an edge count bucket
// never seen before joins the in-memory corpus and is mutated further. A sanitizer report, a
// crash, an input that runs longer than the per-input limit, or a broken invariant (a layer
// that wrote outside its directory) saves the input to the crash directory and fails the run.
//
// Every run first replays the inputs kept in tests/fuzz/regressions/TARGET/ (each one a crash
// found earlier, fixed since), so they cannot come back.
//
// usage: berth-fuzz TARGET [--seconds N] [--runs N] [--seed N] [--corpus DIR]
//                          [--regressions DIR] [--crashes DIR]
// Prints one line: executions, executions per second, edges, corpus size, crashes.
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "berth/core/digest.hpp"
#include "berth/core/json.hpp"
#include "berth/core/toml.hpp"
#include "berth/core/yaml.hpp"
#include "berth/image/config.hpp"
#include "berth/image/unpack.hpp"
#include "berth/sys/file.hpp"

extern "C" {
extern unsigned char berth_fuzz_map[1 << 16];
void berth_fuzz_reset_edge(void);
void __sanitizer_set_death_callback(void (*)(void));
}

namespace {

using Bytes = std::string;
using namespace berth;

// ---- the input being run, saved when the process dies on it --------------------------------

std::string g_target;
std::string g_crash_dir = ".";
const Bytes* g_current = nullptr;

void save_current(const char* why) {
  if (!g_current) return;
  std::string name = g_crash_dir + "/" + g_target + "-" + std::string(Digest::of(*g_current).hex().substr(0, 16));
  int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    (void)!::write(fd, g_current->data(), g_current->size());
    ::close(fd);
  }
  std::fprintf(stderr, "berth-fuzz: %s on an input, saved to %s\n", why, name.c_str());
  std::fprintf(stderr, "berth-fuzz: once fixed, keep it: cp %s tests/fuzz/regressions/%s/\n", name.c_str(),
               g_target.c_str());
}

void on_death() { save_current("a sanitizer report"); }

void on_signal(int sig) {
  save_current(sig == SIGALRM ? "a timeout" : "a signal");
  ::signal(sig, SIG_DFL);
  ::raise(sig == SIGALRM ? SIGABRT : sig);
}

[[noreturn]] void invariant_broken(const char* what) {
  std::fprintf(stderr, "berth-fuzz: invariant broken: %s\n", what);
  save_current("a broken invariant");
  std::abort();
}

// ---- targets ----------------------------------------------------------------------------------

// Kubernetes YAML (kube play) and TOML (registries.conf, storage.conf): parsed without a crash
// or an escaping exception; a mapping written back as YAML reads back the same.
void run_config(const Bytes& in) {
  (void)toml_document(in, "fuzz.toml");
  auto docs = yaml_documents(in, "fuzz.yaml");
  if (!docs) return;
  for (const auto& d : *docs) {
    if (!d.is_object()) continue;
    auto back = yaml_documents(yaml_dump(d), "dumped");
    if (!back || back->size() != 1 || (*back)[0] != d) invariant_broken("yaml_dump does not read back the same");
  }
}

void run_documents(const Bytes& in) {
  // The first byte picks the type the document was served or described as.
  static const char* hints[] = {
      "", image::kOciManifest, image::kOciIndex, image::kDockerManifest, image::kDockerList, "application/json"};
  std::string_view hint = in.empty() ? "" : hints[static_cast<unsigned char>(in[0]) % 6];
  auto j = parse_json(std::string_view(in).substr(in.empty() ? 0 : 1), "fuzz");
  if (!j) return;
  if (auto kind = image::classify_document(*j, hint); kind) {
    if (*kind == image::DocKind::manifest) {
      if (auto m = image::parse_manifest(*j); m)
        for (const auto& l : m->layers)
          if (!image::known_layer_type(l.media_type)) invariant_broken("parse_manifest kept an unknown layer type");
    } else {
      (void)image::select_platform(*j, "linux", "amd64", "");
      (void)image::select_platform(*j, "linux", "arm64", "v8");
    }
  }
  (void)image::config_diff_ids(*j);
  (void)image::descriptor_from_json(*j, "fuzz");
  const Json& cfg = json_obj(*j, "config");
  (void)image::parse_healthcheck(json_str(cfg, "Healthcheck"));
  Json copy = *j;
  for (const char* change : {"ENV A=1", "CMD [\"x\"]", "LABEL a=b", "EXPOSE 80"})
    (void)image::apply_change(copy, change);
}

std::string g_work;  // a directory of our own: layer/ and outside/ are made in it per input

void run_layer(const Bytes& in) {
  std::string layer = g_work + "/layer", outside = g_work + "/outside";
  ::mkdir(layer.c_str(), 0700);
  ::mkdir(outside.c_str(), 0700);
  int dir = ::open(layer.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) invariant_broken("cannot open the layer dir");
  size_t off = 0;
  image::ReadFn src = [&](void* buf, size_t n) -> ssize_t {
    size_t k = std::min(n, in.size() - off);
    std::memcpy(buf, in.data() + off, k);
    off += k;
    return static_cast<ssize_t>(k);
  };
  image::UnpackOptions o;
  o.rootless = ::geteuid() != 0;
  o.xattr_prefix = o.rootless ? "user." : "trusted.";
  o.ignore_chown_errors = true;
  (void)image::ingest_layer(src, -1, dir, o);
  ::close(dir);
  // Nothing may exist beside layer/ and outside/, nor inside outside/.
  int top = ::open(g_work.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  auto names = sys::list_dir(top, ".");
  if (!names) invariant_broken("cannot list the work dir");
  for (const auto& n : *names)
    if (n != "layer" && n != "outside") invariant_broken("the layer wrote beside its directory");
  auto out = sys::list_dir(top, "outside");
  if (!out || !out->empty()) invariant_broken("the layer wrote through to a directory outside it");
  if (!sys::remove_tree(top, "layer")) invariant_broken("cannot remove the unpacked layer");
  ::close(top);
}

// ---- seeds -----------------------------------------------------------------------------------

struct TarEntry {
  const char* name;
  unsigned type;
  const char* data = "";
  const char* link = nullptr;
  bool hard = false;
  unsigned mode = 0644;
  const char* xattr = nullptr;
};

Bytes make_tar(const std::vector<TarEntry>& es, int filter) {
  std::vector<char> buf(1 << 20);
  size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (filter == 1) archive_write_add_filter_gzip(a);
  if (filter == 2) archive_write_add_filter_zstd(a);
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  for (const auto& e : es) {
    archive_entry* x = archive_entry_new();
    archive_entry_set_pathname(x, e.name);
    archive_entry_set_filetype(x, e.type);
    archive_entry_set_perm(x, e.mode);
    if (e.link && e.hard)
      archive_entry_set_hardlink(x, e.link);
    else if (e.link)
      archive_entry_set_symlink(x, e.link);
    if (e.type == AE_IFREG && !e.hard) archive_entry_set_size(x, static_cast<la_int64_t>(std::strlen(e.data)));
    if (e.xattr) archive_entry_xattr_add_entry(x, e.xattr, "y", 1);
    if (e.type == AE_IFCHR) archive_entry_set_rdev(x, 0);
    archive_write_header(a, x);
    if (e.type == AE_IFREG && !e.hard) archive_write_data(a, e.data, std::strlen(e.data));
    archive_entry_free(x);
  }
  archive_write_close(a);
  archive_write_free(a);
  return Bytes(buf.data(), used);
}

std::vector<Bytes> layer_seeds() {
  std::vector<std::vector<TarEntry>> sets = {
      {{"./", AE_IFDIR, "", nullptr, false, 0755},
       {"etc", AE_IFDIR, "", nullptr, false, 0755},
       {"etc/passwd", AE_IFREG, "root:x:0:0::/root:/bin/sh\n"},
       {"etc/link", AE_IFLNK, "", "/etc/passwd"},
       {"etc/hard", AE_IFREG, "", "etc/passwd", true},
       {"bin/sh", AE_IFREG, "#!/bin/sh\n", nullptr, false, 04755}},
      {{"a", AE_IFDIR}, {"a/.wh.gone", AE_IFREG}, {"b/.wh..wh..opq", AE_IFREG}, {".wh..wh.plnk", AE_IFDIR}},
      {{"x", AE_IFDIR, "", nullptr, false, 0755, "user.x"},
       {"x/f", AE_IFREG, "data", nullptr, false, 0600, "trusted.overlay.opaque"},
       {"x/cap", AE_IFREG, "e", nullptr, false, 0755, "security.capability"}},
      {{"d/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        AE_IFREG, "long"},
       {"p", AE_IFIFO},
       {"dev/null", AE_IFCHR}},
      {{"l", AE_IFLNK, "", "../../outside"}, {"l", AE_IFDIR, "", nullptr, false, 0777}, {"m", AE_IFREG, "", "l", true}},
  };
  std::vector<Bytes> out;
  for (const auto& s : sets) out.push_back(make_tar(s, 0));
  out.push_back(make_tar(sets[0], 1));
  out.push_back(make_tar(sets[1], 2));
  return out;
}

std::vector<Bytes> read_dir(const std::string& dir) {
  std::vector<Bytes> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    auto t = sys::read_host_file(dir + "/" + n, 16 << 20);
    if (t) out.push_back(*t);
  }
  return out;
}

// ---- mutation --------------------------------------------------------------------------------

std::mt19937_64 rng;
size_t pick(size_t n) { return n ? static_cast<size_t>(rng() % n) : 0; }

const std::vector<std::string> kDocTokens = {"\"mediaType\"",
                                             "\"manifests\"",
                                             "\"layers\"",
                                             "\"config\"",
                                             "\"schemaVersion\"",
                                             "\"digest\"",
                                             "\"size\"",
                                             "\"platform\"",
                                             "\"rootfs\"",
                                             "\"diff_ids\"",
                                             "\"type\"",
                                             "\"layers\"",
                                             "\"os\"",
                                             "\"architecture\"",
                                             "\"sha256:",
                                             "\"application/vnd.oci.image.manifest.v1+json\"",
                                             "\"application/vnd.oci.image.index.v1+json\"",
                                             "\"application/vnd.oci.image.layer.v1.tar+gzip\"",
                                             "\"application/vnd.oci.image.config.v1+json\"",
                                             "\"Healthcheck\"",
                                             "\"Test\"",
                                             "\"Interval\"",
                                             "{",
                                             "}",
                                             "[",
                                             "]",
                                             ",",
                                             ":",
                                             "null",
                                             "true",
                                             "-1",
                                             "18446744073709551616",
                                             "1e308",
                                             "-0",
                                             "2147483648",
                                             "\"\\u0000\"",
                                             "\"\\ud800\""};
const std::vector<std::string> kTarTokens = {"./",
                                             "../",
                                             "/",
                                             ".wh.",
                                             ".wh..wh..opq",
                                             "..",
                                             "ustar",
                                             "\0",
                                             "linkpath=",
                                             "path=",
                                             "SCHILY.xattr.trusted.overlay.opaque="};

// A tar header block: its checksum is recomputed after a mutation inside it, so that the
// mutation reaches the unpacker instead of the checksum test.
void fix_tar_checksums(Bytes& b) {
  for (size_t off = 0; off + 512 <= b.size(); off += 512) {
    if (std::memcmp(b.data() + off + 257, "ustar", 5) != 0) continue;
    unsigned sum = 0;
    for (size_t i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(b[off + i]);
    char field[8];
    std::snprintf(field, sizeof field, "%06o", sum & 0777777);
    std::memcpy(b.data() + off + 148, field, 7);
    b[off + 155] = ' ';
  }
}

Bytes mutate(const Bytes& in, const std::vector<Bytes>& corpus, bool tar) {
  Bytes b = in;
  const auto& tokens = tar ? kTarTokens : kDocTokens;
  int rounds = 1 + static_cast<int>(pick(6));
  for (int r = 0; r < rounds; r++) {
    switch (pick(9)) {
      case 0:
        if (!b.empty()) b[pick(b.size())] ^= static_cast<char>(1 << pick(8));
        break;
      case 1: {
        static const char interesting[] = {0, '\xff', '\x7f', '\x80', '/', '.', '0', '7', ' '};
        if (!b.empty()) b[pick(b.size())] = interesting[pick(sizeof interesting)];
        break;
      }
      case 2: {
        Bytes ins(1 + pick(16), '\0');
        for (auto& c : ins) c = static_cast<char>(rng());
        b.insert(pick(b.size() + 1), ins);
        break;
      }
      case 3:
        if (b.size() > 1) {
          size_t at = pick(b.size()), n = 1 + pick(std::min<size_t>(b.size() - at, 64));
          b.erase(at, n);
        }
        break;
      case 4:
        if (!b.empty()) {
          size_t at = pick(b.size()), n = 1 + pick(std::min<size_t>(b.size() - at, 128));
          b.insert(pick(b.size() + 1), b.substr(at, n));
        }
        break;
      case 5: {
        const auto& tok = tokens[pick(tokens.size())];
        b.insert(pick(b.size() + 1), tok);
        break;
      }
      case 6: {
        const auto& other = corpus[pick(corpus.size())];
        if (!other.empty()) {
          size_t at = pick(other.size());
          b = b.substr(0, pick(b.size() + 1)) + other.substr(at, 1 + pick(other.size() - at));
        }
        break;
      }
      case 7: {  // a number becomes an interesting one
        size_t at = b.find_first_of("0123456789", pick(b.size() + 1));
        if (at == Bytes::npos) break;
        size_t end = b.find_first_not_of("0123456789", at);
        static const char* nums[] = {"0", "-1", "4294967295", "2147483648", "99999999999999999999", "1e308", "7777777"};
        b.replace(at, (end == Bytes::npos ? b.size() : end) - at, nums[pick(7)]);
        break;
      }
      case 8:
        if (b.size() > 8) b.resize(pick(b.size()));
        break;
    }
  }
  if (tar && pick(4) != 0) fix_tar_checksums(b);
  if (b.size() > (1 << 20)) b.resize(1 << 20);
  return b;
}

// ---- coverage --------------------------------------------------------------------------------

unsigned char bucket(unsigned char c) {
  if (c <= 3) return c;
  if (c <= 7) return 4;
  if (c <= 15) return 8;
  if (c <= 31) return 16;
  if (c <= 127) return 32;
  return 128;
}

unsigned char g_virgin[1 << 16];

// True when the last run reached an edge, or an edge count bucket, not seen before.
bool new_coverage() {
  bool fresh = false;
  for (size_t i = 0; i < sizeof g_virgin; i++) {
    if (!berth_fuzz_map[i]) continue;
    unsigned char b = bucket(berth_fuzz_map[i]);
    if ((g_virgin[i] & b) != b) {
      g_virgin[i] |= b;
      fresh = true;
    }
  }
  return fresh;
}

size_t edges() {
  size_t n = 0;
  for (unsigned char v : g_virgin) n += v != 0;
  return n;
}

void run_one(const Bytes& in, void (*target)(const Bytes&)) {
  std::memset(berth_fuzz_map, 0, sizeof berth_fuzz_map);
  berth_fuzz_reset_edge();
  g_current = &in;
  ::alarm(10);
  target(in);
  ::alarm(0);
  g_current = nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: berth-fuzz documents|config|layer [--seconds N] [--runs N] [--seed N] [--corpus DIR] "
                 "[--regressions DIR] [--crashes DIR]\n");
    return 2;
  }
  g_target = argv[1];
  double seconds = 10;
  unsigned long long max_runs = ~0ULL, seed = std::random_device{}();
  std::string corpus_dir, regressions_dir, crash_dir = ".";
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--seconds")
      seconds = std::atof(v.c_str());
    else if (k == "--runs")
      max_runs = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--seed")
      seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--corpus")
      corpus_dir = v;
    else if (k == "--regressions")
      regressions_dir = v;
    else if (k == "--crashes")
      crash_dir = v;
  }
  g_crash_dir = crash_dir;
  ::mkdir(crash_dir.c_str(), 0755);
  void (*target)(const Bytes&) = nullptr;
  std::vector<Bytes> corpus;
  if (g_target == "documents") {
    target = run_documents;
  } else if (g_target == "config") {
    target = run_config;
  } else if (g_target == "layer") {
    target = run_layer;
    for (auto& s : layer_seeds()) corpus.push_back(s);
    const char* base =
        ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
    std::string tmpl = std::string(base) + "/berth-fuzz-XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
      std::perror("mkdtemp");
      return 1;
    }
    g_work = tmpl;
  } else {
    std::fprintf(stderr, "berth-fuzz: unknown target %s\n", g_target.c_str());
    return 2;
  }
  rng.seed(seed);
  __sanitizer_set_death_callback(on_death);
  for (int s : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGALRM}) ::signal(s, on_signal);

  // The crashes found earlier, kept as regression inputs, run first and every time.
  auto regressions = read_dir(regressions_dir);
  for (const auto& r : regressions) {
    run_one(r, target);
    new_coverage();
  }
  for (auto& s : read_dir(corpus_dir)) corpus.push_back(s);
  if (corpus.empty()) corpus.push_back("{}");
  for (const auto& c : corpus) {
    run_one(c, target);
    new_coverage();
  }
  size_t seeds = corpus.size();
  auto start = std::chrono::steady_clock::now();
  unsigned long long runs = 0;
  bool tar = g_target == "layer";
  while (runs < max_runs) {
    if ((runs & 63) == 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= seconds)
      break;
    // Newer corpus entries (the frontier) are picked more often.
    size_t i = pick(2) ? corpus.size() - 1 - pick(std::min<size_t>(corpus.size(), 16)) : pick(corpus.size());
    Bytes in = mutate(corpus[i], corpus, tar);
    run_one(in, target);
    runs++;
    if (new_coverage()) corpus.push_back(std::move(in));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!g_work.empty()) {
    int top = ::open(g_work.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    (void)sys::remove_tree(top, "layer");
    (void)sys::remove_tree(top, "outside");
    ::close(top);
    ::rmdir(g_work.c_str());
  }
  std::printf(
      "fuzz %s: %llu executions in %.1f s (%.0f/s), %zu edges, corpus %zu (%zu seeds + %zu found), "
      "%zu regression inputs replayed, 0 crashes (seed %llu)\n",
      g_target.c_str(), runs, secs, secs > 0 ? static_cast<double>(runs) / secs : 0.0, edges(), corpus.size(), seeds,
      corpus.size() - seeds, regressions.size(), seed);
  return 0;
}
