// A vector that keeps its first N elements inline: argument lists and path steps are short, and the evaluator
// should not go to the allocator for each one.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <span>
#include <utility>
#include <vector>

namespace hookd::jsonata::detail {

template <class T, size_t N>
class SmallVec {
 public:
  SmallVec() noexcept : data_(inline_ptr()), size_(0), cap_(N) {}
  SmallVec(const SmallVec& o) : SmallVec() {
    reserve(o.size_);
    for (const T& v : o)
      push_back(v);
  }
  SmallVec& operator=(const SmallVec& o) {
    if (this != &o) {
      clear();
      reserve(o.size_);
      for (const T& v : o)
        push_back(v);
    }
    return *this;
  }
  SmallVec(SmallVec&& o) noexcept : SmallVec() { take(std::move(o)); }
  SmallVec& operator=(SmallVec&& o) noexcept {
    if (this != &o) {
      clear();
      release_heap();
      take(std::move(o));
    }
    return *this;
  }
  ~SmallVec() {
    clear();
    release_heap();
  }

  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  T* begin() noexcept { return data_; }
  T* end() noexcept { return data_ + size_; }
  const T* begin() const noexcept { return data_; }
  const T* end() const noexcept { return data_ + size_; }
  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  T& operator[](size_t i) noexcept { return data_[i]; }
  const T& operator[](size_t i) const noexcept { return data_[i]; }
  T& back() noexcept { return data_[size_ - 1]; }
  const T& back() const noexcept { return data_[size_ - 1]; }
  operator std::span<const T>() const noexcept { return {data_, size_}; }

  void reserve(size_t n) {
    if (n <= cap_) return;
    size_t cap = cap_ * 2 > n ? cap_ * 2 : n;
    T* fresh = static_cast<T*>(::operator new(cap * sizeof(T)));
    for (size_t i = 0; i < size_; ++i) {
      new (fresh + i) T(std::move(data_[i]));
      data_[i].~T();
    }
    release_heap();
    data_ = fresh;
    cap_ = cap;
  }
  void push_back(const T& v) {
    if (size_ == cap_) {
      T copy(v);  // v may live in this vector
      reserve(size_ + 1);
      new (data_ + size_++) T(std::move(copy));
      return;
    }
    new (data_ + size_++) T(v);
  }
  void push_back(T&& v) {
    if (size_ == cap_) {
      T moved(std::move(v));
      reserve(size_ + 1);
      new (data_ + size_++) T(std::move(moved));
      return;
    }
    new (data_ + size_++) T(std::move(v));
  }
  template <class... A>
  T& emplace_back(A&&... a) {
    reserve(size_ + 1);
    return *new (data_ + size_++) T(std::forward<A>(a)...);
  }
  void pop_back() noexcept { data_[--size_].~T(); }
  void clear() noexcept {
    for (size_t i = 0; i < size_; ++i)
      data_[i].~T();
    size_ = 0;
  }
  void resize(size_t n) {
    reserve(n);
    while (size_ < n)
      new (data_ + size_++) T();
    while (size_ > n)
      pop_back();
  }
  std::vector<T> to_vector() && {
    std::vector<T> out;
    out.reserve(size_);
    for (size_t i = 0; i < size_; ++i)
      out.push_back(std::move(data_[i]));
    clear();
    return out;
  }

 private:
  T* inline_ptr() noexcept { return reinterpret_cast<T*>(inline_); }
  void release_heap() noexcept {
    if (data_ != inline_ptr()) ::operator delete(data_);
    data_ = inline_ptr();
    cap_ = N;
  }
  void take(SmallVec&& o) noexcept {
    if (o.data_ != o.inline_ptr()) {
      data_ = o.data_;
      cap_ = o.cap_;
      size_ = o.size_;
      o.data_ = o.inline_ptr();
      o.cap_ = N;
      o.size_ = 0;
      return;
    }
    for (size_t i = 0; i < o.size_; ++i) {
      new (data_ + i) T(std::move(o.data_[i]));
      o.data_[i].~T();
    }
    size_ = o.size_;
    o.size_ = 0;
  }

  T* data_;
  size_t size_;
  size_t cap_;
  alignas(T) unsigned char inline_[N * sizeof(T)];
};

}  // namespace hookd::jsonata::detail
