#include "sim/line_reader.h"
#include "base/check.h"

#include <cerrno>
#include <cstring>

namespace ukairo::sim {
namespace {
constexpr size_t kReadChunkBytes = 1 << 16;
}  // namespace

LineReader::~LineReader() {
  if (file_ != nullptr) std::fclose(file_);
}

Status LineReader::Open(const std::string& path, size_t line_bytes_max) {
  UKAIRO_CHECK(line_bytes_max > 0);
  if (file_ != nullptr) std::fclose(file_);
  path_ = path;
  line_bytes_max_ = line_bytes_max;
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) {
    return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  }
  buffer_.assign(kReadChunkBytes + line_bytes_max_ + 1, '\0');
  begin_ = end_ = 0;
  eof_ = false;
  line_number_ = 0;
  return Status::Ok();
}

Status LineReader::Rewind() {
  if (file_ == nullptr) return Status::FailedPrecondition("LineReader not open");
  std::rewind(file_);
  begin_ = end_ = 0;
  eof_ = false;
  line_number_ = 0;
  return Status::Ok();
}

// Moves the unread tail to the front and reads one more chunk after it.
Status LineReader::Fill() {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  size_t room = buffer_.size() - end_;
  size_t want = room < kReadChunkBytes ? room : kReadChunkBytes;
  size_t got = std::fread(buffer_.data() + end_, 1, want, file_);
  if (got < want) {
    if (std::ferror(file_)) return Status::IOError("read error in " + path_);
    eof_ = true;
  }
  end_ += got;
  return Status::Ok();
}

Result<bool> LineReader::Next(std::string_view* line) {
  UKAIRO_CHECK(file_ != nullptr);
  size_t scanned = begin_;
  for (;;) {
    const char* base = buffer_.data();
    const void* nl = std::memchr(base + scanned, '\n', end_ - scanned);
    if (nl != nullptr) {
      size_t at = static_cast<const char*>(nl) - base;
      size_t stop = at;
      if (stop > begin_ && base[stop - 1] == '\r') --stop;
      *line = std::string_view(base + begin_, stop - begin_);
      begin_ = at + 1;
      ++line_number_;
      return true;
    }
    if (end_ - begin_ > line_bytes_max_) {
      return Status::InvalidArgument(path_ + ":" + std::to_string(line_number_ + 1) +
                                     ": line longer than " + std::to_string(line_bytes_max_) +
                                     " bytes");
    }
    if (eof_) {
      if (begin_ == end_) return false;
      size_t stop = end_;
      if (base[stop - 1] == '\r') --stop;
      *line = std::string_view(base + begin_, stop - begin_);
      begin_ = end_;
      ++line_number_;
      return true;
    }
    scanned = end_ - begin_;  // offsets shift to 0 in Fill
    UKAIRO_RETURN_IF_ERROR(Fill());
  }
}

}  // namespace ukairo::sim
