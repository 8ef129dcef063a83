#include "tools/bench/load_client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace docbus::bench {
namespace {

constexpr size_t kReadBytes = 64 * 1024;
// The agent closes a keep-alive connection idle for 2 s: one idle for 1 s is
// replaced before use rather than raced.
constexpr auto kMaxIdle = std::chrono::seconds(1);
// A request unanswered this long fails (the agent is stuck or gone).
constexpr timeval kIoTimeout{60, 0};

// The value of header `name` (lower case) in `head`, or "" when absent.
std::string Header(std::string_view head, std::string_view name) {
  size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at + 2 < head.size()) {
    const size_t begin = at + 2;
    const size_t end = std::min(head.find("\r\n", begin), head.size());
    const std::string_view line = head.substr(begin, end - begin);
    if (line.size() > name.size() && line[name.size()] == ':' &&
        std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      std::string_view value = line.substr(name.size() + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
    at = end;
  }
  return "";
}

}  // namespace

LoadClient::LoadClient(std::string url, std::string token)
    : token_(std::move(token)) {
  const std::string_view rest = std::string_view(url).substr(
      url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  const size_t colon = rest.rfind(':');
  host_ = std::string(rest.substr(0, colon));
  port_ = static_cast<uint16_t>(
      std::atoi(std::string(rest.substr(colon + 1)).c_str()));
}

LoadClient::~LoadClient() { Close(); }

void LoadClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  in_.clear();
}

Status LoadClient::Connect() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(port_);
  if (getaddrinfo(host_.c_str(), port.c_str(), &hints, &found) != 0 ||
      found == nullptr) {
    return Status(Code::kUnavailable, "cannot resolve " + host_);
  }
  fd_ = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool connected =
      fd_ >= 0 && ::connect(fd_, found->ai_addr, found->ai_addrlen) == 0;
  freeaddrinfo(found);
  if (!connected) {
    const std::string why = std::strerror(errno);
    Close();
    return Status(Code::kUnavailable,
                  "connect " + host_ + ":" + port + ": " + why);
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &kIoTimeout, sizeof(kIoTimeout));
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &kIoTimeout, sizeof(kIoTimeout));
  return Status::Ok();
}

Result<Answer> LoadClient::Post(const std::string& path,
                                const std::string& content_type,
                                const std::string& body,
                                const std::string& headers) {
  request_.clear();
  request_.append("POST ").append(path).append(" HTTP/1.1\r\nHost: ");
  request_.append(host_).append(":").append(std::to_string(port_));
  request_.append("\r\nAuthorization: Bearer ").append(token_);
  request_.append("\r\nContent-Type: ").append(content_type);
  request_.append("\r\nContent-Length: ").append(std::to_string(body.size()));
  request_.append("\r\n").append(headers).append("\r\n").append(body);
  return Exchange();
}

Result<Answer> LoadClient::Get(const std::string& path) {
  request_.clear();
  request_.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ");
  request_.append(host_).append(":").append(std::to_string(port_));
  request_.append("\r\nAuthorization: Bearer ").append(token_);
  request_.append("\r\n\r\n");
  return Exchange();
}

Result<Answer> LoadClient::Exchange() {
  if (fd_ >= 0 && std::chrono::steady_clock::now() - last_used_ > kMaxIdle) {
    Close();
  }
  for (int attempt = 0;; ++attempt) {
    if (fd_ < 0) DOCBUS_RETURN_IF_ERROR(Connect());
    size_t sent = 0;
    while (sent < request_.size()) {
      const ssize_t n = ::send(fd_, request_.data() + sent,
                               request_.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    if (sent == request_.size()) {
      Result<Answer> answer = ReadAnswer();
      last_used_ = std::chrono::steady_clock::now();
      return answer;
    }
    // Not written whole: the agent cannot have taken it, so once more on a
    // new connection.
    Close();
    if (attempt > 0) return Status(Code::kUnavailable, "send failed");
  }
}

Result<Answer> LoadClient::ReadAnswer() {
  size_t head_end = std::string::npos;
  size_t need = 0;
  Answer answer;
  bool close_after = false;
  char buffer[kReadBytes];
  for (;;) {
    if (head_end == std::string::npos) {
      head_end = in_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const std::string_view head(in_.data(), head_end);
        if (head.size() < 12 || head.substr(0, 5) != "HTTP/") {
          Close();
          return Status(Code::kInvalidArgument, "not an HTTP answer");
        }
        answer.status = std::atoi(std::string(head.substr(9, 3)).c_str());
        need = head_end + 4 +
               static_cast<size_t>(
                   std::atoll(Header(head, "content-length").c_str()));
        std::string connection = Header(head, "connection");
        for (char& c : connection)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        close_after = connection == "close";
      }
    }
    if (head_end != std::string::npos && in_.size() >= need) break;
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const bool timed_out = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
      Close();
      return Status(Code::kIoError, timed_out
                                        ? "no answer from the agent in 60 s"
                                        : "the agent closed the connection");
    }
    in_.append(buffer, static_cast<size_t>(n));
  }
  answer.body = in_.substr(head_end + 4, need - head_end - 4);
  in_.erase(0, need);
  if (close_after) Close();
  return answer;
}

}  // namespace docbus::bench
