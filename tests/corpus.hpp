// Access to ../shared/corpora for tests: files are read at run time, never copied into the repo.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace skew_test {

// The corpus folder `name`; exits with 77 (ctest's SKIP_RETURN_CODE) when corpora are absent.
inline std::filesystem::path corpus_or_skip(const std::string& name) {
  std::filesystem::path dir = std::filesystem::path(SKEW_CORPORA_DIR) / name;
  if (!std::filesystem::is_directory(dir)) {
    std::printf("skipped: corpus folder %s is absent\n", dir.string().c_str());
    std::exit(77);
  }
  return dir;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Regular files below `dir` with the given extension, sorted for stable output.
inline std::vector<std::filesystem::path> files_in(const std::filesystem::path& dir,
                                                   const std::string& extension = ".json") {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == extension)
      out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace skew_test
