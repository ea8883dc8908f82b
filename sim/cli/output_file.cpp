#include "sim/cli/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>

#include "results/json_text.h"
#include "sim/cli/cli_support.h"

namespace commsim::cli {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxLinks = 40;  // as the kernel's limit on links followed in one path

// A failure to write, with its reason.
struct WriteFailure {
  std::string why;
};

std::string error_text(int error) { return std::strerror(error); }

// `path` with every symbolic link at its end followed: the file a write to `path` reaches. For a
// path that does not exist yet (a dangling link); an existing file is found by existing_file.
std::string link_target(const std::string& path) {
  fs::path current = path;
  for (int hops = 0; hops < kMaxLinks; ++hops) {
    struct stat status {};
    if (::lstat(current.c_str(), &status) != 0 || !S_ISLNK(status.st_mode)) {
      return current.string();
    }
    std::string target(4096, '\0');
    const ssize_t length = ::readlink(current.c_str(), target.data(), target.size());
    if (length < 0) throw WriteFailure{error_text(errno)};
    target.resize(static_cast<std::size_t>(length));
    const fs::path next = target;
    current = next.is_absolute() ? next : current.parent_path() / next;
  }
  throw WriteFailure{error_text(ELOOP)};
}

// Why a file of this type is never written, or nullopt for a regular file, character device or
// FIFO.
std::optional<std::string> refused_type(mode_t mode) {
  if (S_ISDIR(mode)) return "it is a directory";
  if (S_ISSOCK(mode)) return "it is a socket";
  if (S_ISBLK(mode)) return "it is a block device";
  if (S_ISREG(mode) || S_ISCHR(mode) || S_ISFIFO(mode)) return std::nullopt;
  return "it is not a file, character device or FIFO";
}

// The path of the existing regular file `path` names, every link resolved (by the kernel, so that
// /dev/stdout and other /proc links resolve too).
std::string existing_file(const std::string& path) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved == nullptr) throw WriteFailure{error_text(errno)};
  std::string file = resolved;
  std::free(resolved);
  return file;
}

// The file a write to `path` replaces: the existing one, or the one a missing path (or dangling
// link) names.
std::string file_to_replace(const std::string& path, bool exists) {
  return exists ? existing_file(path) : link_target(path);
}

fs::path directory_of(const fs::path& file) {
  return file.has_parent_path() ? file.parent_path() : fs::path(".");
}

// Why `path` cannot be written, or nullopt when it can (as far as can be told without writing).
std::optional<std::string> unwritable(const std::string& path) {
  if (path.empty()) return "no file name given";
  struct stat status {};
  const bool exists = ::stat(path.c_str(), &status) == 0;
  if (exists) {
    if (const auto why = refused_type(status.st_mode)) return why;
    if (::access(path.c_str(), W_OK) != 0) return error_text(errno);
    if (!S_ISREG(status.st_mode)) return std::nullopt;  // a character device or FIFO: in place
  } else if (errno != ENOENT) {
    return error_text(errno);
  }
  // A regular file is replaced by one made in its directory.
  std::string target;
  try {
    target = file_to_replace(path, exists);
  } catch (const WriteFailure& failure) {
    return failure.why;
  }
  const fs::path directory = directory_of(target);
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    return "its directory '" + directory.string() + "': " + error_text(errno);
  }
  return std::nullopt;
}

// What names one file: its device and inode when it exists, else its absolute path with every
// link resolved.
struct FileIdentity {
  bool exists = false;
  bool character_device = false;
  dev_t device = 0;
  ino_t inode = 0;
  std::string path;

  bool operator==(const FileIdentity& other) const {
    if (exists != other.exists) return false;
    return exists ? device == other.device && inode == other.inode : path == other.path;
  }
};

FileIdentity identity(const std::string& path) {
  FileIdentity id;
  struct stat status {};
  if (::stat(path.c_str(), &status) == 0) {
    id.exists = true;
    id.character_device = S_ISCHR(status.st_mode);
    id.device = status.st_dev;
    id.inode = status.st_ino;
    return id;
  }
  std::error_code error;
  std::string target = path;
  try {
    target = link_target(path);
  } catch (const WriteFailure&) {
  }
  const fs::path resolved = fs::weakly_canonical(fs::absolute(target, error), error);
  id.path = error ? fs::absolute(target, error).lexically_normal().string() : resolved.string();
  return id;
}

