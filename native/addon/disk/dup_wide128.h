// The full-content hash of duplicate search: 128 bits in one pass, built the way XXH3 builds its
// long-input hash (Yann Collet's design: eight 64-bit accumulators fed 64-byte stripes, each lane
// adding its input and a 32×32→64 product of input ^ secret; a scramble every 16 stripes; the last
// 64 bytes once more; two different merges of the accumulators for the two halves). It is not
// byte-compatible with XXH3: the 192-byte secret is our own (splitmix64 output), and input is
// fed stripe by stripe from 1 MiB reads. Only for inputs longer than 64 bytes (the full stage
// hashes files above 8 KiB; smaller ones get two XXH64 seeds). About four times less multiply
// work per byte than two XXH64 streams, which made the full stage CPU-bound.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vantage::disk {

class Wide128 {
 public:
  static constexpr size_t kStripe = 64;
  static constexpr size_t kSecretSize = 192;
  static constexpr size_t kStripesPerBlock = (kSecretSize - kStripe) / 8;  // 16

  explicit Wide128(uint64_t totalLen) : len_(totalLen), stripes_(totalLen ? (totalLen - 1) / kStripe : 0) {
    static const uint64_t init[8] = {kP32_3, kP64_1, kP64_2, kP64_3, kP64_4, kP32_2, kP64_5, kP32_1};
    std::memcpy(acc_, init, sizeof acc_);
  }

  // Stripes this many bytes from the start of the input must be fed, in order, through Feed.
  uint64_t StripeCount() const { return stripes_; }

  // Feeds consecutive whole stripes (64 bytes each) starting at stripe index next_. Stops at
  // StripeCount(); returns how many bytes were consumed.
  size_t Feed(const uint8_t* p, size_t bytes) {
    const uint8_t* secret = Secret();
    size_t used = 0;
    while (bytes - used >= kStripe && next_ < stripes_) {
      size_t inBlock = next_ % kStripesPerBlock;
      uint64_t n = std::min<uint64_t>({kStripesPerBlock - inBlock, (bytes - used) / kStripe, stripes_ - next_});
      for (uint64_t k = 0; k < n; k++) AccumulateInto(acc_, p + used + k * kStripe, secret + 8 * (inBlock + k));
      used += n * kStripe;
      next_ += n;
      if (next_ % kStripesPerBlock == 0) Scramble();
    }
    return used;
  }

  bool NeedsMore() const { return next_ < stripes_; }

  // lastStripe: the final 64 bytes of the input (input + len - 64).
  void Finish(const uint8_t* lastStripe, uint64_t* hi, uint64_t* lo) {
    uint64_t a[8];
    std::memcpy(a, acc_, sizeof a);
    AccumulateInto(a, lastStripe, Secret() + kSecretSize - kStripe - 7);
    *lo = Merge(a, Secret() + 11, len_ * kP64_1);
    *hi = Merge(a, Secret() + kSecretSize - kStripe - 11, ~(len_ * kP64_2));
  }

 private:
  static constexpr uint64_t kP32_1 = 0x9E3779B1U, kP32_2 = 0x85EBCA77U, kP32_3 = 0xC2B2AE3DU;
  static constexpr uint64_t kP64_1 = 0x9E3779B185EBCA87ULL, kP64_2 = 0xC2B2AE3D27D4EB4FULL;
  static constexpr uint64_t kP64_3 = 0x165667B19E3779F9ULL, kP64_4 = 0x85EBCA77C2B2AE63ULL;
  static constexpr uint64_t kP64_5 = 0x27D4EB2F165667C5ULL;

  static const uint8_t* Secret() {
    static const struct Table {
      uint8_t bytes[kSecretSize];
      Table() {
        uint64_t x = 0x5661'6E74'6167'6531ULL;  // "Vantage1"
        for (size_t i = 0; i < kSecretSize; i += 8) {
          x += 0x9E3779B97F4A7C15ULL;
          uint64_t z = x;
          z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
          z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
          z ^= z >> 31;
          std::memcpy(bytes + i, &z, 8);
        }
      }
    } table;
    return table.bytes;
  }

  static uint64_t Read64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }

  static void AccumulateInto(uint64_t* acc, const uint8_t* in, const uint8_t* secret) {
#if defined(__SSE2__)
    // Two lanes per register: acc[i] += lo32(k) * hi32(k); acc[i ^ 1] += v.
    for (int i = 0; i < 4; i++) {
      __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(acc) + i);
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in) + i);
      __m128i k = _mm_xor_si128(v, _mm_loadu_si128(reinterpret_cast<const __m128i*>(secret) + i));
      __m128i product = _mm_mul_epu32(k, _mm_shuffle_epi32(k, _MM_SHUFFLE(0, 3, 0, 1)));
      __m128i swapped = _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(acc) + i, _mm_add_epi64(a, _mm_add_epi64(product, swapped)));
    }
#else
    for (int i = 0; i < 8; i++) {
      uint64_t v = Read64(in + 8 * i);
      uint64_t k = v ^ Read64(secret + 8 * i);
      acc[i ^ 1] += v;
      acc[i] += (k & 0xFFFFFFFFULL) * (k >> 32);
    }
#endif
  }

  void Scramble() {
    const uint8_t* s = Secret() + kSecretSize - kStripe;
    for (int i = 0; i < 8; i++) {
      uint64_t a = acc_[i];
      a ^= a >> 47;
      a ^= Read64(s + 8 * i);
      acc_[i] = a * kP32_1;
    }
  }

  static uint64_t Mul128Fold64(uint64_t a, uint64_t b) {
    unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
  }

  static uint64_t Avalanche(uint64_t h) {
    h ^= h >> 37;
    h *= 0x165667919E3779F9ULL;
    h ^= h >> 32;
    return h;
  }

  static uint64_t Merge(const uint64_t* acc, const uint8_t* secret, uint64_t start) {
    uint64_t r = start;
    for (int i = 0; i < 4; i++) r += Mul128Fold64(acc[2 * i] ^ Read64(secret + 16 * i), acc[2 * i + 1] ^ Read64(secret + 16 * i + 8));
    return Avalanche(r);
  }

  uint64_t acc_[8];
  uint64_t len_;
  uint64_t stripes_;
  uint64_t next_ = 0;
};

}  // namespace vantage::disk
