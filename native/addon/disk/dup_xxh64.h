// XXH64 (Yann Collet's xxHash, 64-bit variant), streaming form, written from the public spec
// (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md). Duplicate search uses it for
// the partial hash (first and last block) and, with two seeds over one pass, a 128-bit full hash.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vantage::disk {

class Xxh64 {
 public:
  explicit Xxh64(uint64_t seed = 0) { Reset(seed); }

  void Reset(uint64_t seed) {
    seed_ = seed;
    v_[0] = seed + kP1 + kP2;
    v_[1] = seed + kP2;
    v_[2] = seed;
    v_[3] = seed - kP1;
    total_ = 0;
    buffered_ = 0;
  }

  void Update(const void* data, size_t len) {
    const uint8_t* p = static_cast<const uint8_t*>(data);
    total_ += len;
    if (buffered_ >= 32) __builtin_unreachable();
    if (len < 32 - buffered_) {
      std::memcpy(buf_ + buffered_, p, len);
      buffered_ += len;
      return;
    }
    if (buffered_) {
      size_t fill = 32 - buffered_;
      std::memcpy(buf_ + buffered_, p, fill);
      Stripe(buf_);
      p += fill;
      len -= fill;
      buffered_ = 0;
    }
    uint64_t v0 = v_[0], v1 = v_[1], v2 = v_[2], v3 = v_[3];
    while (len >= 32) {
      v0 = Round(v0, Read64(p));
      v1 = Round(v1, Read64(p + 8));
      v2 = Round(v2, Read64(p + 16));
      v3 = Round(v3, Read64(p + 24));
      p += 32;
      len -= 32;
    }
    v_[0] = v0, v_[1] = v1, v_[2] = v2, v_[3] = v3;
    if (len) {
      std::memcpy(buf_, p, len);
      buffered_ = len;
    }
  }

  uint64_t Digest() const {
    uint64_t h;
    if (total_ >= 32) {
      h = Rotl(v_[0], 1) + Rotl(v_[1], 7) + Rotl(v_[2], 12) + Rotl(v_[3], 18);
      for (int i = 0; i < 4; i++) h = Merge(h, v_[i]);
    } else {
      h = seed_ + kP5;
    }
    h += total_;
    const uint8_t* p = buf_;
    size_t len = buffered_;
    while (len >= 8) {
      h ^= Round(0, Read64(p));
      h = Rotl(h, 27) * kP1 + kP4;
      p += 8;
      len -= 8;
    }
    if (len >= 4) {
      h ^= static_cast<uint64_t>(Read32(p)) * kP1;
      h = Rotl(h, 23) * kP2 + kP3;
      p += 4;
      len -= 4;
    }
    while (len) {
      h ^= (*p) * kP5;
      h = Rotl(h, 11) * kP1;
      p++;
      len--;
    }
    h ^= h >> 33;
    h *= kP2;
    h ^= h >> 29;
    h *= kP3;
    h ^= h >> 32;
    return h;
  }

  static uint64_t Hash(const void* data, size_t len, uint64_t seed = 0) {
    Xxh64 s(seed);
    s.Update(data, len);
    return s.Digest();
  }

 private:
  static constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
  static constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
  static constexpr uint64_t kP3 = 0x165667B19E3779F9ULL;
  static constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
  static constexpr uint64_t kP5 = 0x27D4EB2F165667C5ULL;

  static uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
  static uint64_t Read64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;  // little-endian hosts only (x86-64, aarch64)
  }
  static uint32_t Read32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  static uint64_t Round(uint64_t acc, uint64_t input) {
    acc += input * kP2;
    acc = Rotl(acc, 31);
    return acc * kP1;
  }
  static uint64_t Merge(uint64_t acc, uint64_t val) {
    acc ^= Round(0, val);
    return acc * kP1 + kP4;
  }
  void Stripe(const uint8_t* p) {
    v_[0] = Round(v_[0], Read64(p));
    v_[1] = Round(v_[1], Read64(p + 8));
    v_[2] = Round(v_[2], Read64(p + 16));
    v_[3] = Round(v_[3], Read64(p + 24));
  }

  uint64_t seed_ = 0;
  uint64_t v_[4] = {};
  uint64_t total_ = 0;
  uint8_t buf_[32] = {};
  size_t buffered_ = 0;
};

}  // namespace vantage::disk
