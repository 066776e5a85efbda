// berth: the process's entry. Everything happens in cli::main; an exception that escapes it
// (none should: errors are values) is the one last edge (STYLE.md 2.5).
#include <cstdio>
#include <exception>

#include "cli/entry.hpp"

int main(int argc, char** argv) {
  try {
    return berth::cli::main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "Error: internal error: %s\n", e.what());
    return 125;
  }
}
