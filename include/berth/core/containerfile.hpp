// Containerfile / Dockerfile text -> instructions, as BuildKit's parser reads it: parser
// directives (# escape=, # syntax=) at the top, comments, line continuations with the escape
// character, heredocs (RUN <<EOF, COPY <<EOF /file), flags (--from=x), the JSON (exec) form;
// and the variable expansion Docker applies to some instructions' arguments. Pure: no I/O.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "berth/core/error.hpp"

namespace berth::containerfile {

struct Heredoc {
  std::string name;     // the delimiter word ("EOF")
  std::string content;  // the lines between, each ending in "\n"
  bool expand = true;   // false when the delimiter was quoted (<<"EOF", <<'EOF')
};

struct Instruction {
  int line = 0;                                            // where it starts, 1-based
  std::string keyword;                                     // upper case: "RUN", "COPY", ...
  std::vector<std::pair<std::string, std::string>> flags;  // --name=value (value "" for --name)
  std::string args;                                        // the rest, continuations joined
  bool json = false;                                       // the exec form ["a", "b"]
  std::vector<std::string> json_args;
  std::vector<Heredoc> heredocs;
  std::string original;  // KEYWORD + its text as written (continuations joined), for history
};

struct File {
  std::vector<Instruction> instructions;
  char escape = '\\';
};

// Errors (usage) name `filename` and the line: an unknown instruction, a flag an instruction
// does not take, a heredoc that never ends, an empty file.
Result<File> parse(std::string_view text, std::string_view filename);

// Docker's word processing (its shell lexer): quotes and escapes taken off, and with `vars`
// the variables expanded ($v, ${v}, ${v:-w}, ${v-w}, ${v:+w}, ${v+w}, ${v:?msg}) except in
// single quotes; an unset variable is "". Errors (usage): an unmatched quote or brace, an
// unsupported modifier, ${v:?msg} with v unset.
using Lookup = std::function<std::optional<std::string>(std::string_view)>;
Result<std::string> expand(std::string_view word, const Lookup* vars, char escape);
// The same, split at unquoted blanks into words (an expanded value's blanks split too).
Result<std::vector<std::string>> words(std::string_view s, const Lookup* vars, char escape);

// ENV, LABEL and ARG: "k=v k2='v 2'" pairs (values processed as `expand` does), or with
// `legacy` the old "k v v" form (one pair) when the first word has no '='. A key with no '='
// gives (k, nullopt): ARG's declaration without a default.
using Pairs = std::vector<std::pair<std::string, std::optional<std::string>>>;
Result<Pairs> pairs(std::string_view s, const Lookup* vars, char escape, bool legacy);

// .containerignore / .dockerignore: Docker's patterns (filepath.Match plus **), "!" exceptions,
// the last matching line wins. Paths are relative to the context, with "/".
class IgnoreRules {
 public:
  static IgnoreRules parse(std::string_view text);
  bool ignored(std::string_view path) const;
  // Whether something under `dir` may be kept although `dir` itself is ignored (an exception
  // names a path below it): the walk must then look inside.
  bool may_keep_below(std::string_view dir) const;
  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    std::string pattern;
    bool exclude;
  };
  std::vector<Rule> rules_;
};

// filepath.Match-style glob with "**" (any number of path elements), "*", "?", "[...]".
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace berth::containerfile