// Holds the signals that must not cut a write short until it is done: SIGPIPE (a FIFO's reader
// left) and SIGXFSZ (the file size limit), whose cause the failed write reports instead; with
// `termination`, also SIGINT, SIGTERM, SIGHUP and SIGQUIT, delivered once the temporary file is
// renamed or removed.
class SignalsHeld {
 public:
  explicit SignalsHeld(bool termination) {
    sigset_t held;
    sigemptyset(&held);
    sigaddset(&held, SIGPIPE);
    sigaddset(&held, SIGXFSZ);
    if (termination) {
      for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&held, signal);
    }
    ::sigprocmask(SIG_BLOCK, &held, &before_);
  }
  ~SignalsHeld() {
    sigset_t pending;
    sigemptyset(&pending);
    ::sigpending(&pending);
    for (int signal : {SIGPIPE, SIGXFSZ}) {
      if (sigismember(&pending, signal) == 1 && sigismember(&before_, signal) == 0) {
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, signal);
        const timespec now{};
        ::sigtimedwait(&one, nullptr, &now);
      }
    }
    ::sigprocmask(SIG_SETMASK, &before_, nullptr);
  }
  SignalsHeld(const SignalsHeld&) = delete;
  SignalsHeld& operator=(const SignalsHeld&) = delete;

 private:
  sigset_t before_{};
};

// Writes all of `text` to `fd`; 0, or the errno of the write that failed.
int write_all(int fd, std::string_view text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

// A character device or FIFO, written where it is.
void write_in_place(const std::string& target, bool fifo, std::string_view text) {
  SignalsHeld held(/*termination=*/false);
  // A FIFO opened without O_NONBLOCK waits for a reader; with it, no reader is ENXIO.
  const int fd = ::open(target.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC | (fifo ? O_NONBLOCK : 0));
  if (fd < 0) {
    throw WriteFailure{errno == ENXIO && fifo ? "no process reads the FIFO" : error_text(errno)};
  }
  int error = 0;
  if (fifo) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) error = errno;
  }
  if (error == 0) error = write_all(fd, text);
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) throw WriteFailure{error_text(error)};
}

mode_t new_file_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

// A regular file (or none yet), replaced whole: a temporary file renamed over it.
void replace_whole(const std::string& target, const struct stat* existing, std::string_view text) {
  const fs::path file = target;
  SignalsHeld held(/*termination=*/true);
  std::string temporary =
      (directory_of(file) / ("." + file.filename().string() + ".commsim-XXXXXX")).string();
  const int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0) throw WriteFailure{error_text(errno)};
  int error = 0;
  const mode_t mode = existing != nullptr ? existing->st_mode & 07777 : new_file_mode();
  if (::fchmod(fd, mode) != 0) error = errno;
  if (error == 0) error = write_all(fd, text);
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(temporary.c_str(), target.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temporary.c_str());
    throw WriteFailure{error_text(error)};
  }
}

}  // namespace

void check_outputs(const std::vector<OutputFile>& outputs, const std::vector<InputFile>& inputs) {
  std::vector<std::string> problems;
  const auto problem = [&](const std::string& line) { problems.push_back(line); };
  std::vector<FileIdentity> input_ids;
  for (const InputFile& input : inputs) input_ids.push_back(identity(input.path));
  std::vector<FileIdentity> output_ids;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const OutputFile& output = outputs[i];
    const FileIdentity id = identity(output.path);
    output_ids.push_back(id);
    bool clash = false;
    for (std::size_t j = 0; j < inputs.size() && !clash; ++j) {
      if (id.exists && id == input_ids[j]) {
        problem(output.option + ": '" + output.path + "' is " + inputs[j].what + " '" +
                inputs[j].path + "', an input; refusing to overwrite it");
        clash = true;
      }
    }
    for (std::size_t j = 0; j < i && !clash; ++j) {
      if (id == output_ids[j] && !id.character_device) {
        problem(outputs[j].option + " and " + output.option + ": both write '" + output.path + "'" +
                (outputs[j].path == output.path ? "" : " ('" + outputs[j].path + "')") +
                "; give each its own file");
        clash = true;
      }
    }
    if (clash) continue;
    if (const auto why = unwritable(output.path)) {
      problem(output.option + ": cannot write '" + output.path + "': " + *why);
    }
  }
  if (!problems.empty()) throw UsageError(problems);
}

void write_output(const OutputFile& output, std::string_view text) {
  try {
    if (output.path.empty()) throw WriteFailure{"no file name given"};
    struct stat status {};
    if (::stat(output.path.c_str(), &status) == 0) {
      if (const auto why = refused_type(status.st_mode)) throw WriteFailure{*why};
      if (S_ISREG(status.st_mode)) {
        replace_whole(file_to_replace(output.path, true), &status, text);
      } else {
        write_in_place(output.path, S_ISFIFO(status.st_mode), text);
      }
    } else if (errno == ENOENT) {
      replace_whole(file_to_replace(output.path, false), nullptr, text);
    } else {
      throw WriteFailure{error_text(errno)};
    }
  } catch (const WriteFailure& failure) {
    throw UsageError(output.option + ": cannot write '" + output.path + "': " + failure.why);
  }
}

void write_json_output(const OutputFile& output, const nlohmann::json& json) {
  write_output(output, results::json_file_text(json));
}

}  // namespace commsim::cli
