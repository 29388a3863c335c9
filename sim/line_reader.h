// Reads a text file one line at a time through a fixed buffer.
//
// Memory is bounded by line_bytes_max whatever the file size: traces are
// streamed, never loaded whole. Handles "\n" and "\r\n" endings and a last
// line without a newline (the Azure traces end that way).
//
// Thread safety: not thread-safe; one reader per thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ukairo::sim {

class LineReader {
 public:
  static constexpr size_t kLineBytesMaxDefault = 1 << 20;

  LineReader() = default;
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  Status Open(const std::string& path, size_t line_bytes_max = kLineBytesMaxDefault);
  // Starts over from the first line.
  Status Rewind();

  // Sets *line to the next line (without its ending) and returns true, or
  // returns false at the end of the file. The view is valid until the next
  // call. A line longer than line_bytes_max is an error naming file:line.
  Result<bool> Next(std::string_view* line);

  // 1-based number of the line last returned (0 before the first).
  uint64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }

 private:
  Status Fill();

  std::string path_;
  std::FILE* file_ = nullptr;
  size_t line_bytes_max_ = kLineBytesMaxDefault;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // first unread byte in buffer_
  size_t end_ = 0;    // one past the last valid byte
  bool eof_ = false;
  uint64_t line_number_ = 0;
};

}  // namespace ukairo::sim
