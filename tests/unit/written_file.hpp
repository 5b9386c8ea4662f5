#pragma once

// A temporary file for a writer to write to, read back by the test.

#include <unistd.h>

#include <cstdio>
#include <string>

namespace tcpsight::test {

class WrittenFile {
public:
  WrittenFile() : file_(std::tmpfile()) {}
  ~WrittenFile() { std::fclose(file_); }
  WrittenFile(const WrittenFile&) = delete;
  WrittenFile& operator=(const WrittenFile&) = delete;

  int fd() const { return fileno(file_); }

  std::string text() const {
    std::string text;
    char buffer[4096];
    for (off_t offset = 0;;) {
      const auto got = ::pread(fd(), buffer, sizeof buffer, offset);
      if (got <= 0)
        return text;
      text.append(buffer, static_cast<std::size_t>(got));
      offset += got;
    }
  }

private:
  std::FILE* file_;
};

} // namespace tcpsight::test
