#include "tcp_store.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "check.h"

namespace gmeta {
namespace {

// An error the server sent back, as opposed to a broken connection.
class ServerReply : public Error {
 public:
  using Error::Error;
};

enum Op : uint8_t { kHello = 1, kSet = 2, kGet = 3, kWait = 4, kAdd = 5, kGone = 6, kBeat = 7, kSilent = 8 };

void putU32(std::vector<char>& b, uint32_t v) {
  for (int i = 0; i < 4; i++) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void putStr(std::vector<char>& b, const std::string& s) {
  putU32(b, static_cast<uint32_t>(s.size()));
  b.insert(b.end(), s.begin(), s.end());
}
uint32_t getU32(const std::vector<char>& b, size_t at) {
  GMETA_CHECK(at + 4 <= b.size(), "store: short reply");
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= static_cast<uint32_t>(static_cast<uint8_t>(b[at + i])) << (8 * i);
  return v;
}

// Waits for the socket to be ready, so a silent server becomes a timeout and not a hang.
void waitFd(int fd, short events, std::chrono::milliseconds timeout, const std::string& where) {
  pollfd p{fd, events, 0};
  int rv;
  do {
    rv = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (rv < 0 && errno == EINTR);
  GMETA_CHECK(rv > 0, "store " << where << ": no reply within " << timeout.count() << " ms");
}

void sendAll(int fd, const char* p, size_t n, std::chrono::milliseconds timeout,
             const std::string& where) {
  while (n > 0) {
    waitFd(fd, POLLOUT, timeout, where);
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    GMETA_CHECK(w > 0, "store " << where << ": send failed: " << std::strerror(errno));
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void recvAll(int fd, char* p, size_t n, std::chrono::milliseconds timeout,
             const std::string& where) {
  while (n > 0) {
    waitFd(fd, POLLIN, timeout, where);
    ssize_t r = ::recv(fd, p, n, 0);
    if (r < 0 && errno == EINTR) continue;
    GMETA_CHECK(r != 0, "store " << where << ": connection closed by the server");
    GMETA_CHECK(r > 0, "store " << where << ": recv failed: " << std::strerror(errno));
    p += r;
    n -= static_cast<size_t>(r);
  }
}

int connectTo(const std::string& host, int port, std::chrono::milliseconds timeout,
              const std::string& where) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rv = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  GMETA_CHECK(rv == 0, "store " << where << ": cannot resolve host: " << gai_strerror(rv));
  // The server may start a moment after the ranks (launcher races, rank 0 hosting), so retry
  // refused connections until the timeout rather than failing on the first try.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (true) {
    for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        ::freeaddrinfo(res);
        return fd;
      }
      last = std::strerror(errno);
      ::close(fd);
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::freeaddrinfo(res);
  throwAt(__FILE__, __LINE__,
          "store " + where + ": cannot connect within " + std::to_string(timeout.count()) +
              " ms: " + last);
}

}  // namespace

TcpStore::TcpStore(const std::string& host, int port, const std::string& token, int rank,
                   std::chrono::milliseconds timeout)
    : where_(host + ":" + std::to_string(port)), timeout_(timeout) {
  fd_ = connectTo(host, port, timeout, where_);
  std::vector<char> hello{static_cast<char>(kHello)};
  putStr(hello, token);
  putU32(hello, static_cast<uint32_t>(rank));
  try {
    request(hello, timeout);
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

TcpStore::~TcpStore() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<char> TcpStore::request(const std::vector<char>& payload,
                                    std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> lock(mu_);
  GMETA_CHECK(fd_ >= 0, "store " << where_ << ": not connected (an earlier request failed)");
  try {
    return exchange(payload, timeout);
  } catch (const ServerReply&) {
    throw;  // the server answered with an error: the stream is still in step
  } catch (...) {
    // A reply that arrives after we gave up would be read as the next request's answer:
    // drop the connection so later requests fail plainly instead of reading stale data.
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

std::vector<char> TcpStore::exchange(const std::vector<char>& payload,
                                     std::chrono::milliseconds timeout) {
  std::vector<char> frame;
  putU32(frame, static_cast<uint32_t>(payload.size()));
  frame.insert(frame.end(), payload.begin(), payload.end());
  sendAll(fd_, frame.data(), frame.size(), timeout, where_);
  // The server answers a wait / get only when the keys exist or its own timeout fires, so
  // allow it a grace period beyond the request's timeout before giving up on it.
  auto replyTimeout = timeout + std::chrono::milliseconds(5000);
  char len[4];
  recvAll(fd_, len, 4, replyTimeout, where_);
  std::vector<char> lenv(len, len + 4);
  uint32_t n = getU32(lenv, 0);
  GMETA_CHECK(n >= 1, "store " << where_ << ": empty reply");
  std::vector<char> reply(n);
  recvAll(fd_, reply.data(), n, replyTimeout, where_);
  if (reply[0] != 0) {
    uint32_t m = getU32(reply, 1);
    GMETA_CHECK(5 + m <= reply.size(), "store " << where_ << ": bad error reply");
    throw ServerReply("store " + where_ + ": " + std::string(reply.data() + 5, m));
  }
  return std::vector<char>(reply.begin() + 1, reply.end());
}

void TcpStore::set(const std::string& key, const std::vector<char>& data) {
  std::vector<char> p{static_cast<char>(kSet)};
  putStr(p, key);
  putU32(p, static_cast<uint32_t>(data.size()));
  p.insert(p.end(), data.begin(), data.end());
  request(p, timeout_);
}

std::vector<char> TcpStore::get(const std::string& key) {
  std::vector<char> p{static_cast<char>(kGet)};
  putStr(p, key);
  putU32(p, static_cast<uint32_t>(timeout_.count()));
  auto body = request(p, timeout_);
  uint32_t n = getU32(body, 0);
  GMETA_CHECK(4 + n <= body.size(), "store " << where_ << ": bad get reply");
  return std::vector<char>(body.begin() + 4, body.begin() + 4 + n);
}

void TcpStore::wait(const std::vector<std::string>& keys) { wait(keys, timeout_); }

void TcpStore::wait(const std::vector<std::string>& keys,
                    const std::chrono::milliseconds& timeout) {
  std::vector<char> p{static_cast<char>(kWait)};
  putU32(p, static_cast<uint32_t>(keys.size()));
  for (const auto& k : keys) putStr(p, k);
  putU32(p, static_cast<uint32_t>(timeout.count()));
  request(p, timeout);
}

std::vector<int> TcpStore::goneRanks() {
  std::vector<char> p{static_cast<char>(kGone)};
  auto body = request(p, std::chrono::milliseconds(2000));
  uint32_t n = getU32(body, 0);
  std::vector<int> out;
  for (uint32_t i = 0; i < n; i++) out.push_back(static_cast<int>(getU32(body, 4 + 4 * i)));
  return out;
}

std::vector<std::pair<int, uint32_t>> TcpStore::silentRanks() {
  std::vector<char> p{static_cast<char>(kSilent)};
  auto body = request(p, std::chrono::milliseconds(2000));
  uint32_t n = getU32(body, 0);
  std::vector<std::pair<int, uint32_t>> out;
  for (uint32_t i = 0; i < n; i++) {
    out.emplace_back(static_cast<int>(getU32(body, 4 + 8 * i)), getU32(body, 8 + 8 * i));
  }
  return out;
}

}  // namespace gmeta
