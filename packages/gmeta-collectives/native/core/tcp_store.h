// A gloo::rendezvous::Store that talks to the TypeScript StoreServer (src/store/) over TCP.
// Gloo ships no TCP store; this is the client half. Wire format: see src/store/protocol.ts.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <gloo/rendezvous/store.h>

namespace gmeta {

class TcpStore : public gloo::rendezvous::Store {
 public:
  // Connects and presents the token; throws when the server refuses it. rank is reported to
  // the server so it can tell which rank's connection dropped (liveness for error messages).
  TcpStore(const std::string& host, int port, const std::string& token, int rank,
           std::chrono::milliseconds timeout);
  ~TcpStore() override;

  void set(const std::string& key, const std::vector<char>& data) override;
  std::vector<char> get(const std::string& key) override;
  void wait(const std::vector<std::string>& keys) override;
  void wait(const std::vector<std::string>& keys,
            const std::chrono::milliseconds& timeout) override;

  // Ranks whose store connection closed: after a collective fails, these are the likely dead.
  std::vector<int> goneRanks();

  // Ranks still connected whose heartbeats stopped, with the milliseconds since the last one:
  // a stopped or frozen process keeps its sockets open, so it is not among goneRanks().
  std::vector<std::pair<int, uint32_t>> silentRanks();

 private:
  std::vector<char> request(const std::vector<char>& payload, std::chrono::milliseconds timeout);
  std::vector<char> exchange(const std::vector<char>& payload, std::chrono::milliseconds timeout);

  int fd_ = -1;
  std::string where_;
  std::chrono::milliseconds timeout_;
  std::mutex mu_;
};

}  // namespace gmeta
