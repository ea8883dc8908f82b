#include "scenarios/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace commsim::scenario {

namespace fs = std::filesystem;

namespace {

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string size_text(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0) {
    return std::to_string(bytes >> 20) + " MiB";
  }
  return std::to_string(bytes) + " bytes";
}

// Closes a descriptor when it goes out of scope.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

// The nearest directory at or above `directory` that holds a .git entry, or `directory`.
fs::path tree_root(const fs::path& directory) {
  std::error_code ignored;
  for (fs::path at = directory; !at.empty(); at = at.parent_path()) {
    if (fs::exists(at / ".git", ignored)) return at;
    if (at == at.root_path()) break;
  }
  return directory;
}

bool inside(const fs::path& path, const fs::path& root) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (r->empty()) continue;  // a trailing separator
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

}  // namespace

InputText read_input_file(const std::string& path, std::size_t max_bytes) {
  InputText result;
  // O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOCTTY: a terminal stays ours.
  Descriptor file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)};
  if (file.fd < 0) {
    result.error = std::strerror(errno);
    return result;
  }
  struct stat info {};
  if (::fstat(file.fd, &info) != 0) {
    result.error = std::strerror(errno);
    return result;
  }
  if (!S_ISREG(info.st_mode)) {
    result.error = "it is " + kind_of(info.st_mode) + ", not a regular file";
    return result;
  }
  const auto too_large = [&] {
    result.error =
        "it is larger than " + size_text(max_bytes) + ", the limit for this kind of file";
  };
  if (static_cast<unsigned long long>(info.st_size) > max_bytes) {
    too_large();
    return result;
  }
  // Read to the end, but never more than one byte past the limit: a file that grew after the
  // stat is still refused.
  std::string text;
  text.reserve(static_cast<std::size_t>(info.st_size));
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(file.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result.error = std::strerror(errno);
      return result;
    }
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) {
      too_large();
      return result;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  result.text = std::move(text);
  return result;
}

NamedFile resolve_named_file(const std::string& naming_file, const std::string& written) {
  NamedFile result;
  if (written.empty()) {
    result.error = "the file name is empty";
    return result;
  }
  const fs::path name(written);
  if (name.is_absolute()) {
    result.error =
        "give it relative to the directory of " + naming_file + "; absolute paths are not read";
    return result;
  }
  const fs::path directory = fs::path(naming_file).parent_path();
  const fs::path joined = (directory.empty() ? name : directory / name).lexically_normal();
  std::error_code error;
  const fs::path base = fs::absolute(directory.empty() ? fs::path(".") : directory, error);
  const fs::path root = fs::weakly_canonical(tree_root(base), error);
  const fs::path resolved = fs::weakly_canonical(fs::absolute(joined, error), error);
  if (error || !inside(resolved, root)) {
    result.error = "it leads outside the tree of " + naming_file +
                   " (a named file stays under the nearest directory above the file naming it that "
                   "holds .git, or under that file's own directory)";
    return result;
  }
  result.path = joined.string();
  return result;
}

}  // namespace commsim::scenario
