#include "vshard/file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "vshard/error.h"

namespace vshard {

std::string read_file(const std::string& path, const std::string& what, uint64_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw Error(Errc::kIo, "cannot open " + what + " '" + path + "': " + std::strerror(errno) + ": check the path");
  if (S_ISDIR(st.st_mode)) throw Error(Errc::kIo, what + " '" + path + "' is a directory, not a file");
  if (!S_ISREG(st.st_mode))
    throw Error(Errc::kIo, what + " '" + path + "' is not a regular file (a FIFO, socket or device)");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes)
    throw Error(Errc::kBadInput, what + " '" + path + "' has " + std::to_string(size) + " bytes, more than the " +
                                     std::to_string(max_bytes) + " this reader accepts");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(Errc::kIo, "cannot open " + what + " '" + path + "' for reading: check its permissions");
  std::string data(size, '\0');
  f.read(data.data(), static_cast<std::streamsize>(size));
  data.resize(static_cast<size_t>(f.gcount()));  // the file may have shrunk meanwhile
  if (f.bad()) throw Error(Errc::kIo, "error reading " + what + " '" + path + "'");
  return data;
}

void check_toml_non_ascii(const std::string& text, const std::string& source_name) {
  const bool multiline = text.find(R"(""")") != std::string::npos || text.find("'''") != std::string::npos;
  size_t line = 1;
  bool comment = false, quoted = false;  // in a comment; a quote seen on this line
  for (const char ch : text) {
    if (ch == '\n') {
      ++line;
      comment = quoted = false;
    } else if (ch == '\'' || ch == '"') {
      quoted = true;
    } else if (ch == '#' && !quoted) {
      comment = true;
    } else if (static_cast<unsigned char>(ch) >= 0x80 && (!comment || multiline)) {
      throw Error(Errc::kBadInput,
                  source_name + ":" + std::to_string(line) +
                      ": a non-ASCII character outside a comment (TOML files here take them only in comments that "
                      "no quote precedes on their line, and none in a file with multi-line strings: the TOML "
                      "parser of this build, toml++ 3.3.0, mishandles them elsewhere)");
    }
  }
}

}  // namespace vshard
