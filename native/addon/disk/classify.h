// File categories by content (magic numbers in the first bytes) and by extension (fallback).
// The numbering is the index in FILE_CATEGORIES of electron/contract/disk.ts.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vantage::disk {
enum Category : uint8_t {
  kVideo = 0,
  kImage,
  kAudio,
  kArchive,
  kDocument,
  kCode,
  kText,
  kBinary,
  kDatabase,
  kFont,
  kOther,
};

// How many leading bytes ClassifyContent wants.
constexpr size_t kClassifyBytes = 512;

// The category the content shows, or -1 when the bytes say nothing (the caller falls back to the
// extension). `name` helps tell apart formats that share a container (zip → docx, jar, apk).
int ClassifyContent(const uint8_t* data, size_t n, std::string_view name);
// The category the name's extension suggests; kOther when unknown.
Category CategoryByExtension(std::string_view name);
}  // namespace vantage::disk
